package jobs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/model"
)

func TestGoldenJobsTabs(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := openJobs(t, jobsFixture(), sz[0], sz[1])
			for tab := model.TabInProgress; tab <= model.TabFailedCanceled; tab++ {
				t.Run(fmt.Sprintf("%d_%s", tab+1, strings.ReplaceAll(tab.String(), "/", "_")), func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
				press(t, m, "tab")
			}
			press(t, m, "2", "enter")
			t.Run("details", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			press(t, m, "esc", "d")
			t.Run("download", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			press(t, m, "enter")
			t.Run("download_result", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
		})
	}
}

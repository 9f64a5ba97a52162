package jobs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/model"
)

func TestGoldenJobsTabs(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openJobs(t, jobsFixture(), w, h)
		for tab := model.TabInProgress; tab <= model.TabFailedCanceled; tab++ {
			t.Run(fmt.Sprintf("%d_%s", tab+1, strings.ReplaceAll(tab.String(), "/", "_")), func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			press(t, m, "tab")
		}
		press(t, m, "2", "enter")
		snap(t, m, "details")
		press(t, m, "esc", "d")
		snap(t, m, "download")
		press(t, m, "enter")
		snap(t, m, "download_result")
	})
}

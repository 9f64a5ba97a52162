package ui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden views, ANSI stripped, at uitest.GoldenSizes. Regenerate with:
// go test ./ui/... -run Golden -update

func TestGoldenFrame(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := newTestModel(t, newFakeBackend(), sz[0], sz[1])
			t.Run("home", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			press(t, m, "?")
			t.Run("help", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			be := newFakeBackend()
			be.Empty = true
			m = newTestModel(t, be, sz[0], sz[1])
			t.Run("first_run", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
		})
	}
	m := newTestModel(t, newFakeBackend(), 50, 12)
	t.Run("too_small", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
}

package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden views, ANSI stripped, at the smallest supported size and a large
// one. Regenerate with: go test ./ui/ -run Golden -update
var goldenSizes = [][2]int{{80, 24}, {120, 40}}

func sizeName(sz [2]int) string { return fmt.Sprintf("%dx%d", sz[0], sz[1]) }

func TestGoldenFrame(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := newTestModel(t, newFakeBackend(), sz[0], sz[1])
			t.Run("home", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			press(t, m, "?")
			t.Run("help", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
			be := newFakeBackend()
			be.empty = true
			m = newTestModel(t, be, sz[0], sz[1])
			t.Run("first_run", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
		})
	}
	m := newTestModel(t, newFakeBackend(), 50, 12)
	t.Run("too_small", func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
}

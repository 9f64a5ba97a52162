package ui

import (
	"testing"
)

// Golden views, ANSI stripped, at uitest.GoldenSizes. Regenerate with:
// go test ./ui/... -run Golden -update

func TestGoldenFrame(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := newTestModel(t, newFakeBackend(), w, h)
		snap(t, m, "home")
		press(t, m, "?")
		snap(t, m, "help")
		be := newFakeBackend()
		be.Empty = true
		m = newTestModel(t, be, w, h)
		snap(t, m, "first_run")
	})
	m := newTestModel(t, newFakeBackend(), 50, 12)
	snap(t, m, "too_small")
}

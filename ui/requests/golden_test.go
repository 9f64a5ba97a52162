package requests

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// goldenText is the screen's body and its short help, as the root shows
// them.
func goldenText(h *harness) string {
	out := view(h) + "\n--\n"
	for _, b := range h.s.ShortHelp() {
		out += b.Help().Key + " " + b.Help().Desc + " • "
	}
	return out
}

func TestGoldenRequests(t *testing.T) {
	uitest.ForGoldenSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(newTestScreen(fixture()), w, h-2)
		t.Run("list", func(t *testing.T) { golden.RequireEqual(t, goldenText(hs)) })
		hs.press("down", "enter")
		t.Run("details", func(t *testing.T) { golden.RequireEqual(t, goldenText(hs)) })
		hs.press("a")
		t.Run("approve", func(t *testing.T) { golden.RequireEqual(t, goldenText(hs)) })
		hs.press("esc", "esc", "b")
		t.Run("bulk", func(t *testing.T) { golden.RequireEqual(t, goldenText(hs)) })
		form := newHarness(newTestForm(fixture()), w, h-2)
		t.Run("form", func(t *testing.T) { golden.RequireEqual(t, goldenText(form)) })
	})
}

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
		hs.typeText("3")
		hs.press("tab")
		hs.typeText("Welcome aboard")
		t.Run("bulk_comment", func(t *testing.T) { golden.RequireEqual(t, goldenText(hs)) })
		form := newHarness(newTestForm(fixture()), w, h-2)
		t.Run("form", func(t *testing.T) { golden.RequireEqual(t, goldenText(form)) })
		form.typeText("ali")
		t.Run("form_user_filtered", func(t *testing.T) { golden.RequireEqual(t, goldenText(form)) })
		form.press("enter")
		t.Run("form_user_picked", func(t *testing.T) { golden.RequireEqual(t, goldenText(form)) })
		noMail := newHarness(newTestForm(fixture()), w, h-2)
		noMail.typeText("xnomail")
		noMail.press("tab")
		t.Run("form_user_without_email", func(t *testing.T) { golden.RequireEqual(t, goldenText(noMail)) })
	})
}

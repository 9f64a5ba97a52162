package selfservice

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// The frames at 80x24 and 120x40. Regenerate with
// go test ./ui/selfservice -run Golden -update.
func TestGoldenSelfService(t *testing.T) {
	uitest.ForGoldenSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, fixture(), w, h)
		t.Run("main", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("n")
		t.Run("form", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("esc", "r")
		t.Run("replacement", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("esc", "down", "s")
		t.Run("confirm", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("y")
		t.Run("qr", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("esc", "?")
		t.Run("help", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.press("esc", "a")
		t.Run("keys", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
		hs.send(tea.PasteMsg{Content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@laptop\n"})
		hs.press("enter")
		t.Run("keys_refused", func(t *testing.T) { golden.RequireEqual(t, hs.view()) })
	})
}

// TestGoldenFormWithPasswordAndRefusal is the form where the settings
// require a password, after the store refused it.
func TestGoldenFormWithPasswordAndRefusal(t *testing.T) {
	be := fixture()
	be.choices.PasswordRequired = true
	be.makeErr = errRefused
	hs := newHarness(t, be, 80, 24)
	hs.press("n", "tab", "tab")
	hs.typeText("phone")
	hs.press("tab")
	hs.typeText("secret12")
	hs.press("enter")
	golden.RequireEqual(t, hs.view())
}

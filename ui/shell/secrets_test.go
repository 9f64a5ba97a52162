package shell_test

import (
	"testing"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// Every screen drops its secrets when it leaves the stack (popped,
// replaced, dropped by Home) and every screen of the stack on quit.
func TestSecretsAreClearedWhenAScreenLeaves(t *testing.T) {
	m, home := newModel(t, 80, 24)

	popped := newScreen("Popped")
	uitest.Update(t, m, nav.PushMsg{S: popped})
	pressKey(t, m, "esc")
	if popped.secret != "" {
		t.Error("a popped screen kept its secret")
	}

	replaced := newScreen("Replaced")
	uitest.Update(t, m, nav.PushMsg{S: replaced}, nav.ReplaceMsg{S: newScreen("Instead")})
	if replaced.secret != "" {
		t.Error("a replaced screen kept its secret")
	}

	a, b := newScreen("A"), newScreen("B")
	uitest.Update(t, m, nav.PushMsg{S: a}, nav.PushMsg{S: b}, nav.HomeMsg{})
	if a.secret != "" || b.secret != "" {
		t.Error("screens dropped by Home kept their secrets")
	}

	home.secret = "s3cret"
	c, d := newScreen("C"), newScreen("D")
	uitest.Update(t, m, nav.PushMsg{S: c}, nav.PushMsg{S: d})
	pressKey(t, m, "q")
	if !m.Quitting() {
		t.Fatal("q did not quit")
	}
	if home.secret != "" || c.secret != "" || d.secret != "" {
		t.Errorf("screens kept their secrets on quit: home %q, c %q, d %q", home.secret, c.secret, d.secret)
	}
}

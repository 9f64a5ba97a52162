package inventory

import (
	"strings"
	"testing"
)

// TestUsersListCountFollowsAssign: the Users list's Tokens column follows
// an assignment made from a user's detail screen above it, without a
// reload.
func TestUsersListCountFollowsAssign(t *testing.T) {
	m := openMenu(t, listFixture(), "6", 120, 40)
	row := func() string {
		for _, l := range strings.Split(screenText(m), "\n") {
			if f := strings.Fields(strings.TrimLeft(l, "> ")); len(f) > 0 && f[0] == "ijones" {
				return strings.Join(f, " ")
			}
		}
		t.Fatalf("no ijones row:\n%s", screenText(m))
		return ""
	}
	if got := row(); got != "ijones Ivy Jones - ijones@example.com" {
		t.Fatalf("before: %q", got)
	}
	press(t, m, "/")
	typeText(t, m, "ijones")
	press(t, m, "enter", "enter", "a")
	typeText(t, m, "30")
	press(t, m, "enter", "esc")
	if got := row(); got != "ijones Ivy Jones 1 ijones@example.com" {
		t.Fatalf("after assign: %q\n%s", got, screenText(m))
	}
}

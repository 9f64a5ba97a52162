package inventory

import (
	"slices"
	"testing"
)

// openTokenDetail opens the Tokens screen and the detail of the token
// whose row the fuzzy filter text finds first.
func openTokenDetail(t *testing.T, be *fakeBackend, filter string, w, h int) *Model {
	t.Helper()
	m := openMenu(t, be, "5", w, h)
	press(t, m, "/")
	typeText(t, m, filter)
	press(t, m, "enter")
	if _, ok := m.Top().(*tokenDetail); !ok {
		t.Fatalf("top is %T", m.Top())
	}
	return m
}

func TestTokenEnableDisableToggles(t *testing.T) {
	be := listFixture()
	const serial = "100000000003" // cnguyen's, enabled by its assignment
	m := openTokenDetail(t, be, "cnguy", 120, 40)
	list := m.Stack()[len(m.Stack())-2].(*tokensScreen)
	wantScreen(t, m, "Status:            enabled (follows the assignment)")
	wantScreen(t, m, "e disable")

	// n keeps the token as it is, without a backend call.
	press(t, m, "e")
	wantScreen(t, m, "Disable token 100000000003?")
	wantScreen(t, m, "distribution jobs leave it out")
	press(t, m, "n")
	wantNoScreen(t, m, "Disable token")
	if slices.ContainsFunc(be.Calls, func(c string) bool { return c == "set enabled "+serial+" false" }) {
		t.Fatalf("n called the backend: %v", be.Calls)
	}

	// y disables it: the backend is called, the screen and the list follow.
	press(t, m, "e", "y")
	be.WantCalled(t, "set enabled "+serial+" false")
	wantScreen(t, m, "OK: Token 100000000003 disabled.")
	wantScreen(t, m, "Status:            disabled (set by the admin)")
	wantScreen(t, m, "e enable")
	wantScreen(t, m, "f lets it follow its assignment again.")
	if tok, _ := be.Token(serial); tok.Enabled || !tok.EnabledSetByAdmin {
		t.Fatalf("fake token after disable: %+v", tok)
	}
	if i := list.rowIndex(serial); i < 0 || list.rows[i].t.Enabled {
		t.Fatalf("the list row did not follow: %+v", list.rows[i].t)
	}

	// e again asks to enable.
	press(t, m, "e")
	wantScreen(t, m, "Enable token 100000000003?")
	press(t, m, "y")
	be.WantCalled(t, "set enabled "+serial+" true")
	wantScreen(t, m, "OK: Token 100000000003 enabled.")
	wantScreen(t, m, "Status:            enabled (set by the admin)")

	// f lets it follow the assignment again; a second f is refused.
	press(t, m, "f")
	wantScreen(t, m, "Let token 100000000003 follow its assignment again?")
	press(t, m, "y")
	be.WantCalled(t, "follow assignment "+serial)
	wantScreen(t, m, "OK: Token 100000000003 follows its assignment again: enabled (assigned to cnguyen).")
	wantScreen(t, m, "Status:            enabled (follows the assignment)")
	press(t, m, "f")
	wantScreen(t, m, "Token 100000000003 already follows its assignment.")
	if _, ok := m.Top().(*tokenDetail); !ok || m.Top().(*tokenDetail).mode != modeFacts {
		t.Fatalf("f on a following token left the facts: %T", m.Top())
	}

	// The audit trail has the three changes.
	var acts []string
	for _, r := range be.inv.audit {
		if r.Object == "token "+serial {
			acts = append(acts, r.Action)
		}
	}
	if want := []string{"token disable", "token enable", "token follow assignment"}; !slices.Equal(acts, want) {
		t.Fatalf("audit %q, want %q", acts, want)
	}
}

func TestGoldenTokenEnableConfirm(t *testing.T) {
	m := openTokenDetail(t, listFixture(), "cnguy", 80, 24)
	press(t, m, "e")
	snap(t, m, "1_disable_confirm")
	press(t, m, "y")
	snap(t, m, "2_disabled")
	press(t, m, "f")
	snap(t, m, "3_follow_confirm")
}

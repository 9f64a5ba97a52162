package inventory

import (
	"testing"
)

func TestStatusNoteIsClearedWhenEscLeavesTheScreen(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 80, 24)
	press(t, m, "enter", "a") // the first token is assigned
	wantScreen(t, m, "NOTE: Token 100000000001 is assigned to asmith; unassign it first (u).")
	press(t, m, "esc")
	if _, ok := m.Top().(*tokensScreen); !ok {
		t.Fatalf("top is %T", m.Top())
	}
	wantNoScreen(t, m, "unassign it first")
	press(t, m, "esc")
	press(t, m, "6", "enter")
	wantNoScreen(t, m, "NOTE:")
}

// TestStatusNoteAfterTheNavigationStillShows: a note from a Cmd that ends
// after esc left the screen shows; so does the note of an action that pops
// its screen itself (the user picker).
func TestStatusNoteAfterTheNavigationStillShows(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 80, 24)
	press(t, m, "enter")
	_, cmd := m.Update(keyPress("a")) // the note's Cmd, not run yet
	press(t, m, "esc")
	run(t, m, cmd)
	wantScreen(t, m, "NOTE: Token 100000000001 is assigned to asmith")

	m = openMenu(t, be, "5", 80, 24)
	press(t, m, "2", "enter", "a")
	typeText(t, m, "ijones")
	press(t, m, "enter")
	if _, ok := m.Top().(*tokenDetail); !ok {
		t.Fatalf("top is %T", m.Top())
	}
	wantScreen(t, m, "OK: Token 100000000010 assigned to ijones.")
}

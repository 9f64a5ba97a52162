package inventory

import (
	"testing"
)

// importUsersFromFirstRun opens Import from the first-run screen and
// imports a users CSV.
func importUsersFromFirstRun(t *testing.T, m *Model, path string) {
	t.Helper()
	wantScreen(t, m, "Welcome: this store is empty")
	press(t, m, "2", "enter")
	if _, ok := m.Top().(*importScreen); !ok {
		t.Fatalf("Import opened %T", m.Top())
	}
	press(t, m, "space", "tab") // Users CSV, then its path
	typeText(t, m, path)
	press(t, m, "enter")
}

// TestFirstRunGoesAwayAfterAnImport: after an import from the first-run
// screen fills the store, coming back shows the home menu, not the offer
// for an empty store, and the menu works.
func TestFirstRunGoesAwayAfterAnImport(t *testing.T) {
	be := newNewDataDir()
	m := newTestModel(t, be, 80, 24)
	importUsersFromFirstRun(t, m, "/srv/users.csv")
	wantScreen(t, m, "Import result: Users CSV")
	wantScreen(t, m, "Imported: 3")
	press(t, m, "esc", "esc")
	if len(m.Stack()) != 1 {
		t.Fatalf("stack %d deep after esc esc", len(m.Stack()))
	}
	wantNoScreen(t, m, "Welcome")
	wantNoScreen(t, m, "Load demo inventory")
	wantScreen(t, m, "1  Distribute Software Tokens")
	wantScreen(t, m, "Pick a workflow")
	wantScreen(t, m, "swtoken  Home")

	press(t, m, "2")
	if ok := m.Stack()[0].IsHome(); !ok {
		t.Fatalf("the bottom screen is %T, want the home screen", m.Stack()[0])
	}
	press(t, m, "enter")
	if m.Top().Title() != "Jobs" {
		t.Fatalf("item 2 did not open Jobs:\n%s", screenText(m))
	}
}

// TestFirstRunStaysAfterAnImportThatAddsNothing: a failed import leaves
// the store empty, and the offer with it.
func TestFirstRunStaysAfterAnImportThatAddsNothing(t *testing.T) {
	be := newNewDataDir()
	m := newTestModel(t, be, 80, 24)
	importUsersFromFirstRun(t, m, "/srv/missing.csv")
	wantScreen(t, m, "ERROR: open /srv/missing.csv: no such file or directory")
	press(t, m, "esc")
	wantScreen(t, m, "Welcome: this store is empty")
	press(t, m, "up", "enter")
	wantScreen(t, m, "OK: Demo inventory loaded")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("top after the demo load is %T", m.Top())
	}
}

// TestFirstRunDemoRefusedOnAFilledStore: when the demo is refused because
// the store was filled some other way, the console goes home and says so.
func TestFirstRunDemoRefusedOnAFilledStore(t *testing.T) {
	be := newNewDataDir()
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "Welcome: this store is empty")
	be.Empty, be.users = false, 2
	press(t, m, "enter")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("top after the refused demo is %T:\n%s", m.Top(), screenText(m))
	}
	wantScreen(t, m, "NOTE: The demo inventory was not loaded: the store is no longer empty.")
}

package inventory

import "testing"

// TestRefusedImportReplacesAnEarlierImportsStatus: after a good import, a
// refused one must not leave "OK: Import done" in the status line; it says
// the import was refused.
func TestRefusedImportReplacesAnEarlierImportsStatus(t *testing.T) {
	be := &lockedFiles{listFixture()}
	m := newTestModel(t, be, 120, 40)
	press(t, m, "7", "enter", "tab")
	typeText(t, m, "/in/locked.sdtid")
	press(t, m, "tab")
	typeText(t, m, "right")
	press(t, m, "enter")
	wantScreen(t, m, "OK: Import done: 1 imported")

	press(t, m, "enter") // back to the form; the password was cleared
	press(t, m, "enter")
	wantScreen(t, m, "REFUSED:")
	wantNoScreen(t, m, "Import done")
	wantScreen(t, m, "Import refused: 1 of 1 item(s) rejected; nothing was imported.")
}

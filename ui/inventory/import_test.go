package inventory

import (
	"testing"
)

func TestImportClearsThePassword(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "7", 120, 40)
	press(t, m, "tab")
	typeText(t, m, "/in/locked.sdtid")
	press(t, m, "tab")
	typeText(t, m, "right")
	wantNoScreen(t, m, "right")
	press(t, m, "enter")
	wantScreen(t, m, "Imported: 1")
	s := m.Top().(*importScreen)
	if be.inv.lastImportPassword != "right" || s.password.Value() != "" {
		t.Fatalf("password passed %q, kept %q", be.inv.lastImportPassword, s.password.Value())
	}
}

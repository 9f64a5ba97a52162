package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestProfilesAddEditDelete(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "4", 120, 40)
	press(t, m, "n")
	typeText(t, m, "Contractors Android")
	press(t, m, "tab")
	typeText(t, m, "For contractors")
	press(t, m, "tab", "right") // Android
	// Quitting asks while the form holds changes.
	press(t, m, "ctrl+c")
	wantScreen(t, m, "The profile form's changes will be lost.")
	press(t, m, "n", "enter")
	be.WantCalled(t, "add profile Contractors Android")
	wantScreen(t, m, `OK: Profile "Contractors Android" added.`)
	ps, _ := be.Profiles()
	if p := ps[len(ps)-1]; p.DeviceType != model.DeviceAndroid || p.Description != "For contractors" {
		t.Fatalf("added %+v", p)
	}
	s := m.Top().(*profilesScreen)
	if s.list.Len() != 5 {
		t.Fatalf("list shows %d profiles", s.list.Len())
	}
	// Edit: the device type is skipped (locked); rename.
	press(t, m, "/")
	typeText(t, m, "contractors")
	press(t, m, "enter")
	f := m.Top().(*profileForm)
	press(t, m, "tab", "tab")
	if f.focus == pfDevice {
		t.Fatal("focus reached the locked device type")
	}
	press(t, m, "shift+tab", "shift+tab")
	typeText(t, m, " EU")
	press(t, m, "enter")
	wantScreen(t, m, `OK: Profile "Contractors Android EU" saved.`)
	// Delete a profile nobody uses.
	press(t, m, "esc")
	press(t, m, "/")
	typeText(t, m, "EU")
	press(t, m, "tab") // keep the filter, leave the input
	if s.list.FilterValue() != "EU" || s.list.FilterFocused() {
		t.Fatalf("filter %q focused %v", s.list.FilterValue(), s.list.FilterFocused())
	}
	if p, _ := s.selected(); p.Name != "Contractors Android EU" {
		t.Fatalf("selected %q", p.Name)
	}
	press(t, m, "x", "y")
	wantScreen(t, m, `OK: Profile "Contractors Android EU" deleted.`)
	if ps, _ := be.Profiles(); len(ps) != 4 || len(s.ps) != 4 {
		t.Fatalf("%d profiles, the screen has %d, after delete", len(ps), len(s.ps))
	}
}

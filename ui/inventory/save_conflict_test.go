package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// openProfileForm opens the edit form of the named profile from the
// Profiles screen.
func openProfileForm(t *testing.T, m *Model, name string) *profileForm {
	t.Helper()
	press(t, m, "/")
	typeText(t, m, name)
	press(t, m, "enter")
	f, ok := m.Top().(*profileForm)
	if !ok || f.orig.Name != name {
		t.Fatalf("no edit form for %q:\n%s", name, screenText(m))
	}
	return f
}

// tabTo moves the form's focus to field pf.
func tabTo(t *testing.T, m *Model, f *profileForm, pf profileField) {
	t.Helper()
	for i := 0; f.focus != pf; i++ {
		if i > int(numProfileFields) {
			t.Fatalf("cannot focus field %d", pf)
		}
		press(t, m, "tab")
	}
}

// TestProfileEditAfterAnotherConsoleChangedItIsRefused: the profile form
// refuses to save over an edit, a rename or a delete made by another
// console after it opened, names who did it, and reloads (or, for a
// deleted profile, goes back to the list). A delete from a stale list is
// refused too.
func TestProfileEditAfterAnotherConsoleChangedItIsRefused(t *testing.T) {
	st := uitest.DemoStore(t)
	other := uitest.OtherConsole(t, st)
	m := newTestModel(t, storeBackend{StoreBase: uitest.StoreBase{St: st}}, 120, 40)
	press(t, m, "4", "enter")

	// Edited elsewhere: refused, reload shows the other's description.
	f := openProfileForm(t, m, "Windows desktop")
	r, _ := other.Profile("Windows desktop")
	p := r.Profile
	p.Description = "Edited in the other console."
	if _, err := other.EditProfile(r, p); err != nil {
		t.Fatal(err)
	}
	rec := uitest.NewestRecord(t, st)
	tabTo(t, m, f, pfLength)
	press(t, m, "right")
	press(t, m, "enter")
	wantFlat(t, m, `ERROR: profile "Windows desktop" was changed by `+rec.OSUser+" (from 203.0.113.7) at "+uitest.Stamp(rec)+
		" after you loaded it; nothing was saved: reload it and make your change again")
	wantFlat(t, m, "Reload the profile as stored now? Your unsaved changes are lost.")
	if now, _ := st.Profile("Windows desktop"); now.TokencodeLength != r.TokencodeLength {
		t.Fatalf("the refused edit was stored: %+v", now)
	}
	press(t, m, "r")
	if m.Top() != f || f.reloadAsk || f.conflict != nil || f.HasInput() {
		t.Fatalf("after reload: top %T, asking %v, conflict %v, input %v", m.Top(), f.reloadAsk, f.conflict, f.HasInput())
	}
	if got := f.desc.Value(); got != "Edited in the other console." {
		t.Fatalf("reloaded description %q", got)
	}
	tabTo(t, m, f, pfLength)
	press(t, m, "right")
	press(t, m, "enter")
	wantScreen(t, m, `Profile "Windows desktop" saved.`)
	if now, _ := st.Profile("Windows desktop"); now.TokencodeLength == r.TokencodeLength || now.Description != p.Description {
		t.Fatalf("stored %+v", now)
	}

	// Renamed elsewhere: refused naming the new name; reload follows it.
	press(t, m, "esc") // leave the filter
	f = openProfileForm(t, m, "Windows desktop")
	r, _ = other.Profile("Windows desktop")
	p = r.Profile
	p.Name = "Windows laptop"
	if _, err := other.EditProfile(r, p); err != nil {
		t.Fatal(err)
	}
	rec = uitest.NewestRecord(t, st)
	typeText(t, m, " 2")
	press(t, m, "enter")
	wantFlat(t, m, `ERROR: profile "Windows desktop" was renamed to "Windows laptop" by `+rec.OSUser+" (from 203.0.113.7) at "+uitest.Stamp(rec))
	press(t, m, "y")
	if f.orig.Name != "Windows laptop" || f.name.Value() != "Windows laptop" {
		t.Fatalf("reloaded %q, field %q", f.orig.Name, f.name.Value())
	}
	press(t, m, "esc")
	if _, ok := m.Top().(*profilesScreen); !ok {
		t.Fatalf("top %T", m.Top())
	}

	// Deleted elsewhere: refused; r goes back to the list, which no
	// longer shows it.
	press(t, m, "esc")
	openProfileForm(t, m, "Windows laptop")
	r, _ = other.Profile("Windows laptop")
	if err := other.DeleteProfile(r); err != nil {
		t.Fatal(err)
	}
	rec = uitest.NewestRecord(t, st)
	typeText(t, m, " 2")
	press(t, m, "enter")
	wantFlat(t, m, `ERROR: profile "Windows laptop" was deleted by `+rec.OSUser+" (from 203.0.113.7) at "+uitest.Stamp(rec)+
		" after you loaded it; nothing was saved: reload the profiles")
	wantFlat(t, m, "Back to the list of profiles? Your unsaved changes are lost.")
	press(t, m, "r")
	ps, ok := m.Top().(*profilesScreen)
	if !ok {
		t.Fatalf("top %T:\n%s", m.Top(), screenText(m))
	}
	wantScreen(t, m, `Profile "Windows laptop" no longer exists`)
	for _, r := range ps.ps {
		if model.SameName(r.Name, "Windows laptop") || model.SameName(r.Name, "Windows laptop 2") {
			t.Fatalf("the list shows %q", r.Name)
		}
	}

	// A delete from the list after another console edited the profile is
	// refused and the list reloads.
	press(t, m, "esc")
	press(t, m, "/")
	typeText(t, m, "CTF")
	press(t, m, "tab")
	r, _ = other.Profile("iPhone quick setup (CTF)")
	p = r.Profile
	p.Description = "Changed before the delete."
	if _, err := other.EditProfile(r, p); err != nil {
		t.Fatal(err)
	}
	press(t, m, "x", "y")
	wantFlat(t, m, `ERROR: profile "iPhone quick setup (CTF)" was changed by `+rec.OSUser+" (from 203.0.113.7)")
	wantFlat(t, m, "nothing was deleted: reload it and delete it again if you still want to")
	if _, err := st.Profile("iPhone quick setup (CTF)"); err != nil {
		t.Fatalf("deleted after all: %v", err)
	}
	if sel, _ := ps.selected(); sel.Revision != r.Revision+1 {
		t.Fatalf("the list was not reloaded: revision %d", sel.Revision)
	}
}

// storeBackend changes the profiles in a real store, as the console's
// engine backend does; the methods these tests do not reach are left to
// the nil Backend.
type storeBackend struct {
	Backend
	uitest.StoreBase
}

func (b storeBackend) ProfileRecords() ([]store.ProfileRecord, error) { return b.St.Profiles() }

func (b storeBackend) SettingsEntry(profile string) (model.SettingsEntry, bool, error) {
	return StoreSettingsEntry(b.St, profile)
}

func (b storeBackend) EditProfile(loaded store.ProfileRecord, p model.Profile) error {
	_, err := b.St.EditProfile(loaded, p)
	return err
}

func (b storeBackend) DeleteProfile(loaded store.ProfileRecord) error {
	return b.St.DeleteProfile(loaded)
}

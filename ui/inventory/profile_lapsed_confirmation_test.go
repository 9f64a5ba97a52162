package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestProfileEditSaysTheSettingsConfirmationLapsed: an edit of a read-only
// field of a profile the self-service settings offer, confirmed, lapses
// the confirmation; the status says so and where to confirm it again,
// not only "saved".
func TestProfileEditSaysTheSettingsConfirmationLapsed(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "4", 120, 40)
	press(t, m, "enter") // edit the first profile
	f, ok := m.Top().(*profileForm)
	if !ok {
		t.Fatalf("top is %T", m.Top())
	}
	set := model.DefaultSettings()
	set.Select(f.orig)
	set.Entry(f.orig.Name).Confirm(f.orig)
	be.settings = &set

	for f.focus != pfLength {
		press(t, m, "tab")
	}
	press(t, m, "right", "enter")
	name := f.orig.Name
	wantFlat(t, m, `Profile "`+name+`" saved. The self-service confirmation of "`+name+`" lapsed: confirm it again in Settings.`)
}

// TestProfileEditOfAnUnconfirmedProfileOnlySaysSaved: no confirmation, no
// lapse to report.
func TestProfileEditOfAnUnconfirmedProfileOnlySaysSaved(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "4", 120, 40)
	press(t, m, "enter")
	f := m.Top().(*profileForm)
	set := model.DefaultSettings()
	set.Select(f.orig)
	be.settings = &set
	for f.focus != pfLength {
		press(t, m, "tab")
	}
	press(t, m, "right", "enter")
	wantScreen(t, m, `OK: Profile "`+f.orig.Name+`" saved.`)
	wantNoScreen(t, m, "lapsed")
}

package settings

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// TestSettingsSaveAfterAnotherConsoleSavedIsRefusedAndReloads: two consoles
// load the settings; the other one saves a replacement window; this one's
// save of the password rule is refused, naming the other's user, address
// and time, and stores nothing. Reloading shows the other's window; the
// change made again saves, and both are kept.
func TestSettingsSaveAfterAnotherConsoleSavedIsRefusedAndReloads(t *testing.T) {
	st := uitest.DemoStore(t)
	other := uitest.OtherConsole(t, st)
	m := newTestModel(t, storeBackend{uitest.StoreBase{St: st}}, 120, 40)
	press(t, m, "3", "enter")
	s := settingsScreenOf(m)
	if s == nil || !s.loaded || s.loadErr != nil {
		t.Fatalf("settings not open:\n%s", screenText(m))
	}
	before, _ := st.Settings()

	goField(t, m, sfPassword)
	press(t, m, "space")
	if !s.dirty() {
		t.Fatal("the password rule did not change")
	}

	theirs, err := other.Settings()
	if err != nil {
		t.Fatal(err)
	}
	theirs.ReplacementWindowDays = 14
	if err := other.SaveSettings(theirs); err != nil {
		t.Fatal(err)
	}
	rec := uitest.NewestRecord(t, st)

	update(t, m, ctrlS())
	wantFlat(t, m, "ERROR: the self-service settings were changed by "+rec.OSUser+" (from 203.0.113.7) at "+uitest.Stamp(rec)+
		" after you loaded them; nothing was saved: reload them and make your change again")
	wantFlat(t, m, "Reload the current settings? Your unsaved changes are lost.")
	now, _ := st.Settings()
	if now.UserMustProvidePassword != before.UserMustProvidePassword || now.ReplacementWindowDays != 14 {
		t.Fatalf("stored after the refused save: password %v, window %d", now.UserMustProvidePassword, now.ReplacementWindowDays)
	}
	if !s.dirty() {
		t.Fatal("the refused save dropped the edits before the reload")
	}

	press(t, m, "r")
	if s.reloadAsk || s.conflict != nil || s.dirty() {
		t.Fatalf("after reload: asking %v, conflict %v, dirty %v", s.reloadAsk, s.conflict, s.dirty())
	}
	wantScreen(t, m, "Replacement window: 14")
	wantNoScreen(t, m, "were changed by")
	if s.cur.UserMustProvidePassword != before.UserMustProvidePassword {
		t.Fatal("the reload kept the unsaved password rule")
	}

	// Made again, the change saves on top of the other console's.
	goField(t, m, sfPassword)
	press(t, m, "space")
	update(t, m, ctrlS())
	wantScreen(t, m, "Self-service settings saved")
	now, _ = st.Settings()
	if now.UserMustProvidePassword == before.UserMustProvidePassword || now.ReplacementWindowDays != 14 {
		t.Fatalf("stored: password %v, window %d", now.UserMustProvidePassword, now.ReplacementWindowDays)
	}
}

// storeBackend reads and saves the settings in a real store, as the
// console's engine backend does, without an engine.
type storeBackend struct{ uitest.StoreBase }

func (b storeBackend) Profiles() ([]model.Profile, error) {
	recs, err := b.St.Profiles()
	ps := make([]model.Profile, len(recs))
	for i, r := range recs {
		ps[i] = r.Profile
	}
	return ps, err
}

func (b storeBackend) Settings() (model.Settings, []model.Profile, error) {
	return b.St.SettingsWithProfiles()
}

func (b storeBackend) ApplySettings(next model.Settings) ([]string, error) {
	return b.St.ApplySettings(next)
}

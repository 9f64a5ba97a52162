package settings

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/nav"
)

// TestSettingsSaveAfterAnotherConsoleSavedIsRefusedAndReloads: two consoles
// load the settings; the other one saves a replacement window; this one's
// save of the password rule is refused, naming the other's user, address
// and time, and stores nothing. Reloading shows the other's window; the
// change made again saves, and both are kept.
func TestSettingsSaveAfterAnotherConsoleSavedIsRefusedAndReloads(t *testing.T) {
	st := realStore(t)
	other := otherConsole(t, st)
	m := newTestModel(t, storeBackend{st}, 120, 40)
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
	rec := newestRecord(t, st)

	update(t, m, ctrlS())
	wantFlat(t, m, "ERROR: the self-service settings were changed by "+rec.OSUser+" (from 203.0.113.7) at "+stamp(rec)+
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

// realStore is a store with the demo inventory.
func realStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: filepath.Join(t.TempDir(), "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := inventory.LoadDemo(st, inventory.DefaultDemoUsers, inventory.DefaultDemoTokens, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

// storeBackend reads and saves the settings in a real store, as the
// console's engine backend does, without an engine.
type storeBackend struct{ st *store.Store }

func (b storeBackend) IsEmpty() (bool, error)         { return b.st.IsEmpty() }
func (b storeBackend) LoadDemo() (string, error)      { return "", errors.New("no demo in this test") }
func (b storeBackend) Jobs() ([]model.Job, error)     { return b.st.Jobs() }
func (b storeBackend) Events() <-chan nav.JobEvent    { return nil }
func (b storeBackend) ChangeCounter() (uint64, error) { return b.st.ChangeCounter() }

func (b storeBackend) Profiles() ([]model.Profile, error) {
	recs, err := b.st.Profiles()
	ps := make([]model.Profile, len(recs))
	for i, r := range recs {
		ps[i] = r.Profile
	}
	return ps, err
}

func (b storeBackend) Settings() (model.Settings, []model.Profile, error) {
	return StoreSettings(b.st)
}

func (b storeBackend) ApplySettings(next model.Settings) ([]string, error) {
	return b.st.ApplySettings(next)
}

// otherConsole opens a second store handle on st's data directory, as
// another console would, over SSH from 203.0.113.7.
func otherConsole(t *testing.T, st *store.Store) *store.Store {
	t.Helper()
	t.Setenv("SSH_CONNECTION", "203.0.113.7 50022 192.0.2.10 22")
	o, err := store.Open(store.Options{DataDir: st.DataDir(), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// newestRecord is the newest audit record, the one a conflict names.
func newestRecord(t *testing.T, st *store.Store) store.AuditRecord {
	t.Helper()
	recs, err := st.AuditRecords(store.AuditFilter{Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit: %v", err)
	}
	return recs[0]
}

func stamp(r store.AuditRecord) string { return r.Time.UTC().Format("2006-01-02 15:04:05 UTC") }

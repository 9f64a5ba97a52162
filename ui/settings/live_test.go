package settings

import (
	"testing"

	"github.com/swtoken/swtoken/ui/shell"
)

// TestLiveSettingsReloadOnlyWithoutEdits: settings saved by another admin
// show on an untouched settings screen; edits in progress are never
// replaced, also when the admin starts typing while the reload is read.
func TestLiveSettingsReloadOnlyWithoutEdits(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 100, 40)
	s := settingsScreenOf(m)
	be.touch(func(f *fakeBackend) { f.settings.ReplacementWindowDays = 45 })
	poll(t, m)
	if got := s.fields[sfDays].Value(); got != "45" || s.HasInput() {
		t.Fatalf("untouched screen: days %q (unsaved edits %v), want 45 from the store", got, s.HasInput())
	}

	// Edited: left alone.
	goField(t, m, sfDays)
	clearField(t, m)
	typeText(t, m, "60")
	be.touch(func(f *fakeBackend) { f.settings.ReplacementWindowDays = 50 })
	poll(t, m)
	if got := s.fields[sfDays].Value(); got != "60" || s.cur.ReplacementWindowDays != 60 || s.orig.ReplacementWindowDays != 45 {
		t.Fatalf("edited screen: field %q, cur %d, orig %d; want the typed 60 over the loaded 45",
			got, s.cur.ReplacementWindowDays, s.orig.ReplacementWindowDays)
	}

	// Untouched when the reload starts, edited when it lands.
	m = openSettings(t, be, 100, 40)
	s = settingsScreenOf(m)
	goField(t, m, sfDays)
	be.touch(func(f *fakeBackend) { f.settings.ReplacementWindowDays = 55 })
	_, cmd := m.Update(shell.PollStoreMsg{})
	_, reload := m.Update(cmd())
	if reload == nil {
		t.Fatal("no reload for an untouched settings screen")
	}
	clearField(t, m)
	typeText(t, m, "70")
	run(t, m, reload)
	if got := s.fields[sfDays].Value(); got != "70" || s.cur.ReplacementWindowDays != 70 {
		t.Fatalf("the reload replaced input typed while it was read: field %q, cur %d", got, s.cur.ReplacementWindowDays)
	}
}

package settings

import (
	"testing"
)

// TestSettingsBlankReplacementWindowSaysEmpty: a blank replacement window
// is refused with "empty: enter a number of days", not with "got 0" (the
// admin typed no 0); a typed 0 still gets the model's "got 0".
func TestSettingsBlankReplacementWindowSaysEmpty(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	s := settingsScreenOf(m)
	goField(t, m, sfDays)
	clearField(t, m)
	update(t, m, ctrlS())
	if be.settingsOK != 0 || len(s.errs) != 1 {
		t.Fatalf("saved %d, errors %v", be.settingsOK, s.errs)
	}
	wantScreen(t, m, "ERROR: the replacement window is empty: enter a number of days, 1-365")
	wantNoScreen(t, m, "got 0")
	if s.focus != sfDays {
		t.Fatalf("focus %d, want the days field", s.focus)
	}

	// Typing clears the message; a typed 0 is a number out of range.
	typeText(t, m, "0")
	wantNoScreen(t, m, "is empty")
	update(t, m, ctrlS())
	wantScreen(t, m, "ERROR: the replacement window must be 1-365 days (got 0)")

	// A good number saves.
	clearField(t, m)
	typeText(t, m, "45")
	update(t, m, ctrlS())
	if be.settingsOK != 1 || be.settings.ReplacementWindowDays != 45 {
		t.Fatalf("saved %d, window %d", be.settingsOK, be.settings.ReplacementWindowDays)
	}
}

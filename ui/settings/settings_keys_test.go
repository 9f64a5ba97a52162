package settings

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestSettingsTypedTextNeverRunsCommands: typing ftp://bad or copy, in a
// text field or on the list by mistake, only types (or does nothing): it
// opens no preview, confirms nothing and saves nothing. p opened the
// preview and c confirmed before.
func TestSettingsTypedTextNeverRunsCommands(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	s := settingsScreenOf(m)
	before := copySettings(s.cur)
	// On the list (the admin thinks a field has the focus).
	typeText(t, m, "ftp://bad")
	typeText(t, m, "copy")
	if s.preview || s.focus != sfList || len(model.Diff(before, s.cur)) > 0 {
		t.Fatalf("typing on the list acted: preview %v, focus %d, changes %v", s.preview, s.focus, model.Diff(before, s.cur))
	}
	// In the link field the text lands there and nothing else happens.
	goField(t, m, sfAppURL)
	clearField(t, m)
	typeText(t, m, "ftp://bad")
	typeText(t, m, "copy")
	if got := s.cur.Entry("Staff Android").AppDownloadURL; got != "ftp://badcopy" {
		t.Fatalf("link field has %q", got)
	}
	if s.preview || s.focus != sfAppURL || be.settingsOK != 0 || !s.cur.Entry("Staff Android").IsConfirmed(be.profiles[rowAndroid]) {
		t.Fatalf("typing ran a command: preview %v focus %d saves %d", s.preview, s.focus, be.settingsOK)
	}
	// Unconfirm, then type c on the confirmation checkbox: no confirm.
	goField(t, m, sfConfirm)
	press(t, m, "space")
	typeText(t, m, "c")
	if s.cur.Entry("Staff Android").IsConfirmed(be.profiles[rowAndroid]) {
		t.Fatal("c confirmed the profile")
	}
	press(t, m, "ctrl+t")
	if !s.cur.Entry("Staff Android").IsConfirmed(be.profiles[rowAndroid]) {
		t.Fatal("ctrl+t did not confirm")
	}
}

// TestSettingsEscFromDetailsGoesBackToTheList: esc in a profile's detail
// goes back to the list with the same profile highlighted (it went Home
// before); esc on the list leaves.
func TestSettingsEscFromDetailsGoesBackToTheList(t *testing.T) {
	m := openSettings(t, newFakeBackend(), 80, 24)
	s := settingsScreenOf(m)
	goRow(t, m, rowIPhone)
	press(t, m, "enter")
	if s.focus != sfDisplayName {
		t.Fatalf("enter: focus %d", s.focus)
	}
	goField(t, m, sfHelpURL)
	press(t, m, "esc")
	if settingsScreenOf(m) == nil || s.focus != sfList || s.row != rowIPhone {
		t.Fatalf("esc from a detail: top %T focus %d row %d", m.Top(), s.focus, s.row)
	}
	wantScreen(t, m, "> [x] Staff iPhone")
	// The global fields go back to the list too.
	goField(t, m, sfDays)
	press(t, m, "esc")
	if s.focus != sfList || s.row != rowIPhone {
		t.Fatalf("esc from the replacement window: focus %d row %d", s.focus, s.row)
	}
	press(t, m, "esc")
	if !m.Top().IsHome() {
		t.Fatalf("esc on the list did not leave: top %T", m.Top())
	}
}

// TestSettingsPreviewPageDownShowsTheNextWholePage: pgdn shows the line
// after the last one shown (it moved 10 lines whatever the height).
func TestSettingsPreviewPageDownShowsTheNextWholePage(t *testing.T) {
	s := loadedScreen(t, 80, 14, nil)
	hit(s, "ctrl+p")
	h := s.pv.Height()
	if h == 10 {
		t.Fatal("a page of 10 lines cannot tell a page from the old 10-line step")
	}
	if len(s.pv.Lines()) <= 2*h {
		t.Fatalf("preview of %d lines fits too well for the test (height %d)", len(s.pv.Lines()), h)
	}
	first := strings.Split(s.View(), "\n")[1 : 1+h]
	hit(s, "pgdown")
	if s.pv.Offset() != h {
		t.Fatalf("pgdn moved to line %d, want %d (one page of %d)", s.pv.Offset(), h, h)
	}
	next := strings.Split(s.View(), "\n")[1]
	if next != s.pv.Lines()[h] || first[h-1] != s.pv.Lines()[h-1] {
		t.Fatalf("pgdn did not show the next line: %q", next)
	}
	hit(s, "pgup")
	if s.pv.Offset() != 0 {
		t.Fatalf("pgup: offset %d", s.pv.Offset())
	}
}

// TestSettingsViewIsPure: the form scrolls to the focus in Update; View
// renders the same twice and moves nothing (it moved the offset before).
func TestSettingsViewIsPure(t *testing.T) {
	s := loadedScreen(t, 80, 20, nil)
	s.setFocus(sfSave)
	hit(s, "shift+tab") // to the replacement window, in Update
	hit(s, "tab")       // back to Save
	off := s.form.Offset()
	if off == 0 {
		t.Fatal("the form did not scroll to the Save button in Update")
	}
	v := s.View()
	if s.View() != v || s.form.Offset() != off || !strings.Contains(v, "[ Save ]") {
		t.Fatalf("View moved the form: offset %d -> %d", off, s.form.Offset())
	}
}

// TestSettingsLapsedConfirmationIsMarkedNotOffered: a profile whose
// confirmation lapsed says "not offered" on its list row and in the
// preview, which leaves it out of what users see.
func TestSettingsLapsedConfirmationIsMarkedNotOffered(t *testing.T) {
	be := lapsedAndroid()
	m := openSettings(t, be, 80, 24)
	wantScreen(t, m, "> [x] Staff Android                      CONFIRMATION LAPSED, NOT OFFERED")
	press(t, m, "ctrl+p")
	text := previewText(t, m)
	if !strings.Contains(text, "Not offered (shown to you only):") || !strings.Contains(text, `(profile "Staff Android"): its confirmation lapsed`) {
		t.Fatalf("preview does not mark the lapsed profile:\n%s", text)
	}
	if strings.Contains(text, "Approval e-mail: Staff Android") {
		t.Fatalf("preview offers the lapsed profile:\n%s", text)
	}
}

// TestSettingsSaveSaysWhatChanged: a save lists its changes; a save of
// nothing says that nothing changed.
func TestSettingsSaveSaysWhatChanged(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	press(t, m, "ctrl+o")
	wantScreen(t, m, "Nothing changed")
	if be.settingsOK != 0 {
		t.Fatal("an unchanged save wrote")
	}
	goField(t, m, sfPassword)
	press(t, m, "space")
	press(t, m, "ctrl+o")
	if be.settingsOK != 1 {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	wantScreen(t, m, "OK: Self-service settings saved: 1 change, listed below and in the audit trail.")
	wantScreen(t, m, "- User must provide the token file password: yes -> no")
}

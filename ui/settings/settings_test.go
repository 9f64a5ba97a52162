package settings

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
)

// fakeSettings are the demo's settings over the fake's profiles (Staff
// Android, Staff iPhone, Windows desktop, iPhone quick setup (CTF)): the
// iPhone and Android profiles offered and confirmed, iPhone the default
// with both links, Android with an app link only.
func fakeSettings(profiles []model.Profile) model.Settings {
	s := model.DefaultSettings()
	s.UserMustProvidePassword = true
	for _, name := range []string{"Staff iPhone", "Staff Android"} {
		for _, p := range profiles {
			if p.Name == name {
				s.Select(p)
				s.Entry(p.Name).Confirm(p)
			}
		}
	}
	if ios := s.Entry("Staff iPhone"); ios != nil {
		ios.DisplayName = "iPhone (recommended)"
		ios.AppDownloadURL = "https://apps.example.com/securid/ios"
		ios.HelpDocURL = "https://help.example.com/tokens/iphone"
		ios.AllowUserEdit = true
	}
	if and := s.Entry("Staff Android"); and != nil {
		and.AppDownloadURL = "https://apps.example.com/securid/android"
	}
	return s
}

// Rows of the fake's profiles on the settings list.
const (
	rowAndroid = iota
	rowIPhone
	rowWindows
	rowCTF
)

func openSettings(t *testing.T, be *fakeBackend, w, h int) *Model {
	t.Helper()
	m := newTestModel(t, be, w, h)
	press(t, m, "3", "enter")
	if settingsScreenOf(m) == nil || !settingsScreenOf(m).loaded {
		t.Fatalf("settings screen not open: %s", screenText(m))
	}
	return m
}

func settingsScreenOf(m *Model) *settingsScreen {
	if s, ok := m.Top().(*settingsScreen); ok {
		return s
	}
	return nil
}

// goRow moves the list cursor to row r (the focus must be on the list).
func goRow(t *testing.T, m *Model, r int) {
	t.Helper()
	s := settingsScreenOf(m)
	if s.focus != sfList {
		t.Fatalf("focus on %d, not the list", s.focus)
	}
	for s.row < r {
		press(t, m, "down")
	}
	for s.row > r {
		press(t, m, "up")
	}
}

// goField tabs to field f of the highlighted profile or the form.
func goField(t *testing.T, m *Model, f sField) {
	t.Helper()
	s := settingsScreenOf(m)
	for i := 0; s.focus != f; i++ {
		if i > int(numSFields) {
			t.Fatalf("field %d cannot be focused:\n%s", f, screenText(m))
		}
		press(t, m, "tab")
	}
}

func ctrlS() tea.KeyPressMsg { return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl} }

// defaults names the selected profiles marked as the default.
func defaults(s model.Settings) []string {
	var out []string
	for _, e := range s.Entries {
		if e.Selected && e.Default {
			out = append(out, e.Profile)
		}
	}
	return out
}

func TestSettingsShowsTheStoredSettings(t *testing.T) {
	m := openSettings(t, newFakeBackend(), 120, 40)
	wantScreen(t, m, "Software Token Profiles Available for Request")
	wantScreen(t, m, "> [x] Staff Android                      confirmed")
	wantScreen(t, m, "  [x] Staff iPhone              default  confirmed")
	wantScreen(t, m, "  [ ] Windows desktop")
	wantScreen(t, m, "  [ ] iPhone quick setup (CTF)")
	// The highlighted profile's details, read-only fields included.
	wantScreen(t, m, "Staff Android: selected")
	wantScreen(t, m, "Tokencode Duration:                    30 seconds")
	wantScreen(t, m, "Tokencode Length:                      6 digits")
	wantScreen(t, m, "Authentication Type:                   Fob-style")
	wantScreen(t, m, "Delivery Method:                       File-based (SDTID)")
	wantScreen(t, m, "https://apps.example.com/securid/android")
	wantScreen(t, m, "[x] The user needs to provide the password, to protect the token file")
	wantScreen(t, m, "Replacement window: 30")
	if settingsScreenOf(m).dirty() {
		t.Fatal("dirty right after loading")
	}
}

func TestSettingsSelectFillsInTheDetails(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	goRow(t, m, rowWindows)
	wantScreen(t, m, "Windows desktop: not selected")
	press(t, m, "space")
	s := settingsScreenOf(m)
	e := s.cur.Entry("Windows desktop")
	if e == nil || !e.Selected {
		t.Fatal("space did not select the profile")
	}
	win := be.profiles[rowWindows]
	if e.DisplayName != win.Name || e.ImageLocation != "images/windows.png" || e.Description != win.Description {
		t.Fatalf("not filled in from the profile: %+v", *e)
	}
	wantScreen(t, m, "> [x] Windows desktop                    NOT CONFIRMED")
	wantScreen(t, m, "Windows desktop: selected")
	wantScreen(t, m, "Image Location:                        images/windows.png")
	wantScreen(t, m, "[ ] Not confirmed: press ctrl+t to confirm the four settings above")
	// The fields are editable: enter goes to Display Name.
	press(t, m, "enter")
	if s.focus != sfDisplayName || !s.CapturesInput() {
		t.Fatalf("focus %d after enter", s.focus)
	}
	typeText(t, m, " (kiosk)")
	if got := s.cur.Entry("Windows desktop").DisplayName; got != "Windows desktop (kiosk)" {
		t.Fatalf("display name %q", got)
	}
	// A blank display name is refused at the field.
	clearField(t, m)
	update(t, m, ctrlS())
	_, next := lineWith(t, m, "> Display Name:")
	if !strings.Contains(next, "ERROR: must not be blank") {
		t.Fatalf("no error under Display Name:\n%s", screenText(m))
	}
	if be.settingsOK != 0 {
		t.Fatal("saved with a blank display name")
	}
}

func TestSettingsDefaultIsExactlyOneSelectedProfile(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	check := func(want ...string) {
		t.Helper()
		got := defaults(s.cur)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("defaults %v, want %v\n%s", got, want, screenText(m))
		}
	}
	check("Staff iPhone")
	// Make Android the default in its details: iPhone stops being it.
	goField(t, m, sfDefault)
	wantScreen(t, m, "> ( ) Make this the default option for software token requests")
	press(t, m, "space")
	check("Staff Android")
	wantScreen(t, m, "> (*) Make this the default option for software token requests")
	wantScreen(t, m, "[x] Staff Android             default  confirmed")
	// The default cannot be switched off: another one must take over.
	press(t, m, "space")
	check("Staff Android")
	wantScreen(t, m, "Exactly one selected profile is the default")
	// Unselecting the default moves it to another selected profile.
	goField(t, m, sfList)
	goRow(t, m, rowAndroid)
	press(t, m, "space")
	check("Staff iPhone")
	// With nothing selected there is no default; the first selected
	// profile becomes it.
	goRow(t, m, rowIPhone)
	press(t, m, "space")
	check()
	goRow(t, m, rowWindows)
	press(t, m, "space")
	check("Windows desktop")
	goRow(t, m, rowAndroid)
	press(t, m, "space")
	check("Windows desktop")
	// Saving keeps exactly that one.
	press(t, m, "ctrl+t")
	goRow(t, m, rowWindows)
	press(t, m, "ctrl+t")
	update(t, m, ctrlS())
	if be.settingsOK != 1 {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	if got := defaults(*be.settings); fmt.Sprint(got) != "[Windows desktop]" {
		t.Fatalf("stored defaults %v", got)
	}
}

func TestSettingsSaveRefusedWhileUnconfirmed(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	goRow(t, m, rowWindows)
	press(t, m, "space")
	update(t, m, ctrlS())
	if be.settingsOK != 0 {
		t.Fatal("saved with an unconfirmed profile")
	}
	if s.focus != sfConfirm || s.row != rowWindows {
		t.Fatalf("focus %d row %d, want the confirmation of Windows desktop", s.focus, s.row)
	}
	wantScreen(t, m, "[x] Windows desktop                    NOT CONFIRMED, NOT OFFERED  ERROR")
	_, next := lineWith(t, m, "> [ ] Not confirmed: press ctrl+t")
	if !strings.Contains(next, "ERROR: confirm the profile's Tokencode Duration, Tokencode Length, Authentication Type") {
		t.Fatalf("no error under the confirmation:\n%s", screenText(m))
	}
	wantScreen(t, m, "ERROR: Not saved, nothing changed: 1 problem to fix, shown at the fields; profiles with problems are marked ERROR.")
	press(t, m, "ctrl+t")
	wantScreen(t, m, "> [x] Confirmed: the four settings above are right")
	if strings.Contains(screenText(m), "ERROR") {
		t.Fatalf("error left after confirming:\n%s", screenText(m))
	}
	update(t, m, ctrlS())
	if be.settingsOK != 1 {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	wantScreen(t, m, "OK: Self-service settings saved: 5 changes, listed below and in the audit trail.")
	wantScreen(t, m, `- Profile "Windows desktop": selected for request`)
	e := be.settings.Entry("Windows desktop")
	if e == nil || !e.Selected || !e.IsConfirmed(be.profiles[rowWindows]) {
		t.Fatalf("stored entry %+v", e)
	}
	if s.dirty() {
		t.Fatal("dirty after saving")
	}
}

func TestSettingsConfirmationLapsesAfterAProfileEdit(t *testing.T) {
	be := lapsedAndroid()

	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	wantScreen(t, m, "> [x] Staff Android                      CONFIRMATION LAPSED")
	wantScreen(t, m, "[!] Confirmation lapsed: the profile changed; not offered until you confirm again (ctrl+t)")
	// Any save is refused until it is confirmed again, even of another
	// change.
	goField(t, m, sfPassword)
	press(t, m, "space")
	update(t, m, ctrlS())
	if be.settingsOK != 0 {
		t.Fatal("saved with a lapsed confirmation")
	}
	if s.focus != sfConfirm || s.row != rowAndroid {
		t.Fatalf("focus %d row %d", s.focus, s.row)
	}
	_, next := lineWith(t, m, "> [!] Confirmation lapsed")
	if !strings.Contains(next, "ERROR: the profile changed since it was confirmed; review and confirm it again") {
		t.Fatalf("no error under the confirmation:\n%s", screenText(m))
	}
	press(t, m, "ctrl+t")
	wantScreen(t, m, "[x] Staff Android                      confirmed")
	update(t, m, ctrlS())
	if be.settingsOK != 1 {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	if e := be.settings.Entry("Staff Android"); !e.IsConfirmed(be.profiles[rowAndroid]) || be.settings.UserMustProvidePassword {
		t.Fatalf("stored %+v, password %v", e, be.settings.UserMustProvidePassword)
	}
}

// TestSettingsProfileChangedWhileEditing: the profile is edited elsewhere
// after the screen loaded. The backend refuses the save; the screen then
// judges the confirmation against the profile as it is now.
func TestSettingsProfileChangedWhileEditing(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	goField(t, m, sfPassword)
	press(t, m, "space")
	be.Mu.Lock()
	be.profiles[rowAndroid].TokencodeLength = 8
	be.Mu.Unlock()
	update(t, m, ctrlS())
	if be.settingsOK != 0 {
		t.Fatal("saved against a changed profile")
	}
	wantScreen(t, m, "[!] Confirmation lapsed: the profile changed")
	wantScreen(t, m, "Tokencode Length:                      8 digits")
	press(t, m, "ctrl+t")
	update(t, m, ctrlS())
	if be.settingsOK != 1 {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
}

func TestSettingsBadURLIsRefusedAtTheField(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	goField(t, m, sfAppURL)
	clearField(t, m)
	typeText(t, m, "ftp://apps.example.com/android")
	// Leaving the field checks it.
	press(t, m, "tab")
	_, next := lineWith(t, m, "Application Installation Download URL: ftp://")
	want := `ERROR: "ftp://apps.example.com/android" must start with https:// or http://, or be left blank`
	if !strings.Contains(next, want) {
		t.Fatalf("no error under the field:\n%s", screenText(m))
	}
	// Save is refused, nothing is stored, the focus goes to the field.
	update(t, m, ctrlS())
	if be.settingsOK != 0 || s.focus != sfAppURL {
		t.Fatalf("saved %d, focus %d", be.settingsOK, s.focus)
	}
	if got := be.settings.Entry("Staff Android").AppDownloadURL; got != "https://apps.example.com/securid/android" {
		t.Fatalf("store changed: %q", got)
	}
	wantScreen(t, m, "[x] Staff Android                      confirmed  ERROR")
	// Relative and host-less links are refused too.
	for _, bad := range []string{"apps.example.com/android", "https://"} {
		clearField(t, m)
		typeText(t, m, bad)
		update(t, m, ctrlS())
		if be.settingsOK != 0 || len(s.errsFor("Staff Android", model.FieldAppDownloadURL)) != 1 {
			t.Fatalf("%q: saved %d, errors %v", bad, be.settingsOK, s.errs)
		}
	}
	// Typing clears the stale error; a good link saves.
	clearField(t, m)
	if len(s.errs) != 0 {
		t.Fatalf("errors left after editing: %v", s.errs)
	}
	typeText(t, m, "https://apps.example.com/android")
	update(t, m, ctrlS())
	if be.settingsOK != 1 || be.settings.Entry("Staff Android").AppDownloadURL != "https://apps.example.com/android" {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
}

func TestSettingsSaveIsAllOrNothing(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	before := copySettings(*be.settings)
	// Three problems at once: a blank display name, a bad help link and a
	// window of 400 days.
	goField(t, m, sfDisplayName)
	clearField(t, m)
	goField(t, m, sfHelpURL)
	typeText(t, m, "help page")
	goField(t, m, sfDays)
	clearField(t, m)
	typeText(t, m, "4x00") // letters are not taken
	if got := s.fields[sfDays].Value(); got != "400" {
		t.Fatalf("days field %q", got)
	}
	update(t, m, ctrlS())
	if be.settingsOK != 0 || len(s.errs) != 3 {
		t.Fatalf("saved %d, errors %v", be.settingsOK, s.errs)
	}
	if len(model.Diff(before, *be.settings)) != 0 {
		t.Fatal("the stored settings changed")
	}
	wantScreen(t, m, "Not saved, nothing changed: 3 problems to fix")
	wantScreen(t, m, "ERROR: the replacement window must be 1-365 days (got 400)")
	_, next := lineWith(t, m, "Device Help Document URL:              help page")
	if !strings.Contains(next, "ERROR: must not contain spaces or control characters") {
		t.Fatalf("no error under the help link:\n%s", screenText(m))
	}
	wantScreen(t, m, "ERROR: must not be blank")
	if s.focus != sfDisplayName {
		t.Fatalf("focus %d, want the first error's field", s.focus)
	}
	// The backend applies the same rules: what the screen would let
	// through, it refuses as well.
	bad := copySettings(s.cur)
	if err := be.SaveSettings(bad); err == nil {
		t.Fatal("backend saved bad settings")
	}
}

func TestSettingsPreviewLeavesBlankLinksOut(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	s := settingsScreenOf(m)
	// Android: blank its app link (its help link is blank already).
	goField(t, m, sfAppURL)
	clearField(t, m)
	press(t, m, "ctrl+p")
	if !s.preview {
		t.Fatalf("ctrl+p did not open the preview:\n%s", screenText(m))
	}
	wantScreen(t, m, "Preview (with your unsaved changes)")
	text := previewText(t, m)
	ios := section(text, "Approval e-mail: iPhone (recommended)")
	and := section(text, "Approval e-mail: Staff Android")
	if !strings.Contains(ios, "Install the application from: https://apps.example.com/securid/ios") ||
		!strings.Contains(ios, "Help for your device: https://help.example.com/tokens/iphone") {
		t.Fatalf("iPhone e-mail lacks its links:\n%s", ios)
	}
	if and == "" || strings.Contains(and, "Install the application") || strings.Contains(and, "Help for your device") {
		t.Fatalf("Android e-mail has a link that is blank:\n%s", and)
	}
	if !strings.Contains(text, "1. iPhone (recommended)  (default)") {
		t.Fatalf("default not first:\n%s", text)
	}
	// esc closes the preview, not the screen.
	press(t, m, "esc")
	if s.preview || settingsScreenOf(m) == nil {
		t.Fatal("esc did not return to the form")
	}
}

// previewText collects the whole preview by scrolling it.
func previewText(t *testing.T, m *Model) string {
	t.Helper()
	s := settingsScreenOf(m)
	var b strings.Builder
	seen := map[int]bool{}
	press(t, m, "g")
	for !seen[s.pv.Offset()] {
		seen[s.pv.Offset()] = true
		mw, _ := m.Size()
		lines := strings.Split(s.previewView(mw), "\n")
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "-- lines ") {
				b.WriteString(l + "\n")
			}
		}
		press(t, m, "pgdown")
	}
	return b.String()
}

// section is the text from title to the next blank-line-separated title.
func section(text, title string) string {
	i := strings.Index(text, title)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	if j := strings.Index(rest[len(title):], "\nApproval e-mail: "); j >= 0 {
		return rest[:len(title)+j]
	}
	return rest
}

func TestSettingsUnsavedChangesAskBeforeLeaving(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	// No change: esc leaves at once.
	press(t, m, "esc")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("esc without changes: top %T", m.Top())
	}
	m = openSettings(t, be, 80, 24)
	goRow(t, m, rowWindows)
	press(t, m, "space")
	wantScreen(t, m, "UNSAVED CHANGES")
	press(t, m, "esc")
	wantScreen(t, m, "Leave without saving? Your unsaved changes will be lost.")
	press(t, m, "n")
	if settingsScreenOf(m) == nil || settingsScreenOf(m).leaving {
		t.Fatal("n did not stay")
	}
	press(t, m, "esc")
	press(t, m, "esc") // esc answers "stay" too
	if settingsScreenOf(m) == nil || settingsScreenOf(m).leaving {
		t.Fatal("esc did not stay")
	}
	// ctrl+c names the loss too.
	press(t, m, "ctrl+c")
	wantScreen(t, m, "The self-service settings have unsaved changes.")
	press(t, m, "n")
	press(t, m, "esc", "y")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("y did not leave: top %T", m.Top())
	}
	if be.settingsOK != 0 {
		t.Fatal("leaving saved")
	}
	// Reopened, the change is gone.
	press(t, m, "3", "enter")
	wantScreen(t, m, "  [ ] Windows desktop")
}

func TestSettingsLettersTypeInTextFields(t *testing.T) {
	m := openSettings(t, newFakeBackend(), 80, 24)
	s := settingsScreenOf(m)
	goField(t, m, sfDescription)
	clearField(t, m)
	typeText(t, m, "cpqjk?")
	if got := s.cur.Entry("Staff Android").Description; got != "cpqjk?" || s.preview || m.ShowingHelp() || m.ConfirmingQuit() {
		t.Fatalf("description %q, preview %v, help %v, quit %v", got, s.preview, m.ShowingHelp(), m.ConfirmingQuit())
	}
	// Arrows still move between fields.
	press(t, m, "down")
	if s.focus != sfConfirm {
		t.Fatalf("focus %d after down", s.focus)
	}
}

func TestSettingsEveryFrameFits80x24(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	check := func(what string) {
		t.Helper()
		lines := strings.Split(screenText(m), "\n")
		if len(lines) != 24 {
			t.Fatalf("%s: %d lines:\n%s", what, len(lines), screenText(m))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > 80 {
				t.Fatalf("%s: line %d is %d cells: %q", what, i, w, l)
			}
		}
	}
	s := settingsScreenOf(m)
	for i := 0; i < 2*int(numSFields); i++ {
		check(fmt.Sprintf("focus %d", s.focus))
		// The focused field is always on screen.
		if s.focus != sfList && !strings.Contains(screenText(m), "> ") {
			t.Fatalf("focus %d not visible:\n%s", s.focus, screenText(m))
		}
		press(t, m, "tab")
	}
	press(t, m, "ctrl+p")
	check("preview")
}

// TestGoldenSettings: the settings screen at 80x24 and 120x40: the list
// with the highlighted profile's details, a field error, the preview and
// the unsaved-changes question.
func TestGoldenSettings(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openSettings(t, newFakeBackend(), w, h)
		snap(t, m, "1_list_details")

		goField(t, m, sfAppURL)
		clearField(t, m)
		typeText(t, m, "apps.example.com/android")
		update(t, m, ctrlS())
		snap(t, m, "2_field_error")

		clearField(t, m)
		goField(t, m, sfDefault)
		press(t, m, "ctrl+p")
		snap(t, m, "3_preview")

		press(t, m, "esc", "esc", "esc") // the preview, the details, the list
		snap(t, m, "4_unsaved_changes")
	})
}

func TestSettingsUnselectedProfileHasNoEditableDetails(t *testing.T) {
	m := openSettings(t, newFakeBackend(), 80, 24)
	s := settingsScreenOf(m)
	goRow(t, m, rowCTF)
	press(t, m, "enter")
	wantScreen(t, m, "NOTE: iPhone quick setup (CTF) is not offered for request; press space")
	press(t, m, "ctrl+t")
	wantScreen(t, m, "NOTE: iPhone quick setup (CTF) is not selected; select it (space on the list)")
	// tab skips the details of an unselected profile.
	press(t, m, "tab")
	if s.focus != sfPassword {
		t.Fatalf("focus %d after tab", s.focus)
	}
	// The read-only settings are shown all the same.
	press(t, m, "shift+tab")
	wantScreen(t, m, "Delivery Method:                       Compressed Token Format (CTF)")
}

func TestSettingsWithoutProfiles(t *testing.T) {
	be := newFakeBackend()
	be.profiles = nil
	m := openSettings(t, be, 80, 24)
	s := settingsScreenOf(m)
	wantScreen(t, m, "There are no software token profiles yet.")
	if s.focus != sfPassword {
		t.Fatalf("focus %d, want the first field there is", s.focus)
	}
	press(t, m, "space")
	update(t, m, ctrlS())
	if be.settingsOK != 1 || be.settings.UserMustProvidePassword {
		t.Fatalf("saved %d: %+v", be.settingsOK, be.settings)
	}
}

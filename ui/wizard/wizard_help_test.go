package wizard

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// TestWizardHelpSaysWhatEscDoes: every step's help line names what esc
// does there, and esc does it.
func TestWizardHelpSaysWhatEscDoes(t *testing.T) {
	var m *Model
	footer := func() string { lines := screenLines(m); return lines[len(lines)-1] }
	for s := stepName; s < numSteps; s++ {
		m = openWizard(t, newFakeBackend(), 80, 24)
		walk(t, m, model.PasswordAdmin, s)
		want := "esc back"
		switch s {
		case stepName:
			want = "esc leave"
		case stepSubmit:
			want = "esc back to summary"
		}
		f := footer()
		if !strings.Contains(f, want) || strings.Contains(f, "…") {
			t.Fatalf("step %d help %q, want %q", s+1, f, want)
		}
		if s > stepName && strings.Contains(f, "leave") {
			t.Fatalf("step %d help says esc leaves: %q", s+1, f)
		}
		// esc does what the help says.
		press(t, m, "esc")
		if s == stepName {
			if wizardOf(m) != nil {
				t.Fatalf("esc did not leave the untouched wizard:\n%s", screenText(m))
			}
			continue
		}
		wantStep(t, m, s-1)
	}
	// Asked whether to leave: the help offers y and n/esc, and esc stays.
	m = openWizard(t, newFakeBackend(), 80, 24)
	typeText(t, m, " changed")
	press(t, m, "esc")
	wantScreen(t, m, "Leave the wizard?")
	if f := footer(); !strings.Contains(f, "y leave") || !strings.Contains(f, "n/esc stay") {
		t.Fatalf("leave question help %q", f)
	}
	press(t, m, "esc")
	wantStep(t, m, stepName)
	wantNoScreen(t, m, "Leave the wizard?")
}

// subject is the wizard that setup leaves, as navtest checks it: keys go
// straight to the wizard's Update (esc too, which the root sends to Back).
func subject(t *testing.T, be func() *fakeBackend, setup func(m *Model)) func() navtest.Subject {
	return func() navtest.Subject {
		m := openWizard(t, be(), 80, 24)
		setup(m)
		w := wizardOf(m)
		return navtest.Subject{
			Table:  w.Bindings(),
			Typing: w.CapturesInput(),
			Press: func(k tea.KeyPressMsg) tea.Cmd {
				_, cmd := w.Update(k)
				return cmd
			},
			View: w.View,
		}
	}
}

// TestWizardHelpMatchesTheKeysOnEveryStep: on every step and state of
// the wizard, every key its help shows does what the help says, and no
// key left out of the help does anything.
func TestWizardHelpMatchesTheKeysOnEveryStep(t *testing.T) {
	fresh := newFakeBackend
	to := func(mode model.PasswordMode, s step, then ...string) func(m *Model) {
		return func(m *Model) {
			walk(t, m, mode, s)
			press(t, m, then...)
		}
	}
	criteria := func(then ...string) func(m *Model) {
		return func(m *Model) {
			walk(t, m, model.PasswordNone, stepCriteria)
			typeRange(t, m, "100000000010", "100000000020")
			press(t, m, then...)
		}
	}
	noFileProfiles := ctkipOnlyBackend
	tooLong := func() *fakeBackend { return tooLongBackend(-1) }
	states := []struct {
		name  string
		be    func() *fakeBackend
		setup func(m *Model)
	}{
		{"1 job name", fresh, func(*Model) {}},
		{"1 leave the wizard?", fresh, func(m *Model) { typeText(t, m, "x"); press(t, m, "esc") }},
		{"2 profile list", fresh, to(model.PasswordNone, stepProfile)},
		{"2 profile filter without a match", fresh, func(m *Model) { walk(t, m, model.PasswordNone, stepProfile); typeText(t, m, "zzz") }},
		{"2 no profile that can deliver", noFileProfiles, to(model.PasswordNone, stepProfile)},
		{"3 DeviceSerialNumber", fresh, to(model.PasswordNone, stepDevice)},
		{"4 nickname", fresh, to(model.PasswordNone, stepNickname)},
		{"5 password modes, admin password", fresh, func(m *Model) {
			walk(t, m, model.PasswordNone, stepPassword)
			press(t, m, "down", "down", "down") // a mode with an admin password
		}},
		{"5 password modes, no password", fresh, to(model.PasswordNone, stepPassword)},
		{"5 password field", fresh, func(m *Model) {
			walk(t, m, model.PasswordNone, stepPassword)
			press(t, m, "down", "down", "down", "tab")
		}},
		{"6 criteria text field", fresh, criteria()},
		{"6 criteria checkbox", fresh, criteria("tab")},
		{"6 criteria algorithm", fresh, criteria("tab", "tab", "tab", "tab")},
		{"7 summary asking for the count", fresh, to(model.PasswordNone, stepSummary)},
		{"7 summary without confirmation", fresh, criteria("enter")},
		{"7 summary blocked by too-long passwords", tooLong, func(m *Model) { toTooLongSummary(t, m) }},
		{"7 summary with too-long tokens left out", tooLong, func(m *Model) {
			toTooLongSummary(t, m)
			update(t, m, navtest.Key("ctrl+o"))
		}},
		{"8 submit", fresh, to(model.PasswordNone, stepSubmit)},
		{"2 profile list with a CT-KIP profile", ctkipBackend, to(model.PasswordNone, stepProfile)},
		{"5 CTF phone profile: password modes", ctkipBackend, func(m *Model) { walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword) }},
		{"5 CTF phone profile: CTF form", ctkipBackend, func(m *Model) {
			walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
			chooseMode(t, m, model.PasswordNone)
			press(t, m, "tab")
		}},
		{"5 CTF phone profile: CTF form after the password fields", ctkipBackend, func(m *Model) {
			walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
			chooseMode(t, m, model.PasswordAdmin)
			press(t, m, "tab", "tab", "tab")
		}},
		{"5 CTF desktop profile: password modes", ctkipBackend, func(m *Model) { walkCTF(t, m, ctfWindows, model.PasswordNone, stepPassword) }},
		{"7 CTF summary", ctkipBackend, func(m *Model) { walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSummary) }},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			navtest.CheckHelp(t, st.name, subject(t, st.be, st.setup))
		})
	}
}

// TestWizardLettersTypeInTextFields: on every step with a focused text
// field, letters that are commands elsewhere (p, c, x, q, y, n, digits,
// space) are typed into the field, never run.
func TestWizardLettersTypeInTextFields(t *testing.T) {
	const typed = "pcxqyn1 "
	fields := map[step]func(w *wizard) string{
		stepName:     func(w *wizard) string { return w.name.Value() },
		stepProfile:  func(w *wizard) string { return w.profList.FilterValue() },
		stepDevice:   func(w *wizard) string { return w.device.Value() },
		stepNickname: func(w *wizard) string { return w.nick.Value() },
		stepPassword: func(w *wizard) string { return w.pw.Value() },
		stepCriteria: func(w *wizard) string { return w.from.Value() },
		stepSummary:  func(w *wizard) string { return w.confirm.Value() },
	}
	for s := stepName; s < stepSubmit; s++ {
		m := openWizard(t, newFakeBackend(), 80, 24)
		walk(t, m, model.PasswordAdmin, s)
		switch s {
		case stepPassword:
			press(t, m, "tab")
		case stepNickname:
			clearField(t, m)
		}
		w := wizardOf(m)
		if !w.CapturesInput() {
			t.Fatalf("step %d has no focused text field", s+1)
		}
		typeText(t, m, typed)
		if w.step != s || w.leaving || w.busy != "" || m.ShowingHelp() || m.ConfirmingQuit() {
			t.Fatalf("step %d: typing %q acted as a command:\n%s", s+1, typed, screenText(m))
		}
		if got := fields[s](w); !strings.HasSuffix(got, typed) && !(s == stepNickname && got == typed) {
			t.Fatalf("step %d: the field holds %q, want it to end with %q", s+1, got, typed)
		}
	}
}

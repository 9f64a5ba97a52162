package wizard

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
)

// summaryWithSecrets walks to the summary with an admin password and
// types the confirmation.
func summaryWithSecrets(t *testing.T, m *Model) *wizard {
	t.Helper()
	walk(t, m, model.PasswordAdmin, stepSummary)
	typeText(t, m, "17")
	w := wizardOf(m)
	if w.pw.Value() == "" || w.pw2.Value() == "" || w.confirm.Value() == "" {
		t.Fatal("no secrets to clear: the test proves nothing")
	}
	return w
}

func wantNoSecrets(t *testing.T, w *wizard) {
	t.Helper()
	if w.pw.Value() != "" || w.pw2.Value() != "" || w.confirm.Value() != "" {
		t.Fatalf("secrets kept: password %v, confirm password %v, typed confirmation %q",
			w.pw.Value() != "", w.pw2.Value() != "", w.confirm.Value())
	}
}

// TestWizardClearsEverySecretOnLeaving: leaving the wizard (esc back to
// the first step, then "leave") drops both password fields and the typed
// confirmation.
func TestWizardClearsEverySecretOnLeaving(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	w := summaryWithSecrets(t, m)
	for range stepSummary {
		press(t, m, "esc")
	}
	wantStep(t, m, stepName)
	press(t, m, "esc")
	wantScreen(t, m, "Leave the wizard?")
	press(t, m, "y")
	if wizardOf(m) != nil {
		t.Fatal("wizard still open")
	}
	wantNoSecrets(t, w)
}

// TestWizardClearsEverySecretOnQuit: quitting the console drops them too.
func TestWizardClearsEverySecretOnQuit(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	w := summaryWithSecrets(t, m)
	press(t, m, "ctrl+c")
	_, cmd := m.Update(keyPress("y"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("y did not quit")
	}
	wantNoSecrets(t, w)
}

package wizard

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestQuitAsksOnlyWhenSomethingWouldBeLost(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	_, cmd := m.Update(keyPress("ctrl+c"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("ctrl+c on the home screen did not quit at once")
	}

	m = openWizard(t, newFakeBackend(), 80, 24)
	typeText(t, m, "q?") // text in a text field, not quit or help
	if !strings.HasSuffix(wizardOf(m).name.Value(), "q?") || m.ShowingHelp() || m.ConfirmingQuit() {
		t.Fatal("q or ? acted as a command inside a text field")
	}
	press(t, m, "ctrl+c")
	wantScreen(t, m, "Quit swtoken?")
	wantScreen(t, m, "The wizard's input will be lost.")
	press(t, m, "n")
	if m.ConfirmingQuit() || wizardOf(m) == nil {
		t.Fatal("n did not return to the wizard")
	}
	press(t, m, "ctrl+c")
	_, cmd = m.Update(keyPress("y"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("y did not quit")
	}
}

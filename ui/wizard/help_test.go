package wizard

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
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

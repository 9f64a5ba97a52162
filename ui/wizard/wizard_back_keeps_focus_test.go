package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardEscFromSummaryKeepsTheCriteriaFocus: esc on the summary goes
// back one step, to the criteria, with the focus where the admin left it
// (not reset to From serial).
func TestWizardEscFromSummaryKeepsTheCriteriaFocus(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepCriteria)
	typeRange(t, m, "100000000010", "100000000020")
	press(t, m, "tab", "tab", "tab", "tab") // All, Assigned user, Never, Algorithm
	press(t, m, "right")                    // AES-128
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	press(t, m, "esc")
	wantStep(t, m, stepCriteria)
	w := wizardOf(m)
	if w.critFocus != critAlg {
		t.Fatalf("criteria focus %d after esc, want the Algorithm (%d) as left", w.critFocus, critAlg)
	}
	wantScreen(t, m, "> Algorithm:")
	if algChoices[w.alg] != model.AlgAES128 {
		t.Fatalf("algorithm %q after esc", algChoices[w.alg])
	}
}

// TestWizardEscFromSubmitKeepsTheSummaryScrolled: back on the summary
// from Submit, the list is where the admin scrolled it.
func TestWizardEscFromSubmitKeepsTheSummaryScrolled(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepSummary)
	press(t, m, "down", "down")
	wantScreen(t, m, "rows 3-")
	typeText(t, m, "17")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
	press(t, m, "esc")
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "rows 3-")
}

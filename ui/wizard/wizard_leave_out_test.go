package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// TestWizardLeavesTooLongTokensOut: tokens whose password would be too
// long block the summary until the admin leaves them out (ctrl+o): the
// wizard plans again with SkipTooLong, the summary says they are left out,
// and the job is submitted without them.
func TestWizardLeavesTooLongTokensOut(t *testing.T) {
	be := tooLongBackend(-1)
	m := openWizard(t, be, 80, 24)
	toTooLongSummary(t, m)
	wantScreen(t, m, "ERROR: cannot submit: 25 tokens")
	wantScreen(t, m, "ctrl+o leave out")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)

	update(t, m, navtest.Key("ctrl+o"))
	w := wizardOf(m)
	if !w.spec().SkipTooLong {
		t.Fatal("ctrl+o did not set SkipTooLong")
	}
	wantNoScreen(t, m, "ERROR")
	wantScreen(t, m, "NOTE: 25 left out: password too long")
	wantScreen(t, m, "Tokens:             5 (first 100000000001, last 100000000005)")
	wantScreen(t, m, "enter next")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
	press(t, m, "enter")
	if len(be.jobs) != 1 || be.jobs[0].Total != 5 || !be.jobs[0].Spec.SkipTooLong {
		t.Fatalf("jobs after submit: %+v", be.jobs)
	}
}

// TestWizardTakesLeftOutTokensBackIn: ctrl+o again takes the too-long
// tokens back in, and they block the submit again.
func TestWizardTakesLeftOutTokensBackIn(t *testing.T) {
	m := openWizard(t, tooLongBackend(-1), 80, 24)
	toTooLongSummary(t, m)
	update(t, m, navtest.Key("ctrl+o"))
	update(t, m, navtest.Key("ctrl+o"))
	if wizardOf(m).spec().SkipTooLong {
		t.Fatal("the second ctrl+o did not take the tokens back in")
	}
	wantScreen(t, m, "ERROR: cannot submit: 25 tokens")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
}

// TestWizardSubmitOfTooLongTokensIsRefusedWithoutLeavingThemOut: the
// backend's submit, asked for a job with too-long tokens not left out,
// refuses with model.TooLongError (the rule is model.CanSubmit's).
func TestWizardSubmitOfTooLongTokensIsRefusedWithoutLeavingThemOut(t *testing.T) {
	be := tooLongBackend(-1)
	m := openWizard(t, be, 80, 24)
	toTooLongSummary(t, m)
	w := wizardOf(m)
	_, err := be.Submit(w.spec(), testPassword, "", w.preview.Summary.Selection())
	if _, ok := err.(*model.TooLongError); !ok {
		t.Fatalf("submit without SkipTooLong: %v, want *model.TooLongError", err)
	}
}

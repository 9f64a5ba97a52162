package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardSubmitRefusedWhenTheSelectionChanged: the admin saw a summary
// of 9 tokens; before the submit another admin assigned one more token in
// the range, so the plan made at submit selects 10. The submit passes the
// selection shown, is refused, and the wizard is back on a fresh summary
// that says why; nothing was submitted. Submitting from that summary works.
func TestWizardSubmitRefusedWhenTheSelectionChanged(t *testing.T) {
	be := newFakeBackend()
	m := openSummary(t, be, 80, 24, model.PasswordNone, "100000000010", "100000000020")
	wantScreen(t, m, "Tokens:             9 (first 100000000011, last 100000000019)")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)

	be.Mu.Lock()
	be.tokens[19].Assign("asmith") // 100000000020, unassigned before
	be.Mu.Unlock()

	press(t, m, "enter")
	if want := (model.Selection{Count: 9, First: "100000000011", Last: "100000000019"}); be.lastShown != want {
		t.Fatalf("submit was passed selection %+v, want the summary's %+v", be.lastShown, want)
	}
	if len(be.jobs) != 0 {
		t.Fatalf("a job was submitted: %+v", be.jobs)
	}
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "ERROR: the selection changed since the summary")
	wantScreen(t, m, "nothing was submitted")
	wantScreen(t, m, "Tokens:             10 (first 100000000011, last 100000000020)")

	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
	wantNoScreen(t, m, "selection changed")
	press(t, m, "enter")
	if len(be.jobs) != 1 || be.jobs[0].Total != 10 {
		t.Fatalf("jobs: %+v", be.jobs)
	}
}

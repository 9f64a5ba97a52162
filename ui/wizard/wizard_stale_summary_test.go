package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardStaleSummaryIsShownAgain: the admin reaches Submit with a
// summary that asked for no confirmation; meanwhile another process
// distributes those tokens. The submit is refused (the store plans again
// and now wants the typed count), and the wizard goes back to a fresh
// summary that says why and shows the warning, instead of repeating the
// refusal from a summary without a confirmation field.
func TestWizardStaleSummaryIsShownAgain(t *testing.T) {
	be := newFakeBackend()
	m := openSummary(t, be, 80, 24, model.PasswordNone, "100000000010", "100000000020")
	wantNoScreen(t, m, "to confirm")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)

	// Another job distributed them meanwhile.
	be.Mu.Lock()
	for i := range be.tokens {
		if s := be.tokens[i].Serial; s >= "100000000010" && s <= "100000000020" {
			be.tokens[i].Distribution.Count = 1
		}
	}
	be.Mu.Unlock()

	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "the tokens changed since this summary was made")
	wantScreen(t, m, "to confirm")
	if len(be.jobs) != 0 {
		t.Fatalf("a job was submitted: %+v", be.jobs)
	}
}

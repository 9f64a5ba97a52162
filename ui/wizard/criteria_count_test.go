package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardCriteriaCountLineIsTrueWithErrors: with a range set and an
// unknown assigned user, the count line does not ask for a range; it says
// that the count waits for the errors to be fixed.
func TestWizardCriteriaCountLineIsTrueWithErrors(t *testing.T) {
	m := newTestModel(t, unknownUserBackend{newFakeBackend()}, 80, 24)
	press(t, m, "1", "enter")
	walk(t, m, model.PasswordNone, stepCriteria)
	typeRange(t, m, "100000000001", "100000000020")
	wantScreen(t, m, "Eligible: 17 tokens")
	press(t, m, "tab", "tab")
	typeText(t, m, "nosuchuser")
	wantScreen(t, m, `ERROR: Assigned user: user "nosuchuser": not found`)
	wantNoScreen(t, m, "choose a serial range")
	wantScreen(t, m, "Eligible: - (counted once the errors above are fixed)")
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)
	wantNoScreen(t, m, "choose a serial range")

	// Fixed: the count is back.
	clearField(t, m)
	typeText(t, m, "asmith")
	wantNoScreen(t, m, "ERROR:")
	wantScreen(t, m, "Eligible: 3 tokens")

	// With nothing chosen the hint still asks for a range.
	press(t, m, "shift+tab", "shift+tab")
	clearField(t, m)
	press(t, m, "shift+tab")
	clearField(t, m)
	wantScreen(t, m, "Eligible: - (choose a serial range or all eligible tokens)")
}

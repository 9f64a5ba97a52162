package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardSummaryCountsAgree: one redistributed token is "1 of the 2
// tokens was", not "were"; the live count says "1 token", not "1 tokens".
func TestWizardSummaryCountsAgree(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepCriteria)
	typeRange(t, m, "100000000008", "100000000008") // 100000000008 was distributed before, 007 too
	wantScreen(t, m, "Eligible: 1 token (serials")
	press(t, m, "backspace")
	typeText(t, m, "9")
	wantScreen(t, m, "Eligible: 2 tokens (serials")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "WARNING: 1 of the 2 tokens was distributed before.")
}

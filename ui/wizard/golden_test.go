package wizard

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/model"
)

func TestGoldenWizardSteps(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openWizard(t, newFakeBackend(), w, h)
		for s := stepName; s < numSteps; s++ {
			walk(t, m, model.PasswordUserIDAndAdmin, s)
			if s == stepCriteria {
				// Show the live count, not an empty form.
				typeRange(t, m, "100000000001", "100000000020")
			}
			if s == stepPassword {
				press(t, m, "down", "down", "down", "enter")
				typeText(t, m, testPassword)
			}
			t.Run(fmt.Sprintf("%d_%s", s+1, stepTitles[s]), func(t *testing.T) {
				golden.RequireEqual(t, screenText(m))
			})
			if s == stepCriteria {
				press(t, m, "enter")
			}
			if s == stepPassword {
				press(t, m, "enter")
				typeText(t, m, testPassword)
				press(t, m, "enter")
			}
		}
	})
}

func TestGoldenSummaryVariants(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		// Device binding, no redistribution, no confirmation.
		m := openWizard(t, newFakeBackend(), w, h)
		walk(t, m, model.PasswordNone, stepDevice)
		clearField(t, m)
		typeText(t, m, "3F2A9C11D0E4B876")
		press(t, m, "enter", "enter", "down", "enter")
		typeRange(t, m, "100000000010", "100000000016")
		press(t, m, "enter")
		wantStep(t, m, stepSummary)
		snap(t, m, "device_binding")

		// Passwords too long for the SID-64 tokens: refused, named.
		m = openWizard(t, newFakeBackend(), w, h)
		walk(t, m, model.PasswordUserIDAndAdmin, stepCriteria)
		typeRange(t, m, "100000000021", "100000000030")
		press(t, m, "enter")
		wantStep(t, m, stepSummary)
		snap(t, m, "password_too_long")
	})
}

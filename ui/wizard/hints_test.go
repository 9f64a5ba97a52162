package wizard

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestWizardSerialHintIsAFormat(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepCriteria)
	var line string
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "To serial:") {
			line = l
		}
	}
	if !strings.Contains(line, "(12 digits)") || strings.Contains(line, "100000000480") {
		t.Fatalf("To serial line: %q", line)
	}
}

func TestWizardWithoutDeliverableProfilesOffersOnlyEsc(t *testing.T) {
	be := ctkipOnlyBackend()
	m := openWizard(t, be, 80, 24)
	press(t, m, "enter")
	wantStep(t, m, stepProfile)
	footer := m.Footer()
	for _, s := range []string{"choose", "up", "down"} {
		if strings.Contains(footer, s) {
			t.Fatalf("footer offers %q: %q", s, footer)
		}
	}
	wantScreen(t, m, "esc back")
}

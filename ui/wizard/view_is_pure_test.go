package wizard

import (
	"fmt"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardViewChangesNothing: on every step, rendering after a resize
// leaves the wizard as SetSize left it (field widths, the profile list's
// size and the summary's scroll are set in Update and SetSize, not View).
func TestWizardViewChangesNothing(t *testing.T) {
	for s := stepName; s < numSteps; s++ {
		m := openWizard(t, newFakeBackend(), 80, 24)
		walk(t, m, model.PasswordAdmin, s)
		w := wizardOf(m)
		for _, size := range [][2]int{{120, 40}, {80, 24}, {100, 14}} {
			w.SetSize(size[0], size[1])
			before := fmt.Sprintf("%#v", *w)
			_ = w.View()
			if after := fmt.Sprintf("%#v", *w); after != before {
				t.Errorf("step %d at %dx%d: View changed the wizard", s+1, size[0], size[1])
			}
		}
	}
}

package wizard

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// Observed is what a test that drives the whole console (ui's flows) reads
// of the wizard; the console itself never uses it.
type Observed struct {
	// Step is the step shown, from 1 (job name) to 8 (submit).
	Step int
	// Confirm is the number the summary asks the admin to type ("" when
	// none is asked or there is no summary yet).
	Confirm string
}

// Observe reads s when it is the wizard.
func Observe(s nav.Screen) (Observed, bool) {
	w, ok := s.(*wizard)
	if !ok {
		return Observed{}, false
	}
	o := Observed{Step: int(w.step) + 1}
	if w.preview != nil {
		if need, want := model.ConfirmationRequired(w.spec(), w.preview.Summary); need {
			o.Confirm = want
		}
	}
	return o, true
}

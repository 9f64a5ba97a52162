package wizard

import (
	"testing"

	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root, opening the wizard from Home; a submit
// opens the real Jobs screen.

type Model = shell.Model

// testBackend is what the tests' root reads: the wizard's methods, the
// Jobs screen's, and the root's and Home's.
type testBackend interface {
	Backend
	jobs.Backend
	shell.Backend
	home.Backend
}

var (
	testNow      = uitest.Now
	goldenSizes  = uitest.GoldenSizes
	update       = uitest.Update
	keyPress     = uitest.KeyPress
	press        = uitest.Press
	typeText     = uitest.TypeText
	clearField   = uitest.ClearField
	pasteMsg     = uitest.Paste
	screenText   = uitest.ScreenText
	wantScreen   = uitest.WantScreen
	wantNoScreen = uitest.WantNoScreen
	sizeName     = uitest.SizeName
)

// newTestModel is the root over be, sized w x h, on the home screen.
func newTestModel(t *testing.T, be testBackend, w, h int) *Model {
	t.Helper()
	env := uitest.Env()
	return uitest.NewModel(t, shell.Config{Env: env, Backend: be,
		Home:     func() nav.Screen { return home.New(env, be) },
		FirstRun: func() nav.Screen { return home.NewFirstRun(env, be) },
		Open: func(p nav.Page, arg any) nav.Screen {
			switch p {
			case nav.PageWizard:
				return New(env, be)
			case nav.PageJobs:
				seq, _ := arg.(uint64)
				return jobs.New(env, be, seq)
			}
			t.Fatalf("opened page %d; the wizard tests open only the wizard and Jobs", p)
			return nil
		},
	}, w, h)
}

func wizardOf(m *Model) *wizard {
	for _, s := range m.Stack() {
		if w, ok := s.(*wizard); ok {
			return w
		}
	}
	return nil
}

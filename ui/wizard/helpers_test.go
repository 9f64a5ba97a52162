package wizard

import (
	"fmt"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/hometest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root, opening the wizard from Home; a submit
// opens a stub in place of the Jobs screen (jobsStub), which the wizard
// asks for by page and job.

type Model = shell.Model

// testBackend is what the tests' root reads: the wizard's methods, and
// the root's and Home's.
type testBackend interface {
	Backend
	hometest.Backend
}

// jobsStub stands for the Jobs screen: it records the job it was opened
// on, which is all the wizard decides.
type jobsStub struct {
	nav.Base
	seq uint64
}

func (j *jobsStub) Init() tea.Cmd                        { return nil }
func (j *jobsStub) Update(tea.Msg) (nav.Screen, tea.Cmd) { return j, nil }
func (j *jobsStub) View() string                         { return fmt.Sprintf("Jobs stub on #%d", j.seq) }
func (j *jobsStub) Title() string                        { return "Jobs" }
func (j *jobsStub) ShortHelp() []key.Binding             { return nil }
func (j *jobsStub) FullHelp() [][]key.Binding            { return nil }
func (j *jobsStub) CapturesInput() bool                  { return false }

var (
	testNow        = uitest.Now
	forGoldenSizes = uitest.ForGoldenSizes
	snap           = uitest.Snap
	update         = uitest.Update
	keyPress       = uitest.KeyPress
	press          = uitest.Press
	typeText       = uitest.TypeText
	clearField     = uitest.ClearField
	pasteMsg       = uitest.Paste
	screenText     = uitest.ScreenText
	wantScreen     = uitest.WantScreen
	wantNoScreen   = uitest.WantNoScreen
)

// newTestModel is the root over be, sized w x h, on the home screen.
func newTestModel(t *testing.T, be testBackend, w, h int) *Model {
	t.Helper()
	return hometest.NewModel(t, be, func(env *kit.Env, p nav.Page, arg any) nav.Screen {
		switch p {
		case nav.PageWizard:
			return New(env, be)
		case nav.PageJobs:
			seq, _ := arg.(uint64)
			return &jobsStub{seq: seq}
		}
		t.Fatalf("opened page %d; the wizard tests open only the wizard and Jobs", p)
		return nil
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

// typeRange types the criteria's serial range from..to.
func typeRange(t *testing.T, m *Model, from, to string) {
	t.Helper()
	typeText(t, m, from)
	press(t, m, "tab")
	typeText(t, m, to)
}

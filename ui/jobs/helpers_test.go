package jobs

import (
	"testing"

	"github.com/swtoken/swtoken/ui/internal/hometest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root over the fake, opening Jobs from Home.

type Model = shell.Model

var (
	testNow           = uitest.Now
	forGoldenSizes    = uitest.ForGoldenSizes
	snap              = uitest.Snap
	update            = uitest.Update
	press             = uitest.Press
	typeText          = uitest.TypeText
	screenText        = uitest.ScreenText
	wantScreen        = uitest.WantScreen
	wantNoScreen      = uitest.WantNoScreen
	clearField        = uitest.ClearField
	sameText          = uitest.SameText
	wantFlat          = uitest.WantFlat
	wantNoRawControls = uitest.WantNoRawControls
)

// newTestModel is the root over be, sized w x h, on the home screen.
func newTestModel(t *testing.T, be *fakeBackend, w, h int) *Model {
	t.Helper()
	return newTestModelOver(t, be, be, w, h)
}

// newTestModelOver is newTestModel with jb answering the Jobs screen (a
// fake that fails some calls).
func newTestModelOver(t *testing.T, be *fakeBackend, jb Backend, w, h int) *Model {
	t.Helper()
	return hometest.NewModel(t, be, func(env *kit.Env, p nav.Page, arg any) nav.Screen {
		if p != nav.PageJobs {
			t.Fatalf("opened page %d; the jobs tests open only Jobs", p)
		}
		seq, _ := arg.(uint64)
		return New(env, jb, seq)
	}, w, h)
}

func jobsScreenOf(m *Model) *jobsScreen {
	if s, ok := m.Top().(*jobsScreen); ok {
		return s
	}
	return nil
}

// poll is the root's once-a-second look at the change counter.
func poll(t *testing.T, m *Model) {
	t.Helper()
	update(t, m, shell.PollStoreMsg{})
}

const forged = uitest.Forged

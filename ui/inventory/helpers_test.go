package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root, opening the screens from Home.

type Model = shell.Model

// testBackend is what the tests' root reads: the inventory's methods and
// the root's and Home's.
type testBackend interface {
	Backend
	shell.Backend
	home.Backend
}

const forged = uitest.Forged

var (
	goldenSizes       = uitest.GoldenSizes
	update            = uitest.Update
	run               = uitest.Run
	keyPress          = uitest.KeyPress
	press             = uitest.Press
	typeText          = uitest.TypeText
	clearField        = uitest.ClearField
	pasteMsg          = uitest.Paste
	screenText        = uitest.ScreenText
	wantScreen        = uitest.WantScreen
	wantNoScreen      = uitest.WantNoScreen
	wantFlat          = uitest.WantFlat
	sizeName          = uitest.SizeName
	lineWith          = uitest.LineWith
	wantNoRawControls = uitest.WantNoRawControls
)

// newTestModel is the root over be, sized w x h, on the home screen. The
// pages of other features open as a placeholder with the page's title.
func newTestModel(t *testing.T, be testBackend, w, h int) *Model {
	t.Helper()
	env := uitest.Env()
	return uitest.NewModel(t, shell.Config{Env: env, Backend: be,
		Home:     func() nav.Screen { return home.New(env, be) },
		FirstRun: func() nav.Screen { return home.NewFirstRun(env, be) },
		Open: func(p nav.Page, arg any) nav.Screen {
			switch p {
			case nav.PageProfiles:
				return NewProfiles(env, be)
			case nav.PageTokens:
				return NewTokens(env, be)
			case nav.PageUsers:
				return NewUsers(env, be)
			case nav.PageImport:
				return NewImport(env, be)
			case nav.PageAudit:
				return NewAudit(env, be)
			case nav.PageJobs:
				return uitest.Placeholder("Jobs")
			}
			t.Fatalf("opened page %d", p)
			return nil
		},
	}, w, h)
}

// poll is the root's once-a-second look at the change counter.
func poll(t *testing.T, m *Model) {
	t.Helper()
	update(t, m, shell.PollStoreMsg{})
}

func countCalls(be *fakeBackend, name string) int {
	be.mu.Lock()
	defer be.mu.Unlock()
	n := 0
	for _, c := range be.calls {
		if c == name {
			n++
		}
	}
	return n
}

package inventory

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/hometest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root, opening the screens from Home.

type Model = shell.Model

// testBackend is what the tests' root reads: the inventory's methods and
// the root's and Home's.
type testBackend interface {
	Backend
	hometest.Backend
}

const forged = uitest.Forged

var (
	forGoldenSizes    = uitest.ForGoldenSizes
	snap              = uitest.Snap
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
	lineWith          = uitest.LineWith
	wantNoRawControls = uitest.WantNoRawControls
)

// newTestModel is the root over be, sized w x h, on the home screen. The
// pages of other features open as a placeholder with the page's title.
func newTestModel(t *testing.T, be testBackend, w, h int) *Model {
	t.Helper()
	return hometest.NewModel(t, be, func(env *kit.Env, p nav.Page, arg any) nav.Screen {
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
	}, w, h)
}

// poll is the root's once-a-second look at the change counter.
func poll(t *testing.T, m *Model) {
	t.Helper()
	update(t, m, shell.PollStoreMsg{})
}

// checkHelp runs navtest.CheckHelp on the top screen that open leaves,
// made afresh for every key: the screen's own Update gets the keys (the
// root's keys, esc included, are the root's; esc reaches the screen's
// table through Back).
func checkHelp(t *testing.T, name string, open func(t *testing.T) *Model) {
	t.Helper()
	navtest.CheckHelp(t, name, func() navtest.Subject {
		s := open(t).Top()
		return navtest.Subject{Table: s.Bindings(), Typing: s.CapturesInput(), View: s.View,
			Press: func(msg tea.KeyPressMsg) tea.Cmd {
				_, cmd := s.Update(msg)
				return cmd
			}}
	})
}

// opened is an open func for checkHelp: menu item n of be's console at
// 80x24, then keys.
func opened(be func() *fakeBackend, n string, keys ...string) func(t *testing.T) *Model {
	return func(t *testing.T) *Model {
		t.Helper()
		m := openMenu(t, be(), n, 80, 24)
		press(t, m, keys...)
		return m
	}
}

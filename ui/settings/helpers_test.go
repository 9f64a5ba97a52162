package settings

import (
	"testing"

	"github.com/swtoken/swtoken/ui/internal/hometest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root, opening the settings from Home.

type Model = shell.Model

var (
	forGoldenSizes = uitest.ForGoldenSizes
	snap           = uitest.Snap
	update         = uitest.Update
	run            = uitest.Run
	typeText       = uitest.TypeText
	clearField     = uitest.ClearField
	screenText     = uitest.ScreenText
	wantScreen     = uitest.WantScreen
	wantNoScreen   = uitest.WantNoScreen
	wantFlat       = uitest.WantFlat
	lineWith       = uitest.LineWith
)

// newTestModel is the root over be, sized w x h, on the home screen.
func newTestModel[B interface {
	hometest.Backend
	Backend
}](t *testing.T, be B, w, h int) *Model {
	t.Helper()
	return hometest.NewModel(t, be, func(env *kit.Env, p nav.Page, arg any) nav.Screen {
		if p != nav.PageSettings {
			t.Fatalf("opened page %d; the settings tests open only Settings", p)
		}
		return New(env, be)
	}, w, h)
}

// poll is the root's once-a-second look at the change counter.
func poll(t *testing.T, m *Model) {
	t.Helper()
	update(t, m, shell.PollStoreMsg{})
}

// press sends named keys, as navtest.Key names them (uitest.KeyPress
// knows only some ctrl+ keys; the settings use ctrl+o, ctrl+p, ctrl+t).
func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		update(t, m, navtest.Key(k))
	}
}

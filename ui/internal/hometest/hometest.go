// Package hometest is the feature packages' test root: the real root
// (ui/shell) over a fake backend, on the real Home screen, with the
// feature's pages opened by the test (uitest drives it).
package hometest

import (
	"testing"

	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// Backend is what the root and Home read.
type Backend interface {
	shell.Backend
	home.Backend
}

// NewModel is the root over be, sized w x h, on the home screen (the first
// run's on an empty store); open makes the pages Home and the feature
// open, in the tests' environment (uitest.Env).
func NewModel(t testing.TB, be Backend, open func(env *kit.Env, p nav.Page, arg any) nav.Screen, w, h int) *shell.Model {
	t.Helper()
	env := uitest.Env()
	return uitest.NewModel(t, shell.Config{Env: env, Backend: be,
		Home:     func() nav.Screen { return home.New(env, be) },
		FirstRun: func() nav.Screen { return home.NewFirstRun(env, be) },
		Open:     func(p nav.Page, arg any) nav.Screen { return open(env, p, arg) },
	}, w, h)
}

// Package ui is swtoken's Bubble Tea console: Run, the wiring of the root
// (ui/shell) to the feature screens, the Backend every feature's narrow
// interface is part of, and the engine adapter.
package ui

import (
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/inventory"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/requests"
	"github.com/swtoken/swtoken/ui/settings"
	"github.com/swtoken/swtoken/ui/shell"
	"github.com/swtoken/swtoken/ui/wizard"
)

// Model is the console's root model: the only tea.Model.
type Model = shell.Model

// Options configures the console. The zero value is right for production.
type Options struct {
	// Now is the clock; tests fix it so that views are stable.
	Now func() time.Time
	// Theme overrides the theme from the environment.
	Theme *kit.Theme
	// Host and User name this server in the scp hint after a download.
	Host, User string

	// instant, for tests driving Update by hand: previews run without
	// debounce and status messages never expire (no timers to wait for).
	instant bool
}

// common is what every screen of this package shares: the environment and
// the backend.
type common struct {
	*kit.Env
	be Backend
}

// newEnv is the environment opts describe, with the production defaults
// for what they leave out.
func newEnv(opts Options) *kit.Env {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Theme == nil {
		opts.Theme = kit.ThemeFromEnv()
	}
	if opts.Host == "" {
		opts.Host, _ = os.Hostname()
	}
	if opts.User == "" {
		if u, err := user.Current(); err == nil {
			opts.User = u.Username
		}
	}
	km := kit.DefaultKeyMap()
	if kit.ASCIITheme(opts.Theme) {
		kit.ASCIIHelp(km)
	}
	env := &kit.Env{Theme: opts.Theme, Keys: km, Now: opts.Now, Host: opts.Host, User: opts.User,
		Debounce: wizard.PreviewDebounce, StatusTTL: nav.StatusTTL, PollEvery: shell.PollEvery}
	if opts.instant {
		env.Debounce, env.StatusTTL, env.PollEvery = 0, 0, 0
	}
	return env
}

func newCommon(be Backend, opts Options) *common { return &common{Env: newEnv(opts), be: be} }

// New returns the console's root model over be.
func New(be Backend, opts Options) *Model {
	c := newCommon(be, opts)
	return shell.New(shell.Config{Env: c.Env, Backend: be,
		Home:     func() nav.Screen { return home.New(c.Env, c.be) },
		FirstRun: func() nav.Screen { return home.NewFirstRun(c.Env, c.be) },
		Open:     func(p nav.Page, arg any) nav.Screen { return open(c, p, arg) },
	})
}

// open resolves a page to its screen: the root knows every feature, the
// features know only nav.Page.
func open(c *common, p nav.Page, arg any) nav.Screen {
	switch p {
	case nav.PageWizard:
		return wizard.New(c.Env, c.be)
	case nav.PageJobs:
		seq, _ := arg.(uint64)
		return jobsui.New(c.Env, c.be, seq)
	case nav.PageSettings:
		return settings.New(c.Env, c.be)
	case nav.PageProfiles:
		return inventory.NewProfiles(c.Env, c.be)
	case nav.PageTokens:
		return inventory.NewTokens(c.Env, c.be)
	case nav.PageUsers:
		return inventory.NewUsers(c.Env, c.be)
	case nav.PageImport:
		return inventory.NewImport(c.Env, c.be)
	case nav.PageAudit:
		return inventory.NewAudit(c.Env, c.be)
	case nav.PageRequests:
		return requests.New(c.Env, c.be)
	}
	panic(fmt.Sprintf("ui: no screen for page %d", p))
}

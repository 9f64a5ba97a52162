package ui

import (
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/selfservice"
	"github.com/swtoken/swtoken/ui/sshserve"
)

// SelfServiceConsole makes the Self-Service Console of each SSH session of
// swtoken serve on st: the user's own console, bound to the authenticated
// user and the client's address. Colours and glyphs follow what the
// client sent (NO_COLOR, the locale; no locale is ASCII), not the server's
// environment. main hands it to the command line.
func SelfServiceConsole(st *store.Store) sshserve.ModelFactory {
	host, _ := os.Hostname()
	return func(s sshserve.Session) tea.Model {
		theme := kit.NewTheme(!kit.NoColor(s.Getenv), kit.UnicodeLocale(s.Getenv))
		km := kit.DefaultKeyMap()
		if kit.ASCIITheme(theme) {
			kit.ASCIIHelp(km)
		}
		env := &kit.Env{Theme: theme, Keys: km, Now: time.Now, Host: host, User: s.User,
			StatusTTL: nav.StatusTTL, PollEvery: selfservice.PollEvery}
		return selfservice.New(env, NewSelfServiceBackend(st, s.User, s.Addr))
	}
}

package home

import (
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is what the home and first-run screens need. Every method may
// block on I/O, so the screens call them only inside tea.Cmds.
type Backend interface {
	// IsEmpty reports a store without tokens, users or profiles (first run).
	IsEmpty() (bool, error)
	// LoadDemo loads the demo inventory into an empty store and describes
	// what it loaded in one line.
	LoadDemo() (string, error)
	// HomeCounts are the requests waiting for an approval and the e-mail
	// messages waiting in the outbox (to send, or for the admin to
	// deliver without SMTP).
	HomeCounts() (pending, outbox int, err error)
}

// New is the home screen: the menu of every workflow.
func New(env *kit.Env, be Backend) nav.Screen { return newHome(&common{Env: env, be: be}) }

// NewFirstRun is the screen of an empty store: load the demo or import.
func NewFirstRun(env *kit.Env, be Backend) nav.Screen {
	return newFirstRun(&common{Env: env, be: be})
}

// common is what the screens share: the environment and the backend.
type common struct {
	*kit.Env
	be Backend
}

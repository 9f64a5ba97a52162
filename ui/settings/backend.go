package settings

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is what the Self-Service Settings screen needs. Every method may
// block on I/O, so the screen calls them only inside tea.Cmds.
type Backend interface {
	// Profiles returns every profile in name order (read after a refused
	// save, to judge the confirmation marks again).
	Profiles() ([]model.Profile, error)
	// Settings returns the self-service settings ("Manage Authenticators")
	// and every profile in name order, read together so that the
	// confirmation marks are judged against the same profiles.
	Settings() (model.Settings, []model.Profile, error)
	// ApplySettings validates and stores the settings, all or nothing (and
	// audited), and returns what it changed as the audit trail records it
	// (empty when nothing changed and nothing was written). Bad input returns model.FieldErrors and changes nothing.
	// It is a compare-and-swap: when the settings were saved by someone
	// else after next was loaded (next.Revision, as Settings returned it),
	// it returns a *store.ConflictError naming who and when, and changes
	// nothing.
	ApplySettings(next model.Settings) (changes []string, err error)
}

// New is the Self-Service Settings screen ("Manage Authenticators").
func New(env *kit.Env, be Backend) nav.Screen { return newSettings(&common{Env: env, be: be}) }

// common is what the screen shares: the environment and the backend.
type common struct {
	*kit.Env
	be Backend
}

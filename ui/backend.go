package ui

import (
	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/inventory"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/requests"
	"github.com/swtoken/swtoken/ui/settings"
	"github.com/swtoken/swtoken/ui/shell"
	"github.com/swtoken/swtoken/ui/wizard"
)

// Backend is everything the console needs from the store and the
// distribution engine: the union of the narrow interfaces each feature
// declares (and is tested against, with a fake of its own), which
// engineBackend adapts to the real store and engine.
// Every method may block on I/O, so the UI calls them only inside tea.Cmds,
// never in Update.
type Backend interface {
	// The home and first-run screens' methods.
	home.Backend
	// The wizard's methods.
	wizard.Backend
	// The Jobs screen's methods.
	jobsui.Backend
	// The Self-Service Settings screen's methods.
	settings.Backend
	// The list screens' methods (Profiles, Tokens, Users, Import, Audit
	// Log).
	inventory.Backend
	// The Requests screen's methods.
	requests.Backend
	// What the root reads itself: the engine's events and the store's
	// change counter, besides the first-run question and the jobs.
	shell.Backend
}

// JobEvent is a job's state or progress, pushed by the engine.
type JobEvent = nav.JobEvent

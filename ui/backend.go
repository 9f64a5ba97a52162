package ui

import (
	"github.com/swtoken/swtoken/ui/home"
	"github.com/swtoken/swtoken/ui/inventory"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/settings"
	"github.com/swtoken/swtoken/ui/wizard"

	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is everything the console's screens need from the store and the
// distribution engine. It is deliberately narrow: the screens are built and
// tested against a fake, and engineBackend adapts the real store and engine.
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
	// Events delivers job state and progress. The channel stays open for
	// the console's life; a closed channel means the engine stopped.
	Events() <-chan JobEvent
	// ChangeCounter is the store's change counter, raised by every write
	// of any process: the console polls it (one small read) and reloads
	// what it shows when it moved.
	ChangeCounter() (uint64, error)

	// The list screens' methods (Profiles, Tokens, Users, Import, Audit
	// Log) are in ui/inventory.
	inventory.Backend
}

// JobEvent is a job's state or progress, pushed by the engine.
type JobEvent = nav.JobEvent

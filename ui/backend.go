package ui

import (
	"github.com/swtoken/swtoken/ui/home"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/settings"

	"github.com/swtoken/swtoken/ui/nav"

	"github.com/swtoken/swtoken/model"
)

// Backend is everything the console's screens need from the store and the
// distribution engine. It is deliberately narrow: the screens are built and
// tested against a fake, and engineBackend adapts the real store and engine.
// Every method may block on I/O, so the UI calls them only inside tea.Cmds,
// never in Update.
type Backend interface {
	// The home and first-run screens' methods.
	home.Backend
	// Profiles returns every software token profile in name order; the
	// wizard itself keeps only the file-based ones.
	Profiles() ([]model.Profile, error)
	// CheckJobName returns a *model.FieldError when another job has the
	// name (ignoring case); the format rules are the model's and the
	// wizard checks them first.
	CheckJobName(name string) error
	// Preview is the dry run of a job. A validation problem is returned as
	// err (model.FieldErrors naming the fields); a preview that was built
	// but cannot be submitted carries the reason in Preview.Blocker.
	Preview(spec model.JobSpec, adminPassword string) (Preview, error)
	// Submit freezes the selection into a new queued job. typed is what the
	// admin typed to confirm (model.ConfirmationRequired).
	Submit(spec model.JobSpec, adminPassword, typed string) (model.Job, error)
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
	// Log) are in backend_inventory.go.
	inventoryBackend
}

// Preview is a job's dry run as the summary shows it.
type Preview struct {
	Summary model.Summary
	// Rows are the eligible tokens in serial order.
	Rows []PreviewRow
	// Blocker says why the job cannot be submitted as it stands (tokens
	// whose password is too long, nothing eligible), or nil.
	Blocker error
}

// PreviewRow is one line of the summary's scrollable list.
type PreviewRow struct {
	Serial           string
	User             string
	TimesDistributed int
}

// JobEvent is a job's state or progress, pushed by the engine.
type JobEvent = nav.JobEvent

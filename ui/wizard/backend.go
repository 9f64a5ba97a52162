package wizard

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is what the Generate Software Token Files wizard needs. Every
// method may block on I/O, so the wizard calls them only inside tea.Cmds.
type Backend interface {
	// Profiles returns every software token profile in name order; the
	// wizard itself keeps only those that can deliver (file-based and
	// CTF: model.DeliveryMethod.CanDeliver).
	Profiles() ([]model.Profile, error)
	// CheckJobName returns a *model.FieldError when another job has the
	// name (ignoring case); the format rules are the model's and the
	// wizard checks them first.
	CheckJobName(name string) error
	// Preview is the dry run of a job: the plan resolves spec.Device into
	// the binding (Preview.Binding). A validation problem is returned as
	// err (model.FieldErrors naming the fields); whether the plan can be
	// submitted is model.CanSubmit's to say, not the backend's.
	Preview(spec model.JobSpec, adminPassword string) (Preview, error)
	// Submit plans again and freezes the selection into a new queued job.
	// typed is what the admin typed to confirm
	// (model.ConfirmationRequired); shown is the selection of the summary
	// the admin saw: when the new plan selects other tokens, Submit
	// refuses with a *model.SelectionChangedError.
	Submit(spec model.JobSpec, adminPassword, typed string, shown model.Selection) (model.Job, error)
}

// New is the wizard, at its first step.
func New(env *kit.Env, be Backend) nav.Screen { return newWizard(&common{Env: env, be: be}) }

// common is what the wizard shares: the environment and the backend.
type common struct {
	*kit.Env
	be Backend
}

// Preview is a job's dry run as the summary shows it.
type Preview struct {
	Summary model.Summary
	// Binding is what the plan resolved the DeviceSerialNumber field to.
	Binding model.Binding
	// Spec is the spec as planned: the job type, the CTF form and string
	// shape the plan set (Spec.WantsQRImages).
	Spec model.JobSpec
	// Rows are the eligible tokens in serial order.
	Rows []PreviewRow
}

// PreviewRow is one line of the summary's scrollable list.
type PreviewRow struct {
	Serial           string
	User             string
	TimesDistributed int
}

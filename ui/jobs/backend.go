package jobs

import (
	"errors"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is what the Jobs screen needs from the store and the engine.
// Every method may block on I/O, so the screen calls them only inside
// tea.Cmds, never in Update.
type Backend interface {
	// Jobs returns every job, newest first. A job's Output is for display
	// only: the absolute path of its ZIP in this data directory.
	Jobs() ([]model.Job, error)
	// Job returns one job, with Output as for Jobs.
	Job(seq uint64) (model.Job, error)
	// Download copies a completed job's ZIP to path (relative paths are
	// taken from the console's working directory) with mode 0600 and
	// returns the absolute path. When path exists and force is false it
	// returns an error matching ErrExists and writes nothing.
	Download(seq uint64, path string, force bool) (Downloaded, error)
	// SupersededWarning says, for a completed job, how many files of its
	// ZIP no longer work because later jobs distributed their tokens
	// again ("" when none).
	SupersededWarning(seq uint64) (string, error)
	// DeleteOutput deletes a completed job's ZIP from the data directory.
	DeleteOutput(seq uint64) error
	// Cancel cancels a queued or running job.
	Cancel(seq uint64) error
}

// New is the Jobs screen; follow, when not 0, is the job to select and
// follow (the one the wizard just submitted).
func New(env *kit.Env, be Backend, follow uint64) nav.Screen {
	return newJobs(&common{Env: env, be: be}, follow)
}

// common is what the screen shares: the environment and the backend.
type common struct {
	*kit.Env
	be Backend
}

// Downloaded is what Backend.Download did.
type Downloaded struct {
	// Path is the absolute path written.
	Path string
	// Note, when not empty, says that temporary copies of the ZIP left by
	// an interrupted download were removed, and which.
	Note string
}

// ErrExists is returned (wrapped) by Backend.Download when the target file
// exists and overwriting was not confirmed.
var ErrExists = errors.New("the file exists")

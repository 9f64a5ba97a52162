package jobs

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// fakeBackend is an in-memory jobs.Backend, with what the root and the
// home screen read (the tests open Jobs from Home).
type fakeBackend struct {
	uitest.FakeStore
	jobs     []model.Job // oldest first
	existing map[string]bool
	// superseded is SupersededWarning's answer per job.
	superseded map[uint64]string
	// downloadNote is Download's note (stale temporary files removed).
	downloadNote string

	// What the screen passed, for assertions.
	downloads         []string
	deleted, canceled []uint64
}

func newFakeBackend() *fakeBackend { return &fakeBackend{existing: map[string]bool{}} }

func (f *fakeBackend) Jobs() ([]model.Job, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "jobs")
	return uitest.NewestFirst(f.jobs), nil
}

func (f *fakeBackend) Job(seq uint64) (model.Job, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if seq == 0 || int(seq) > len(f.jobs) {
		return model.Job{}, fmt.Errorf("job %d not found", seq)
	}
	return f.jobs[seq-1], nil
}

func (f *fakeBackend) SupersededWarning(seq uint64) (string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.superseded[seq], nil
}

func (f *fakeBackend) Download(seq uint64, path string, force bool) (Downloaded, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	full := path
	if !filepath.IsAbs(path) {
		full = filepath.Join("/home/admin", path)
	}
	if f.existing[full] && !force {
		return Downloaded{}, fmt.Errorf("%s: %w", full, ErrExists)
	}
	if strings.HasPrefix(full, "/nonexistent/") {
		return Downloaded{}, fmt.Errorf("directory %s does not exist", filepath.Dir(full))
	}
	f.existing[full] = true
	f.downloads = append(f.downloads, full)
	return Downloaded{Path: full, Note: f.downloadNote}, nil
}

func (f *fakeBackend) DeleteOutput(seq uint64) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.deleted = append(f.deleted, seq)
	j := &f.jobs[seq-1]
	j.Output, j.OutputDeleted = "", uitest.Now
	return nil
}

func (f *fakeBackend) Cancel(seq uint64) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.canceled = append(f.canceled, seq)
	j := &f.jobs[seq-1]
	j.State, j.Reason, j.Ended = model.JobCanceled, "canceled by the admin", uitest.Now
	return nil
}

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) { f.Touch(func() { change(f) }) }

// failingOutputs is the fake whose output deletion and cancel fail with
// long reasons that name paths, as the engine's do.
type failingOutputs struct {
	*fakeBackend
	deleteErr, cancelErr error
}

func (f *failingOutputs) DeleteOutput(seq uint64) error {
	if f.deleteErr != nil {
		return f.deleteErr
	}
	return f.fakeBackend.DeleteOutput(seq)
}

func (f *failingOutputs) Cancel(seq uint64) error {
	if f.cancelErr != nil {
		return f.cancelErr
	}
	return f.fakeBackend.Cancel(seq)
}

var errLongDelete = errors.New("cannot delete /var/lib/swtoken/outputs/000004-Generate-Software-Token-Files-2026-09-30-12-00-00.zip: permission denied")

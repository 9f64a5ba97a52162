package jobs

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// fakeBackend is an in-memory jobs.Backend, with what the root and the
// home screen read (the tests open Jobs from Home).
type fakeBackend struct {
	mu       sync.Mutex
	empty    bool
	jobs     []model.Job // oldest first
	existing map[string]bool
	// superseded is SupersededWarning's answer per job.
	superseded map[uint64]string
	// downloadNote is Download's note (stale temporary files removed).
	downloadNote string
	events       chan nav.JobEvent
	// counter is the store's change counter; tests raise it (touch) for
	// a change by another process.
	counter uint64

	// What the screen passed, for assertions.
	calls             []string
	downloads         []string
	deleted, canceled []uint64
}

func newFakeBackend() *fakeBackend { return &fakeBackend{existing: map[string]bool{}} }

func (f *fakeBackend) IsEmpty() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.empty, nil
}

func (f *fakeBackend) LoadDemo() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.empty = false
	return "4 profiles, 8 users, 30 tokens", nil
}

func (f *fakeBackend) Jobs() ([]model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "jobs")
	out := make([]model.Job, 0, len(f.jobs))
	for i := len(f.jobs) - 1; i >= 0; i-- {
		out = append(out, f.jobs[i])
	}
	return out, nil
}

func (f *fakeBackend) Job(seq uint64) (model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq == 0 || int(seq) > len(f.jobs) {
		return model.Job{}, fmt.Errorf("job %d not found", seq)
	}
	return f.jobs[seq-1], nil
}

func (f *fakeBackend) SupersededWarning(seq uint64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.superseded[seq], nil
}

func (f *fakeBackend) Download(seq uint64, path string, force bool) (Downloaded, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, seq)
	j := &f.jobs[seq-1]
	j.Output, j.OutputDeleted = "", uitest.Now
	return nil
}

func (f *fakeBackend) Cancel(seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canceled = append(f.canceled, seq)
	j := &f.jobs[seq-1]
	j.State, j.Reason, j.Ended = model.JobCanceled, "canceled by the admin", uitest.Now
	return nil
}

func (f *fakeBackend) ChangeCounter() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "change counter")
	return f.counter, nil
}

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if change != nil {
		change(f)
	}
	f.counter++
}

func (f *fakeBackend) Events() <-chan nav.JobEvent {
	if f.events == nil {
		return nil
	}
	return f.events
}

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

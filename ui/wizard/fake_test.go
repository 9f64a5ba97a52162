package wizard

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/nav"
)

// fakeBackend is an in-memory wizard.Backend, with what the root, the
// home screen and the Jobs screen (opened after a submit) read. It applies the model's rules (the
// same eligibility and confirmation code the engine uses), so the screens
// see realistic answers without a store.
type fakeBackend struct {
	mu       sync.Mutex
	empty    bool
	profiles []model.Profile
	tokens   []model.Token
	jobs     []model.Job // oldest first
	existing map[string]bool
	// superseded is SupersededWarning's answer per job.
	superseded map[uint64]string
	// downloadNote is Download's note (stale temporary files removed).
	downloadNote string
	events       chan nav.JobEvent
	// autoRun makes Submit run the job in a goroutine, publishing events.
	autoRun bool
	// counter is the store's change counter; tests raise it (touch) for
	// a change by another process.
	counter uint64

	// What the screens passed, for assertions. Never printed.
	lastPreviewPassword string
	lastSubmitPassword  string
	lastTyped           string
	calls               []string
	downloads           []string
	deleted, canceled   []uint64
}

func newFakeBackend() *fakeBackend {
	f := &fakeBackend{existing: map[string]bool{}}
	f.profiles = []model.Profile{
		{Name: "Staff Android", Description: "SecurID software token for Android phones, 6-digit code every 30 seconds, PIN typed before the code.",
			DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryFile, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob},
		{Name: "Staff iPhone", Description: "SecurID software token for iPhone, 8-digit code every 60 seconds, PIN entered in the app.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
		{Name: "Windows desktop", Description: "Token for the Windows desktop app, tokencode only.",
			DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly},
		{Name: "iPhone quick setup (CTF)", Description: "iPhone token delivered as a CTF link.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
	}
	users := []string{"asmith", "bgarcia", "cnguyen", "dmuller", "eokafor", "fkowalski", "gtanaka", "hjohansson"}
	for i := 0; i < 30; i++ {
		t := model.Token{
			Serial: fmt.Sprintf("%012d", 100_000_000_001+i), Kind: model.KindSoftware, Algorithm: model.AlgAES128,
			Birth: testNow.AddDate(-1, 0, 0), Death: testNow.AddDate(2, 0, 0),
		}
		switch {
		case i%10 == 9: // unassigned
		default:
			t.Assign(users[i%len(users)])
		}
		if i == 4 {
			t.Death = testNow.AddDate(0, 0, -3) // expired
		}
		if i == 6 || i == 7 {
			t.Distribution = model.Distribution{Count: 1, LastJob: "earlier"}
		}
		if i >= 27 {
			t.Algorithm = model.AlgSID64
		}
		f.tokens = append(f.tokens, t)
	}
	return f
}

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

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

func (f *fakeBackend) CheckJobName(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.jobs {
		if model.SameName(j.Name, name) {
			return model.JobNameTakenError(name, j.Name)
		}
	}
	return nil
}

func (f *fakeBackend) preview(spec model.JobSpec, pw string) (Preview, error) {
	var p model.Profile
	for _, q := range f.profiles {
		if model.SameName(q.Name, spec.Profile) {
			p = q
		}
	}
	if err := spec.Validate(p); err != nil {
		return Preview{}, err
	}
	var pv Preview
	for _, t := range f.tokens {
		if !spec.Criteria.Matches(t) {
			continue
		}
		r := model.Eligibility(t, spec.PasswordMode, pw, testNow)
		pv.Summary.Add(t, r)
		if r == model.Eligible {
			pv.Rows = append(pv.Rows, PreviewRow{t.Serial, t.AssignedUser, t.Distribution.Count})
		}
	}
	pv.Blocker = pv.Summary.CanSubmit()
	return pv, nil
}

func (f *fakeBackend) Preview(spec model.JobSpec, pw string) (Preview, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "preview")
	f.lastPreviewPassword = pw
	return f.preview(spec, pw)
}

func (f *fakeBackend) Submit(spec model.JobSpec, pw, typed string) (model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "submit")
	f.lastSubmitPassword, f.lastTyped = pw, typed
	pv, err := f.preview(spec, pw)
	if err != nil {
		return model.Job{}, err
	}
	if pv.Blocker != nil {
		return model.Job{}, pv.Blocker
	}
	if err := model.CheckConfirmation(spec, pv.Summary, typed); err != nil {
		return model.Job{}, err
	}
	seq := uint64(len(f.jobs) + 1)
	j := model.Job{Seq: seq, Name: spec.Name, BatchID: model.BatchID(seq), Spec: spec, State: model.JobQueued,
		Total: pv.Summary.Count, Submitted: testNow}
	f.jobs = append(f.jobs, j)
	if f.autoRun {
		go f.run(seq)
	}
	return j, nil
}

// run plays a job through Running to Completed, publishing events.
func (f *fakeBackend) run(seq uint64) {
	f.mu.Lock()
	j := &f.jobs[seq-1]
	j.State, j.Started = model.JobRunning, testNow
	total, name := j.Total, j.Name
	f.mu.Unlock()
	for done := 0; done <= total; done += max(1, total/4) {
		f.events <- nav.JobEvent{Seq: seq, Name: name, State: model.JobRunning, Done: done, Total: total, Rate: 100}
	}
	f.mu.Lock()
	j = &f.jobs[seq-1]
	j.State, j.Done, j.Ended = model.JobCompleted, total, testNow.Add(time.Minute)
	j.Output, j.OutputSize = fmt.Sprintf("/data/outputs/%d.zip", seq), 4096
	f.mu.Unlock()
	f.events <- nav.JobEvent{Seq: seq, Name: name, State: model.JobCompleted, Done: total, Total: total, Output: j.Output}
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

func (f *fakeBackend) Download(seq uint64, path string, force bool) (jobs.Downloaded, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	full := path
	if !filepath.IsAbs(path) {
		full = filepath.Join("/home/admin", path)
	}
	if f.existing[full] && !force {
		return jobs.Downloaded{}, fmt.Errorf("%s: %w", full, jobs.ErrExists)
	}
	if strings.HasPrefix(full, "/nonexistent/") {
		return jobs.Downloaded{}, fmt.Errorf("directory %s does not exist", filepath.Dir(full))
	}
	f.existing[full] = true
	f.downloads = append(f.downloads, full)
	return jobs.Downloaded{Path: full, Note: f.downloadNote}, nil
}

func (f *fakeBackend) DeleteOutput(seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, seq)
	j := &f.jobs[seq-1]
	j.Output, j.OutputDeleted = "", testNow
	return nil
}

func (f *fakeBackend) Cancel(seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canceled = append(f.canceled, seq)
	j := &f.jobs[seq-1]
	j.State, j.Reason, j.Ended = model.JobCanceled, "canceled by the admin", testNow
	return nil
}

func (f *fakeBackend) ChangeCounter() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "change counter")
	return f.counter, nil
}

func (f *fakeBackend) Events() <-chan nav.JobEvent {
	if f.events == nil {
		return nil
	}
	return f.events
}

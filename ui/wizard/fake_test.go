package wizard

import (
	"fmt"
	"strings"
	"sync"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// fakeBackend is an in-memory wizard.Backend, with what the root and the
// home screen read. It applies the model's rules (the same binding,
// eligibility, submit and confirmation code the engine uses), so the
// wizard sees realistic answers without a store. The Jobs screen a submit
// opens is not driven: the tests stop at the page it asks for (jobsStub).
type fakeBackend struct {
	mu       sync.Mutex
	empty    bool
	profiles []model.Profile
	tokens   []model.Token
	jobs     []model.Job // oldest first
	counter  uint64

	// What the wizard passed, for assertions. Never printed.
	lastPreviewPassword string
	lastSubmitPassword  string
	lastTyped           string
	lastShown           model.Selection
	calls               []string
}

func newFakeBackend() *fakeBackend {
	f := &fakeBackend{}
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
	// The binding as the engine's planner resolves it: blank is class.
	if spec.Binding.Kind == model.BindingNone {
		spec.Binding = model.Binding{Kind: model.BindingClass, Value: strings.ToLower(p.ClassGUID())}
		if strings.TrimSpace(spec.Device) != "" {
			b, err := model.ResolveBinding(spec.Device, p.ClassGUID())
			if err != nil {
				return Preview{}, model.FieldErrors{err.(*model.FieldError)}
			}
			spec.Binding = b
		}
	}
	if err := spec.Validate(p); err != nil {
		return Preview{}, err
	}
	pv := Preview{Binding: spec.Binding}
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
	return pv, nil
}

func (f *fakeBackend) Preview(spec model.JobSpec, pw string) (Preview, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "preview")
	f.lastPreviewPassword = pw
	return f.preview(spec, pw)
}

// Submit plans again as the engine's SubmitShown does: a selection other
// than the one shown is refused, then model.CanSubmit and the typed
// confirmation decide.
func (f *fakeBackend) Submit(spec model.JobSpec, pw, typed string, shown model.Selection) (model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "submit")
	f.lastSubmitPassword, f.lastTyped, f.lastShown = pw, typed, shown
	pv, err := f.preview(spec, pw)
	if err != nil {
		return model.Job{}, err
	}
	if now := pv.Summary.Selection(); now != shown {
		return model.Job{}, &model.SelectionChangedError{Then: shown, Now: now}
	}
	if err := model.CanSubmit(spec, pv.Summary); err != nil {
		return model.Job{}, err
	}
	if err := model.CheckConfirmation(spec, pv.Summary, typed); err != nil {
		return model.Job{}, err
	}
	seq := uint64(len(f.jobs) + 1)
	j := model.Job{Seq: seq, Name: spec.Name, BatchID: model.BatchID(seq), Spec: spec, State: model.JobQueued,
		Total: pv.Summary.Count, Submitted: testNow}
	f.jobs = append(f.jobs, j)
	return j, nil
}

func (f *fakeBackend) Jobs() ([]model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]model.Job, 0, len(f.jobs))
	for i := len(f.jobs) - 1; i >= 0; i-- {
		out = append(out, f.jobs[i])
	}
	return out, nil
}

func (f *fakeBackend) ChangeCounter() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counter, nil
}

// Events is nil: no job runs in the wizard's tests.
func (f *fakeBackend) Events() <-chan nav.JobEvent { return nil }

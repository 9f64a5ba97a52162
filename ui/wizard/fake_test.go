package wizard

import (
	"strings"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// fakeBackend is an in-memory wizard.Backend, with what the root and the
// home screen read. It applies the model's rules (the same binding,
// eligibility, submit and confirmation code the engine uses), so the
// wizard sees realistic answers without a store. The Jobs screen a submit
// opens is not driven: the tests stop at the page it asks for (jobsStub).
type fakeBackend struct {
	uitest.FakeStore
	profiles []model.Profile
	tokens   []model.Token
	jobs     []model.Job // oldest first

	// What the wizard passed, for assertions. Never printed.
	lastPreviewPassword string
	lastSubmitPassword  string
	lastTyped           string
	lastShown           model.Selection
	lastPreviewSpec     model.JobSpec
	lastSubmitSpec      model.JobSpec
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{profiles: uitest.Profiles(), tokens: uitest.Tokens()}
}

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

func (f *fakeBackend) CheckJobName(name string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
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
	// The kind, CTF form and shape as the engine's planner sets them.
	spec.FillFromProfile(p)
	if err := spec.Validate(p); err != nil {
		return Preview{}, err
	}
	pv := Preview{Binding: spec.Binding, Spec: spec}
	for _, t := range f.tokens {
		if !spec.Criteria.Matches(t) {
			continue
		}
		r := spec.Eligibility(t, pw, testNow)
		pv.Summary.Add(t, r)
		if r == model.Eligible {
			pv.Rows = append(pv.Rows, PreviewRow{t.Serial, t.AssignedUser, t.Distribution.Count})
		}
	}
	return pv, nil
}

func (f *fakeBackend) Preview(spec model.JobSpec, pw string) (Preview, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "preview")
	f.lastPreviewPassword, f.lastPreviewSpec = pw, spec
	return f.preview(spec, pw)
}

// Submit plans again as the engine's SubmitShown does: a selection other
// than the one shown is refused, then model.CanSubmit and the typed
// confirmation decide.
func (f *fakeBackend) Submit(spec model.JobSpec, pw, typed string, shown model.Selection) (model.Job, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "submit")
	f.lastSubmitPassword, f.lastTyped, f.lastShown, f.lastSubmitSpec = pw, typed, shown, spec
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
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return uitest.NewestFirst(f.jobs), nil
}

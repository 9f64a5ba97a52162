package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/wizard"
)

// engineBackend is the Backend over the real store and distribution
// engine. It adds nothing of its own but the translation: rules live in
// model, storage in store, jobs in engine/jobs.
type engineBackend struct {
	st  *store.Store
	eng *jobs.Engine
	now func() time.Time

	events chan JobEvent
	unsub  func()
	once   sync.Once
}

// NewEngineBackend subscribes to eng's events and returns the Backend the
// console runs on. Close ends the subscription.
func NewEngineBackend(st *store.Store, eng *jobs.Engine) Backend {
	b := &engineBackend{st: st, eng: eng, now: time.Now, events: make(chan JobEvent, 64)}
	src, unsub := eng.Subscribe()
	b.unsub = unsub
	go b.forward(src)
	return b
}

// forward converts engine events and adds the rate, measured from the
// job's first Running event: the engine reports counts, the screen wants
// tokens per second and time left.
func (b *engineBackend) forward(src <-chan jobs.Event) {
	defer close(b.events)
	type start struct {
		at   time.Time
		done int
	}
	starts := map[uint64]start{}
	for ev := range src {
		out := JobEvent{Seq: ev.Seq, Name: ev.Name, State: ev.State, Done: ev.Done, Total: ev.Total,
			Reason: ev.Reason, Output: b.outputShown(model.Job{Seq: ev.Seq, Name: ev.Name, Output: ev.Output}), At: ev.At}
		if ev.State == model.JobRunning {
			s, ok := starts[ev.Seq]
			if !ok {
				s = start{ev.At, ev.Done}
				starts[ev.Seq] = s
			}
			if el := ev.At.Sub(s.at).Seconds(); el > 0.2 && ev.Done > s.done {
				out.Rate = float64(ev.Done-s.done) / el
			}
		} else {
			delete(starts, ev.Seq)
		}
		// The engine drops its oldest event when a reader lags; do the
		// same rather than block the engine's publisher chain.
		select {
		case b.events <- out:
		default:
			select {
			case <-b.events:
			default:
			}
			select {
			case b.events <- out:
			default:
			}
		}
	}
}

// Close ends the event subscription; the events channel then closes.
func (b *engineBackend) Close() { b.once.Do(b.unsub) }

func (b *engineBackend) Events() <-chan JobEvent { return b.events }

func (b *engineBackend) IsEmpty() (bool, error) { return b.st.IsEmpty() }

func (b *engineBackend) ChangeCounter() (uint64, error) { return b.st.ChangeCounter() }

func (b *engineBackend) LoadDemo() (string, error) {
	s, err := inventory.LoadDemo(b.st, inventory.DefaultDemoUsers, inventory.DefaultDemoTokens, b.now())
	if err != nil {
		return "", err
	}
	// The demo is a ready installation: its signing key is made now, not
	// inside the first job (docs/DECISIONS.md).
	if err := b.eng.Prepare(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d profiles, %d users, %d tokens (%d assigned, %d distributed before).",
		s.Profiles, s.Users, s.Tokens, s.Assigned, s.Distrib), nil
}

func (b *engineBackend) Profiles() ([]model.Profile, error) {
	recs, err := b.st.Profiles()
	if err != nil {
		return nil, err
	}
	out := make([]model.Profile, len(recs))
	for i, r := range recs {
		out[i] = r.Profile
	}
	return out, nil
}

func (b *engineBackend) CheckJobName(name string) error {
	j, err := b.st.JobByName(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return model.JobNameTakenError(name, j.Name)
}

func (b *engineBackend) Preview(spec model.JobSpec, pw string) (wizard.Preview, error) {
	plan, err := b.eng.Plan(spec, pw)
	if plan == nil {
		return wizard.Preview{}, err
	}
	// A plan with an error is one that model.CanSubmit refuses: the
	// wizard shows the summary and asks model.CanSubmit itself.
	p := wizard.Preview{Summary: plan.Summary, Binding: plan.Spec.Binding, Spec: plan.Spec, Rows: make([]wizard.PreviewRow, len(plan.Selected))}
	for i, s := range plan.Selected {
		p.Rows[i] = wizard.PreviewRow{Serial: s.Serial, User: s.User, TimesDistributed: s.TimesDistributed}
	}
	return p, nil
}

// Submit plans again: the selection is frozen at submit time, from the
// store as it is now; it must be the one shown (engine SubmitShown), and
// the typed confirmation is checked against it.
func (b *engineBackend) Submit(spec model.JobSpec, pw, typed string, shown model.Selection) (model.Job, error) {
	return b.eng.SubmitShown(spec, pw, typed, shown)
}

func (b *engineBackend) Jobs() ([]model.Job, error) {
	list, err := b.st.Jobs()
	for i := range list {
		list[i].Output = b.outputShown(list[i])
	}
	return list, err
}

func (b *engineBackend) Job(seq uint64) (model.Job, error) {
	j, err := b.st.Job(seq)
	j.Output = b.outputShown(j)
	return j, err
}

// outputShown is the job's output as the console shows it: where the ZIP is
// now, its recorded path resolved against this data directory. A damaged
// record shows as recorded; download and delete refuse it with the reason.
// The console never acts on this value: it passes the job's seq.
func (b *engineBackend) outputShown(j model.Job) string {
	if j.Output == "" {
		return ""
	}
	if path, err := b.st.OutputFile(j); err == nil {
		return path
	}
	return j.Output
}

func (b *engineBackend) Download(seq uint64, path string, force bool) (jobsui.Downloaded, error) {
	res, err := b.eng.Download(context.Background(), seq, path, force)
	var d jobsui.Downloaded
	if n := len(res.StaleRemoved); n > 0 {
		d.Note = fmt.Sprintf("removed %s from an interrupted download: %s", model.Plural(n, "stale temporary file"), strings.Join(res.StaleRemoved, ", "))
	}
	var long *jobs.NameTooLongError
	switch {
	case errors.Is(err, jobs.ErrTargetExists):
		return d, fmt.Errorf("%s: %w", path, jobsui.ErrExists)
	case errors.As(err, &long):
		return d, fmt.Errorf("%w: choose a shorter name", err)
	case err != nil:
		return d, err
	}
	d.Path = res.Path
	return d, nil
}

func (b *engineBackend) SupersededWarning(seq uint64) (string, error) {
	j, err := b.st.Job(seq)
	if err != nil || j.State != model.JobCompleted {
		return "", err
	}
	n, later, err := b.st.Superseded(seq)
	if err != nil {
		return "", err
	}
	return model.SupersededWarning(n, j.Total, later), nil
}

func (b *engineBackend) DeleteOutput(seq uint64) error {
	_, err := b.eng.DeleteOutput(seq)
	return err
}

func (b *engineBackend) Cancel(seq uint64) error {
	_, err := b.eng.Cancel(seq)
	return err
}

func (b *engineBackend) Settings() (model.Settings, []model.Profile, error) {
	return b.st.SettingsWithProfiles()
}

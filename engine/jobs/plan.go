package jobs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Selected is one eligible token of a plan, for the summary's list.
type Selected struct {
	Serial           string
	User             string
	TimesDistributed int
}

// LeftOut is one matching token a plan leaves out, and why.
type LeftOut struct {
	Serial string
	User   string
	Reason model.Reason
}

// Plan is the dry run of a job: the validated spec, its profile, the
// summary (counts by reason) and the eligible tokens in serial order. Submit
// freezes exactly Selected into the job.
type Plan struct {
	Spec     model.JobSpec
	Profile  model.Profile
	Summary  model.Summary
	Selected []Selected
	// LeftOut is every matching token not selected, in serial order.
	LeftOut []LeftOut
	// seen is the store's change counter when the tokens were read: the
	// store checks their eligibility again at submit only if it moved.
	seen uint64
}

// Serials returns the selected serials in order.
func (p *Plan) Serials() []string {
	out := make([]string, len(p.Selected))
	for i, s := range p.Selected {
		out[i] = s.Serial
	}
	return out
}

// Plan validates a job and resolves its criteria into eligible tokens,
// counting the rest by reason. A spec whose Binding is zero gets it here,
// from spec.Device and the profile's class (model.ResolveBinding; a blank
// Device is class binding), so that no caller decides the binding itself;
// the plan's Spec holds the resolved Binding. Likewise the job's Kind
// follows the profile's delivery method (model.JobKindFor), and a CTF job
// gets its form (v2 unless spec.CTFForm says v3) and string shape
// (model.CTFShapeFor the profile's device type). With spec.SkipTooLong the
// tokens whose password would be too long are left out instead of blocking
// (model.CanSubmit). password is the admin password (mode
// password or userid+password; "" otherwise). Every refusal is a
// model.FieldError or FieldErrors naming the field: a bad or taken job
// name, a profile that is missing or cannot deliver yet (CT-KIP), a CTF
// form that does not fit the profile, a bad binding or nickname, a password over the limit, a combination too long for some
// tokens' users (named), a range with from > to, an unknown user filter, or
// no eligible token at all. The password appears in no error.
func (e *Engine) Plan(spec model.JobSpec, password string) (*Plan, error) {
	st := e.st
	var es model.FieldErrors
	prof, err := st.Profile(spec.Profile)
	var p model.Profile
	switch {
	case errors.Is(err, store.ErrNotFound):
		es.Add(model.FieldJobName, model.ValidateJobName(spec.Name))
		if strings.TrimSpace(spec.Profile) == "" {
			es = append(es, &model.FieldError{Field: model.FieldProfile, Msg: "choose a software token profile"})
		} else {
			es = append(es, &model.FieldError{Field: model.FieldProfile, Msg: fmt.Sprintf("profile %q does not exist", spec.Profile)})
		}
		es.Add(model.FieldCriteria, spec.Criteria.Validate())
	case err != nil:
		return nil, err
	default:
		p = prof.Profile
		// The stored name's spelling, so the job names the profile exactly.
		spec.Profile = p.Name
		if spec.Binding.Kind == model.BindingNone {
			b, err := resolveBinding(spec.Device, p.ClassGUID())
			if err != nil {
				es.Add(model.FieldDeviceSerial, err)
				// Validate would add "choose class binding" to the
				// refusal that already says what is wrong.
				b = model.Binding{Kind: model.BindingClass, Value: p.ClassGUID()}
			}
			spec.Binding = b
		}
		spec.Device = ""
		// The job's kind follows the profile (CT-KIP profiles cannot
		// deliver yet: Validate says so); a CTF job's form defaults to
		// v2, and its string shape follows the device type.
		spec.FillFromProfile(p)
		es.Add(model.FieldJobName, spec.Validate(p))
	}
	if model.ValidateJobName(spec.Name) == nil {
		if other, err := st.JobByName(spec.Name); err == nil {
			es.Add(model.FieldJobName, model.JobNameTakenError(spec.Name, other.Name))
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if spec.PasswordMode.Valid() {
		es.Add(model.FieldPassword, model.ValidateAdminPassword(spec.PasswordMode, password, password))
	}
	if u := spec.Criteria.AssignedUser; u != "" && model.ValidateUserID(u) == nil {
		if _, err := st.User(u); errors.Is(err, store.ErrNotFound) {
			es = append(es, &model.FieldError{Field: model.FieldAssignedUser, Msg: err.Error()})
		} else if err != nil {
			return nil, err
		}
	}
	if err := es.Err(); err != nil {
		return nil, err
	}

	plan := &Plan{Spec: spec, Profile: p}
	at := e.now()
	lo, hi, _ := spec.Criteria.RangeKeys()
	err = st.View(func(tx *store.Tx) error {
		held, err := tx.UnfinishedJobHolder()
		if err != nil {
			return err
		}
		plan.seen = tx.ChangeCounter()
		return tx.ScanTokens(lo, hi, func(t model.Token) error {
			if !spec.Criteria.Matches(t) {
				return nil
			}
			r := spec.Eligibility(t, password, at)
			if _, inJob := held(t.Serial); r == model.Eligible && inJob {
				r = model.InUnfinishedJob
			}
			plan.Summary.Add(t, r)
			if r == model.Eligible {
				plan.Selected = append(plan.Selected, Selected{Serial: t.Serial, User: t.AssignedUser, TimesDistributed: t.Distribution.Count})
			} else {
				plan.LeftOut = append(plan.LeftOut, LeftOut{Serial: t.Serial, User: t.AssignedUser, Reason: r})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if err := plan.CanSubmit(); err != nil {
		return plan, err
	}
	return plan, nil
}

// resolveBinding is model.ResolveBinding with a blank field meaning the
// profile's class.
func resolveBinding(field, classGUID string) (model.Binding, error) {
	if strings.TrimSpace(field) == "" {
		return model.Binding{Kind: model.BindingClass, Value: strings.ToLower(classGUID)}, nil
	}
	return model.ResolveBinding(field, classGUID)
}

// CanSubmit is model.CanSubmit for the plan: nil, a *model.TooLongError, or
// a *model.FieldError when no token is eligible.
func (p *Plan) CanSubmit() error {
	return model.CanSubmit(p.Spec, p.Summary)
}

// Submit freezes the plan into a new queued job, with the password sealed
// until the job ends, and wakes the runner. typed is what the admin typed to
// confirm (model.ConfirmationRequired: the token count when tokens are
// redistributed or all eligible tokens are selected).
func (e *Engine) Submit(p *Plan, password, typed string) (model.Job, error) {
	if err := p.CanSubmit(); err != nil {
		return model.Job{}, err
	}
	if err := model.CheckConfirmation(p.Spec, p.Summary, typed); err != nil {
		return model.Job{}, err
	}
	if !p.Spec.PasswordMode.NeedsAdminPassword() {
		password = ""
	}
	// The profile's tokencode settings as the summary showed them: the
	// job writes these even if the profile is edited before it runs.
	j := model.Job{Name: p.Spec.Name, Spec: p.Spec, File: p.Profile.FileSettings()}
	var notes []string
	if p.Summary.Redistributed > 0 {
		notes = append(notes, fmt.Sprintf("%d redistributed (confirmed)", p.Summary.Redistributed))
	}
	if left := p.Summary.LeftOutNote(p.Spec); left != "" {
		notes = append(notes, left)
	}
	details := strings.Join(notes, "; ")
	if err := e.st.SubmitPlanned(&j, p.Serials(), password, details, p.seen); err != nil {
		return model.Job{}, err
	}
	e.publish(eventFor(j))
	e.Wake()
	return j, nil
}

// SubmitShown submits spec from a summary the admin saw, for a caller that
// kept the summary (shown: its Summary.Selection()) rather than the Plan: it
// plans again, now, and refuses with a *model.SelectionChangedError when
// the fresh plan selects another count, first or last serial, so that the
// job never holds other tokens than the ones the admin confirmed. Otherwise
// it is Plan then Submit.
func (e *Engine) SubmitShown(spec model.JobSpec, password, typed string, shown model.Selection) (model.Job, error) {
	p, err := e.Plan(spec, password)
	if p == nil {
		return model.Job{}, err
	}
	if now := p.Summary.Selection(); now != shown {
		return model.Job{}, &model.SelectionChangedError{Then: shown, Now: now}
	}
	if err != nil {
		return model.Job{}, err
	}
	return e.Submit(p, password, typed)
}

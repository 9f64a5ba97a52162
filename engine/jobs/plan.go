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

// Plan is the dry run of a job: the validated spec, its profile, the
// summary (counts by reason) and the eligible tokens in serial order. Submit
// freezes exactly Selected into the job.
type Plan struct {
	Spec     model.JobSpec
	Profile  model.Profile
	Summary  model.Summary
	Selected []Selected
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

// maxNamed bounds how many too-long tokens an error names; the summary
// lists them all.
const maxNamed = 10

// Plan validates a job and resolves its criteria into eligible tokens,
// counting the rest by reason. password is the admin password (mode
// password or userid+password; "" otherwise). Every refusal is a
// model.FieldError or FieldErrors naming the field: a bad or taken job
// name, a profile that is missing or not file-based, a bad binding or
// nickname, a password over the limit, a combination too long for some
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
			r := model.Eligibility(t, spec.PasswordMode, password, at)
			if _, inJob := held(t.Serial); r == model.Eligible && inJob {
				r = model.InUnfinishedJob
			}
			plan.Summary.Add(t, r)
			if r == model.Eligible {
				plan.Selected = append(plan.Selected, Selected{Serial: t.Serial, User: t.AssignedUser, TimesDistributed: t.Distribution.Count})
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

// CanSubmit says why the plan cannot be submitted: tokens whose password
// breaks the limit (named, with their users, since the admin must narrow the
// criteria to leave exactly them out), or no eligible token.
func (p *Plan) CanSubmit() error {
	s := p.Summary
	if n := s.Ineligible[model.PasswordTooLong]; n > 0 {
		names := make([]string, 0, min(n, maxNamed))
		for i, r := range s.TooLong {
			if i == maxNamed {
				names = append(names, fmt.Sprintf("and %d more", n-maxNamed))
				break
			}
			names = append(names, fmt.Sprintf("%s (user %s)", r.Serial, r.User))
		}
		return &model.FieldError{Field: model.FieldPassword, Msg: fmt.Sprintf(
			"%d token(s) would get a password outside their limit with password mode %q (1-24 characters for AES-128, 1-8 for SID-64): %s; change the criteria to leave them out, or choose another password mode",
			n, p.Spec.PasswordMode.Label(), strings.Join(names, ", "))}
	}
	if s.Count == 0 {
		msg := "no eligible tokens match the criteria"
		if left := p.IneligibleText(); left != "" {
			msg += " (left out: " + left + ")"
		}
		return &model.FieldError{Field: model.FieldCriteria, Msg: msg}
	}
	return nil
}

// IneligibleText is "3 unassigned, 1 expired", in the summary's order.
func (p *Plan) IneligibleText() string {
	var parts []string
	for _, r := range model.IneligibleReasons() {
		if n := p.Summary.Ineligible[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r.Label()))
		}
	}
	return strings.Join(parts, ", ")
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
	details := ""
	if p.Summary.Redistributed > 0 {
		details = fmt.Sprintf("%d redistributed (confirmed)", p.Summary.Redistributed)
	}
	if err := e.st.SubmitPlanned(&j, p.Serials(), password, details, p.seen); err != nil {
		return model.Job{}, err
	}
	e.publish(eventFor(j))
	e.Wake()
	return j, nil
}

package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/swtoken/swtoken/model"
)

const jobRecordVersion = 1

// jobJSON is the stored form of a job (jobs/<u64 seq>). The spec's name is
// the job name and is stored once.
type jobJSON struct {
	V         int            `json:"v"`
	Seq       uint64         `json:"seq"`
	Name      string         `json:"name"`
	BatchID   string         `json:"batch_id"`
	Spec      specJSON       `json:"spec"`
	State     model.JobState `json:"state"`
	Reason    string         `json:"reason,omitempty"`
	Total     int            `json:"total"`
	Done      int            `json:"done"`
	Submitted time.Time      `json:"submitted,omitzero"`
	Started   time.Time      `json:"started,omitzero"`
	Ended     time.Time      `json:"ended,omitzero"`
	// Output is relative to the data directory, always the job's own
	// JobOutputName (absolute before schema version 2).
	Output string `json:"output,omitempty"`
	// Size and SHA-256 (hex) of the output ZIP, set at completion.
	OutputSize    int64     `json:"output_size,omitempty"`
	OutputSHA256  string    `json:"output_sha256,omitempty"`
	OutputDeleted time.Time `json:"output_deleted,omitzero"`
	// File is the profile's tokencode settings frozen at submit (absent in
	// jobs submitted before they were frozen).
	File *fileJSON `json:"file,omitempty"`
	// CancelRequested: an admin asked the runner to stop (lease.go).
	CancelRequested bool `json:"cancel_requested,omitempty"`
}

type fileJSON struct {
	Digits          int  `json:"digits"`
	IntervalSeconds int  `json:"interval_seconds"`
	AddPIN          bool `json:"add_pin"`
}

type specJSON struct {
	Profile      string             `json:"profile"`
	BindingKind  model.BindingKind  `json:"binding_kind"`
	Binding      string             `json:"binding"`
	Nickname     string             `json:"nickname,omitempty"`
	PasswordMode model.PasswordMode `json:"password_mode"` // the mode only, never a password
	Criteria     criteriaJSON       `json:"criteria"`
	// Kind is the job type ("sdtid" or "ctf"); absent in jobs stored
	// before CTF jobs, which are file jobs. CTFForm and CTFShape are a CTF
	// job's version and string shape.
	Kind     model.JobKind  `json:"kind,omitempty"`
	CTFForm  model.CTFForm  `json:"ctf_form,omitempty"`
	CTFShape model.CTFShape `json:"ctf_shape,omitempty"`
}

type criteriaJSON struct {
	From                 string          `json:"from,omitempty"`
	To                   string          `json:"to,omitempty"`
	All                  bool            `json:"all,omitempty"`
	AssignedUser         string          `json:"assigned_user,omitempty"`
	NeverDistributedOnly bool            `json:"never_distributed_only,omitempty"`
	Algorithm            model.Algorithm `json:"algorithm,omitempty"`
}

func encodeJob(j model.Job) jobJSON {
	return jobJSON{
		V: jobRecordVersion, Seq: j.Seq, Name: j.Name, BatchID: j.BatchID,
		Spec: specJSON{
			Profile: j.Spec.Profile, BindingKind: j.Spec.Binding.Kind, Binding: j.Spec.Binding.Value,
			Nickname: j.Spec.Nickname, PasswordMode: j.Spec.PasswordMode, Criteria: criteriaJSON(j.Spec.Criteria),
			Kind: j.Spec.Kind, CTFForm: j.Spec.CTFForm, CTFShape: j.Spec.CTFShape,
		},
		State: j.State, Reason: j.Reason, Total: j.Total, Done: j.Done,
		Submitted: j.Submitted, Started: j.Started, Ended: j.Ended, Output: j.Output,
		OutputSize: j.OutputSize, OutputSHA256: j.OutputSHA256, OutputDeleted: j.OutputDeleted,
		File: fileRecord(j.File), CancelRequested: j.CancelRequested,
	}
}

func fileRecord(f model.FileSettings) *fileJSON {
	if f.IsZero() {
		return nil
	}
	r := fileJSON(f)
	return &r
}

func decodeJob(key, data []byte) (model.Job, error) {
	var r jobJSON
	if err := unmarshalRecord("job", key, data, &r, &r.V, jobRecordVersion); err != nil {
		return model.Job{}, err
	}
	var file model.FileSettings
	if r.File != nil {
		file = model.FileSettings(*r.File)
	}
	return model.Job{
		Seq: r.Seq, Name: r.Name, BatchID: r.BatchID, File: file,
		Spec: model.JobSpec{
			Name: r.Name, Profile: r.Spec.Profile,
			Binding:  model.Binding{Kind: r.Spec.BindingKind, Value: r.Spec.Binding},
			Nickname: r.Spec.Nickname, PasswordMode: r.Spec.PasswordMode, Criteria: model.Criteria(r.Spec.Criteria),
			Kind: r.Spec.Kind.OrFiles(), CTFForm: r.Spec.CTFForm, CTFShape: r.Spec.CTFShape,
		},
		State: r.State, Reason: r.Reason, Total: r.Total, Done: r.Done,
		Submitted: r.Submitted, Started: r.Started, Ended: r.Ended, Output: r.Output,
		OutputSize: r.OutputSize, OutputSHA256: r.OutputSHA256, OutputDeleted: r.OutputDeleted,
		CancelRequested: r.CancelRequested,
	}, nil
}

// jobNameKey is the jobs_by_name key of a job name.
func jobNameKey(name string) []byte { return []byte(model.NameKey(name)) }

// checkJob validates a job record: the name and spec (against the profile
// the spec names, which must exist), the batch id, the state and counters.
func (t *Tx) checkJob(j model.Job) error {
	var es model.FieldErrors
	p, err := t.Profile(j.Spec.Profile)
	switch {
	case errors.Is(err, ErrNotFound):
		es.Add(model.FieldJobName, model.ValidateJobName(j.Name))
		es = append(es, &model.FieldError{Field: model.FieldProfile, Msg: fmt.Sprintf("profile %q does not exist", j.Spec.Profile)})
	case err != nil:
		return err
	default:
		es.Add(model.FieldJobName, j.Spec.Validate(p.Profile))
	}
	es.Add("Batch id", model.ValidateBatchID(j.BatchID))
	if _, err := model.ParseJobState(string(j.State)); err != nil || j.State == "" {
		es = append(es, &model.FieldError{Field: model.FieldState, Msg: fmt.Sprintf("%q is not a job state", j.State)})
	}
	if f := j.File; !f.IsZero() && ((f.Digits != 6 && f.Digits != 8) || (f.IntervalSeconds != 30 && f.IntervalSeconds != 60)) {
		es = append(es, &model.FieldError{Field: model.FieldProfile, Msg: fmt.Sprintf("frozen file settings %d digits, %d s are impossible", f.Digits, f.IntervalSeconds)})
	}
	if j.Total < 0 || j.Done < 0 || j.Done > j.Total {
		es = append(es, &model.FieldError{Field: model.FieldState, Msg: fmt.Sprintf("progress %d of %d is impossible", j.Done, j.Total)})
	}
	if err := es.Err(); err != nil {
		return fmt.Errorf("job %q: %w", j.Name, err)
	}
	return nil
}

// CreateJob stores a new job: it takes j.Seq from the jobs bucket's
// sequence, sets j.Spec.Kind to file jobs when empty, j.BatchID to model.BatchID(seq) when empty, j.State to
// Queued when empty and j.Submitted to now when zero, and fills j.Name and
// j.Spec.Name from each other when one is empty. A name another job has,
// ignoring case, is refused with model.JobNameTakenError; the spec must be
// valid for its profile, which must exist. CreateJob writes no audit
// record: the caller does (see SubmitJob).
func (t *Tx) CreateJob(j *model.Job) error {
	switch {
	case j.Name == "":
		j.Name = j.Spec.Name
	case j.Spec.Name == "":
		j.Spec.Name = j.Name
	}
	if j.Name != j.Spec.Name {
		return fmt.Errorf("job %q: its spec is named %q; they must be the same", j.Name, j.Spec.Name)
	}
	if err := model.ValidateJobName(j.Name); err != nil {
		return err
	}
	if seq := t.tx.Bucket(bucketJobsByName).Get(jobNameKey(j.Name)); seq != nil {
		existing := j.Name
		if other, err := t.jobAt(seq); err == nil {
			existing = other.Name
		}
		return model.JobNameTakenError(j.Name, existing)
	}
	if j.State == "" {
		j.State = model.JobQueued
	}
	// A job without a kind is a file job, as it reads back.
	j.Spec.Kind = j.Spec.Kind.OrFiles()
	if j.Submitted.IsZero() {
		j.Submitted = t.s.now()
	}
	// Validate before taking a sequence number, so that a refused job does
	// not leave j half filled in.
	draft := *j
	if draft.BatchID == "" {
		draft.BatchID = model.BatchID(1)
	}
	if err := t.checkJob(draft); err != nil {
		return err
	}
	b := t.tx.Bucket(bucketJobs)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	j.Seq = seq
	if j.BatchID == "" {
		j.BatchID = model.BatchID(seq)
	}
	if err := t.writeJob(*j); err != nil {
		return err
	}
	return t.tx.Bucket(bucketJobsByName).Put(jobNameKey(j.Name), itob(seq))
}

// writeJob stores a job record as is.
func (t *Tx) writeJob(j model.Job) error {
	return putJSON(t.tx.Bucket(bucketJobs), itob(j.Seq), encodeJob(j))
}

// PutJob updates an existing job: state changes (model.CheckTransition),
// progress, reason, times and output (a new output path must be the job's
// own JobOutputName). The name, batch id and spec are
// frozen at submit and cannot change. No audit record: the caller writes
// one describing the change.
func (t *Tx) PutJob(j model.Job) error {
	old, err := t.Job(j.Seq)
	if err != nil {
		return err
	}
	j.Spec.Name = j.Name
	if j.Name != old.Name || j.BatchID != old.BatchID || j.Spec != old.Spec {
		return fmt.Errorf("job %q: the name, batch id and specification are frozen at submit and cannot change", old.Name)
	}
	if j.State != old.State {
		if err := model.CheckTransition(old.State, j.State); err != nil {
			return fmt.Errorf("job %q: %w", old.Name, err)
		}
	}
	if j.File != old.File {
		return fmt.Errorf("job %q: the file settings are frozen at submit and cannot change", old.Name)
	}
	if j.Total < 0 || j.Done < 0 || j.Done > j.Total {
		return fmt.Errorf("job %q: progress %d of %d is impossible", old.Name, j.Done, j.Total)
	}
	if j.Output != old.Output && j.Output != "" {
		if err := checkOutputName(j.Seq, j.Output); err != nil {
			return fmt.Errorf("job %q: %w", old.Name, err)
		}
	}
	return t.writeJob(j)
}

func (t *Tx) jobAt(key []byte) (model.Job, error) {
	v := t.tx.Bucket(bucketJobs).Get(key)
	if v == nil {
		return model.Job{}, fmt.Errorf("job %d: %w", btoi(key), ErrNotFound)
	}
	return decodeJob(key, v)
}

// Job returns the job with this sequence number.
func (t *Tx) Job(seq uint64) (model.Job, error) { return t.jobAt(itob(seq)) }

// JobByName returns the job with this name, ignoring case.
func (t *Tx) JobByName(name string) (model.Job, error) {
	seq := t.tx.Bucket(bucketJobsByName).Get(jobNameKey(name))
	if seq == nil {
		return model.Job{}, fmt.Errorf("job %q: %w", name, ErrNotFound)
	}
	if len(seq) != 8 {
		return model.Job{}, fmt.Errorf("jobs_by_name entry for %q is malformed: the store is damaged", name)
	}
	return t.jobAt(seq)
}

// eachJobNewest calls fn for every job, newest (highest seq) first.
func (t *Tx) eachJobNewest(fn func(model.Job) error) error {
	c := t.tx.Bucket(bucketJobs).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		j, err := decodeJob(k, v)
		if err != nil {
			return err
		}
		if err := fn(j); err != nil {
			return err
		}
	}
	return nil
}

// jobsNamingProfile returns the jobs whose spec names the profile (ignoring
// case), newest first.
func (t *Tx) jobsNamingProfile(profile string) ([]model.Job, error) {
	var out []model.Job
	err := t.eachJobNewest(func(j model.Job) error {
		if model.SameName(j.Spec.Profile, profile) {
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// SubmitJob creates the job (Tx.CreateJob) with the audit record "job
// submit" in one transaction. details must not hold secrets; the password
// mode is named, never a password.
func (s *Store) SubmitJob(j *model.Job, details string) error {
	cp := *j
	err := s.Update(func(tx *Tx) error {
		cp = *j
		if err := tx.CreateJob(&cp); err != nil {
			return err
		}
		d := fmt.Sprintf("batch %s; profile %s; password mode %s; %d token(s)", cp.BatchID, cp.Spec.Profile, cp.Spec.PasswordMode, cp.Total)
		if details != "" {
			d += "; " + details
		}
		return tx.AppendAudit("job submit", "job "+cp.Name, d)
	})
	if err == nil {
		*j = cp
	}
	return err
}

// Job returns the job with this sequence number.
func (s *Store) Job(seq uint64) (j model.Job, err error) {
	err = s.View(func(tx *Tx) error {
		j, err = tx.Job(seq)
		return err
	})
	return j, err
}

// JobByName returns the job with this name, ignoring case.
func (s *Store) JobByName(name string) (j model.Job, err error) {
	err = s.View(func(tx *Tx) error {
		j, err = tx.JobByName(name)
		return err
	})
	return j, err
}

// Jobs returns the jobs in the given states (all jobs when none is given),
// newest first.
func (s *Store) Jobs(states ...model.JobState) ([]model.Job, error) {
	var out []model.Job
	err := s.View(func(tx *Tx) error {
		return tx.eachJobNewest(func(j model.Job) error {
			if len(states) == 0 || slices.Contains(states, j.State) {
				out = append(out, j)
			}
			return nil
		})
	})
	return out, err
}

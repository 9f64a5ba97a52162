package store

import (
	"errors"
	"slices"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestCreateJob(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		t.Fatal(err)
	}
	ctf := fileProfile("CTF")
	ctf.DeliveryMethod = model.DeliveryCTF
	if _, err := s.AddProfile(ctf); err != nil {
		t.Fatal(err)
	}
	first := createJob(t, s, mkJob("Rollout Q1", "Staff"))
	if first.Seq != 1 || first.BatchID != model.BatchID(1) || first.State != model.JobQueued || first.Submitted.IsZero() {
		t.Fatalf("created %+v", first)
	}
	badCrit := mkJob("Bad criteria", "Staff")
	badCrit.Spec.Criteria = model.Criteria{}
	mismatch := mkJob("A", "Staff")
	mismatch.Spec.Name = "B"
	cases := []struct {
		name string
		job  model.Job
		want string
	}{
		{"taken ignoring case", mkJob("ROLLOUT q1", "Staff"), `already used by job "Rollout Q1"`},
		{"forbidden character", mkJob("a & b", "Staff"), `"&"`},
		{"unknown profile", mkJob("Other", "Nope"), `profile "Nope" does not exist`},
		{"CTF profile for a file job", mkJob("Other", "CTF"), `so its job is "Generate Compressed Token Format Credentials"`},
		{"no criteria", badCrit, "serial range"},
		{"names differ", mismatch, "must be the same"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark := auditMark(t, s)
			j := c.job
			err := s.SubmitJob(&j, "")
			wantErr(t, err, c.want)
			if c.name == "taken ignoring case" {
				var fe *model.FieldError
				if !errors.As(err, &fe) || fe.Field != model.FieldJobName {
					t.Errorf("want a Job Name field error, got %#v", err)
				}
			}
			wantAudit(t, s, mark)
		})
	}
	mark := auditMark(t, s)
	second := createJob(t, s, mkJob("Rollout Q2", "staff"))
	wantAudit(t, s, mark, "job submit|job Rollout Q2")
	if second.Seq != 2 {
		t.Errorf("seq %d", second.Seq)
	}

	got, err := s.JobByName("rollout q1")
	if err != nil || got.Seq != 1 || got.Spec != first.Spec {
		t.Errorf("JobByName = %+v %v", got, err)
	}
	_, err = s.JobByName("nope")
	wantNotFound(t, err)
	_, err = s.Job(99)
	wantNotFound(t, err)
}

func TestPutJobAndJobsByState(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		t.Fatal(err)
	}
	a := createJob(t, s, mkJob("A", "Staff"))
	b := createJob(t, s, mkJob("B", "Staff"))
	c := createJob(t, s, mkJob("C", "Staff"))

	put := func(j model.Job) error {
		return s.Update(func(tx *Tx) error {
			if err := tx.PutJob(j); err != nil {
				return err
			}
			return tx.AppendAudit("job "+string(j.State), "job "+j.Name, "")
		})
	}
	out1 := JobOutputName(a.Seq)
	steps := []struct {
		job    func() model.Job
		want   string
		record string
	}{
		{func() model.Job { j := a; j.State = model.JobRunning; j.Done = 3; return j }, "", "job running|job A"},
		{func() model.Job { j := a; j.State, j.Done, j.Output = model.JobCompleted, 10, out1; return j }, "", "job completed|job A"},
		{func() model.Job { j := a; j.State = model.JobRunning; return j }, "cannot go from Completed to Running", ""},
		{func() model.Job { j := b; j.State = model.JobCanceled; j.Reason = "admin"; return j }, "", "job canceled|job B"},
		{func() model.Job { j := c; j.Name = "D"; return j }, "frozen", ""},
		{func() model.Job { j := c; j.Spec.Nickname = "x"; return j }, "frozen", ""},
		{func() model.Job { j := c; j.Done = 11; return j }, "impossible", ""},
		{func() model.Job { j := c; j.Output = "/x.zip"; return j }, "is absolute", ""},
		{func() model.Job { j := c; j.Output = "swtoken.db"; return j }, "not the job's own output file", ""},
		{func() model.Job { j := c; j.Seq = 42; return j }, "not found", ""},
	}
	for i, st := range steps {
		mark := auditMark(t, s)
		err := put(st.job())
		wantErr(t, err, st.want)
		if st.want == "" {
			wantAudit(t, s, mark, st.record)
			if i == 0 {
				a.State, a.Done = model.JobRunning, 3
			}
		} else {
			wantAudit(t, s, mark)
		}
	}
	names := func(js []model.Job) []string {
		var out []string
		for _, j := range js {
			out = append(out, j.Name)
		}
		return out
	}
	for _, q := range []struct {
		states []model.JobState
		want   []string
	}{
		{nil, []string{"C", "B", "A"}},
		{[]model.JobState{model.JobQueued, model.JobRunning}, []string{"C"}},
		{[]model.JobState{model.JobCompleted}, []string{"A"}},
		{[]model.JobState{model.JobFailed, model.JobCanceled}, []string{"B"}},
	} {
		js, err := s.Jobs(q.states...)
		if err != nil || !slices.Equal(names(js), q.want) {
			t.Errorf("Jobs(%v) = %v %v, want %v", q.states, names(js), err, q.want)
		}
	}
	done, _ := s.JobByName("a")
	if done.Output != out1 || done.Done != 10 {
		t.Errorf("stored %+v", done)
	}
}

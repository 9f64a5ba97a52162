package store

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestACancelRequestOutlivesItsDeadRunner: an admin cancels a running job
// from another process (RequestCancel marks it; `swtoken jobs cancel`
// says it "ends Canceled when its runner stops"), and the runner dies
// before it sees the mark. The next runner to look finds the orphan: it
// must end Canceled, as asked (nothing was changed), not go back to the
// queue and run to completion with the cancel forgotten.
func TestACancelRequestOutlivesItsDeadRunner(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.AddProfile(fileProfile("Lab")); err != nil {
		t.Fatal(err)
	}
	createJob(t, s, mkJob("Rollout", "Lab"))
	job, lease, err := s.ClaimNextJob()
	if err != nil {
		t.Fatal(err)
	}
	marked, err := s.RequestCancel(job.Seq, "canceled by the admin")
	if err != nil || marked.State != model.JobRunning || !marked.CancelRequested {
		t.Fatalf("cancel request to a live runner: %+v, %v", marked, err)
	}
	// The runner dies: the kernel drops its lease, the file stays.
	lease.f.Close()
	mark := auditMark(t, s)

	requeued, err := s.RequeueOrphans()
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.Job(job.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if len(requeued) != 0 || j.State != model.JobCanceled || j.CancelRequested || j.Ended.IsZero() {
		t.Fatalf("an orphan whose cancel was requested: state %s, cancel requested %v, requeued %d; want it canceled", j.State, j.CancelRequested, len(requeued))
	}
	wantAudit(t, s, mark, "job cancel|job Rollout")
	if _, _, err := s.ClaimNextJob(); err != ErrNoJobToClaim {
		t.Fatalf("claim after the cancel: %v, want ErrNoJobToClaim", err)
	}
}

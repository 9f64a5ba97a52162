package store

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// A runner that looks for work while another process's runner is alive
// (an open console every second, `swtoken distribute` waiting for its job
// every 250 ms) finds no orphan and must write nothing: a write takes the
// store exclusively (every reader waits for its fsync) and moves the
// change counter (every open console reloads its lists). Once the lease
// is free, the orphan is requeued as before.
func TestLookingForOrphansWritesNothingWhileTheRunnerLives(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		t.Fatal(err)
	}
	createJob(t, s, mkJob("A", "Staff"))
	job, lease, err := s.ClaimNextJob()
	if err != nil || job.State != model.JobRunning {
		t.Fatalf("claim: %+v %v", job, err)
	}
	before, err := s.ChangeCounter()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		requeued, err := s.RequeueOrphans()
		if err != nil || len(requeued) != 0 {
			t.Fatalf("requeued %+v, %v, while the runner holds the lease", requeued, err)
		}
	}
	if _, _, err := s.ClaimNextJob(); err != ErrNoJobToClaim {
		t.Fatalf("claim with the job running: %v, want ErrNoJobToClaim", err)
	}
	after, err := s.ChangeCounter()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("looking for orphans while the runner lives wrote %d transaction(s)", after-before)
	}

	lease.Release() // the runner is gone
	requeued, err := s.RequeueOrphans()
	if err != nil || len(requeued) != 1 || requeued[0].Seq != job.Seq || requeued[0].State != model.JobQueued {
		t.Fatalf("after the runner is gone: requeued %+v, %v", requeued, err)
	}
	if j, err := s.Job(job.Seq); err != nil || j.State != model.JobQueued {
		t.Fatalf("job %+v %v", j, err)
	}
}

package jobs

import (
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestRunnerWaitsForAStoreHeldBeyondItsLockWait: another process holds the
// store longer than the runner's lock wait just when the job commits (a
// big import, say). The commit waits for it instead of failing the job
// (or handing it back to the queue), and the job completes.
func TestRunnerWaitsForAStoreHeldBeyondItsLockWait(t *testing.T) {
	demo := openDemo(t, 20, 50)
	dir := demo.DataDir()
	demo.Close()
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A second Store on the same directory: bbolt's own file lock keeps
	// it out while the first is in a transaction and the other way
	// round, as between two processes.
	other, err := store.Open(store.Options{DataDir: dir, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	held := make(chan struct{})
	released := make(chan struct{})
	e := New(st, Options{BeforeCommit: func(model.Job) {
		go other.Hold(true, func() error {
			close(held)
			time.Sleep(time.Second) // five times the runner's lock wait
			return nil
		})
		<-held
		go func() { time.Sleep(time.Second); close(released) }()
	}})
	submit(t, e, spec("Patient", model.PasswordNone, "100000000001", "100000000005"), "")
	end := runAll(t, e)
	<-released
	if end.State != model.JobCompleted {
		t.Fatalf("job %s: %s", end.State, end.Reason)
	}
}

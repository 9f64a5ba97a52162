package cli

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// TestJobsShowTellsALiveRunnerFromAGoneOne: a Running job whose runner
// holds its lease shows its progress; once the lease is free it shows as
// interrupted (it used to say "interrupted" for every Running job).
func TestJobsShowTellsALiveRunnerFromAGoneOne(t *testing.T) {
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Live", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010", "--queue", "--yes")
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	job, lease, err := st.ClaimNextJob()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordProgress(job.Seq, 3); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, "jobs", "show", "Live")
	if !strings.Contains(out, "State:               Running (3 of "+strconv.Itoa(job.Total)+" written, recorded once a second; a runner process holds its lease)") {
		t.Errorf("live runner:\n%s", out)
	}
	lease.Release()
	// A lease file its runner left behind (killed): showing the job
	// changes nothing, the file stays for a runner's cleanup.
	if err := os.WriteFile(st.LeasePath(job.Seq), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out = mustRun(t, dir, "jobs", "show", "Live")
	if !strings.Contains(out, "Running (interrupted: its runner is gone;") {
		t.Errorf("runner gone:\n%s", out)
	}
	if _, err := os.Stat(st.LeasePath(job.Seq)); err != nil {
		t.Errorf("jobs show removed the lease file: %v", err)
	}
}

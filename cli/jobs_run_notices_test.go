package cli

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestJobsRunQueuesTheNoticesACrashLeftOwed: a request made by a process
// that died before it queued the "received" message (here: made through
// the store alone, as such a process leaves it) is owed its message;
// `jobs run` queues it and says so, and a second run has nothing to say.
func TestJobsRunQueuesTheNoticesACrashLeftOwed(t *testing.T) {
	dir := demoDir(t)
	f := readDemoRequestFacts(t, dir)
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRequest(model.RequestInput{User: f.other, Kind: model.RequestNew, Origin: model.OriginCLI, Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"}); err != nil {
		st.Close()
		t.Fatal(err)
	}
	st.Close()
	out := mustRun(t, dir, "jobs", "run")
	if !strings.Contains(out, "1 request notice (received, rejected) to the outbox.") {
		t.Fatalf("jobs run said:\n%s", out)
	}
	if box := mustRun(t, dir, "mail", "outbox"); !strings.Contains(box, "R-1 was received") {
		t.Fatalf("the outbox:\n%s", box)
	}
	if again := mustRun(t, dir, "jobs", "run"); strings.Contains(again, "request notice") {
		t.Fatalf("a second run queued a notice again:\n%s", again)
	}
}

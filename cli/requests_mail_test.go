package cli

import (
	"strings"
	"testing"
)

type outboxListJSON struct {
	Waiting  int               `json:"waiting"`
	Failed   int               `json:"failed"`
	Sent     int               `json:"sent"`
	Messages []outboxEntryJSON `json:"messages"`
}

// TestRequestMessagesWaitInTheOutboxWithoutSMTP: with no SMTP configured,
// requests add queues "received", requests reject queues "rejected" and
// jobs run, which fulfils the approved request, queues its token message
// and says so; the messages wait in the outbox.
func TestRequestMessagesWaitInTheOutboxWithoutSMTP(t *testing.T) {
	dir := demoDir(t)
	f := readDemoRequestFacts(t, dir)
	pw := requestPasswordFile(t, "Correct-Horse-9")
	if out := mustRun(t, dir, "requests", "add", "--user", f.other, "--password-file", pw); !strings.Contains(out, "The message to the user is in the outbox") {
		t.Fatalf("add: %s", out)
	}
	mustRun(t, dir, "requests", "add", "--user", f.holder, "--password-file", pw)
	if out := mustRun(t, dir, "requests", "reject", "R-2", "--comment", "Ask your manager first."); !strings.Contains(out, "in the outbox") {
		t.Fatalf("reject: %s", out)
	}
	mustRun(t, dir, "requests", "approve", "R-1")
	out := mustRun(t, dir, "jobs", "run")
	if !strings.Contains(out, "Request R-1 fulfilled") || !strings.Contains(out, "1 token message to the outbox.") {
		t.Fatalf("jobs run said:\n%s", out)
	}
	ob := decodeJSON[outboxListJSON](t, mustRun(t, dir, "mail", "outbox", "--json"))
	var subjects []string
	for _, m := range ob.Messages {
		subjects = append(subjects, m.Subject)
	}
	all := strings.Join(subjects, "\n")
	if ob.Waiting != 4 || !strings.Contains(all, "R-1 was received") || !strings.Contains(all, "R-2 was received") ||
		!strings.Contains(all, "R-2 was rejected") || !strings.Contains(all, "request R-1 is ready") {
		t.Fatalf("outbox: %d waiting:\n%s", ob.Waiting, all)
	}
	if again := mustRun(t, dir, "jobs", "run"); strings.Contains(again, "to the outbox") {
		t.Fatalf("a second run queued again:\n%s", again)
	}
}

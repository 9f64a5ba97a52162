package requests

import (
	"errors"
	"os/user"
	"strings"
	"testing"
	"time"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// transportFunc is a Transport for the tests.
type transportFunc func(msg []byte) error

func (f transportFunc) Send(msg []byte) error { return f(msg) }

// mailAudit is the trail's mail records, oldest first.
func mailAudit(t *testing.T, st *store.Store) []store.AuditRecord {
	t.Helper()
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditRecord
	for i := len(recs) - 1; i >= 0; i-- {
		if strings.HasPrefix(recs[i].Action, "mail ") {
			out = append(out, recs[i])
		}
	}
	return out
}

// noSecretInAudit fails when any audit record holds pw.
func noSecretInAudit(t *testing.T, st *store.Store, pw string) {
	t.Helper()
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Contains(r.Object+r.Details, pw) {
			t.Errorf("audit record %d (%s) holds the password: %s", r.Seq, r.Action, r.Details)
		}
	}
}

// auditMailer is a mail store under one approval with a plain SMTP server
// set, its user req1, and its mailer.
func auditMailer(t *testing.T) (*store.Store, *swmail.Mailer) {
	t.Helper()
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{Host: "127.0.0.1", Security: model.SMTPPlain, From: "IT <it@example.com>"})
	addUsers(t, st, "req", 1)
	m, err := NewMailer(st)
	if err != nil {
		t.Fatal(err)
	}
	return st, m
}

// Queueing a message (which request, which kind, to whom) and sending it
// are audited with the acting OS user, and no record holds the password.
func TestMailQueuedAndSentAreAudited(t *testing.T) {
	st, m := auditMailer(t)
	defer st.Close()
	m.Sender = transportFunc(func([]byte) error { return nil })
	r := request(t, st, "req1", fileProfile, reqPW)
	if err := QueueReceived(st, m, r); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApproveRequest(storeDecision(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := Fulfil(t.Context(), st, Options{}); err != nil {
		t.Fatal(err)
	}
	if res, err := MailDeliveries(st, m); err != nil || len(res.Queued) != 1 {
		t.Fatalf("mail deliveries: %+v %v", res, err)
	}
	if res, err := SendMail(st, m); err != nil || res.Sent != 2 {
		t.Fatalf("send: %+v %v", res, err)
	}
	recs := mailAudit(t, st)
	want := []struct{ action, details string }{
		{"mail queue", "received message to req1@example.com (user req1); outbox "},
		{"mail queue", "token file message to req1@example.com (user req1); outbox "},
		{"mail sent", "to req1@example.com; outbox "},
		{"mail sent", "to req1@example.com; outbox "},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d mail records, want %d: %+v", len(recs), len(want), recs)
	}
	me, _ := user.Current()
	for i, w := range want {
		g := recs[i]
		if g.Action != w.action || g.Object != "request "+r.ID() || !strings.HasPrefix(g.Details, w.details) {
			t.Errorf("record %d: %s %q %q, want %s %q %q...", i, g.Action, g.Object, g.Details, w.action, "request "+r.ID(), w.details)
		}
		if me != nil && g.OSUser != me.Username {
			t.Errorf("record %d: OS user %q, want %q", i, g.OSUser, me.Username)
		}
	}
	// The sent record names the same outbox message as its queue record.
	if name := strings.TrimPrefix(recs[0].Details, want[0].details); !strings.HasSuffix(recs[2].Details, name) && !strings.HasSuffix(recs[3].Details, name) {
		t.Errorf("no sent record names the received message %s", name)
	}
	noSecretInAudit(t, st, reqPW)
}

// A message that fails until its retry deadline is audited as failed,
// with its attempts and last error; the retries before are not audited.
func TestMailFailedAfterRetriesIsAudited(t *testing.T) {
	st, m := auditMailer(t)
	defer st.Close()
	m.Sender = transportFunc(func([]byte) error { return errors.New("dial tcp 127.0.0.1:25: connection refused") })
	r := request(t, st, "req1", fileProfile, reqPW)
	if err := QueueReceived(st, m, r); err != nil {
		t.Fatal(err)
	}
	if res, err := SendMail(st, m); err != nil || res.Retry != 1 {
		t.Fatalf("first try: %+v %v", res, err)
	}
	if recs := mailAudit(t, st); len(recs) != 1 {
		t.Fatalf("a retry was audited: %+v", recs)
	}
	m.Outbox.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	if res, err := SendMail(st, m); err != nil || res.Failed != 1 {
		t.Fatalf("at the deadline: %+v %v", res, err)
	}
	recs := mailAudit(t, st)
	if len(recs) != 2 {
		t.Fatalf("mail records %+v", recs)
	}
	f := recs[1]
	if f.Action != "mail failed" || f.Object != "request "+r.ID() ||
		!strings.Contains(f.Details, "to req1@example.com; outbox ") ||
		!strings.Contains(f.Details, "gave up after 2 attempt(s) over 24h0m0s: dial tcp 127.0.0.1:25: connection refused") {
		t.Fatalf("failed record: %s %q %q", f.Action, f.Object, f.Details)
	}
	noSecretInAudit(t, st, reqPW)
}

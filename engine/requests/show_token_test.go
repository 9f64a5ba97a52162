package requests

import (
	"context"
	"errors"
	"testing"

	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestShowTokenAfterMailGivesTheDeliveredCTFStringOnce: a CTF request
// fulfilled by the engine and mailed (the delivery deleted) still shows
// its CTF string, the one that was mailed, once; a file request does not.
func TestShowTokenAfterMailGivesTheDeliveredCTFStringOnce(t *testing.T) {
	dir := dataDir(t)
	st := openStore(t, dir, 20, model.ApprovalAutomatic)
	defer st.Close()
	addUsers(t, st, "req", 2)
	rCTF := request(t, st, "req1", ctfProfile, "")
	rFile := request(t, st, "req2", fileProfile, reqPW)
	if _, err := Fulfil(context.Background(), st, Options{}); err != nil {
		t.Fatal(err)
	}
	d, found, err := st.RequestDelivery(rCTF.ID())
	if err != nil || !found || d.CTF == "" {
		t.Fatalf("delivery %v %v", found, err)
	}
	m, err := NewMailer(st)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := MailDeliveries(st, m); err != nil || len(res.Queued) != 2 {
		t.Fatalf("mail: %+v %v", res, err)
	}
	if _, found, _ := st.RequestDelivery(rCTF.ID()); found {
		t.Fatal("the mail left the delivery")
	}
	got, err := st.ShowToken(rCTF.ID(), "req1", testNow)
	if err != nil || got != d.CTF {
		t.Fatalf("show: %v (same string: %v)", err, got == d.CTF)
	}
	if _, err := st.ShowToken(rCTF.ID(), "req1", testNow); !errors.Is(err, store.ErrAlreadyShown) {
		t.Fatalf("second show: %v", err)
	}
	if _, err := st.ShowToken(rFile.ID(), "req2", testNow); !errors.Is(err, store.ErrNotCTFDelivery) {
		t.Fatalf("a file request: %v", err)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestMailInvitationQueuesTheCodeWithoutAuditingIt: the code goes to the
// outbox only, the audit names the recipient and the outbox entry, and a
// user without an address is refused with nothing changed.
func TestMailInvitationQueuesTheCodeWithoutAuditingIt(t *testing.T) {
	dir := dataDir(t)
	st := openStore(t, dir, 1, model.ApprovalAutomatic)
	defer st.Close()
	addUsers(t, st, "inv", 1)
	if _, err := st.ImportUsers([]model.User{{ID: "nomail", FirstName: "No", LastName: "Mail"}}, "u.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := NewMailer(st)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := st.AuditRecords(store.AuditFilter{})
	before := len(recs)
	if _, _, err := MailInvitation(st, m, "nomail", "ssh -p 2222 nomail@host", testNow); !errors.Is(err, ErrNoEmail) {
		t.Fatalf("no address: %v", err)
	}
	if live, _, _ := st.EnrollmentStatus("nomail", testNow); live {
		t.Fatal("a refused mailed invitation issued a code")
	}
	if recs, _ := st.AuditRecords(store.AuditFilter{}); len(recs) != before {
		t.Fatal("a refused mailed invitation was audited")
	}
	inv, name, err := MailInvitation(st, m, "inv1", "ssh -p 2222 inv1@host", testNow)
	if err != nil || inv.Code != "" || name == "" {
		t.Fatalf("mailed: %+v %q %v", inv, name, err)
	}
	if live, _, _ := st.EnrollmentStatus("inv1", testNow); !live {
		t.Fatal("no live code after a mailed invitation")
	}
	entries, err := m.Outbox.List()
	if err != nil || len(entries) != 1 || entries[0].Subject != mail.EnrollmentSubject {
		t.Fatalf("outbox %+v %v", entries, err)
	}
	recs, _ = st.AuditRecords(store.AuditFilter{Limit: 2})
	if len(recs) != 2 || recs[0].Action != "mail queue" || recs[1].Action != "user invite" || recs[0].Object != "user inv1" {
		t.Fatalf("audit %+v", recs)
	}
}

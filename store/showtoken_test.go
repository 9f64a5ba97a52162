package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

const testCTF = "http://127.0.0.1/securid/ctf?ctfData=24792398743298743298472398472398"

// fulfilCTF makes and fulfils a request of alice with a CTF delivery.
func fulfilCTF(t *testing.T, s *Store, serial string, kind DeliveryKind) model.Request {
	t.Helper()
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	c := fulfilCommit(t, s, r, serial, bytes.Repeat([]byte{7}, SeedLen))
	if kind == DeliveryCTF {
		c.Delivery = Delivery{Kind: DeliveryCTF, Serial: serial, FileName: "alice.ctf.txt", Data: []byte(testCTF), CTF: testCTF}
	}
	got, err := s.CommitFulfilment(c)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func showStore(t *testing.T) *Store {
	t.Helper()
	s, _ := requestStore(t)
	s.now = func() time.Time { return day(2030, 10, 1) }
	setPolicy(t, s, model.ApprovalAutomatic, false)
	return s
}

func TestShowTokenShowsTheCTFStringOnceAndDeletesTheCopy(t *testing.T) {
	s := showStore(t)
	r := fulfilCTF(t, s, "000000000005", DeliveryCTF)
	if _, waiting, err := s.TokenShown(r.ID()); !waiting || err != nil {
		t.Fatalf("no copy waits after the fulfilment: %v", err)
	}
	// The mail deletes its delivery; the show copy stays.
	if err := s.Update(func(tx *Tx) error { return tx.DeleteRequestDelivery(r.Seq) }); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(readDB(t, s.DataDir()), []byte("ctfData")) {
		t.Fatal("the CTF string is stored in the clear")
	}
	mark := auditMark(t, s)
	when := day(2030, 10, 2).Add(9 * time.Hour)
	got, err := s.ShowToken(r.ID(), "alice", when)
	if err != nil || got != testCTF {
		t.Fatalf("show: %q %v", got, err)
	}
	recs := wantAudit(t, s, mark, "request token shown|request "+r.ID())
	for _, rec := range recs {
		if strings.Contains(rec.Details, "ctfData") || strings.Contains(rec.Details, "2479239874") {
			t.Fatalf("the audit holds the CTF string: %q", rec.Details)
		}
	}
	at, waiting, err := s.TokenShown(r.ID())
	if err != nil || waiting || !at.Equal(when) {
		t.Fatalf("after the show: at %v waiting %v %v", at, waiting, err)
	}
	_, err = s.ShowToken(r.ID(), "alice", when.Add(time.Hour))
	var shown *AlreadyShownError
	if !errors.As(err, &shown) || !errors.Is(err, ErrAlreadyShown) || !shown.At.Equal(when) {
		t.Fatalf("second show: %v", err)
	}
	if !strings.Contains(err.Error(), "2030-10-02 09:00") {
		t.Fatalf("the error does not say when: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestShowTokenOfAnotherUsersRequestReadsAsNoSuchRequest(t *testing.T) {
	s := showStore(t)
	r := fulfilCTF(t, s, "000000000005", DeliveryCTF)
	mark := auditMark(t, s)
	_, err := s.ShowToken(r.ID(), "bob", day(2030, 10, 2))
	_, errNone := s.ShowToken("R-999", "bob", day(2030, 10, 2))
	if !errors.Is(err, ErrNotFound) || !errors.Is(errNone, ErrNotFound) {
		t.Fatalf("another user's request: %v; no request: %v", err, errNone)
	}
	if strings.Contains(err.Error(), "alice") {
		t.Fatalf("the error names the owner: %v", err)
	}
	wantAudit(t, s, mark)
	if _, waiting, _ := s.TokenShown(r.ID()); !waiting {
		t.Fatal("bob's try used alice's copy")
	}
}

func TestShowTokenRefusesAPendingRequest(t *testing.T) {
	s, _ := requestStore(t)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShowToken(r.ID(), "alice", day(2030, 12, 2)); !errors.Is(err, ErrNotFulfilled) {
		t.Fatalf("a pending request: %v", err)
	}
}

func TestShowTokenRefusesAFileDelivery(t *testing.T) {
	s := showStore(t)
	r := fulfilCTF(t, s, "000000000005", DeliverySDTID)
	if _, waiting, _ := s.TokenShown(r.ID()); waiting {
		t.Fatal("a copy is kept of a file delivery")
	}
	mark := auditMark(t, s)
	if _, err := s.ShowToken(r.ID(), "alice", day(2030, 10, 2)); !errors.Is(err, ErrNotCTFDelivery) {
		t.Fatalf("a file delivery: %v", err)
	}
	// Also once the mail deleted the delivery: the profile says file.
	if err := s.Update(func(tx *Tx) error { return tx.DeleteRequestDelivery(r.Seq) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShowToken(r.ID(), "alice", day(2030, 10, 2)); !errors.Is(err, ErrNotCTFDelivery) {
		t.Fatalf("a file delivery, mailed: %v", err)
	}
	wantAudit(t, s, mark)
}

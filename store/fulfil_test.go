package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

func fulfilCommit(t *testing.T, s *Store, r model.Request, serial string, seed []byte) FulfilCommit {
	t.Helper()
	sealed, err := s.SealSeed(serial, seed)
	if err != nil {
		t.Fatal(err)
	}
	return FulfilCommit{Seq: r.Seq, Serial: serial, SealedSeed: sealed,
		File:     model.FileSettings{Digits: 8, IntervalSeconds: 60},
		Delivery: Delivery{Kind: DeliverySDTID, Serial: serial, FileName: "x.sdtid", Data: []byte("file with the seed")}}
}

// TestCommitFulfilmentRechecksTheTokenAndTheRequest: a token expiring
// within the replacement window is not available and a request no longer
// approved is not fulfilled, each changing nothing; an available token is
// assigned with its new seed, the delivery kept sealed, the request
// fulfilled and its password destroyed in one commit.
func TestCommitFulfilmentRechecksTheTokenAndTheRequest(t *testing.T) {
	s, _ := requestStore(t)
	setPolicy(t, s, model.ApprovalAutomatic, false)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Kind: model.RequestReplacement,
		Replaces: "000000000001", Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{7}, SeedLen)
	// 2030-12-01: token 5 dies 2030-12-31, within the 30-day window.
	mark := auditMark(t, s)
	if _, err := s.CommitFulfilment(fulfilCommit(t, s, r, "000000000005", seed)); !errors.Is(err, ErrTokenUnavailable) {
		t.Fatalf("a token expiring within the window: %v", err)
	}
	if got := auditMark(t, s); got != mark {
		t.Fatal("a refused fulfilment wrote to the audit trail")
	}
	s.now = func() time.Time { return day(2030, 10, 1) }
	// Token 2 is bob's.
	if _, err := s.CommitFulfilment(fulfilCommit(t, s, r, "000000000002", seed)); !errors.Is(err, ErrTokenUnavailable) {
		t.Fatalf("an assigned token: %v", err)
	}
	got, err := s.CommitFulfilment(fulfilCommit(t, s, r, "000000000005", seed))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != model.RequestFulfilled || got.Serial != "000000000005" {
		t.Fatalf("fulfilled: %+v", got)
	}
	tok, _ := s.Token("000000000005")
	plain, err := s.UnsealSeed(tok)
	if err != nil || !bytes.Equal(plain, seed) || tok.AssignedUser != "alice" || tok.Algorithm != model.AlgAES128 || tok.Distribution.Count != 1 {
		t.Fatalf("token: %+v %v", tok, err)
	}
	if pw, _ := s.RequestPassword(r.ID()); pw != nil {
		t.Error("the password outlived the request")
	}
	d, found, err := s.RequestDelivery(r.ID())
	if err != nil || !found || string(d.Data) != "file with the seed" {
		t.Fatalf("delivery: %+v %v %v", d, found, err)
	}
	wantAudit(t, s, mark, "request fulfil|request R-1")
	// Fulfilled already: refused.
	if _, err := s.CommitFulfilment(fulfilCommit(t, s, r, "000000000005", seed)); !errors.Is(err, ErrRequestNotApproved) {
		t.Fatalf("fulfilled twice: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// A delivery kept for a request that is not fulfilled is damage.
	r2, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.putDelivery(r2.Seq, Delivery{Kind: DeliveryCTF}) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil {
		t.Fatal("Check accepts a delivery for an approved request")
	}
}

package requests

import (
	"context"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Under the two-approval policy a request waits for two different admins:
// the same admin's second approval is refused, nothing fulfils it after
// one approval, and the pass after the second approval fulfils it.
func TestTwoApprovalsByDifferentAdminsThenFulfilled(t *testing.T) {
	dir := dataDir(t)
	st := openStore(t, dir, 20, model.ApprovalTwo)
	users := addUsers(t, st, "two", 1)
	r := request(t, st, users[0], fileProfile, reqPW)
	as := func(admin string) *store.Store {
		s, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second, Actor: admin})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	ann, bob := as("ann"), as("bob")
	ctx := context.Background()

	r, err := ann.ApproveRequest(storeDecision(r))
	if err != nil || r.State != model.RequestPending {
		t.Fatalf("first approval: %s %v", r.State, err)
	}
	if res, err := Fulfil(ctx, st, Options{}); err != nil || len(res.Fulfilled) != 0 {
		t.Fatalf("after one approval of two: fulfilled %d, %v", len(res.Fulfilled), err)
	}
	if _, err := ann.ApproveRequest(storeDecision(r)); err == nil {
		t.Fatal("the same admin approved twice")
	}
	if r, err = bob.ApproveRequest(storeDecision(r)); err != nil || r.State != model.RequestApproved {
		t.Fatalf("second approval by another admin: %s %v", r.State, err)
	}
	res, err := Fulfil(ctx, st, Options{})
	if err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("after the second approval: fulfilled %d, %v", len(res.Fulfilled), err)
	}
	checkDelivered(t, st, res.Fulfilled[0], reqPW)
	got, err := st.Request(r.ID())
	if err != nil || len(got.Approvals) != 2 || got.Approvals[0].Admin == got.Approvals[1].Admin {
		t.Fatalf("approvals %+v %v", got.Approvals, err)
	}
}

package requests

import (
	"context"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
)

// TestJobRunnerFulfilsApprovedRequestsWhenIdle starts the console's job
// runner with the requests runner as its Idle hook: a request approved
// while it runs is fulfilled without anyone asking, and a pass with
// nothing changed reads no request.
func TestJobRunnerFulfilsApprovedRequestsWhenIdle(t *testing.T) {
	st := openStore(t, dataDir(t), 40, model.ApprovalOne)
	defer st.Close()
	addUsers(t, st, "idle", 1)
	runner := NewRunner(st, Options{})
	e := jobs.New(st, jobs.Options{Idle: func(ctx context.Context) { runner.Pass(ctx) }})
	ctx, cancel := context.WithCancel(context.Background())
	e.Start(ctx)
	defer func() { cancel(); <-e.Done() }()

	r := request(t, st, "idle1", fileProfile, reqPW)
	if r.State != model.RequestPending {
		t.Fatalf("one-approval policy: %s", r.State)
	}
	if _, err := st.ApproveRequest(storeDecision(r)); err != nil {
		t.Fatal(err)
	}
	e.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := st.Request(r.ID())
		if err != nil {
			t.Fatal(err)
		}
		if got.State == model.RequestFulfilled {
			checkDelivered(t, st, got, reqPW)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s is still %s", r.ID(), got.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Nothing changed since: a pass is skipped (it returns no work).
	before, _ := st.ChangeCounter()
	if res, err := runner.Pass(context.Background()); err != nil || len(res.Fulfilled) != 0 {
		t.Fatalf("idle pass: %+v %v", res, err)
	}
	if after, _ := st.ChangeCounter(); after != before {
		t.Errorf("an idle pass wrote to the store (%d -> %d)", before, after)
	}
}

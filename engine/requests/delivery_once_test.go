package requests

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestConcurrentRunnersMailEachTokenOnce: swtoken serve and an admin's
// console both run the mail step when idle; two of them that see the same
// fulfilled requests pending at once must queue each token's message once
// (the delivery is re-read under the notice lock, and the second finds it
// gone), never twice.
func TestConcurrentRunnersMailEachTokenOnce(t *testing.T) {
	st := mailStore(t, model.ApprovalAutomatic, model.SMTPSettings{})
	defer st.Close()
	const n = 10
	for _, u := range addUsers(t, st, "req", n) {
		request(t, st, u, fileProfile, reqPW)
	}
	if res, err := Fulfil(context.Background(), st, Options{}); err != nil || len(res.Fulfilled) != n {
		t.Fatalf("fulfil: %+v %v", res, err)
	}
	var wg sync.WaitGroup
	queued := make([]int, 3)
	errs := make([]error, 3)
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := MailDeliveries(st, mustMailer(t, st))
			queued[g], errs[g] = len(res.Queued), err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if total := queued[0] + queued[1] + queued[2]; total != n {
		t.Fatalf("the runners queued %v token messages, %d in all, want %d", queued, total, n)
	}
	ready := map[string]int{}
	for _, e := range outboxEntries(t, st) {
		if strings.Contains(e.Subject, "is ready") {
			ready[e.Subject]++
		}
	}
	if len(ready) != n {
		t.Fatalf("%d distinct token messages in the outbox, want %d: %v", len(ready), n, ready)
	}
	for subject, c := range ready {
		if c != 1 {
			t.Fatalf("%q is in the outbox %d times", subject, c)
		}
	}
}

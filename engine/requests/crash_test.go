package requests

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/internal/crashtest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// crashChildEnv makes the test binary run one Fulfil pass on the data
// directory it names, so the crash test can SIGKILL a real fulfilment.
const crashChildEnv = "SWTOKEN_FULFIL_CRASH_CHILD"

func TestMain(m *testing.M) {
	crashtest.Child(crashChildEnv, func(ctx context.Context, st *store.Store) error {
		_, err := Fulfil(ctx, st, Options{})
		return err
	})
	crashtest.Child(noticeCrashEnv, runNoticeChild)
	os.Exit(m.Run())
}

// crashBatch is how many requests each batch of the crash test holds.
const crashBatch = 120

// crashPassword is the password of the n-th request of the crash test:
// file and CTF requests, with and without a password.
func crashPassword(n int) string {
	if n%3 == 0 {
		return ""
	}
	return fmt.Sprintf("crash-pw-%d", n)
}

// TestCrashDuringFulfilmentFulfilsEachRequestOnce SIGKILLs a process that
// fulfils a batch of approved requests (file-based and CTF, with and
// without a password) at random moments, at least 20 times, and resumes.
// After every kill: the store passes Check and its audit chain is intact;
// every request is Approved (its user holds no token, it has no delivery,
// its password is kept) or Fulfilled exactly once (one "request fulfil"
// record, its token assigned to its user, its delivery decodes with its
// password and carries the stored seed); and exactly the fulfilled
// requests' tokens changed seed. A new batch starts when one is done.
func TestCrashDuringFulfilmentFulfilsEachRequestOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes about half a minute")
	}
	dir := dataDir(t)
	st := openStore(t, dir, 3000, model.ApprovalAutomatic)
	passwords := map[string]string{} // request ID -> password
	users := 0
	newBatch := func(st *store.Store) {
		ids := addUsers(t, st, fmt.Sprintf("crash%d-", users), crashBatch)
		for i, u := range ids {
			n := users + i
			profile := fileProfile
			if n%2 == 1 {
				profile = ctfProfile
			}
			r := request(t, st, u, profile, crashPassword(n))
			passwords[r.ID()] = crashPassword(n)
		}
		users += crashBatch
	}
	newBatch(st)
	seeds := crashtest.SealedSeeds(t, st)
	st.Close()

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills, batches, midway := 0, 1, 0
	// span is how long a child takes to start and fulfil a whole batch on
	// this machine, learnt from the runs that ended on their own: the kill
	// lands at a random moment within it, so that a fast machine is killed
	// mid-batch as often as a slow one.
	span := 400 * time.Millisecond
	for iter := 0; midway < 20 || iter < 22; iter++ {
		if iter > 80 {
			t.Fatalf("only %d kills in %d runs, %d of them during a batch", kills, iter, midway)
		}
		delay := 5*time.Millisecond + time.Duration(rng.Int63n(int64(span)))
		began := time.Now()
		killed, err := crashtest.Run(t, crashChildEnv, dir, delay)
		if err != nil {
			t.Fatalf("the fulfilment failed: %v", err)
		}
		if killed {
			kills++
		} else {
			span = max(10*time.Millisecond, time.Since(began))
		}

		st, err = store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Check(); err != nil {
			t.Fatalf("after run %d (%d kills): %v", iter, kills, err)
		}
		open := checkCrashState(t, st, passwords, seeds)
		if killed && open > 0 {
			midway++
		}
		if open == 0 {
			newBatch(st)
			batches++
			seeds = crashtest.SealedSeeds(t, st)
		}
		st.Close()
	}
	t.Logf("%d kills, %d of them during a batch; %d batches", kills, midway, batches)
}

// checkCrashState checks every request after a run and returns how many
// are still approved.
func checkCrashState(t *testing.T, st *store.Store, passwords map[string]string, seeds map[string]string) int {
	t.Helper()
	rs, err := st.Requests(store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fulfils := map[string]int{}
	for _, a := range recs {
		if a.Action == "request fulfil" {
			fulfils[a.Object]++
		}
	}
	changed := map[string]bool{}
	for serial, sealed := range crashtest.SealedSeeds(t, st) {
		if seeds[serial] != sealed {
			changed[serial] = true
		}
	}
	open, bySerial := 0, map[string]string{}
	for _, r := range rs {
		held, err := st.TokensByUser(r.User)
		if err != nil {
			t.Fatal(err)
		}
		switch r.State {
		case model.RequestApproved:
			open++
			if len(held) != 0 || fulfils["request "+r.ID()] != 0 {
				t.Fatalf("approved request %s: user holds %d tokens, %d fulfil records", r.ID(), len(held), fulfils["request "+r.ID()])
			}
			if _, found, _ := st.RequestDelivery(r.ID()); found {
				t.Fatalf("approved request %s has a delivery", r.ID())
			}
			if pw, err := st.RequestPassword(r.ID()); err != nil || string(pw) != passwords[r.ID()] {
				t.Fatalf("approved request %s lost its password (%v)", r.ID(), err)
			}
		case model.RequestFulfilled:
			if len(held) != 1 || fulfils["request "+r.ID()] != 1 {
				t.Fatalf("fulfilled request %s: user holds %d tokens, %d fulfil records", r.ID(), len(held), fulfils["request "+r.ID()])
			}
			if other, dup := bySerial[r.Serial]; dup {
				t.Fatalf("requests %s and %s were both fulfilled with token %s", other, r.ID(), r.Serial)
			}
			bySerial[r.Serial] = r.ID()
			checkDelivered(t, st, r, passwords[r.ID()])
		default:
			t.Fatalf("request %s is %s", r.ID(), r.State)
		}
	}
	for serial := range changed {
		if _, ok := bySerial[serial]; !ok {
			t.Fatalf("token %s changed seed without a fulfilled request", serial)
		}
	}
	return open
}

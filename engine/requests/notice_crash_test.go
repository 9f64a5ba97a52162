package requests

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/internal/crashtest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// noticeCrashEnv makes the test binary a crash child that makes and
// rejects requests as the console and `requests add` do (the store's
// commit, then the message), in the mode noticeCrashModeEnv names.
const (
	noticeCrashEnv     = "SWTOKEN_NOTICE_CRASH_CHILD"
	noticeCrashModeEnv = "SWTOKEN_NOTICE_CRASH_MODE"
)

const (
	// crashAfterCommit: one request is created, then the child SIGKILLs
	// itself before queueing its message.
	crashAfterCommit = "after-commit"
	// crashAfterRejectCommit: the oldest pending request is rejected, then
	// the child SIGKILLs itself before queueing its message.
	crashAfterRejectCommit = "after-reject-commit"
	// crashAfterOutbox: one request is created and its message queued; the
	// child SIGKILLs itself once the message is in the outbox, before the
	// notice is marked queued.
	crashAfterOutbox = "after-outbox"
	// crashLoop: requests are created one by one, every third rejected,
	// each message queued after its commit, until the parent's SIGKILL or
	// noticeLoopMax requests.
	crashLoop = "loop"
)

const (
	noticeCrashComment = "Not for this team."
	noticeLoopMax      = 30
)

func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way
}

// freeUser is the first of the test's users without a request.
func freeUser(st *store.Store) (string, error) {
	rs, err := st.Requests(store.RequestFilter{})
	if err != nil {
		return "", err
	}
	has := map[string]bool{}
	for _, r := range rs {
		has[r.User] = true
	}
	var free string
	errFound := errors.New("found")
	err = st.EachUser(func(u model.User) error {
		if !has[u.ID] && strings.HasPrefix(u.ID, "crash") {
			free = u.ID
			return errFound
		}
		return nil
	})
	if !errors.Is(err, errFound) {
		return "", fmt.Errorf("no user without a request left: %v", err)
	}
	return free, nil
}

func makeRequest(st *store.Store) (model.Request, error) {
	u, err := freeUser(st)
	if err != nil {
		return model.Request{}, err
	}
	return st.CreateRequest(model.RequestInput{User: u, Profile: fileProfile, Origin: model.OriginCLI, Nickname: "Work phone"})
}

func runNoticeChild(_ context.Context, st *store.Store) error {
	m, err := NewMailer(st)
	if err != nil {
		return err
	}
	switch mode := os.Getenv(noticeCrashModeEnv); mode {
	case crashAfterCommit:
		if _, err := makeRequest(st); err != nil {
			return err
		}
		killSelf()
	case crashAfterRejectCommit:
		rs, err := st.Requests(store.RequestFilter{States: []model.RequestState{model.RequestPending}})
		if err != nil || len(rs) == 0 {
			return fmt.Errorf("no pending request to reject (%v)", err)
		}
		if _, err := st.RejectRequest(store.RequestDecision{ID: rs[0].ID(), Revision: rs[0].Revision, Comment: noticeCrashComment}); err != nil {
			return err
		}
		killSelf()
	case crashAfterOutbox:
		r, err := makeRequest(st)
		if err != nil {
			return err
		}
		noticeInOutbox = func(store.Notice) { killSelf() }
		return QueueReceived(st, m, r)
	case crashLoop:
		for i := 0; i < noticeLoopMax; i++ {
			r, err := makeRequest(st)
			if err != nil {
				return err
			}
			if err := QueueReceived(st, m, r); err != nil {
				return err
			}
			if r.Seq%3 != 0 {
				continue
			}
			rej, err := st.RejectRequest(store.RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: noticeCrashComment})
			if err != nil {
				return err
			}
			if err := QueueRejected(st, m, rej, noticeCrashComment); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown crash mode %q", mode)
	}
	return nil
}

// noticeCrashStore is a mail store (one approval, no SMTP) with n users
// and no request, closed, in a new data directory.
func noticeCrashStore(t *testing.T, n int) string {
	t.Helper()
	dir := dataDir(t)
	st := openStore(t, dir, 5, model.ApprovalOne)
	addUsers(t, st, "crash", n)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runNoticeCrash runs the crash child in mode on dir.
func runNoticeCrash(t *testing.T, dir, mode string, delay time.Duration) (killed bool, err error) {
	t.Helper()
	t.Setenv(noticeCrashModeEnv, mode)
	return crashtest.Run(t, noticeCrashEnv, dir, delay)
}

// afterCrash opens dir, checks the store, runs one runner pass (as the
// console's idle runner, `jobs run` and `swtoken serve` do when they
// start) and returns the store and the outbox's notice counts.
func afterCrash(t *testing.T, dir string) (*store.Store, map[string]int) {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Check(); err != nil {
		st.Close()
		t.Fatalf("after the kill: %v", err)
	}
	res, err := NewRunner(st, Options{Mail: true}).Pass(context.Background())
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if len(res.Notices.Queued) > 0 {
		t.Logf("the pass after the kill queued %d notice(s) left pending", len(res.Notices.Queued))
	}
	noPendingNotices(t, st)
	return st, noticeCounts(t, st)
}

// A process SIGKILLed right after the commit that created or rejected a
// request, before queueing its message, loses neither: the next runner
// pass queues each once (the rejection with its comment). Killed after the
// message reached the outbox but before its notice was marked queued, the
// pass queues it again: one duplicate, never a loss.
func TestCrashBetweenCommitAndQueueingLosesNoNotice(t *testing.T) {
	dir := noticeCrashStore(t, 3)
	cases := []struct {
		mode string
		want map[string]int
	}{
		{crashAfterCommit, map[string]int{"R-1 received": 1}},
		{crashAfterRejectCommit, map[string]int{"R-1 received": 1, "R-1 rejected": 1}},
		{crashAfterOutbox, map[string]int{"R-1 received": 1, "R-1 rejected": 1, "R-2 received": 2}},
	}
	for _, c := range cases {
		killed, err := runNoticeCrash(t, dir, c.mode, time.Minute)
		if killed || err == nil || err.Error() != "signal: killed" {
			t.Fatalf("%s: the child did not kill itself: killed by the test %v, %v", c.mode, killed, err)
		}
		st, got := afterCrash(t, dir)
		if c.mode == crashAfterRejectCommit && !strings.Contains(outboxTexts(t, st), noticeCrashComment) {
			t.Errorf("%s: the rejection message lacks its comment", c.mode)
		}
		st.Close()
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Fatalf("%s: outbox %v after one pass, want %v", c.mode, got, c.want)
		}
	}
}

// TestCrashWhileMakingRequestsLosesNoNotice SIGKILLs a process that makes
// requests (and rejects every third) with their messages at random
// moments, at least 12 times. After every kill, the store passes Check and
// one runner pass leaves no notice pending; every request has its
// "received" message and every rejected one its "rejected" message, each
// once or (killed between the outbox and the marker) twice, and there are
// no more duplicates than kills.
func TestCrashWhileMakingRequestsLosesNoNotice(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes several seconds")
	}
	const maxRuns = 40
	dir := noticeCrashStore(t, maxRuns*noticeLoopMax)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills, runs := 0, 0
	// span is how long a child takes to start and make its requests on
	// this machine, learnt from the runs that ended on their own: the kill
	// lands at a random moment within it.
	span := 300 * time.Millisecond
	for kills < 12 && runs < maxRuns {
		runs++
		delay := span/5 + time.Duration(rng.Int63n(int64(span)))
		start := time.Now()
		killed, err := runNoticeCrash(t, dir, crashLoop, delay)
		if !killed && err != nil {
			t.Fatalf("run %d: the child failed: %v", runs, err)
		}
		if killed {
			kills++
		} else {
			span = time.Since(start)
		}
		st, got := afterCrash(t, dir)
		rs, err := st.Requests(store.RequestFilter{})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		dups, want := 0, 0
		for _, r := range rs {
			kinds := []string{"received"}
			if r.State == model.RequestRejected {
				kinds = append(kinds, "rejected")
			}
			for _, k := range kinds {
				want++
				switch n := got[r.ID()+" "+k]; n {
				case 1:
				case 2:
					dups++
				default:
					t.Fatalf("run %d (killed %v after %s): request %s has %d %s message(s), want 1 or 2", runs, killed, delay, r.ID(), n, k)
				}
			}
		}
		total := 0
		for _, n := range got {
			total += n
		}
		if total != want+dups {
			t.Fatalf("run %d: %d notice messages in the outbox, want %d (and %d duplicates)", runs, total, want, dups)
		}
		if dups > kills {
			t.Fatalf("run %d: %d duplicate messages after %d kills", runs, dups, kills)
		}
	}
	if kills < 12 {
		t.Fatalf("only %d of %d runs were killed", kills, runs)
	}
}

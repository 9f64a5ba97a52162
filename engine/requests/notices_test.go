package requests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// noticeCounts counts the outbox's "received" and "rejected" messages by
// request ID and kind ("R-3 received").
func noticeCounts(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range outboxEntries(t, st) {
		var id, kind string
		if _, err := fmt.Sscanf(e.Subject, "Your software token request %s was %s", &id, &kind); err == nil {
			out[id+" "+kind]++
		}
	}
	return out
}

// outboxEntries lists st's outbox, as `mail outbox` does.
func outboxEntries(t testing.TB, st *store.Store) []swmail.Entry {
	t.Helper()
	o, err := swmail.OpenOutbox(st.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	list, err := o.List()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func outboxTexts(t testing.TB, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	files, err := filepath.Glob(filepath.Join(st.DataDir(), "outbox", "new", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

func noPendingNotices(t testing.TB, st *store.Store) {
	t.Helper()
	if ns, err := st.PendingNotices(); err != nil || len(ns) != 0 {
		t.Fatalf("pending notices %+v (%v), want none", ns, err)
	}
}

// reject rejects r with the comment.
func reject(t testing.TB, st *store.Store, r model.Request, comment string) model.Request {
	t.Helper()
	d := storeDecision(r)
	d.Comment = comment
	rej, err := st.RejectRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	return rej
}

// Notices left pending (as a process killed right after the commit leaves
// them: the requests exist, no message was queued) are queued by the next
// runner pass, the rejection with the comment of the request's history,
// their markers removed and audited; neither a later pass nor a new
// runner (a restart) queues them again.
func TestRunnerPassQueuesNoticesLeftByACrashOnce(t *testing.T) {
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{})
	defer st.Close()
	addUsers(t, st, "req", 2)
	r1 := request(t, st, "req1", fileProfile, "")
	r2 := request(t, st, "req2", ctfProfile, "")
	reject(t, st, r2, rejectText)

	runner := NewRunner(st, Options{Mail: true})
	res, err := runner.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Notice{{Seq: r1.Seq, Kind: store.NoticeReceived}, {Seq: r2.Seq, Kind: store.NoticeReceived}, {Seq: r2.Seq, Kind: store.NoticeRejected}}
	if fmt.Sprint(res.Notices.Queued) != fmt.Sprint(want) || len(res.Notices.Dropped) != 0 {
		t.Fatalf("pass queued notices %+v, want %+v", res.Notices, want)
	}
	noPendingNotices(t, st)
	wantCounts := map[string]int{"R-1 received": 1, "R-2 received": 1, "R-2 rejected": 1}
	if got := noticeCounts(t, st); fmt.Sprint(got) != fmt.Sprint(wantCounts) {
		t.Fatalf("outbox %v, want %v", got, wantCounts)
	}
	if !strings.Contains(outboxTexts(t, st), rejectText) {
		t.Error("the rejection message lacks the comment from the request's history")
	}
	var queueRecs int
	for _, rec := range mailAudit(t, st) {
		if rec.Action == "mail queue" {
			queueRecs++
		}
	}
	if queueRecs != 3 {
		t.Errorf("%d mail queue records, want 3", queueRecs)
	}

	// A change makes the runner read again; a new runner reads at once.
	request(t, st, "req2", fileProfile, "")
	if err := QueueReceived(st, mustMailer(t, st), mustRequest(t, st, "R-3")); err != nil {
		t.Fatal(err)
	}
	for _, rn := range []*Runner{runner, NewRunner(st, Options{Mail: true})} {
		res, err := rn.Pass(context.Background())
		if err != nil || len(res.Notices.Queued) != 0 {
			t.Fatalf("a later pass queued %+v (%v)", res.Notices, err)
		}
	}
	wantCounts["R-3 received"] = 1
	if got := noticeCounts(t, st); fmt.Sprint(got) != fmt.Sprint(wantCounts) {
		t.Fatalf("outbox after later passes %v, want %v", got, wantCounts)
	}
}

func mustMailer(t testing.TB, st *store.Store) *swmail.Mailer {
	t.Helper()
	m, err := NewMailer(st)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustRequest(t testing.TB, st *store.Store, id string) model.Request {
	t.Helper()
	r, err := st.Request(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The message goes to the outbox before the marker is removed: while it
// is being written the notice is still pending, and an outbox that cannot
// be written leaves the notice pending for the next pass (nothing lost).
// Once the message is in, the marker is still there until the store
// records it queued (so a crash at that point sends it again, at worst).
func TestQueueReceivedWritesTheMessageBeforeClearingTheNotice(t *testing.T) {
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{})
	defer st.Close()
	addUsers(t, st, "req", 1)
	r := request(t, st, "req1", fileProfile, "")
	m := mustMailer(t, st)

	// The outbox cannot be written (its new/ is a file: root ignores
	// permissions): an error, and the notice stays.
	newDir := filepath.Join(m.Outbox.Dir, "new")
	if err := os.Rename(newDir, newDir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := QueueReceived(st, m, r); err == nil {
		t.Fatal("queueing into an unwritable outbox succeeded")
	}
	if err := os.Remove(newDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(newDir+".away", newDir); err != nil {
		t.Fatal(err)
	}
	if ns, _ := st.PendingNotices(); len(ns) != 1 {
		t.Fatalf("after a failed queueing, pending notices %+v, want the received one", ns)
	}

	// Between the outbox and the store: the message is in, the marker too.
	var inOutbox, stillPending bool
	noticeInOutbox = func(n store.Notice) {
		inOutbox = noticeCounts(t, st)[r.ID()+" received"] == 1
		ns, _ := st.PendingNotices()
		stillPending = len(ns) == 1 && ns[0] == n
	}
	defer func() { noticeInOutbox = nil }()
	if err := QueueReceived(st, m, r); err != nil {
		t.Fatal(err)
	}
	if !inOutbox || !stillPending {
		t.Fatalf("once queued: message in the outbox %v, notice still pending %v; want both", inOutbox, stillPending)
	}
	noPendingNotices(t, st)
	if got := noticeCounts(t, st); got[r.ID()+" received"] != 1 {
		t.Fatalf("outbox %v, want one received message", got)
	}
}

// A runner pass and the process that made the requests queue their
// notices at the same time: each message is queued once (the notice
// lock), not once by each.
func TestConcurrentQueueingQueuesEachNoticeOnce(t *testing.T) {
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{})
	defer st.Close()
	const n = 12
	users := addUsers(t, st, "req", n)
	var rs []model.Request
	for _, u := range users {
		rs = append(rs, request(t, st, u, fileProfile, ""))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	wg.Add(2)
	go func() {
		defer wg.Done()
		m := mustMailer(t, st)
		for _, r := range rs {
			errs <- QueueReceived(st, m, r)
		}
	}()
	go func() {
		defer wg.Done()
		m := mustMailer(t, st)
		for range n {
			_, err := MailNotices(st, m)
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	noPendingNotices(t, st)
	got := noticeCounts(t, st)
	for _, r := range rs {
		if c := got[r.ID()+" received"]; c != 1 {
			t.Errorf("request %s: %d received messages, want 1", r.ID(), c)
		}
	}
}

// A notice whose user no longer has an e-mail address can never be sent:
// the pass drops its marker with a "mail drop" record saying why, queues
// nothing, and reports it; the next pass does not report it again.
func TestNoticeOfAUserWithoutEmailIsDroppedAndAudited(t *testing.T) {
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{})
	defer st.Close()
	addUsers(t, st, "req", 1)
	r := request(t, st, "req1", fileProfile, "")
	if _, err := st.ImportUsers([]model.User{{ID: "req1", FirstName: "Req", LastName: "1"}}, "users.csv", store.ImportOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	m := mustMailer(t, st)
	res, err := MailNotices(st, m)
	if err != nil {
		t.Fatal(err)
	}
	wantDrop := `request R-1: the received message was not queued: user "req1" has no e-mail address`
	if len(res.Queued) != 0 || len(res.Dropped) != 1 || res.Dropped[0] != wantDrop {
		t.Fatalf("result %+v, want the drop %q", res, wantDrop)
	}
	noPendingNotices(t, st)
	if got := noticeCounts(t, st); len(got) != 0 {
		t.Fatalf("outbox %v, want nothing", got)
	}
	recs := mailAudit(t, st)
	if len(recs) != 1 || recs[0].Action != "mail drop" || recs[0].Object != "request "+r.ID() ||
		recs[0].Details != `received message not queued: user "req1" has no e-mail address` {
		t.Fatalf("mail records %+v", recs)
	}
	if res, err := MailNotices(st, m); err != nil || len(res.Dropped)+len(res.Queued) != 0 {
		t.Fatalf("a second pass: %+v %v", res, err)
	}
}

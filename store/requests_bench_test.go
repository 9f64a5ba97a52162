package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Run: go test -run='^$' -bench=Requests100k -benchmem ./store/
//
// BenchmarkRequests100k measures Store.Requests over 100,000 stored
// requests: every request (the console's Requests screen), the pending
// ones (CountRequests, the Home count) and one user's (the per-user
// index).

// benchRequest is request number seq as CreateRequest would store it:
// created, one event of history, and for every third one an approval and
// its event; the states cycle so every tab has requests.
func benchRequest(seq uint64) model.Request {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Minute)
	states := []model.RequestState{model.RequestPending, model.RequestPending, model.RequestFulfilled, model.RequestRejected, model.RequestCanceled}
	r := model.Request{Seq: seq, User: fmt.Sprintf("user%06d", seq%20000), Kind: model.RequestNew,
		Profile: fmt.Sprintf("Staff profile %d", seq%7),
		Binding: model.Binding{Kind: model.BindingClass, Value: "9c4f4d9e-1f2b-4b73-a9a8-5f6b2f0c8e11"},
		Reason:  "new phone", Origin: model.OriginConsole, State: states[seq%uint64(len(states))],
		Created: at, CreatedBy: "helpdesk", Revision: 1,
		History: []model.RequestEvent{{At: at, Actor: "helpdesk", Action: "created", State: model.RequestPending}}}
	if seq%3 == 0 {
		r.Approvals = []model.Approval{{Admin: "carol", At: at.Add(time.Hour), Comment: "ok", Note: "checked HR"}}
		r.History = append(r.History, model.RequestEvent{At: at.Add(time.Hour), Actor: "carol", Action: "approval", State: r.State, Comment: "ok", Note: "checked HR"})
		r.Revision = 2
	}
	if r.State == model.RequestFulfilled {
		r.Serial = fmt.Sprintf("%012d", 100000000000+seq)
	}
	return r
}

// bulkRequests writes requests 1..n straight into the buckets, with the
// per-user index and the bucket's sequence, as CreateRequest would (no
// rule checks, no audit), 10,000 to a transaction.
func bulkRequests(tb testing.TB, s *Store, n int) {
	tb.Helper()
	const batch = 10_000
	for lo := 1; lo <= n; lo += batch {
		err := s.Update(func(tx *Tx) error {
			b := tx.tx.Bucket(bucketRequests)
			byUser := tx.tx.Bucket(bucketRequestsByUser)
			b.FillPercent, byUser.FillPercent = 1, 1 // sequential keys
			for seq := uint64(lo); seq < uint64(min(lo+batch, n+1)); seq++ {
				r := benchRequest(seq)
				if err := putJSON(b, itob(seq), encodeRequest(r)); err != nil {
					return err
				}
				if err := byUser.Put(requestUserKey(r.User, seq), nil); err != nil {
					return err
				}
			}
			return b.SetSequence(uint64(min(lo+batch-1, n)))
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkRequests100k(b *testing.B) {
	const n = 100_000
	s, err := Open(Options{DataDir: filepath.Join(b.TempDir(), "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bulkRequests(b, s, n)
	run := func(b *testing.B, f RequestFilter, want int) {
		var got int
		for b.Loop() {
			rs, err := s.Requests(f)
			if err != nil {
				b.Fatal(err)
			}
			got = len(rs)
		}
		if got != want {
			b.Fatalf("%d requests, want %d", got, want)
		}
		b.ReportMetric(float64(got), "requests")
	}
	b.Run("all", func(b *testing.B) { run(b, RequestFilter{}, n) })
	b.Run("pending", func(b *testing.B) {
		run(b, RequestFilter{States: []model.RequestState{model.RequestPending}}, n*2/5)
	})
	b.Run("count-pending", func(b *testing.B) {
		for range b.N {
			if got, err := s.CountRequests(model.RequestPending); err != nil || got != n*2/5 {
				b.Fatalf("%d pending, %v", got, err)
			}
		}
	})
	b.Run("one-user", func(b *testing.B) { run(b, RequestFilter{User: "user000042"}, n/20000) })
}

// TestBulkRequestsReadBackAsStored keeps the benchmark's bulk writer
// honest: what it writes reads back through Requests, and the per-user
// index as CreateRequest's records do.
func TestBulkRequestsReadBackAsStored(t *testing.T) {
	s, err := Open(Options{DataDir: filepath.Join(t.TempDir(), "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bulkRequests(t, s, 25)
	rs, err := s.Requests(RequestFilter{})
	if err != nil || len(rs) != 25 {
		t.Fatalf("Requests: %d, %v", len(rs), err)
	}
	if rs[2].Seq != 3 || rs[2].User != "user000003" || len(rs[2].Approvals) != 1 || rs[2].State != benchRequest(3).State {
		t.Errorf("request 3 read back as %+v", rs[2])
	}
	mine, err := s.Requests(RequestFilter{User: "user000007"})
	if err != nil || len(mine) != 1 || mine[0].Seq != 7 {
		t.Errorf("user000007's requests: %v, %v", mine, err)
	}
}

// TestRequestsByStateSelectAsDecodingDoes: the state read without
// decoding (peekRequestState) selects exactly the requests whose decoded
// state is selected, even when a user's name or reason spells a state
// key.
func TestRequestsByStateSelectAsDecodingDoes(t *testing.T) {
	s, err := Open(Options{DataDir: filepath.Join(t.TempDir(), "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bulkRequests(t, s, 30)
	err = s.Update(func(tx *Tx) error {
		r := benchRequest(31) // rejected
		r.User, r.Reason = `x","state":"pending`, `"state":"pending"`
		return putJSON(tx.tx.Bucket(bucketRequests), itob(31), encodeRequest(r))
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Requests(RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sts := range [][]model.RequestState{{model.RequestPending}, {model.RequestRejected}, {model.RequestFulfilled, model.RequestCanceled}} {
		f := RequestFilter{States: sts}
		var want []uint64
		for _, r := range all {
			if f.keep(r) {
				want = append(want, r.Seq)
			}
		}
		rs, err := s.Requests(f)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, r := range rs {
			got = append(got, r.Seq)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v selects %v, want %v", sts, got, want)
		}
		if len(sts) == 1 {
			if n, err := s.CountRequests(sts[0]); err != nil || n != len(want) {
				t.Errorf("CountRequests(%s) = %d, %v; want %d", sts[0], n, err, len(want))
			}
		}
	}
}

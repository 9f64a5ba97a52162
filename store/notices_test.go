package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

func pendingNotices(t *testing.T, s *Store) []Notice {
	t.Helper()
	ns, err := s.PendingNotices()
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// Creating a request records its "received" notice in the creating
// transaction itself (the change counter moves by one: no second
// transaction), and a refused request records none.
func TestCreateRequestRecordsReceivedNoticeInItsTransaction(t *testing.T) {
	s, _ := requestStore(t)
	if got := pendingNotices(t, s); len(got) != 0 {
		t.Fatalf("a store without requests has notices %+v", got)
	}
	before, err := s.ChangeCounter()
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s.ChangeCounter()
	if after != before+1 {
		t.Fatalf("creating a request took %d write transactions, want 1", after-before)
	}
	if got, want := pendingNotices(t, s), []Notice{{r.Seq, NoticeReceived}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pending notices %+v, want %+v", got, want)
	}
	// A refused request (the user has no e-mail) leaves no notice.
	if _, err := s.CreateRequest(model.RequestInput{User: "nomail", Origin: model.OriginCLI}); err == nil {
		t.Fatal("a request for a user without e-mail was accepted")
	}
	if got := pendingNotices(t, s); len(got) != 1 {
		t.Fatalf("a refused request left notices: %+v", got)
	}
}

// Rejecting records the "rejected" notice in the rejecting transaction,
// next to a "received" one still owed; approving, deferring and a
// rejection refused as a conflict record none.
func TestRejectRequestRecordsRejectedNoticeInItsTransaction(t *testing.T) {
	s, _ := requestStore(t)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	d := RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "later"}
	deferred, err := s.DeferRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Comment = "no budget"
	if _, err := s.RejectRequest(d); err == nil {
		t.Fatal("a rejection of a changed request was saved")
	}
	if got := pendingNotices(t, s); !reflect.DeepEqual(got, []Notice{{r.Seq, NoticeReceived}}) {
		t.Fatalf("after a deferral and a refused rejection: %+v", got)
	}
	before, _ := s.ChangeCounter()
	d.Revision = deferred.Revision
	if _, err := s.RejectRequest(d); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.ChangeCounter(); after != before+1 {
		t.Fatalf("rejecting took %d write transactions, want 1", after-before)
	}
	want := []Notice{{r.Seq, NoticeReceived}, {r.Seq, NoticeRejected}}
	if got := pendingNotices(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("pending notices %+v, want %+v", got, want)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("a store with pending notices: %v", err)
	}
}

// NoticeQueued removes exactly the marker named; removing it again, or
// from a store that never had the bucket, does nothing.
func TestNoticeQueuedClearsOnlyThatMarker(t *testing.T) {
	s, _ := requestStore(t)
	if err := s.NoticeQueued(5, NoticeReceived); err != nil {
		t.Fatalf("no bucket yet: %v", err)
	}
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RejectRequest(RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "no"}); err != nil {
		t.Fatal(err)
	}
	if err := s.NoticeQueued(r.Seq, NoticeReceived); err != nil {
		t.Fatal(err)
	}
	if got := pendingNotices(t, s); !reflect.DeepEqual(got, []Notice{{r.Seq, NoticeRejected}}) {
		t.Fatalf("after clearing the received notice: %+v", got)
	}
	for range 2 {
		if err := s.NoticeQueued(r.Seq, NoticeRejected); err != nil {
			t.Fatal(err)
		}
	}
	if got := pendingNotices(t, s); len(got) != 0 {
		t.Fatalf("after clearing both: %+v", got)
	}
}

// Check passes a store without the notices bucket (every store before it
// existed) and reports a marker for a missing request, a malformed key and
// a rejected notice for a request that is not rejected.
func TestCheckFindsDamagedNotices(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"notice for a missing request", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsNotices).Put(noticeKey(42, NoticeReceived), nil)
		}, "a received notice is pending for request R-42, which does not exist"},
		{"malformed key", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsNotices).Put(append(itob(1), "approved"...), nil)
		}, `requests_notices key "\x00\x00\x00\x00\x00\x00\x00\x01approved" is malformed`},
		{"rejected notice for a pending request", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsNotices).Put(noticeKey(1, NoticeRejected), nil)
		}, "request R-1 is pending but a rejected notice is pending for it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, dir := requestStore(t)
			if _, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword}); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			rawUpdate(t, dir, func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketRequestsNotices) })
			s2, err := Open(Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if err := s2.Check(); err != nil {
				t.Fatalf("a store without the notices bucket: %v", err)
			}
			s2.Close()
			rawUpdate(t, dir, func(tx *bolt.Tx) error {
				if _, err := tx.CreateBucketIfNotExists(bucketRequestsNotices); err != nil {
					return err
				}
				return c.damage(tx)
			})
			s3, err := Open(Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer s3.Close()
			err = s3.Check()
			var ce *CheckError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("the report lacks %q:\n%v", c.want, err)
			}
		})
	}
}

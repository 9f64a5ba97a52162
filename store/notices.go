package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// Pending request notices (product.md section 12: "nothing is lost on a
// crash"). The transaction that creates a request records that its
// "received" e-mail is owed, and the one that rejects it that its
// "rejected" e-mail is owed, so a crash between that commit and the
// queueing of the message cannot lose it: the engine (engine/requests)
// queues what is pending and then removes the marker (NoticeQueued).
//
//	requests_notices/                     created by the first write that
//	                                      needs it (a store without it has
//	                                      no pending notice)
//	  <u64 seq> <kind> -> empty           the request's number, then the
//	                                      kind as ASCII ("received" or
//	                                      "rejected"): a request may owe
//	                                      both. The rejection's comment is
//	                                      the request's (its history), not
//	                                      stored again.
var bucketRequestsNotices = []byte("requests_notices")

// NoticeKind is the e-mail a request's user is owed.
type NoticeKind string

const (
	NoticeReceived NoticeKind = "received" // the request was made
	NoticeRejected NoticeKind = "rejected" // an approver rejected it
)

// Valid reports whether k is a known kind.
func (k NoticeKind) Valid() bool { return k == NoticeReceived || k == NoticeRejected }

// Notice is a pending notice: the request's number and the message owed.
type Notice struct {
	Seq  uint64
	Kind NoticeKind
}

func noticeKey(seq uint64, kind NoticeKind) []byte {
	return append(itob(seq), kind...)
}

// putNotice records that the user of request seq is owed the kind of
// message; the caller's transaction is the one that made it so.
func (t *Tx) putNotice(seq uint64, kind NoticeKind) error {
	b, err := t.tx.CreateBucketIfNotExists(bucketRequestsNotices)
	if err != nil {
		return err
	}
	return b.Put(noticeKey(seq, kind), nil)
}

// NoticePending reports whether the notice is still owed.
func (t *Tx) NoticePending(seq uint64, kind NoticeKind) bool {
	b := t.tx.Bucket(bucketRequestsNotices)
	return b != nil && b.Get(noticeKey(seq, kind)) != nil
}

// NoticeQueued removes the marker of a notice (the engine, once the message
// is in the outbox, or when it cannot be sent at all). Removing a marker
// that is not there does nothing.
func (t *Tx) NoticeQueued(seq uint64, kind NoticeKind) error {
	b := t.tx.Bucket(bucketRequestsNotices)
	if b == nil {
		return nil
	}
	return b.Delete(noticeKey(seq, kind))
}

// NoticeQueued removes the marker of a notice in a transaction of its own.
func (s *Store) NoticeQueued(seq uint64, kind NoticeKind) error {
	return s.Update(func(tx *Tx) error { return tx.NoticeQueued(seq, kind) })
}

// PendingNotices lists the notices still owed, by request number, a
// request's "received" before its "rejected". A malformed key is skipped
// here (Check reports it).
func (s *Store) PendingNotices() (out []Notice, err error) {
	err = s.View(func(tx *Tx) error {
		out = out[:0]
		b := tx.tx.Bucket(bucketRequestsNotices)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			if n, ok := decodeNoticeKey(k); ok {
				out = append(out, n)
			}
			return nil
		})
	})
	return out, err
}

func decodeNoticeKey(k []byte) (Notice, bool) {
	if len(k) <= 8 {
		return Notice{}, false
	}
	n := Notice{Seq: btoi(k[:8]), Kind: NoticeKind(k[8:])}
	return n, n.Kind.Valid()
}

// checkNotices is Check's part for the pending notices: every key is
// well formed, names a request that exists, and a "rejected" notice a
// rejected request.
func checkNotices(tx *bolt.Tx, requests *bolt.Bucket, bad func(string, ...any)) {
	b := tx.Bucket(bucketRequestsNotices)
	if b == nil {
		return
	}
	b.ForEach(func(k, _ []byte) error {
		n, ok := decodeNoticeKey(k)
		if !ok {
			bad("requests_notices key %q is malformed", k)
			return nil
		}
		v := requests.Get(itob(n.Seq))
		if v == nil {
			bad("a %s notice is pending for request %s, which does not exist", n.Kind, model.RequestID(n.Seq))
			return nil
		}
		if r, err := decodeRequest(itob(n.Seq), v); err == nil && n.Kind == NoticeRejected && r.State != model.RequestRejected {
			bad("request %s is %s but a rejected notice is pending for it", r.ID(), r.State)
		}
		return nil
	})
}

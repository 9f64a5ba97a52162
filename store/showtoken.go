package store

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Show my token (product.md section 13): a user sees the CTF string of a
// fulfilled CTF request once, in the Self-Service Console. Two buckets,
// created by the first write that needs them:
//
//	requests_show/   <u64 seq> -> sealed CTF string (AAD "requestshow:"+<decimal seq>),
//	                 put by CommitFulfilment of a CTF delivery, deleted by ShowToken
//	requests_shown/  <u64 seq> -> RFC 3339 time (UTC) the token was shown
//
// The mail deletes its own sealed delivery (requests_deliveries), not this
// copy.

var (
	bucketRequestsShow  = []byte("requests_show")
	bucketRequestsShown = []byte("requests_shown")
)

// ShowAAD names the record a request's sealed show copy belongs to.
func ShowAAD(seq uint64) []byte {
	return []byte("requestshow:" + strconv.FormatUint(seq, 10))
}

// ErrAlreadyShown is wrapped (in an *AlreadyShownError) when a request's
// token was shown already.
var ErrAlreadyShown = errors.New("the token was shown already; it is shown only once")

// AlreadyShownError says when the token was shown.
type AlreadyShownError struct{ At time.Time }

func (e *AlreadyShownError) Error() string {
	return fmt.Sprintf("the token was shown already, on %s; it is shown only once (ask an admin for a replacement if it was not saved)",
		e.At.UTC().Format("2006-01-02 15:04 UTC"))
}

// Unwrap makes errors.Is(err, ErrAlreadyShown) true.
func (e *AlreadyShownError) Unwrap() error { return ErrAlreadyShown }

// ErrNotFulfilled is wrapped by ShowToken for a request that is not
// fulfilled (yet).
var ErrNotFulfilled = errors.New("the request is not fulfilled")

// ErrNotCTFDelivery is wrapped by ShowToken for a request whose token was
// not delivered as a CTF string (a token file goes by mail only).
var ErrNotCTFDelivery = errors.New("the token was not delivered as a CTF string, so it cannot be shown; it was sent by e-mail")

// putShowCopy seals and keeps the CTF string for ShowToken.
func (t *Tx) putShowCopy(seq uint64, ctf string) error {
	if ctf == "" {
		return fmt.Errorf("request %s: the CTF delivery has no CTF string", model.RequestID(seq))
	}
	b, err := t.tx.CreateBucketIfNotExists(bucketRequestsShow)
	if err != nil {
		return err
	}
	plain := []byte(ctf)
	sealed, err := t.Seal(plain, ShowAAD(seq))
	clear(plain)
	if err != nil {
		return err
	}
	return b.Put(itob(seq), sealed)
}

func (t *Tx) shownAt(seq uint64) (time.Time, bool, error) {
	b := t.tx.Bucket(bucketRequestsShown)
	if b == nil {
		return time.Time{}, false, nil
	}
	v := b.Get(itob(seq))
	if v == nil {
		return time.Time{}, false, nil
	}
	at, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return time.Time{}, true, fmt.Errorf("request %s: the time its token was shown is unreadable: the store is damaged", model.RequestID(seq))
	}
	return at, true, nil
}

func (t *Tx) hasShowCopy(seq uint64) bool {
	b := t.tx.Bucket(bucketRequestsShow)
	return b != nil && b.Get(itob(seq)) != nil
}

// ShowToken returns the CTF string of user's fulfilled CTF request id once: in one write
// transaction it unseals and deletes the copy, records the time shown (bucket requests_shown)
// and audits "request token shown" (never the string). A request of another user reads as
// "no such request". Errors: not fulfilled yet, not a CTF delivery, *AlreadyShownError.
func (s *Store) ShowToken(id, user string, now time.Time) (string, error) {
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return "", err
	}
	var out string
	err = s.Update(func(tx *Tx) error {
		out = ""
		r, err := tx.Request(seq)
		if err != nil {
			return err
		}
		if r.User != user {
			return fmt.Errorf("request %s: %w", model.RequestID(seq), ErrNotFound)
		}
		if at, shown, err := tx.shownAt(seq); err != nil {
			return err
		} else if shown {
			return &AlreadyShownError{At: at}
		}
		if r.State != model.RequestFulfilled {
			return fmt.Errorf("request %s is %s: %w", r.ID(), r.State, ErrNotFulfilled)
		}
		b := tx.tx.Bucket(bucketRequestsShow)
		var sealed []byte
		if b != nil {
			sealed = b.Get(itob(seq))
		}
		if sealed == nil {
			if d, found, err := tx.RequestDelivery(seq); err == nil && found && d.Kind != DeliveryCTF {
				return fmt.Errorf("request %s: %w", r.ID(), ErrNotCTFDelivery)
			}
			if p, err := tx.Profile(r.Profile); err == nil && p.DeliveryMethod.IsFileBased() {
				return fmt.Errorf("request %s: %w", r.ID(), ErrNotCTFDelivery)
			}
			return fmt.Errorf("request %s: no copy of its token is kept to show (it was fulfilled before tokens could be shown, or delivered as a file); ask an admin", r.ID())
		}
		plain, err := tx.Unseal(sealed, ShowAAD(seq))
		if err != nil {
			return fmt.Errorf("the token copy of request %s: %w", r.ID(), err)
		}
		out = string(plain)
		clear(plain)
		if err := b.Delete(itob(seq)); err != nil {
			return err
		}
		shown, err := tx.tx.CreateBucketIfNotExists(bucketRequestsShown)
		if err != nil {
			return err
		}
		if err := shown.Put(itob(seq), []byte(now.UTC().Format(time.RFC3339Nano))); err != nil {
			return err
		}
		return tx.AppendAudit("request token shown", "request "+r.ID(),
			fmt.Sprintf("token %s shown to user %s in the Self-Service Console", r.Serial, r.User))
	})
	if err != nil {
		return "", err
	}
	return out, nil
}

// TokenShown says whether user's request id was shown (and when) and whether a copy waits.
func (s *Store) TokenShown(id string) (at time.Time, waiting bool, err error) {
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return time.Time{}, false, err
	}
	err = s.View(func(tx *Tx) error {
		at, waiting, err = tx.tokenShown(seq)
		return err
	})
	return at, waiting, err
}

// tokenShown is TokenShown inside a transaction, by sequence number.
func (t *Tx) tokenShown(seq uint64) (at time.Time, waiting bool, err error) {
	if _, err := t.Request(seq); err != nil {
		return time.Time{}, false, err
	}
	at, _, err = t.shownAt(seq)
	return at, t.hasShowCopy(seq), err
}

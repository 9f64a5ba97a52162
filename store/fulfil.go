package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Fulfilment of self-service requests (product.md section 12): the store
// side. The engine (engine/requests) picks a token, generates its seed and
// encodes the delivery outside any transaction; CommitFulfilment then
// re-checks everything and, in ONE write transaction, assigns the token,
// stores its new sealed seed, stores the sealed delivery for the mail to
// pick up, marks the request Fulfilled, destroys its password and audits.
// A crash before that commit changes nothing.

// DeliveryKind is the form of a fulfilled request's token.
type DeliveryKind string

const (
	DeliverySDTID DeliveryKind = "sdtid" // Data is the .sdtid file
	DeliveryCTF   DeliveryKind = "ctf"   // CTF is the string, Data its .ctf.txt
)

// Delivery is what a fulfilment hands to the mail: the token in the form the
// request's profile delivers. It holds the (password-protected, or merely
// obfuscated when the request has no password) seed, so the store keeps it
// sealed (AAD DeliveryAAD) until the mail deletes it.
type Delivery struct {
	Kind     DeliveryKind
	Serial   string
	FileName string // the attachment's name: USER_SERIAL.sdtid or .ctf.txt
	Data     []byte // the .sdtid file, or the CTF string's text file
	CTF      string // the CTF string or link (kind ctf)
	QRName   string // the QR image's name, "" when none (link forms only)
	QRPNG    []byte // the QR image of the link
}

const deliveryRecordVersion = 1

type deliveryJSON struct {
	V        int    `json:"v"`
	Kind     string `json:"kind"`
	Serial   string `json:"serial"`
	FileName string `json:"file_name"`
	Data     []byte `json:"data"`
	CTF      string `json:"ctf,omitempty"`
	QRName   string `json:"qr_name,omitempty"`
	QRPNG    []byte `json:"qr_png,omitempty"`
}

// DeliveryAAD names the record a request's sealed delivery belongs to:
// "requestdelivery:" and the request's decimal number.
func DeliveryAAD(seq uint64) []byte {
	return []byte("requestdelivery:" + strconv.FormatUint(seq, 10))
}

// ErrTokenUnavailable is returned by CommitFulfilment when the token picked
// is no longer available (assigned, disabled, changed or in a job since it
// was picked): the engine tries another token. Nothing changed.
var ErrTokenUnavailable = errors.New("the token is no longer available")

// ErrRequestNotApproved is returned by CommitFulfilment and FailRequest
// when the request is no longer approved (fulfilled by another process,
// canceled): the engine skips it. Nothing changed.
var ErrRequestNotApproved = errors.New("the request is no longer approved")

// TokenAvailable is the fulfilment's rule for a token that may be handed to
// a requesting user: software, unassigned, not disabled by the admin, not
// expired and not expiring within the replacement window (windowDays).
// Any algorithm is accepted: a fulfilled token always gets a fresh AES-128
// seed, as a distribution job's file does.
func TokenAvailable(t model.Token, now time.Time, windowDays int) bool {
	if t.Kind != model.KindSoftware || t.AssignedUser != "" || (t.EnabledSetByAdmin && !t.Enabled) {
		return false
	}
	if t.Death.IsZero() {
		return true
	}
	return !t.Expired(now) && t.DaysLeft(now) > windowDays
}

// AvailableTokens returns the serials of the tokens TokenAvailable accepts
// under the stored replacement window, in serial order, at most limit of
// them (0: all), skipping tokens held by a queued or running job.
func (s *Store) AvailableTokens(limit int) ([]string, error) {
	var out []string
	err := s.View(func(tx *Tx) error {
		out = out[:0]
		set, err := tx.Settings()
		if err != nil {
			return err
		}
		held, err := tx.UnfinishedJobHolder()
		if err != nil {
			return err
		}
		now := s.now()
		errEnough := errors.New("enough")
		err = tx.ScanTokens("", "", func(t model.Token) error {
			if !TokenAvailable(t, now, set.ReplacementWindowDays) {
				return nil
			}
			if _, ok := held(t.Serial); ok {
				return nil
			}
			out = append(out, t.Serial)
			if limit > 0 && len(out) >= limit {
				return errEnough
			}
			return nil
		})
		if errors.Is(err, errEnough) {
			return nil
		}
		return err
	})
	return out, err
}

// FulfilCommit is what the engine hands to CommitFulfilment for one request.
type FulfilCommit struct {
	Seq    uint64 // the request
	Serial string // the token picked, as stored
	// SealedSeed is the token's new seed, sealed with SealSeed(Serial, ...):
	// the seed inside Delivery.
	SealedSeed []byte
	// File is the code settings of the delivered token (from the profile),
	// recorded in the token's distribution for swtoken verify.
	File     model.FileSettings
	Delivery Delivery
}

// CommitFulfilment is the consistency rule for requests: in ONE write
// transaction it re-checks that the request is still approved
// (ErrRequestNotApproved otherwise) and the token still available under
// the stored settings (ErrTokenUnavailable otherwise), assigns the token to
// the request's user (model.CheckAssign: a user at the most tokens is
// refused with that error), stores its new sealed seed (AES-128, handed out
// once more, with the request's binding and nickname), stores the sealed
// delivery, marks the request Fulfilled with the serial, destroys its
// password and appends the audit record "request fulfil" (no secret).
// Either all of it commits or nothing does.
func (s *Store) CommitFulfilment(c FulfilCommit) (model.Request, error) {
	var out model.Request
	err := s.Update(func(tx *Tx) error {
		r, err := tx.Request(c.Seq)
		if err != nil {
			return err
		}
		if r.State != model.RequestApproved {
			return fmt.Errorf("request %s is %s: %w", r.ID(), r.State, ErrRequestNotApproved)
		}
		if c.Delivery.Serial != c.Serial {
			return fmt.Errorf("request %s: the delivery is for token %s, not %s", r.ID(), c.Delivery.Serial, c.Serial)
		}
		set, err := tx.Settings()
		if err != nil {
			return err
		}
		tok, err := tx.Token(c.Serial)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("token %s: %w", c.Serial, ErrTokenUnavailable)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if !TokenAvailable(tok, now, set.ReplacementWindowDays) {
			return fmt.Errorf("token %s: %w", c.Serial, ErrTokenUnavailable)
		}
		if err := tx.checkCanTake(tok, r.User); err != nil {
			return err
		}
		tok.Assign(r.User)
		tok.Algorithm = model.AlgAES128
		tok.SealedSeed = c.SealedSeed
		if err := s.checkSealedSeed(tok); err != nil {
			return err
		}
		d := tok.Distribution
		tok.Distribution = model.Distribution{
			Count: d.Count + 1, LastJob: r.ID(), LastAt: now,
			Binding: r.Binding.Value, BindingKind: r.Binding.Kind, Nickname: r.Nickname,
			Digits: c.File.Digits, IntervalSeconds: c.File.IntervalSeconds, AddPIN: c.File.AddPIN,
		}
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), "", tok); err != nil {
			var inJob *TokenInJobError
			if errors.As(err, &inJob) {
				return fmt.Errorf("%w: %v", ErrTokenUnavailable, err)
			}
			return err
		}
		if err := tx.putDelivery(c.Seq, c.Delivery); err != nil {
			return err
		}
		if c.Delivery.Kind == DeliveryCTF {
			if err := tx.putShowCopy(c.Seq, c.Delivery.CTF); err != nil {
				return err
			}
		}
		next, err := model.Fulfill(r, tok.Serial, now)
		if err != nil {
			return err
		}
		if err := tx.PutRequest(next); err != nil {
			return err
		}
		if err := tx.DestroyRequestSecret(c.Seq); err != nil {
			return err
		}
		details := fmt.Sprintf("token %s assigned to user %s with a new seed; delivery %s %q; binding: %s",
			tok.Serial, r.User, c.Delivery.Kind, c.Delivery.FileName, r.Binding.String())
		if err := tx.AppendAudit("request fulfil", "request "+r.ID(), details); err != nil {
			return err
		}
		out, err = tx.Request(c.Seq)
		return err
	})
	if err != nil {
		return model.Request{}, err
	}
	return out, nil
}

// FailRequest ends an approved request that cannot be fulfilled, with the
// reason (model.Fail): its password is destroyed and "request fail" is
// audited; no token changes. ErrRequestNotApproved when it is no longer
// approved.
func (s *Store) FailRequest(seq uint64, reason string) (model.Request, error) {
	var out model.Request
	err := s.Update(func(tx *Tx) error {
		r, err := tx.Request(seq)
		if err != nil {
			return err
		}
		if r.State != model.RequestApproved {
			return fmt.Errorf("request %s is %s: %w", r.ID(), r.State, ErrRequestNotApproved)
		}
		next, err := model.Fail(r, s.now(), reason)
		if err != nil {
			return err
		}
		if err := tx.PutRequest(next); err != nil {
			return err
		}
		if err := tx.DestroyRequestSecret(seq); err != nil {
			return err
		}
		if err := tx.AppendAudit("request fail", "request "+r.ID(), "failed: "+reason); err != nil {
			return err
		}
		out, err = tx.Request(seq)
		return err
	})
	return out, err
}

// putDelivery seals and stores a request's delivery.
func (t *Tx) putDelivery(seq uint64, d Delivery) error {
	b, err := t.tx.CreateBucketIfNotExists(bucketRequestsDeliveries)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(deliveryJSON{V: deliveryRecordVersion, Kind: string(d.Kind), Serial: d.Serial,
		FileName: d.FileName, Data: d.Data, CTF: d.CTF, QRName: d.QRName, QRPNG: d.QRPNG})
	if err != nil {
		return err
	}
	sealed, err := t.Seal(plain, DeliveryAAD(seq))
	clear(plain)
	if err != nil {
		return err
	}
	return b.Put(itob(seq), sealed)
}

// RequestDelivery unseals a fulfilled request's delivery; found is false
// when there is none (not fulfilled, or the mail deleted it).
func (t *Tx) RequestDelivery(seq uint64) (d Delivery, found bool, err error) {
	b := t.tx.Bucket(bucketRequestsDeliveries)
	if b == nil {
		return Delivery{}, false, nil
	}
	v := b.Get(itob(seq))
	if v == nil {
		return Delivery{}, false, nil
	}
	plain, err := t.Unseal(v, DeliveryAAD(seq))
	if err != nil {
		return Delivery{}, false, fmt.Errorf("the delivery of request %s: %w", model.RequestID(seq), err)
	}
	defer clear(plain)
	var j deliveryJSON
	if err := json.Unmarshal(plain, &j); err != nil {
		return Delivery{}, false, fmt.Errorf("the delivery of request %s is damaged: %w", model.RequestID(seq), err)
	}
	if j.V != deliveryRecordVersion {
		return Delivery{}, false, fmt.Errorf("the delivery of request %s has record version %d; this swtoken reads %d", model.RequestID(seq), j.V, deliveryRecordVersion)
	}
	return Delivery{Kind: DeliveryKind(j.Kind), Serial: j.Serial, FileName: j.FileName, Data: j.Data,
		CTF: j.CTF, QRName: j.QRName, QRPNG: j.QRPNG}, true, nil
}

// DeleteRequestDelivery removes a request's sealed delivery (the mail, once
// the message that carries it is sent or written to the outbox).
func (t *Tx) DeleteRequestDelivery(seq uint64) error {
	b := t.tx.Bucket(bucketRequestsDeliveries)
	if b == nil {
		return nil
	}
	return b.Delete(itob(seq))
}

// RequestDelivery returns the delivery of the request with this ID ("R-12"
// or "12"); found is false when there is none.
func (s *Store) RequestDelivery(id string) (d Delivery, found bool, err error) {
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return Delivery{}, false, err
	}
	err = s.View(func(tx *Tx) error {
		d, found, err = tx.RequestDelivery(seq)
		return err
	})
	return d, found, err
}

// replacedAction is the request history action recorded when the token a
// fulfilled replacement replaced is unassigned (its new token was first
// verified): it is done once per request.
const replacedAction = "replaced token unassigned"

// pendingReplacement finds the fulfilled replacement request that gave
// serial to its user and whose old token the user still holds.
func (t *Tx) pendingReplacement(serial string) (model.Request, bool, error) {
	tok, err := t.Token(serial)
	if err != nil || tok.AssignedUser == "" {
		return model.Request{}, false, err
	}
	rs, err := t.userRequests(tok.AssignedUser)
	if err != nil {
		return model.Request{}, false, err
	}
	for _, r := range rs {
		if r.Kind != model.RequestReplacement || r.State != model.RequestFulfilled || r.Serial != tok.Serial {
			continue
		}
		done := false
		for _, e := range r.History {
			done = done || e.Action == replacedAction
		}
		if done {
			continue
		}
		old, err := t.Token(r.Replaces)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return model.Request{}, false, err
		}
		if old.AssignedUser == r.User {
			return r, true, nil
		}
	}
	return model.Request{}, false, nil
}

// ReplacementVerified is called when a code of token serial was verified
// (swtoken verify): if serial was delivered by a fulfilled replacement
// request and the user still holds the token it replaces, that old token
// is unassigned (product.md section 12: RSA's behaviour), the request's
// history says so and "request replace" is audited, in one transaction.
// It returns the old serial, or "" when there was nothing to do (then it
// wrote nothing: the check is a read).
func (s *Store) ReplacementVerified(serial string) (old string, err error) {
	var found bool
	if err := s.View(func(tx *Tx) error {
		_, found, err = tx.pendingReplacement(serial)
		return err
	}); err != nil || !found {
		return "", err
	}
	err = s.Update(func(tx *Tx) error {
		r, found, err := tx.pendingReplacement(serial)
		if err != nil || !found {
			return err
		}
		tok, err := tx.Token(r.Replaces)
		if err != nil {
			return err
		}
		tok.Unassign()
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), r.User, tok); err != nil {
			return err
		}
		r.History = append(append([]model.RequestEvent(nil), r.History...), model.RequestEvent{
			At: s.now(), Actor: model.SystemActor, Action: replacedAction, State: r.State,
			Comment: "token " + tok.Serial + " unassigned: its replacement " + serial + " was verified"})
		if err := tx.PutRequest(r); err != nil {
			return err
		}
		old = tok.Serial
		return tx.AppendAudit("request replace", "request "+r.ID(),
			fmt.Sprintf("token %s unassigned from user %s: its replacement %s was first verified", tok.Serial, r.User, serial))
	})
	return old, err
}

// PendingDeliveries lists the requests (their numbers, in order) whose
// sealed delivery waits for the mail: fulfilled, not yet written to the
// outbox.
func (s *Store) PendingDeliveries() (seqs []uint64, err error) {
	err = s.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketRequestsDeliveries)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				seqs = append(seqs, binary.BigEndian.Uint64(k))
			}
			return nil
		})
	})
	return seqs, err
}

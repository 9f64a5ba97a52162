package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The audit trail is append-only and hash-chained:
//
//	MAC(n) = HMAC-SHA256(auditKey, canonical(record n) || MAC(n-1))
//
// where auditKey is derived from the store key (seal.go) and MAC(0) is 32 zero
// bytes. Editing a record breaks its own MAC; deleting or inserting one in the
// middle breaks the sequence and the next record's PrevMAC; deleting records
// at the end is caught by meta/audit_head, which holds the newest seq and MAC
// under a MAC of its own and is updated in the same transaction as the
// append. What it cannot detect: someone with the store key, or a rollback of
// the whole database file (and its key) to an older backup.
//
// Records never hold secrets. Callers build Details from non-secret facts
// (names, counts, paths, "password: set"); never a seed, a password or a key.

// noTokenChanged is what the audit record of a failed or canceled job
// says: the job committed nothing.
const noTokenChanged = "no token was changed"

// jobEndDetails is the details of a job's "job failure" or "job cancel"
// record: the reason, and that no token was changed, said once even when
// the reason says it already (the engine's disk-full text does).
func jobEndDetails(reason string) string {
	if strings.Contains(reason, noTokenChanged) {
		return reason
	}
	return reason + "; " + noTokenChanged
}

// AuditRecord is one entry of the audit trail.
type AuditRecord struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	OSUser    string    `json:"os_user"`
	SSHClient string    `json:"ssh_client,omitempty"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Details   string    `json:"details,omitempty"`
	PrevMAC   []byte    `json:"prev_mac"`
	MAC       []byte    `json:"mac"`
}

// auditHead is meta/audit_head.
type auditHead struct {
	Seq     uint64 `json:"seq"`
	MAC     []byte `json:"mac"`
	HeadMAC []byte `json:"head_mac"`
}

const macSize = sha256.Size

// auditCanonical is the byte string the MAC covers. It is a fixed binary
// layout (not JSON) so that re-encoding can never change it: a domain tag,
// seq, time in Unix nanoseconds, then length-prefixed fields.
func auditCanonical(r *AuditRecord) []byte {
	var b bytes.Buffer
	b.WriteString("swtoken audit record v1\x00")
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], r.Seq)
	b.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.Time.UnixNano()))
	b.Write(n[:])
	for _, f := range []string{r.OSUser, r.SSHClient, r.Action, r.Object, r.Details} {
		writeLP(&b, []byte(f))
	}
	writeLP(&b, r.PrevMAC)
	return b.Bytes()
}

func writeLP(b *bytes.Buffer, p []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(p)))
	b.Write(n[:])
	b.Write(p)
}

func (k *keySet) recordMAC(r *AuditRecord) []byte {
	m := hmac.New(sha256.New, k.auditMAC)
	m.Write(auditCanonical(r))
	return m.Sum(nil)
}

func (k *keySet) headMAC(h *auditHead) []byte {
	var b bytes.Buffer
	b.WriteString("swtoken audit head v1\x00")
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], h.Seq)
	b.Write(n[:])
	writeLP(&b, h.MAC)
	m := hmac.New(sha256.New, k.auditMAC)
	m.Write(b.Bytes())
	return m.Sum(nil)
}

// readHead returns the head, or the genesis head when no record was ever
// appended.
func readHead(meta *bolt.Bucket) (auditHead, error) {
	var h auditHead
	found, err := getJSON(meta, metaAuditHead, &h)
	if err != nil {
		return h, err
	}
	if !found {
		return auditHead{MAC: make([]byte, macSize)}, nil
	}
	return h, nil
}

// AppendAudit adds a record to the audit trail in this transaction, so it
// commits or rolls back together with the change it describes. details must
// not contain secrets.
func (t *Tx) AppendAudit(action, object, details string) error {
	if !t.tx.Writable() {
		return errors.New("audit: AppendAudit needs an Update transaction")
	}
	if action == "" {
		return errors.New("audit: empty action")
	}
	s := t.s
	meta := t.tx.Bucket(bucketMeta)
	audit := t.tx.Bucket(bucketAudit)
	if meta == nil || audit == nil {
		return errors.New("audit: store schema is missing the meta or audit bucket")
	}
	head, err := readHead(meta)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	// Refuse to extend a chain whose head was tampered with: appending would
	// re-MAC the head and hide the damage.
	if head.Seq > 0 && !hmac.Equal(head.HeadMAC, s.keys.headMAC(&head)) {
		return errors.New("audit: the audit head in the store is not authentic; run `swtoken audit verify`")
	}
	r := AuditRecord{
		Seq:       head.Seq + 1,
		Time:      s.now().UTC(),
		OSUser:    s.osUser,
		SSHClient: s.sshClient,
		Action:    action,
		Object:    object,
		Details:   details,
		PrevMAC:   head.MAC,
	}
	r.MAC = s.keys.recordMAC(&r)
	key := itob(r.Seq)
	if audit.Get(key) != nil {
		return fmt.Errorf("audit: record %d already exists beyond the head; run `swtoken audit verify`", r.Seq)
	}
	if err := putJSON(audit, key, &r); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	head = auditHead{Seq: r.Seq, MAC: r.MAC}
	head.HeadMAC = s.keys.headMAC(&head)
	if err := putJSON(meta, metaAuditHead, &head); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AppendAudit records an event that has no store change of its own (for
// example an output download) in its own transaction.
func (s *Store) AppendAudit(action, object, details string) error {
	return s.Update(func(tx *Tx) error { return tx.AppendAudit(action, object, details) })
}

// AuditFilter selects audit records. Zero fields do not filter.
type AuditFilter struct {
	Action    string    // exact action
	Object    string    // exact object
	Since     time.Time // records at or after
	Until     time.Time // records before
	BeforeSeq uint64    // records with a smaller seq (paging backwards)
	Limit     int       // at most this many
}

// AuditRecords returns matching records, newest first. It does not verify the
// chain; use VerifyAudit for that.
func (s *Store) AuditRecords(f AuditFilter) ([]AuditRecord, error) {
	var out []AuditRecord
	err := s.viewBolt(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if f.BeforeSeq > 0 {
			k, _ = c.Seek(itob(f.BeforeSeq))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil; k, v = c.Prev() {
			var r AuditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("audit record %x is unreadable: %w", k, err)
			}
			if f.BeforeSeq > 0 && r.Seq >= f.BeforeSeq {
				continue
			}
			if !f.Since.IsZero() && r.Time.Before(f.Since) {
				continue
			}
			if !f.Until.IsZero() && !r.Time.Before(f.Until) {
				continue
			}
			if f.Action != "" && r.Action != f.Action {
				continue
			}
			if f.Object != "" && r.Object != f.Object {
				continue
			}
			out = append(out, r)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// VerifyResult is the outcome of VerifyAudit. FirstBad is 0 and Reason is
// empty when the chain is intact; otherwise FirstBad is the seq of the first
// record that is wrong or missing.
type VerifyResult struct {
	Count    int
	FirstBad uint64
	Reason   string
}

// OK reports whether the chain is intact.
func (r VerifyResult) OK() bool { return r.FirstBad == 0 && r.Reason == "" }

// VerifyAudit walks the whole chain in one read transaction. An error is
// returned only when the check itself cannot run; a damaged chain is a
// result, with Count the number of records present.
func (s *Store) VerifyAudit() (VerifyResult, error) {
	if s.keys == nil {
		return VerifyResult{}, errors.New("store is closed")
	}
	var res VerifyResult
	err := s.viewBolt(func(tx *bolt.Tx) error {
		var err error
		res, err = s.keys.verifyAudit(tx)
		return err
	})
	return res, err
}

// verifyAudit is VerifyAudit inside a transaction (also used by Check).
func (ks *keySet) verifyAudit(tx *bolt.Tx) (VerifyResult, error) {
	var res VerifyResult
	err := func() error {
		meta := tx.Bucket(bucketMeta)
		b := tx.Bucket(bucketAudit)
		if meta == nil || b == nil {
			return errors.New("store schema is missing the meta or audit bucket")
		}
		res.Count = b.Stats().KeyN
		bad := func(seq uint64, format string, args ...any) error {
			res.FirstBad = seq
			res.Reason = fmt.Sprintf(format, args...)
			return nil
		}

		head, err := readHead(meta)
		if err != nil {
			return bad(1, "the audit head in meta is unreadable")
		}
		if head.Seq > 0 && !hmac.Equal(head.HeadMAC, ks.headMAC(&head)) {
			return bad(head.Seq, "the audit head in meta (seq %d) is not authentic", head.Seq)
		}

		prev := make([]byte, macSize)
		var want uint64 = 1
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return bad(want, "record %d: unexpected key %x in the audit bucket", want, k)
			}
			seq := btoi(k)
			if seq > head.Seq {
				return bad(seq, "record %d is beyond the audit head (seq %d): inserted or appended without the key", seq, head.Seq)
			}
			if seq != want {
				if seq > want {
					return bad(want, "record %d is missing (the next record is %d)", want, seq)
				}
				return bad(seq, "record %d is out of order", seq)
			}
			var r AuditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return bad(seq, "record %d is unreadable", seq)
			}
			if r.Seq != seq {
				return bad(seq, "record %d says it is record %d", seq, r.Seq)
			}
			if !hmac.Equal(r.PrevMAC, prev) {
				return bad(seq, "record %d does not chain to record %d (a record was removed, replaced or inserted)", seq, seq-1)
			}
			if !hmac.Equal(r.MAC, ks.recordMAC(&r)) {
				return bad(seq, "record %d was modified (its MAC does not match)", seq)
			}
			prev = r.MAC
			want++
		}
		last := want - 1
		if last < head.Seq {
			if last+1 == head.Seq {
				return bad(head.Seq, "record %d, the newest, is missing (the trail was truncated)", head.Seq)
			}
			return bad(last+1, "records %d to %d, the newest, are missing (the trail was truncated)", last+1, head.Seq)
		}
		if head.Seq > 0 && !hmac.Equal(prev, head.MAC) {
			return bad(head.Seq, "record %d is not the record the audit head recorded", head.Seq)
		}
		return nil
	}()
	return res, err
}

package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/swtoken/swtoken/model"
)

// This file holds the encoding of seeds/<SerialKey>: a token's key material
// and the facts of how it was handed out, in a compact binary record kept
// apart from the token's JSON record (tokens/<SerialKey>). A distribution
// job's commit rewrites only these records (about 60 bytes each, in key
// order), never the token records, so the one commit transaction of a
// 100,000-token job stays small. The layout is described in schema.go.

const seedRecordVersion = 1

// Algorithm codes in a seed record.
const (
	algCodeAES128 = 1
	algCodeSID64  = 2
)

// Forms of the distribution part of a seed record.
const (
	distNone   = 0 // no last job, time, binding or nickname
	distJobRef = 1 // those come from a completed job: uvarint job seq
	distInline = 2 // written out: time, binding kind, last job, binding, nickname
)

const seedFlagAddPIN = 1

// seedRecord is the decoded form of seeds/<SerialKey>. sealed aliases the
// input of decodeSeedRecord.
type seedRecord struct {
	alg      model.Algorithm
	digits   int
	interval int
	addPIN   bool
	sealed   []byte
	count    int
	form     byte
	jobSeq   uint64             // form distJobRef
	inline   model.Distribution // form distInline: LastJob, LastAt, Binding, BindingKind, Nickname
}

func algCode(a model.Algorithm) (byte, error) {
	switch a {
	case model.AlgAES128:
		return algCodeAES128, nil
	case model.AlgSID64:
		return algCodeSID64, nil
	}
	return 0, fmt.Errorf("algorithm %q cannot be stored", a)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendSeedRecord encodes r after b.
//
//	version(1) alg(1) digits(1) interval(1) flags(1) len(1) sealed(len)
//	uvarint count, form(1), then for distJobRef: uvarint seq; for distInline:
//	varint LastAt unix nanoseconds (0 = unset), then length-prefixed
//	binding kind, last job, binding, nickname.
func appendSeedRecord(b []byte, r *seedRecord) ([]byte, error) {
	ac, err := algCode(r.alg)
	if err != nil {
		return b, err
	}
	if len(r.sealed) == 0 || len(r.sealed) > 255 {
		return b, fmt.Errorf("sealed seed of %d bytes cannot be stored", len(r.sealed))
	}
	if r.digits < 0 || r.digits > 255 || r.interval < 0 || r.interval > 255 || r.count < 0 {
		return b, fmt.Errorf("code settings %d digits / %d s or count %d cannot be stored", r.digits, r.interval, r.count)
	}
	var flags byte
	if r.addPIN {
		flags |= seedFlagAddPIN
	}
	start := len(b) // an error returns b as it came
	b = append(b, seedRecordVersion, ac, byte(r.digits), byte(r.interval), flags, byte(len(r.sealed)))
	b = append(b, r.sealed...)
	b = binary.AppendUvarint(b, uint64(r.count))
	b = append(b, r.form)
	switch r.form {
	case distNone:
	case distJobRef:
		if r.jobSeq == 0 {
			return b[:start], errors.New("a seed record cannot reference job 0")
		}
		b = binary.AppendUvarint(b, r.jobSeq)
	case distInline:
		d := r.inline
		var at int64
		if !d.LastAt.IsZero() {
			// Unix nanoseconds, 0 meaning unset: the epoch itself and
			// times outside 1678-2262 (where UnixNano is undefined)
			// would read back as another time.
			at = d.LastAt.UnixNano()
			if at == 0 || !time.Unix(0, at).Equal(d.LastAt) {
				return b[:start], fmt.Errorf("last distribution time %s cannot be stored", d.LastAt.Format(time.RFC3339Nano))
			}
		}
		b = binary.AppendVarint(b, at)
		b = appendString(b, string(d.BindingKind))
		b = appendString(b, d.LastJob)
		b = appendString(b, d.Binding)
		b = appendString(b, d.Nickname)
	default:
		return b[:start], fmt.Errorf("distribution form %d cannot be stored", r.form)
	}
	return b, nil
}

type seedReader struct {
	b   []byte
	bad bool
}

func (r *seedReader) byte() byte {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *seedReader) bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.bad = true
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *seedReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *seedReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *seedReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	return string(r.bytes(int(n)))
}

// decodeSeedRecord decodes seeds/<key>. The sealed seed aliases data.
func decodeSeedRecord(key, data []byte) (seedRecord, error) {
	var out seedRecord
	rd := &seedReader{b: data}
	v := rd.byte()
	switch {
	case rd.bad:
		return out, fmt.Errorf("seed record %q is empty: the store is damaged", key)
	case v == 0:
		return out, fmt.Errorf("seed record %q has no record version: the store is damaged", key)
	case v > seedRecordVersion:
		return out, fmt.Errorf("seed record %q has record version %d, but this swtoken reads up to %d: use a newer swtoken", key, v, seedRecordVersion)
	}
	switch rd.byte() {
	case algCodeAES128:
		out.alg = model.AlgAES128
	case algCodeSID64:
		out.alg = model.AlgSID64
	default:
		rd.bad = true
	}
	out.digits, out.interval = int(rd.byte()), int(rd.byte())
	out.addPIN = rd.byte()&seedFlagAddPIN != 0
	out.sealed = rd.bytes(int(rd.byte()))
	out.count = int(rd.uvarint())
	out.form = rd.byte()
	switch out.form {
	case distNone:
	case distJobRef:
		out.jobSeq = rd.uvarint()
		if out.jobSeq == 0 {
			rd.bad = true
		}
	case distInline:
		d := &out.inline
		if at := rd.varint(); at != 0 {
			d.LastAt = time.Unix(0, at).UTC()
		}
		d.BindingKind = model.BindingKind(rd.string())
		d.LastJob = rd.string()
		d.Binding = rd.string()
		d.Nickname = rd.string()
	default:
		rd.bad = true
	}
	if rd.bad || len(rd.b) != 0 || len(out.sealed) == 0 || out.count < 0 {
		return seedRecord{}, fmt.Errorf("seed record %q is unreadable: the store is damaged", key)
	}
	return out, nil
}

// distJobFacts is what a job-referencing seed record takes from its job.
type distJobFacts struct {
	name, binding, nickname string
	kind                    model.BindingKind
	ended                   time.Time
	err                     error
}

// distJob returns the facts of a completed job for seed records that
// reference it, cached for the transaction (a scan meets few jobs).
func (t *Tx) distJob(seq uint64) distJobFacts {
	if f, ok := t.jobFacts[seq]; ok {
		return f
	}
	var f distJobFacts
	j, err := t.Job(seq)
	switch {
	case err != nil:
		f.err = fmt.Errorf("job %d, named by a seed record, cannot be read (%v): the store is damaged", seq, err)
	case j.State != model.JobCompleted:
		f.err = fmt.Errorf("job %q, named by a seed record, is %s, not completed: the store is damaged", j.Name, j.State)
	default:
		f = distJobFacts{name: j.Name, binding: j.Spec.Binding.Value, nickname: j.Spec.Nickname, kind: j.Spec.Binding.Kind, ended: j.Ended}
	}
	if t.jobFacts == nil {
		t.jobFacts = map[uint64]distJobFacts{}
	}
	t.jobFacts[seq] = f
	return f
}

// applySeedRecord fills tok's algorithm, sealed seed (copied) and
// distribution from its seed record.
func (t *Tx) applySeedRecord(tok *model.Token, key, data []byte) error {
	if data == nil {
		return fmt.Errorf("token %s has no seed record: the store is damaged", tok.Serial)
	}
	r, err := decodeSeedRecord(key, data)
	if err != nil {
		return err
	}
	tok.Algorithm = r.alg
	tok.SealedSeed = bytes.Clone(r.sealed)
	d := model.Distribution{Count: r.count, Digits: r.digits, IntervalSeconds: r.interval, AddPIN: r.addPIN}
	switch r.form {
	case distJobRef:
		f := t.distJob(r.jobSeq)
		if f.err != nil {
			return fmt.Errorf("token %s: %w", tok.Serial, f.err)
		}
		d.LastJob, d.LastAt, d.Binding, d.BindingKind, d.Nickname = f.name, f.ended, f.binding, f.kind, f.nickname
	case distInline:
		in := r.inline
		d.LastJob, d.LastAt, d.Binding, d.BindingKind, d.Nickname = in.LastJob, in.LastAt, in.Binding, in.BindingKind, in.Nickname
	}
	tok.Distribution = d
	return nil
}

// seedRecordFor is the seed record of tok as given. prev, the stored record
// (nil for a new token), keeps its job reference when tok's distribution is
// the one that reference describes; otherwise the distribution is written
// out (distInline) or left out (distNone) when it has no job facts.
func (t *Tx) seedRecordFor(key []byte, tok model.Token, prev []byte) (seedRecord, error) {
	d := tok.Distribution
	r := seedRecord{
		alg: tok.Algorithm, sealed: tok.SealedSeed, count: d.Count,
		digits: d.Digits, interval: d.IntervalSeconds, addPIN: d.AddPIN,
	}
	if prev != nil {
		if old, err := decodeSeedRecord(key, prev); err == nil && old.form == distJobRef {
			if f := t.distJob(old.jobSeq); f.err == nil && f.name == d.LastJob && f.ended.Equal(d.LastAt) &&
				f.binding == d.Binding && f.kind == d.BindingKind && f.nickname == d.Nickname {
				r.form, r.jobSeq = distJobRef, old.jobSeq
				return r, nil
			}
		}
	}
	if d.LastJob != "" || !d.LastAt.IsZero() || d.Binding != "" || d.BindingKind != "" || d.Nickname != "" {
		r.form = distInline
		r.inline = model.Distribution{LastJob: d.LastJob, LastAt: d.LastAt.UTC(), Binding: d.Binding, BindingKind: d.BindingKind, Nickname: d.Nickname}
	}
	return r, nil
}

// recArena carves encoded seed records out of shared blocks, for
// transactions that write many of them: bbolt keeps every value it is given
// until the commit, so per-record allocations would only add overhead.
type recArena struct{ b []byte }

const recArenaBlock = 64 << 10

func (a *recArena) seed(r *seedRecord) ([]byte, error) {
	if cap(a.b)-len(a.b) < 2048 {
		a.b = make([]byte, 0, recArenaBlock)
	}
	start := len(a.b)
	b, err := appendSeedRecord(a.b, r)
	if err != nil {
		return nil, err
	}
	a.b = b
	return b[start:len(b):len(b)], nil
}

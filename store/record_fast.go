package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// Fast paths for the records a job's feeder reads once per token. They
// change no format: each reads only what json.Marshal writes for the
// record (no spaces, the known keys, plain ASCII strings without escapes,
// small integers) and answers false for anything else, which the caller
// then decodes with encoding/json as before. So a record they accept
// decodes exactly as encoding/json decodes it
// (TestTokenRecordFastPathAgreesWithJSON, FuzzTokenRecordFastPath).

// flatJSON scans one flat JSON object written by json.Marshal.
type flatJSON struct {
	b []byte
	i int
}

func (p *flatJSON) lit(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// raw returns a string's bytes (into the record) if they are printable
// ASCII without quotes or escapes.
func (p *flatJSON) raw() ([]byte, bool) {
	if !p.lit('"') {
		return nil, false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (p *flatJSON) str() (string, bool) {
	s, ok := p.raw()
	return string(s), ok
}

// small reads a non-negative integer of up to 9 digits, without a leading
// zero (which JSON forbids).
func (p *flatJSON) small() (int, bool) {
	n, start := 0, p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' && p.i-start < 9 {
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
	}
	if p.i == start || (p.b[start] == '0' && p.i-start > 1) {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] >= '0' && p.b[p.i] <= '9' || p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	return n, true
}

func (p *flatJSON) boolean() (bool, bool) {
	rest := p.b[p.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")):
		p.i += 4
		return true, true
	case bytes.HasPrefix(rest, []byte("false")):
		p.i += 5
		return false, true
	}
	return false, false
}

// each calls field for every key of the object, positioned on its value;
// field returns false for a key or value it does not take.
func (p *flatJSON) each(field func(key []byte) bool) bool {
	if !p.lit('{') {
		return false
	}
	if p.lit('}') {
		return p.i == len(p.b)
	}
	for {
		key, ok := p.raw()
		if !ok || !p.lit(':') || !field(key) {
			return false
		}
		if p.lit(',') {
			continue
		}
		return p.lit('}') && p.i == len(p.b)
	}
}

// decodeTokenRecordFast fills r from a token record as json.Marshal writes
// it, and reports whether it could.
func decodeTokenRecordFast(data []byte, r *tokenRecord) bool {
	p := flatJSON{b: data}
	return p.each(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "v":
			r.V, ok = p.small()
		case "serial":
			r.Serial, ok = p.str()
		case "kind":
			var s string
			s, ok = p.str()
			r.Kind = model.TokenKind(s)
		case "birth":
			r.Birth, ok = p.str()
		case "death":
			r.Death, ok = p.str()
		case "enabled":
			r.Enabled, ok = p.boolean()
		case "enabled_by_admin":
			r.EnabledByAdmin, ok = p.boolean()
		case "user":
			r.User, ok = p.str()
		}
		return ok
	})
}

// forwardReader reads the values of keys asked for in increasing order
// from one bucket, moving a cursor forward a few steps when the next key
// is near (a job's selection is mostly runs of consecutive serials)
// instead of seeking from the root for each. The values are the
// transaction's, as Get's.
type forwardReader struct {
	c    *bolt.Cursor
	k, v []byte
}

func newForwardReader(b *bolt.Bucket) *forwardReader { return &forwardReader{c: b.Cursor()} }

// get is b.Get(key) for keys asked in increasing order.
func (f *forwardReader) get(key []byte) []byte {
	for step := 0; f.k != nil && step < 4; step++ {
		switch c := bytes.Compare(f.k, key); {
		case c == 0:
			return f.v
		case c > 0:
			step = 4 // past it: seek (the key may lie before, if asked out of order)
			continue
		}
		f.k, f.v = f.c.Next()
	}
	f.k, f.v = f.c.Seek(key)
	if f.k != nil && bytes.Equal(f.k, key) {
		return f.v
	}
	return nil
}

// decodeUserRecordFast fills r from a user record as json.Marshal writes
// it (names and e-mail in plain ASCII), and reports whether it could.
func decodeUserRecordFast(data []byte, r *userRecord) bool {
	p := flatJSON{b: data}
	return p.each(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "v":
			r.V, ok = p.small()
		case "id":
			r.ID, ok = p.str()
		case "first":
			r.First, ok = p.str()
		case "last":
			r.Last, ok = p.str()
		case "email":
			r.Email, ok = p.str()
		}
		return ok
	})
}

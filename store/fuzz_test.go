package store

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// fuzzSeedRecords are real records, one of each form, encoded in the fuzz
// targets' setup.
func fuzzSeedRecords() []seedRecord {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	return []seedRecord{
		{alg: model.AlgAES128, sealed: []byte("sealed-seed"), form: distNone},
		{alg: model.AlgSID64, sealed: bytes.Repeat([]byte{0xA5}, 255), digits: 6, interval: 30, count: 300, form: distJobRef, jobSeq: 1 << 40},
		{alg: model.AlgAES128, sealed: []byte("s"), digits: 8, interval: 60, addPIN: true, count: 2, form: distInline,
			inline: model.Distribution{LastJob: "Jöb", LastAt: at, Binding: "dev-1", BindingKind: model.BindingDevice, Nickname: "n"}},
		{alg: model.AlgSID64, sealed: []byte{0}, digits: 255, interval: 255, count: math.MaxInt64, form: distInline,
			inline: model.Distribution{LastAt: time.Unix(0, -1).UTC(), Binding: strings.Repeat("b", 200)}},
	}
}

// sameSeedRecord compares two records: the times with Equal (and both in
// UTC), the rest exactly.
func sameSeedRecord(a, b seedRecord) bool {
	if !a.inline.LastAt.Equal(b.inline.LastAt) || a.inline.LastAt.IsZero() != b.inline.LastAt.IsZero() {
		return false
	}
	a.inline.LastAt, b.inline.LastAt = time.Time{}, time.Time{}
	if !bytes.Equal(a.sealed, b.sealed) {
		return false
	}
	a.sealed, b.sealed = nil, nil
	return reflect.DeepEqual(a, b)
}

// FuzzDecodeSeedRecord: decodeSeedRecord never panics, and
//   - a refusal returns the zero record and an error naming the key;
//   - a record it returns is one the encoder can write: a known algorithm,
//     1-255 sealed bytes, a known form with only that form's fields set (a
//     job reference is never 0);
//   - the sealed seed, which aliases the input, has no spare capacity, so
//     appending to it cannot overwrite the input;
//   - re-encoding it and decoding again gives the same record, and the
//     re-encoding is a fixed point.
//
// The format is not canonical, so re-encoding need not give back the
// input: the decoder ignores flag bits other than add-PIN, and
// encoding/binary reads varints that are not in their shortest form. It is
// canonical otherwise, so the re-encoding must equal the input when it has
// the same length and the input has no unknown flag bits.
func FuzzDecodeSeedRecord(f *testing.F) {
	for _, r := range fuzzSeedRecords() {
		b, err := appendSeedRecord(nil, &r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, n := range []int{0, 1, 5, 6, len(b) / 2, len(b) - 1} {
			f.Add(b[:n])
		}
		f.Add(append(bytes.Clone(b), 0))
	}
	// A newer version; unknown flag bits and a varint longer than it need
	// be; a count over MaxInt64.
	f.Add([]byte{2, 1})
	f.Add([]byte{1, 1, 6, 30, 0xFF, 1, 's', 0x80, 0x00, 0})
	f.Add([]byte{1, 2, 6, 30, 0, 1, 's', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0})
	key := []byte("000123456789")
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		r, err := decodeSeedRecord(key, data)
		if !bytes.Equal(data, orig) {
			t.Fatal("the decoder changed its input")
		}
		if err != nil {
			if !reflect.DeepEqual(r, seedRecord{}) {
				t.Fatalf("refused (%v) but returned %+v", err, r)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", key)) {
				t.Fatalf("the error does not name the key: %v", err)
			}
			return
		}
		if (r.alg != model.AlgAES128 && r.alg != model.AlgSID64) || len(r.sealed) == 0 || len(r.sealed) > 255 ||
			r.digits < 0 || r.digits > 255 || r.interval < 0 || r.interval > 255 || r.count < 0 {
			t.Fatalf("impossible record %+v", r)
		}
		switch r.form {
		case distNone, distJobRef, distInline:
		default:
			t.Fatalf("unknown form in %+v", r)
		}
		if (r.form == distJobRef) != (r.jobSeq != 0) {
			t.Fatalf("job reference %d in a record of form %d", r.jobSeq, r.form)
		}
		if r.form != distInline && !reflect.DeepEqual(r.inline, model.Distribution{}) {
			t.Fatalf("inline distribution in a record of form %d: %+v", r.form, r.inline)
		}
		if r.form == distInline && (r.inline.Count != 0 || r.inline.Digits != 0 || r.inline.IntervalSeconds != 0 || r.inline.AddPIN) {
			t.Fatalf("inline distribution has fields the format does not hold: %+v", r.inline)
		}
		if at := r.inline.LastAt; !at.IsZero() && at.Location() != time.UTC {
			t.Fatalf("time %v is not in UTC", at)
		}
		if cap(r.sealed) != len(r.sealed) {
			t.Fatalf("the sealed seed (%d bytes) has spare capacity %d", len(r.sealed), cap(r.sealed))
		}
		_ = append(r.sealed, 0xEE)
		if !bytes.Equal(data, orig) {
			t.Fatal("appending to the sealed seed overwrote the input")
		}

		b, err := appendSeedRecord(nil, &r)
		if err != nil {
			t.Fatalf("a decoded record %+v cannot be encoded: %v", r, err)
		}
		if len(b) > len(data) {
			t.Fatalf("re-encoding %x is longer than the input %x", b, data)
		}
		if len(b) == len(data) && data[4]&^seedFlagAddPIN == 0 && !bytes.Equal(b, data) {
			t.Fatalf("re-encoding %x differs from the canonical input %x", b, data)
		}
		r2, err := decodeSeedRecord(key, b)
		if err != nil || !sameSeedRecord(r2, r) {
			t.Fatalf("round trip: %+v, %v\nwant %+v", r2, err, r)
		}
		b2, err := appendSeedRecord(nil, &r2)
		if err != nil || !bytes.Equal(b2, b) {
			t.Fatalf("re-encoding is not a fixed point: %x, %v\nwant %x", b2, err, b)
		}
	})
}

// FuzzSeedRecordRoundTrip: a record built from fuzzed fields is encoded
// exactly when it is storable (a known algorithm, 1-255 sealed bytes,
// digits and interval in 0-255, a count >= 0, a known form), after any
// prefix, and decodes to itself: the fields of its form, and nothing of the
// other forms' fields.
func FuzzSeedRecordRoundTrip(f *testing.F) {
	for _, r := range fuzzSeedRecords() {
		var alg byte
		if r.alg == model.AlgSID64 {
			alg = 1
		}
		d := r.inline
		var sec, nsec int64
		if !d.LastAt.IsZero() {
			sec, nsec = d.LastAt.Unix(), int64(d.LastAt.Nanosecond())
		}
		f.Add([]byte("prefix"), alg, r.digits, r.interval, r.addPIN, r.sealed, int64(r.count), r.form, r.jobSeq,
			sec, nsec, string(d.BindingKind), d.LastJob, d.Binding, d.Nickname)
	}
	f.Add([]byte(nil), byte(2), -1, 256, false, []byte(nil), int64(-1), byte(3), uint64(0), int64(0), int64(0), "", "", "", "")
	f.Add([]byte(nil), byte(0), 6, 60, true, bytes.Repeat([]byte{1}, 256), int64(1), byte(1), uint64(0), int64(0), int64(0), "", "", "", "")
	f.Add([]byte(nil), byte(0), 6, 60, true, []byte{1}, int64(1), byte(2), uint64(7), int64(-1), int64(999999999), "class", "", "", "\xff")
	// Refused: job reference 0, and a time past 2262.
	f.Add([]byte("p"), byte(0), 8, 60, false, []byte{1, 2}, int64(1), byte(distJobRef), uint64(0), int64(0), int64(0), "", "", "", "")
	f.Add([]byte("p"), byte(0), 8, 60, false, []byte{1, 2}, int64(1), byte(distInline), uint64(0), int64(1)<<40, int64(0), "class", "J", "g", "n")
	f.Fuzz(func(t *testing.T, prefix []byte, alg byte, digits, interval int, addPIN bool, sealed []byte, count int64, form byte,
		jobSeq uint64, sec, nsec int64, kind, lastJob, binding, nickname string) {
		algs := []model.Algorithm{model.AlgAES128, model.AlgSID64, "", "HOTP"}
		var at time.Time
		if sec != 0 || nsec != 0 {
			at = time.Unix(sec, nsec).UTC()
		}
		r := seedRecord{
			alg: algs[int(alg)%len(algs)], digits: digits, interval: interval, addPIN: addPIN, sealed: sealed,
			count: int(count), form: form, jobSeq: jobSeq,
			inline: model.Distribution{LastJob: lastJob, LastAt: at, Binding: binding, BindingKind: model.BindingKind(kind), Nickname: nickname},
		}
		storable := alg%4 < 2 && len(sealed) >= 1 && len(sealed) <= 255 && digits >= 0 && digits <= 255 &&
			interval >= 0 && interval <= 255 && count >= 0 && form <= distInline
		// The encoder refuses what it could not read back: job reference
		// 0, and a last distribution time of the Unix epoch (0 means
		// unset) or outside 1678-2262 (Unix nanoseconds overflow).
		if form == distJobRef && jobSeq == 0 {
			storable = false
		}
		if ns := at.UnixNano(); form == distInline && !at.IsZero() && (ns == 0 || !time.Unix(0, ns).Equal(at)) {
			storable = false
		}
		pre := bytes.Clone(prefix)
		b, err := appendSeedRecord(pre, &r)
		if (err == nil) != storable {
			t.Fatalf("storable %v, but the encoder says %v for %+v", storable, err, r)
		}
		if !bytes.HasPrefix(b, prefix) {
			t.Fatalf("the encoder changed the bytes before the record")
		}
		if err != nil {
			if len(b) != len(prefix) {
				t.Fatalf("a refused record left %d bytes after the prefix", len(b)-len(prefix))
			}
			return
		}
		// What the decoder must give back: the form's fields only.
		want := r
		switch r.form {
		case distNone:
			want.jobSeq, want.inline = 0, model.Distribution{}
		case distJobRef:
			want.inline = model.Distribution{}
		case distInline:
			want.jobSeq = 0
		}
		got, err := decodeSeedRecord([]byte("k"), b[len(prefix):])
		if err != nil {
			t.Fatalf("%+v encodes to %x, which does not decode: %v", r, b[len(prefix):], err)
		}
		if !sameSeedRecord(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		// Every truncation is refused, never misread.
		for n := range len(b) - len(prefix) {
			if _, err := decodeSeedRecord([]byte("k"), b[len(prefix):len(prefix)+n]); err == nil {
				t.Fatalf("%x cut to %d bytes decodes", b[len(prefix):], n)
			}
		}
	})
}

package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// tokenRecordSamples are token records as the store writes them, and
// spellings json.Marshal does not write that the fast path must leave to
// encoding/json.
func tokenRecordSamples() [][]byte {
	var out [][]byte
	for _, t := range []model.Token{
		{Serial: "000123456789", Kind: model.KindSoftware, Death: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), Enabled: true},
		{Serial: "100000000001", Kind: model.KindHardware, Birth: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC),
			Death: time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC), EnabledSetByAdmin: true, AssignedUser: "jdoe"},
		{Serial: "7", AssignedUser: `quo"te\back`},
		{Serial: "8", AssignedUser: "Jöhn ünïcode"},
		{Serial: "9", AssignedUser: "tab\there<&>"},
	} {
		b, err := json.Marshal(encodeToken(t))
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		`{"v":1,"serial":"1","kind":"software","death":"2030-01-02","enabled":true}`,
		`{"v":2,"serial":"1","death":""}`,
		`{"v":0,"serial":"1"}`,
		`{"v":01,"serial":"1"}`,
		`{"v":1.0,"serial":"1"}`,
		`{"v":1e0,"serial":"1"}`,
		`{"v":-1,"serial":"1"}`,
		`{"v":1234567890,"serial":"1"}`,
		`{"v":1,"serial":"1","serial":"2"}`,
		`{"V":1,"Serial":"1"}`,
		`{"v":1,"serial":null}`,
		`{"v":1,"serial":"1","extra":3}`,
		`{ "v":1,"serial":"1"}`,
		`{"v":1,"serial":"1"} `,
		`{"v":1,"serial":"1",}`,
		`{"v":1,"enabled":tru}`,
		`{"v":1,"enabled":"true"}`,
		`{"v":1,"serial":"\u0031"}`,
		`{}`,
		`[]`,
		``,
		`{"v":1,"serial":"1"`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// checkTokenRecordFastPath: when the fast path takes a record, encoding/json
// takes it too and gives the same record.
func checkTokenRecordFastPath(t *testing.T, data []byte) bool {
	var fast tokenRecord
	if !decodeTokenRecordFast(data, &fast) {
		return false
	}
	var slow tokenRecord
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("%q: the fast path took a record encoding/json refuses (%v)", data, err)
	}
	if fast != slow {
		t.Fatalf("%q: fast path %+v, encoding/json %+v", data, fast, slow)
	}
	return true
}

func TestTokenRecordFastPathAgreesWithJSON(t *testing.T) {
	taken := 0
	for _, b := range tokenRecordSamples() {
		if checkTokenRecordFastPath(t, b) {
			taken++
		}
	}
	// The records the store writes in ASCII (the first two, and the
	// hand-written canonical ones) take the fast path.
	for _, s := range []string{`{"v":1,"serial":"1","kind":"software","death":"2030-01-02","enabled":true}`, `{"v":2,"serial":"1","death":""}`} {
		if !checkTokenRecordFastPath(t, []byte(s)) {
			t.Errorf("%s: not taken by the fast path", s)
		}
	}
	if taken < 4 {
		t.Errorf("the fast path took %d samples", taken)
	}
	// And decodeTokenRecord gives the same token either way, errors too.
	for _, b := range tokenRecordSamples() {
		got, gerr := decodeTokenRecord([]byte("k"), b)
		var r tokenRecord
		werr := unmarshalRecord("token", []byte("k"), b, &r, &r.V, tokenRecordVersion)
		if (gerr == nil) != (werr == nil) {
			t.Errorf("%q: error %v, encoding/json path %v", b, gerr, werr)
		}
		if gerr == nil && (got.Serial != r.Serial || got.AssignedUser != r.User || got.Kind != r.Kind || got.Enabled != r.Enabled) {
			t.Errorf("%q: %+v from %+v", b, got, r)
		}
	}
}

func FuzzTokenRecordFastPath(f *testing.F) {
	for _, b := range tokenRecordSamples() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkTokenRecordFastPath(t, data) })
}

// userRecordSamples are user records as the store writes them, and
// spellings the fast path must leave to encoding/json.
func userRecordSamples() [][]byte {
	var out [][]byte
	for _, u := range []model.User{
		{ID: "user0000001", FirstName: "First1", LastName: "Last1", Email: "user0000001@example.com"},
		{ID: "jdoe"},
		{ID: "o'brien", FirstName: "Séan", LastName: "Ó Briain", Email: "a&b@example.com"},
		{ID: "x", FirstName: `say "hi"`, LastName: "<b>"},
	} {
		b, err := json.Marshal(encodeUser(u))
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		`{"v":1,"id":"a","first":"F","last":"L","email":"e@x"}`,
		`{"v":1,"id":"a","ID":"b"}`,
		`{"v":1,"id":"a","first":null}`,
		`{"v":1,"id":"a","first":1}`,
		`{"v":1,"id":"a","phone":"1"}`,
		`{"id":"a"}`,
		`{"v":9,"id":"a"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

func checkUserRecordFastPath(t *testing.T, data []byte) bool {
	var fast userRecord
	if !decodeUserRecordFast(data, &fast) {
		return false
	}
	var slow userRecord
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("%q: the fast path took a record encoding/json refuses (%v)", data, err)
	}
	if fast != slow {
		t.Fatalf("%q: fast path %+v, encoding/json %+v", data, fast, slow)
	}
	return true
}

func TestUserRecordFastPathAgreesWithJSON(t *testing.T) {
	taken := 0
	for _, b := range userRecordSamples() {
		if checkUserRecordFastPath(t, b) {
			taken++
		}
		got, gerr := decodeUser([]byte("k"), b)
		var r userRecord
		werr := unmarshalRecord("user", []byte("k"), b, &r, &r.V, userRecordVersion)
		if (gerr == nil) != (werr == nil) || gerr == nil && got != (model.User{ID: r.ID, FirstName: r.First, LastName: r.Last, Email: r.Email}) {
			t.Errorf("%q: %+v %v, encoding/json path %+v %v", b, got, gerr, r, werr)
		}
	}
	if taken < 4 {
		t.Errorf("the fast path took %d samples", taken)
	}
}

func FuzzUserRecordFastPath(f *testing.F) {
	for _, b := range userRecordSamples() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkUserRecordFastPath(t, data) })
}

// TestForwardReaderIsGet: reading keys in increasing order (near, far,
// missing, past the end) and then out of order gives exactly Get's values.
func TestForwardReaderIsGet(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "f.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := func(i int) []byte { return []byte(fmt.Sprintf("%06d", i)) }
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 3000; i++ {
			if i%7 == 3 || (i > 1000 && i < 1200) {
				continue
			}
			if err := b.Put(key(i), []byte(fmt.Sprint("value ", i))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var asks []int
	for i := -1; i < 3005; i++ {
		if i%5 != 4 {
			asks = append(asks, i)
		}
	}
	asks = append(asks, 2500, 10, 10, 11, 2999, 0)
	if err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		f := newForwardReader(b)
		for _, i := range asks {
			if got, want := f.get(key(i)), b.Get(key(i)); string(got) != string(want) || (got == nil) != (want == nil) {
				t.Fatalf("key %d: %q, Get gives %q", i, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

package jobs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestDistributedSID64TokenBecomesAES128: a file is always AES-128 (DefAlg
// 1, a fresh 128-bit seed), so after the commit the token is AES-128 and
// Verify checks the codes stoken computes from the file handed out.
func TestDistributedSID64TokenBecomesAES128(t *testing.T) {
	st := openDemo(t, 200, 500)
	e := New(st, Options{})
	s := spec("SID", model.PasswordAdmin, "200000000001", "299999999999")
	s.Criteria.Algorithm = model.AlgSID64
	j := submit(t, e, s, "pw-8char") // the SID-64 limit is 8
	end := runAll(t, e)
	if end.State != model.JobCompleted {
		t.Fatalf("%s: %s", end.State, end.Reason)
	}
	serials, _ := st.JobSerials(j.Seq)
	files := zipFiles(t, outputOf(t, st, end))
	dir := t.TempDir()
	for i, serial := range serials {
		tok, err := st.Token(serial)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Algorithm != model.AlgAES128 || tok.Distribution.LastJob != "SID" {
			t.Fatalf("token %s after the job: %s, %+v", serial, tok.Algorithm, tok.Distribution)
		}
		data := files[EntryName(tok.AssignedUser, serial)]
		f, err := sdtid.ReadSingle(data, "pw-8char")
		if err != nil {
			t.Fatal(err)
		}
		if f.Tokens[0].Alg != 1 {
			t.Fatalf("%s: Alg %d", serial, f.Tokens[0].Alg)
		}
		code, err := f.Tokens[0].Code(testNow, "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// stoken's own code for the file (required in CI).
			stokentest.Require(t, "stoken")
			p := filepath.Join(dir, "f.sdtid")
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, err = stokentest.Tokencode(p, "pw-8char", testNow.Unix()); err != nil {
				t.Fatal(err)
			}
		}
		res, err := Verify(st, serial, code, "", testNow)
		if err != nil || !res.Match || res.Assumed {
			t.Fatalf("verify %s: %+v %v", serial, res, err)
		}
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyImportedTokenUsesTheFileSettings: a token imported from a file
// and never distributed is checked with the file's digits, interval and PIN
// mode (f02: 6 digits, 30 s, no PIN), not assumed ones. The codes are
// stoken's, recorded in testdata/vectors/vectors.json.
func TestVerifyImportedTokenUsesTheFileSettings(t *testing.T) {
	st := openDemo(t, 2, 2)
	var files []inventory.NamedData
	for _, name := range []string{"f01-8d-60s-addpin-nopw.sdtid", "f02-6d-30s-nopin-nopw.sdtid"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vectors", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, inventory.NamedData{Name: name, Data: data})
	}
	if _, err := inventory.ImportTokenFiles(st, files, inventory.TokenFileOptions{}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		serial, code, pin string
		at                int64
		digits, seconds   int
		addPIN            bool
	}{
		{"987654321098", "585681", "", 1718454645, 6, 30, false},
		{"987654321098", "213055", "", 1735689599, 6, 30, false},
		{"987654321098", "880820", "", 1767225630, 6, 30, false},
	} {
		res, err := Verify(st, c.serial, c.code, c.pin, time.Unix(c.at, 0))
		if err != nil || !res.Match || res.Offset != 0 || res.Assumed || res.Digits != c.digits || res.Seconds != c.seconds || res.PIN != c.addPIN {
			t.Fatalf("verify %s at %d: %+v %v", c.serial, c.at, res, err)
		}
	}
	f01, err := st.Token("123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if d := f01.Distribution; d.Digits != 8 || d.IntervalSeconds != 60 || !d.AddPIN || d.Count != 0 {
		t.Fatalf("f01 code settings %+v", d)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

package inventory

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// fixture is one stoken-issued test vector (testdata/vectors/vectors.json).
type fixture struct {
	File     string  `json:"file"`
	Password *string `json:"password"`
	SN       string  `json:"sn_field"` // the serial as written in the file
	SeedHex  string  `json:"seed_hex"`
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Fixtures []fixture }
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Fixtures) < 10 {
		t.Fatalf("only %d fixtures in vectors.json", len(v.Fixtures))
	}
	return v.Fixtures
}

// seedForms is every spelling of a seed that a leak could take.
func seedForms(seed []byte) map[string][]byte {
	return map[string][]byte{
		"raw bytes":          seed,
		"lower hex":          []byte(hex.EncodeToString(seed)),
		"upper hex":          []byte(strings.ToUpper(hex.EncodeToString(seed))),
		"base64":             []byte(base64.StdEncoding.EncodeToString(seed)),
		"base64 without pad": []byte(base64.RawStdEncoding.EncodeToString(seed)),
		"base64url":          []byte(base64.URLEncoding.EncodeToString(seed)),
		"base64url, no pad":  []byte(base64.RawURLEncoding.EncodeToString(seed)),
	}
}

// scanForSecrets fails for every seed (in any form of seedForms) and every
// password found in data.
func scanForSecrets(t *testing.T, what string, data []byte, seeds map[string][]byte, passwords []string) {
	t.Helper()
	for name, seed := range seeds {
		for form, b := range seedForms(seed) {
			if i := bytes.Index(data, b); i >= 0 {
				t.Errorf("%s holds the seed of %s as %s at offset %d", what, name, form, i)
			}
		}
	}
	for _, pw := range passwords {
		if bytes.Contains(data, []byte(pw)) {
			t.Errorf("%s holds the import password %q", what, pw)
		}
	}
}

// TestSeedsAreSealedAtRest imports the stoken-issued fixtures (each with
// its password) and a batch written by our writer, checks that the store
// really has every seed (it unseals to the known value), and then scans
// every file the store wrote, and a copy of the database kept without its
// key (a backup), for every seed as raw bytes, hex and base64, and for the
// import passwords: none may be there.
func TestSeedsAreSealedAtRest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	seeds := map[string][]byte{} // serial -> clear seed
	var passwords []string
	for _, f := range loadFixtures(t) {
		var pw string
		if f.Password != nil {
			pw = *f.Password
			passwords = append(passwords, pw)
		}
		res, err := ImportTokenFiles(st, []NamedData{vector(t, f.File)}, TokenFileOptions{Password: pw}, store.ImportOptions{})
		if err != nil || res.Imported != 1 {
			t.Fatalf("%s: %+v, %v", f.File, res, err)
		}
		seed, err := hex.DecodeString(f.SeedHex)
		if err != nil || len(seed) != store.SeedLen {
			t.Fatalf("%s: seed_hex %q", f.File, f.SeedHex)
		}
		seeds[f.SN] = seed
	}
	batch, batchSeeds := multiTokenFile(t, "batch password 42", "700000000001", "700000000002", "700000000003")
	passwords = append(passwords, "batch password 42")
	if res, err := ImportTokenFiles(st, []NamedData{{Name: "batch.sdtid", Data: batch}}, TokenFileOptions{Password: "batch password 42"}, store.ImportOptions{}); err != nil || res.Imported != 3 {
		t.Fatalf("batch: %+v, %v", res, err)
	}
	for i, sn := range []string{"700000000001", "700000000002", "700000000003"} {
		seeds[sn] = batchSeeds[i][:]
	}

	// The seeds are really there: each unseals to the value the issuer
	// wrote.
	for sn, want := range seeds {
		tok, err := st.Token(sn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.UnsealSeed(tok)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("token %s: unsealed %x (%v), want %x", sn, got, err, want)
		}
		if bytes.Contains(tok.SealedSeed, want) {
			t.Fatalf("token %s: the sealed seed contains the clear one", sn)
		}
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Scan every file the store wrote, except the key file itself.
	scanned := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == store.KeyFileName {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		scanForSecrets(t, path, data, seeds, passwords)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(dir, store.DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	if scanned == 0 || len(db) == 0 {
		t.Fatal("nothing was scanned")
	}
	// The scan would see clear data: every serial is stored in the clear.
	for sn := range seeds {
		if !bytes.Contains(db, []byte(sn)) {
			t.Fatalf("serial %s is not in the database file: the scan looks at the wrong bytes", sn)
		}
	}

	// A backup of the database without its key: the same bytes, and
	// useless on their own.
	backup := filepath.Join(t.TempDir(), "backup")
	if err := os.Mkdir(backup, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(backup, store.DBFileName), db, 0o600); err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile(filepath.Join(backup, store.DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	scanForSecrets(t, "the key-less copy", copied, seeds, passwords)
	if _, err := store.Open(store.Options{DataDir: backup}); !errors.Is(err, store.ErrKeyMissing) {
		t.Fatalf("the key-less copy opened: %v", err)
	}
	otherKey := filepath.Join(t.TempDir(), "other.key")
	if other, err := store.Open(store.Options{DataDir: filepath.Join(t.TempDir(), "other"), KeyFile: otherKey}); err == nil {
		other.Close()
	} else {
		t.Fatal(err)
	}
	if _, err := store.Open(store.Options{DataDir: backup, KeyFile: otherKey}); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("the copy opened with another store's key: %v", err)
	}
	// With its own key the copy is a working store.
	restored, err := store.Open(store.Options{DataDir: backup, KeyFile: filepath.Join(dir, store.KeyFileName)})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	tok, err := restored.Token("000123456789")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := restored.UnsealSeed(tok); err != nil || hex.EncodeToString(got) != "000102030405060708090a0b0c0d0e0f" {
		t.Fatalf("restored seed %x, %v", got, err)
	}
}

package inventory

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

const vectors = "../../testdata/vectors"

// openStore opens a fresh store in a temporary directory.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: filepath.Join(t.TempDir(), "data")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// vector loads a test vector file as NamedData.
func vector(t *testing.T, name string) NamedData {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors, name))
	if err != nil {
		t.Fatalf("read vector (copy /work/shared/vectors to testdata/vectors): %v", err)
	}
	return NamedData{Name: name, Data: data}
}

// mustSeed unseals a stored token's seed and compares it with want (hex).
func mustSeed(t *testing.T, st *store.Store, tok model.Token, wantHex string) {
	t.Helper()
	seed, err := st.UnsealSeed(tok)
	if err != nil {
		t.Fatalf("unseal %s: %v", tok.Serial, err)
	}
	want, _ := hex.DecodeString(wantHex)
	if !bytes.Equal(seed, want) {
		t.Fatalf("token %s: seed %x, want %s", tok.Serial, seed, wantHex)
	}
}

// multiTokenFile builds one SDTID batch with a TKN per serial: single-token
// files written with one shared Secret and header have identical headers,
// so their TKN elements can be put side by side (sdtid-format.md 1.8). The
// trailer signature then covers only the first token, which readers do
// not check. It returns the file and each token's seed.
func multiTokenFile(t *testing.T, password string, serials ...string) ([]byte, [][16]byte) {
	t.Helper()
	signer, err := sdtid.GenerateSigner("swtoken test")
	if err != nil {
		t.Fatal(err)
	}
	w := &sdtid.Writer{Signer: signer}
	secret := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	batch := sdtid.Batch{
		Origin: "swtoken-test", Name: "MULTI",
		Birth: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Death: time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC),
		Digits: 8, IntervalSeconds: 60, AddPIN: true,
	}
	var first []byte
	var tkns [][]byte
	var seeds [][16]byte
	for _, sn := range serials {
		out, err := w.Write(sdtid.WriteInput{Batch: batch, Token: sdtid.TokenSpec{Serial: sn, Login: "user" + sn}, Password: password, Secret: &secret})
		if err != nil {
			t.Fatal(err)
		}
		i, j := bytes.Index(out.Data, []byte("<TKN>")), bytes.Index(out.Data, []byte("</TKN>"))
		if i < 0 || j < 0 {
			t.Fatalf("no TKN element in a written file")
		}
		// Keep the indentation before <TKN> and the newline after </TKN>.
		start := bytes.LastIndexByte(out.Data[:i], '\n') + 1
		tkns = append(tkns, out.Data[start:j+len("</TKN>\n")])
		if first == nil {
			first = out.Data
		}
		seeds = append(seeds, out.Seed)
	}
	i := bytes.LastIndexByte(first[:bytes.Index(first, []byte("<TKN>"))], '\n') + 1
	j := bytes.Index(first, []byte("</TKN>")) + len("</TKN>\n")
	var b bytes.Buffer
	b.Write(first[:i])
	for _, tkn := range tkns {
		b.Write(tkn)
	}
	b.Write(first[j:])
	return b.Bytes(), seeds
}

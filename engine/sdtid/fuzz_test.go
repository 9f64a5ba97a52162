package sdtid

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FuzzRead: the reader never panics, and every failure is a typed *Error.
func FuzzRead(f *testing.F) {
	for _, dir := range []string{vectorsDir, filepath.Join(vectorsDir, "tamper")} {
		names, err := filepath.Glob(filepath.Join(dir, "*.sdtid"))
		if err != nil || len(names) == 0 {
			f.Fatalf("no seed files in %s: %v", dir, err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b, "")
		}
	}
	f.Add(readVector(f, "f03-8d-30s-addpin-pw.sdtid"), "Tr0ub4dor&3")
	s := signer(f)
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		for _, read := range []func([]byte, string) (*File, error){Read, ReadSingle} {
			file, err := read(data, password)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Kind == 0 || e.Error() == "" {
					t.Fatalf("untyped error %T: %v", err, err)
				}
				if e.Kind == KindMalformedXML && e.Line < 1 {
					t.Fatalf("malformed XML without a line: %v", e)
				}
				if password != "" && len(password) > 3 && strings.Contains(e.Error(), password) {
					t.Fatalf("error message contains the password: %v", e)
				}
				continue
			}
			if len(file.Tokens) == 0 {
				t.Fatal("accepted a file without tokens")
			}
			for _, tok := range file.Tokens {
				if len(tok.Serial) < 1 || len(tok.Serial) > 12 || tok.Digits < 1 || tok.Digits > 8 {
					t.Fatalf("impossible token %+v", tok)
				}
				for _, at := range []time.Time{time.Unix(0, 0), time.Unix(1735689599, 0), time.Unix(1<<40, 0)} {
					tok.Code(at, "1234")
					tok.CodeForce(at, "")
					tok.Verify("12345678", at, "0000", 2)
				}
				tok.ExpiresAt()
			}
		}
		s.VerifyFile(data)
	})
}

// TestHugeInputBounded: a 10 MB input is cut to stoken's 65535 bytes before
// anything else, so reading it is fast and allocates little.
func TestHugeInputBounded(t *testing.T) {
	f01 := readVector(t, "f01-8d-60s-addpin-nopw.sdtid")
	huge := make([]byte, 0, 10<<20)
	huge = append(huge, f01[:bytes.Index(f01, []byte("<Nickname>"))+len("<Nickname>")]...)
	huge = append(huge, bytes.Repeat([]byte("n"), 10<<20-len(huge))...)
	allGarbage := bytes.Repeat([]byte("<<<<"), 10<<20/4) // never a declaration

	for name, data := range map[string][]byte{"long nickname": huge, "garbage": allGarbage} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := Read(data, "")
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: a 10 MB file was accepted", name)
		}
		want := KindMalformedXML
		if name == "garbage" {
			want = KindNotSDTID
		}
		if KindOf(err) != want {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s: allocated %d bytes for a 10 MB input; the reader should look at 64 KiB only", name, alloc)
		}
		if elapsed > time.Second {
			t.Errorf("%s: took %v", name, elapsed)
		}
	}
	// Deep nesting is refused before it costs anything.
	deep := []byte(`<?xml version="1.0"?><TKNBatch>` + strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000) + "</TKNBatch>")
	var e *Error
	if _, err := Read(deep, ""); !errors.As(err, &e) || e.Kind != KindMalformedXML || !strings.Contains(e.Detail, "nested") {
		t.Errorf("deep nesting: %v", err)
	}
}

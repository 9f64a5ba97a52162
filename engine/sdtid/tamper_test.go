package sdtid

import (
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// want is the expected outcome of one tamper case, written out by hand from
// what stoken did (vectors.json stderr), never derived by the code under test.
type want struct {
	kind    Kind   // 0 = Read accepts
	element string // for KindMissingElement / KindBadValue
	line    int    // for KindMalformedXML
}

var tamperWant = map[string]want{
	"bad-headermac-nopw":     {kind: KindHeaderMACFailed},
	"bad-tokenmac-nopw":      {kind: KindTokenMACFailed},
	"bad-headermac-pw":       {kind: KindHeaderMACFailed},
	"bad-tokenmac-pw":        {kind: KindTokenMACFailed},
	"token-field-edited":     {kind: KindTokenMACFailed},
	"header-field-edited":    {kind: KindHeaderMACFailed},
	"devserial-edited":       {kind: KindTokenMACFailed},
	"secret-changed":         {kind: KindPasswordRequired},
	"missing-SN":             {kind: KindMissingElement, element: "SN"},
	"missing-Seed":           {kind: KindMissingElement, element: "Seed"},
	"missing-HeaderMAC":      {kind: KindMissingElement, element: "HeaderMAC"},
	"missing-TokenMAC":       {kind: KindMissingElement, element: "TokenMAC"},
	"missing-TKNTrailer":     {kind: KindMissingElement, element: "TKNTrailer"},
	"missing-DefDeath":       {kind: KindMissingElement, element: "DefDeath"},
	"truncated":              {kind: KindMalformedXML, line: 41},
	"unclosed-tag":           {kind: KindMalformedXML, line: 39},
	"no-xml-decl":            {kind: KindNotSDTID},
	"two-tkn":                {kind: KindMultipleTokens}, // ReadSingle only; Read returns both
	"seed-no-equals-remac":   {kind: KindMissingElement, element: "Seed"},
	"sn-13-digits-remac":     {kind: KindMissingElement, element: "SN"},
	"DefDigits-blank":        {kind: KindBadValue, element: "DefDigits"},
	"DefAddPIN-yes":          {kind: KindBadValue, element: "DefAddPIN"},
	"DefDeath-dashes":        {kind: KindBadValue, element: "DefDeath"},
	"DefDeath-2000-01-01":    {kind: KindBadValue, element: "DefDeath"},
	"missing-TKNHeader":      {kind: KindMissingElement, element: "TKNHeader"},
	"missing-TKN":            {kind: KindMissingElement, element: "TKN"},
	"root-renamed":           {kind: KindMissingElement, element: "TKNBatch"},
	"missing-Dest":           {kind: KindMissingElement, element: "Dest"},
	"missing-Name":           {kind: KindMissingElement, element: "Name"},
	"secret-15-bytes":        {kind: KindMissingElement, element: "Secret"},
	"seed-15-bytes":          {kind: KindMissingElement, element: "Seed"},
	"death-past":             {kind: KindExpired}, // Read accepts; Code refuses
	"wrong-password":         {kind: KindWrongPassword},
	"missing-password-batch": {kind: KindPasswordRequired},

	"crlf": {}, "bom": {}, "leading-text": {}, "xml-decl-utf8": {}, "comment-inside-tkn": {},
	"mac-moved-to-top": {}, "empty-TKNTrailer": {}, "garbage-BatchSignature": {},
	"unknown-field-tkn-remac": {}, "unknown-field-header-remac": {}, "unknown-attr-remac": {},
	"empty-nickname-selfclosing-remac": {}, "devserial-edited-remac": {},
	"seed-other-prefix-remac": {}, "missing-Nickname": {}, "missing-TokenAttributes": {},
	"missing-DefDigits": {}, "missing-DefAddPIN": {}, "missing-DefInterval": {},
	"DefAlg-0":       {kind: KindUnsupported}, // Read accepts; Code refuses (stoken gives AES codes)
	"DefInterval-45": {}, "DefDeath-1999": {},
	"b64-secret-spaces-remac": {}, "b64-secret-nopad-remac": {},
}

// stderrKind is the brief's mapping from stoken's messages; the test checks
// the hand-written table against it so the two cannot drift apart.
func stderrKind(tc tamperCase, password string) Kind {
	se := tc.Stderr
	switch {
	case tc.Expect == "accept":
		return 0
	case strings.Contains(se, "header MAC check failed"):
		return KindHeaderMACFailed
	case strings.Contains(se, "token MAC check failed"):
		return KindTokenMACFailed
	case strings.Contains(se, "--password parameter is incorrect"):
		return KindWrongPassword
	case strings.Contains(se, "--batch mode specified") && password == "":
		return KindPasswordRequired
	case strings.Contains(se, "missing required xml node"):
		return KindMissingElement
	case strings.Contains(se, "parser error"):
		return KindMalformedXML
	case strings.Contains(se, "token has expired"):
		return KindExpired
	case strings.Contains(se, "multiple tokens"):
		return KindMultipleTokens
	}
	return -1 // "General failure" alone: the table decides
}

var (
	useTimeRe = regexp.MustCompile(`--use-time=(\d+)`)
	pinRe     = regexp.MustCompile(`--pin=(\d+)`)
	nodeRe    = regexp.MustCompile(`missing required xml node '(\w+)'`)
	lineRe    = regexp.MustCompile(`sdtid\.xml:(\d+):`)
)

func TestTamperCases(t *testing.T) {
	v := loadVectors(t)
	seen := map[string]bool{}
	for _, tc := range v.Tamper {
		name := strings.TrimSuffix(filepath.Base(tc.File), ".sdtid")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			w, ok := tamperWant[name]
			if !ok {
				t.Fatalf("no expectation for tamper case %s", name)
			}
			password := pw(tc.Password)
			if k := stderrKind(tc, password); k >= 0 && k != w.kind && !(k == 0 && w.kind == KindUnsupported) {
				t.Fatalf("table says %v but stoken's stderr maps to %v: %q", w.kind, k, tc.Stderr)
			}
			if m := nodeRe.FindStringSubmatch(tc.Stderr); m != nil && m[1] != w.element {
				t.Fatalf("table element %q, stoken named %q", w.element, m[1])
			}
			if m := lineRe.FindStringSubmatch(tc.Stderr); m != nil && m[1] != strconv.Itoa(w.line) {
				t.Fatalf("table line %d, stoken said %s", w.line, m[1])
			}
			m := useTimeRe.FindStringSubmatch(tc.Cmd)
			if m == nil {
				t.Fatalf("no --use-time in %q", tc.Cmd)
			}
			unix, _ := strconv.ParseInt(m[1], 10, 64)
			at := time.Unix(unix, 0)
			pin := ""
			if m := pinRe.FindStringSubmatch(tc.Cmd); m != nil {
				pin = m[1]
			}
			data := readVector(t, tc.File)
			f, err := Read(data, password)
			fs, errSingle := ReadSingle(data, password)

			switch w.kind {
			case 0, KindExpired, KindUnsupported:
				if err != nil || errSingle != nil {
					t.Fatalf("Read: %v; ReadSingle: %v; want accepted", err, errSingle)
				}
				if len(f.Tokens) != 1 || len(fs.Tokens) != 1 {
					t.Fatalf("%d tokens", len(f.Tokens))
				}
				tok := f.Tokens[0]
				code, err := tok.Code(at, pin)
				switch w.kind {
				case 0:
					if err != nil || code != tc.Stdout {
						t.Errorf("Code = %q, %v; stoken printed %q", code, err, tc.Stdout)
					}
				default:
					if KindOf(err) != w.kind || !errors.Is(err, &Error{Kind: w.kind}) {
						t.Errorf("Code error %v, want kind %v", err, w.kind)
					}
				}
			case KindMultipleTokens:
				if KindOf(errSingle) != KindMultipleTokens {
					t.Errorf("ReadSingle: %v, want KindMultipleTokens", errSingle)
				}
				if err != nil || len(f.Tokens) != 2 {
					t.Fatalf("Read: %v, want 2 tokens", err)
				}
				for i, tok := range f.Tokens {
					if _, err := tok.CodeForce(at, pin); err != nil {
						t.Errorf("token %d: %v", i, err)
					}
				}
			default:
				for _, e := range []error{err, errSingle} {
					var se *Error
					if !errors.As(e, &se) {
						t.Fatalf("got %v, want *Error of kind %v", e, w.kind)
					}
					if se.Kind != w.kind || se.Element != w.element || se.Line != w.line {
						t.Errorf("got %#v (%v), want kind %v element %q line %d", se, se, w.kind, w.element, w.line)
					}
					if len(password) > 5 && strings.Contains(se.Error(), password) { // "wrong" is a word of the message itself
						t.Errorf("message leaks the password: %v", se)
					}
				}
			}
		})
	}
	for name := range tamperWant {
		if !seen[name] {
			t.Errorf("table entry %s has no tamper case", name)
		}
	}
}

// TestCorrectPasswordOneBadMAC: a password file whose HeaderMAC is damaged
// fails with the header MAC error, not "wrong password", when the right
// password is given; without a password it looks password-protected.
func TestCorrectPasswordOneBadMAC(t *testing.T) {
	data := readVector(t, "tamper/bad-headermac-pw.sdtid")
	if _, err := Read(data, "Tr0ub4dor&3"); KindOf(err) != KindHeaderMACFailed {
		t.Errorf("correct password: %v", err)
	}
	if _, err := Read(data, ""); KindOf(err) != KindPasswordRequired {
		t.Errorf("no password: %v", err)
	}
	if _, err := Read(data, "nope"); KindOf(err) != KindWrongPassword {
		t.Errorf("wrong password: %v", err)
	}
}

package sdtid

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func readToken(t *testing.T, name, password string) Token {
	t.Helper()
	f, err := ReadSingle(readVector(t, name), password)
	if err != nil {
		t.Fatal(err)
	}
	return f.Tokens[0]
}

// TestTokencodeTrace compares every AES step with the f12 trace.
func TestTokencodeTrace(t *testing.T) {
	v := loadVectors(t)
	var prim struct {
		Trace []string `json:"tokencode_trace_f12"`
	}
	if err := json.Unmarshal(v.Primitives, &prim); err != nil || len(prim.Trace) != 6 {
		t.Fatalf("trace: %v (%d lines)", err, len(prim.Trace))
	}
	tok := readToken(t, "f12-deterministic-nopw.sdtid", "")
	var got []string
	key := tok.Seed
	tok.chain(time.Unix(1735689599, 0).UTC(), func(n int, in, out [16]byte) {
		got = append(got, fmt.Sprintf("n=%d in=%x key=%x out=%x", n, in, key, out))
		key = out
	})
	for i, line := range prim.Trace[1:] {
		if i >= len(got) || got[i] != line {
			t.Errorf("step %d:\n got %s\nwant %s", i, got[i], line)
		}
	}
}

// TestTokencodeBoundaries: codes change exactly at interval boundaries
// (expected values from stoken 0.92).
func TestTokencodeBoundaries(t *testing.T) {
	cases := []struct {
		file string
		want map[int64]string
	}{
		{"f12-deterministic-nopw.sdtid", map[int64]string{ // 60 s
			1735689599: "43698824", 1735689600: "60775068", 1735689629: "60775068", 1735689630: "60775068",
			1735689659: "60775068", 1735689660: "01718474", 1735689779: "16704411", 1735689780: "57464685"}},
		{"f02-6d-30s-nopin-nopw.sdtid", map[int64]string{ // 30 s
			1735689599: "213055", 1735689600: "302220", 1735689629: "302220", 1735689630: "539183",
			1735689659: "539183", 1735689660: "921733", 1735689779: "618163", 1735689780: "550938"}},
	}
	for _, c := range cases {
		tok := readToken(t, c.file, "")
		for ts, want := range c.want {
			// The same instant in another zone must give the same code: the
			// algorithm works on UTC fields.
			at := time.Unix(ts, 0).In(time.FixedZone("UTC+5:30", 5*3600+1800))
			if got, err := tok.Code(at, "0000"); err != nil || got != want {
				t.Errorf("%s at %d: %q, %v; want %q", c.file, ts, got, err, want)
			}
		}
	}
}

// TestPINFolding: the examples of 4.2, and PIN validation.
func TestPINFolding(t *testing.T) {
	f01 := readToken(t, "f01-8d-60s-addpin-nopw.sdtid", "")
	f04 := readToken(t, "f04-6d-60s-addpin-pw-devid.sdtid", "correct horse battery staple")
	f02 := readToken(t, "f02-6d-30s-nopin-nopw.sdtid", "")
	at := time.Unix(1735689599, 0)
	for _, c := range []struct {
		tok       Token
		at        int64
		pin, want string
	}{
		{f01, 1735689599, "", "32486538"},
		{f01, 1735689599, "0000", "32486538"},
		{f01, 1735689599, "1234", "32487762"},
		{f01, 1735689599, "99999999", "21375427"}, // every digit wraps mod 10
		{f04, 1718454645, "0000", "041038"},
		{f04, 1718454645, "12345678", "386606"}, // only the last 6 PIN digits count
		{f02, 1735689599, "1234", "213055"},     // PIN-less: PIN ignored
		{f02, 1735689599, "x", "213055"},        // even an invalid one
	} {
		got, err := c.tok.CodeForce(time.Unix(c.at, 0), c.pin)
		if err != nil || got != c.want {
			t.Errorf("%s pin %q: %q, %v; want %q", c.tok.Serial, c.pin, got, err, c.want)
		}
	}
	for _, bad := range []string{"123", "123456789", "12a4", " 1234", "-123"} {
		if _, err := f01.Code(at, bad); KindOf(err) != KindBadValue {
			t.Errorf("PIN %q: %v, want KindBadValue", bad, err)
		}
	}
}

func TestVerify(t *testing.T) {
	tok := readToken(t, "f12-deterministic-nopw.sdtid", "")
	at := time.Unix(1735689630, 0)
	for _, off := range []int{-3, -2, -1, 0, 1, 2, 3} {
		code, err := tok.Code(at.Add(time.Duration(off)*time.Minute), "1234")
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := tok.Verify(code, at, "1234", 2)
		inWindow := off >= -2 && off <= 2
		if err != nil || ok != inWindow || (ok && got != off) {
			t.Errorf("offset %d: got %d %v %v", off, got, ok, err)
		}
		if inWindow {
			// The right code with the wrong PIN fails.
			if _, ok, _ := tok.Verify(code, at, "4321", 2); ok {
				t.Errorf("offset %d: verified with the wrong PIN", off)
			}
		}
	}
	code, _ := tok.Code(at, "")
	if _, ok, _ := tok.Verify(code, at.Add(time.Minute), "", 0); ok {
		t.Error("window 0 accepted the previous interval")
	}
	if _, ok, _ := tok.Verify(code[:7], at, "", 1); ok {
		t.Error("a truncated code verified")
	}
	if _, _, err := tok.Verify(code, at, "", -1); KindOf(err) != KindBadValue {
		t.Errorf("negative window: %v", err)
	}
	if _, _, err := tok.Verify(code, at, "", 1441); KindOf(err) != KindBadValue {
		t.Errorf("window above one day: %v", err)
	}
	// 30-second token: one interval is 30 s.
	tok30 := readToken(t, "f02-6d-30s-nopin-nopw.sdtid", "")
	c30, _ := tok30.Code(at.Add(-30*time.Second), "")
	if off, ok, err := tok30.Verify(c30, at, "", 1); !ok || off != -1 || err != nil {
		t.Errorf("30 s token: %d %v %v", off, ok, err)
	}
	// Verify refuses past expiry like Code.
	if _, _, err := tok.Verify(code, time.Date(2037, 1, 1, 0, 0, 0, 0, time.UTC), "", 1); KindOf(err) != KindExpired {
		t.Errorf("expired Verify: %v", err)
	}
}

func TestAlg0Unsupported(t *testing.T) {
	tok := readToken(t, "tamper/DefAlg-0.sdtid", "")
	if tok.Alg != 0 {
		t.Fatalf("Alg %d", tok.Alg)
	}
	at := time.Unix(1735689599, 0)
	for _, err := range []error{
		func() error { _, err := tok.Code(at, ""); return err }(),
		func() error { _, err := tok.CodeForce(at, ""); return err }(),
		func() error { _, _, err := tok.Verify("12345678", at, "", 1); return err }(),
	} {
		if !errors.Is(err, &Error{Kind: KindUnsupported}) {
			t.Errorf("got %v, want KindUnsupported", err)
		}
	}
	// An absent Alg counts as 0, as stoken shows it.
	data := remac(t, readVector(t, "f01-8d-60s-addpin-nopw.sdtid"), "", func(d *doc) {
		h := d.header
		for i, c := range h.children {
			if c.name == "DefAlg" {
				h.children = append(h.children[:i], h.children[i+1:]...)
				break
			}
		}
	})
	f, err := Read(data, "")
	if err != nil || f.Tokens[0].Alg != 0 {
		t.Fatalf("no DefAlg: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	tok := readToken(t, "f12-deterministic-nopw.sdtid", "") // Death 2035/12/31
	if !tok.Death.Equal(time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)) || tok.NeverExpires {
		t.Fatalf("Death %v never %v", tok.Death, tok.NeverExpires)
	}
	if got := tok.ExpiresAt(); !got.Equal(time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ExpiresAt %v", got)
	}
	for _, c := range []struct {
		at      time.Time
		expired bool
	}{
		{time.Date(2036, 1, 2, 0, 0, 0, 0, time.UTC), false}, // stoken: "expires in 0 days"
		{time.Date(2036, 1, 2, 11, 59, 59, 0, time.UTC), false},
		{time.Date(2036, 1, 2, 12, 0, 0, 0, time.UTC), true}, // stoken: expired
	} {
		_, err := tok.Code(c.at, "")
		if (KindOf(err) == KindExpired) != c.expired {
			t.Errorf("at %v: %v", c.at, err)
		}
		if _, err := tok.CodeForce(c.at, ""); err != nil {
			t.Errorf("CodeForce at %v: %v", c.at, err)
		}
	}
	// Before 2000: "never expires", which stoken still ends at its 32-bit
	// clamp (checked: 2147613246 gives a code, 2147613247 is refused).
	never := readToken(t, "tamper/DefDeath-1999.sdtid", "")
	if !never.NeverExpires || !never.Death.IsZero() || never.ExpiresAt().Format("2006/01/02") != "2038/01/19" {
		t.Errorf("1999 death: %+v", never)
	}
	if _, err := never.Code(time.Unix(2147613246, 0), ""); err != nil {
		t.Errorf("never-expiring token refused at 2147613246: %v", err)
	}
	if _, err := never.Code(time.Unix(2147613247, 0), ""); KindOf(err) != KindExpired {
		t.Errorf("at 2147613247: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	// Expected values checked against stoken 0.92's "Expiration date"
	// (which is the day after these).
	for s, want := range map[string]string{
		"2035/12/31": "2035-12-31", "2035/1/5": "2035-01-05", " 2035/12/31": "2035-12-31",
		"2035/12/31xyz": "2035-12-31", "2035/ 12/31": "2035-12-31", "2035/13/01": "2036-01-01",
		"2035/02/30": "2035-03-02", "2035/00/00": "2034-11-30", "+2035/-1/3": "2034-11-03",
		"1999/12/31": "1999-12-31", "2040/01/01": "2040-01-01",
	} {
		got, err := ParseDate(s)
		if err != nil || got.Format("2006-01-02") != want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", s, got, err, want)
		}
	}
	for _, s := range []string{"", " ", "2035-12-31", "2035 /12/31", "2035/12", "2000/01/01", "1999/12/32", "x2035/12/31"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

func TestParseCInt(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "8": 8, "010": 8, "0x8": 8, "0X1f": 31, " 6": 6, "\t+6": 6, "-2": -2,
		"99999999999999999999": 1<<63 - 1} {
		if got, ok := parseCInt(s); !ok || got != want {
			t.Errorf("parseCInt(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", " ", "08", "yes", "8 ", "0x", "6a", "--1", "+"} {
		if _, ok := parseCInt(s); ok {
			t.Errorf("parseCInt(%q) accepted", s)
		}
	}
}

// TestReadEdgeCases covers stoken behaviours that have no tamper file,
// built by editing fixtures and recomputing the MACs.
func TestReadEdgeCases(t *testing.T) {
	f01 := readVector(t, "f01-8d-60s-addpin-nopw.sdtid")
	hdr := func(el, v string) []byte {
		return remac(t, f01, "", func(d *doc) { setText(t, d.header, el, v) })
	}
	read := func(data []byte) (Token, error) {
		f, err := ReadSingle(data, "")
		if err != nil {
			return Token{}, err
		}
		return f.Tokens[0], nil
	}
	// Integer forms (stoken: 0x8 ok, -2 gives 6 digits, empty fails).
	if tok, err := read(hdr("DefDigits", "0x8")); err != nil || tok.Digits != 8 {
		t.Errorf("0x8: %v %d", err, tok.Digits)
	}
	if tok, err := read(hdr("DefDigits", "-2")); err != nil || tok.Digits != 6 {
		t.Errorf("-2: %v %d", err, tok.Digits)
	}
	if tok, err := read(hdr("DefDigits", "10")); err != nil || tok.Digits != 2 {
		t.Errorf("10: %v %d", err, tok.Digits)
	}
	if _, err := read(hdr("DefDigits", "")); KindOf(err) != KindBadValue {
		t.Errorf("empty DefDigits: %v", err)
	}
	if tok, err := read(hdr("DefInterval", "0x3c")); err != nil || tok.IntervalSeconds != 60 {
		t.Errorf("0x3c: %v %d", err, tok.IntervalSeconds)
	}
	// Dates after 2038/01/18 are clamped; after 2179 they wrap (stoken shows
	// 2000/07/28 for 2180/01/01).
	if tok, err := read(hdr("DefDeath", "2040/01/01")); err != nil || tok.ExpiresAt() != maxTime32 {
		t.Errorf("2040: %v %v", err, tok.ExpiresAt())
	}
	if tok, err := read(hdr("DefDeath", "2180/01/01")); err != nil || tok.ExpiresAt().Format("2006/01/02") != "2000/07/28" {
		t.Errorf("2180: %v %v", err, tok.ExpiresAt())
	}
	// A per-token Death overrides DefDeath, and its bad value names Death.
	withDeath := func(v string) []byte {
		return remac(t, f01, "", func(d *doc) {
			d.tokens[0].children = append(d.tokens[0].children, &node{name: "Death", content: v})
		})
	}
	if tok, err := read(withDeath("2030/06/30")); err != nil || tok.Death.Format("2006/01/02") != "2030/06/30" {
		t.Errorf("token Death: %v %v", err, tok.Death)
	}
	var e *Error
	if _, err := read(withDeath("soon")); !errors.As(err, &e) || e.Kind != KindBadValue || e.Element != "Death" {
		t.Errorf("bad token Death: %v", err)
	}
	// The SN is not trimmed: padded past 12 characters it is "missing" for
	// stoken; padded within 12 it is accepted (checked with stoken, which
	// then computes codes from the spaces; we refuse a code instead).
	padded := remac(t, f01, "", func(d *doc) { setText(t, d.tokens[0], "SN", " 123456789012") })
	if _, err := read(padded); !errors.As(err, &e) || e.Kind != KindMissingElement || e.Element != "SN" {
		t.Errorf("padded SN: %v", err)
	}
	short := remac(t, f01, "", func(d *doc) { setText(t, d.tokens[0], "SN", " 123 ") })
	if tok, err := read(short); err != nil || tok.Serial != " 123 " {
		t.Errorf("short padded SN: %v %q", err, tok.Serial)
	} else if _, err := tok.CodeForce(time.Unix(1735689599, 0), ""); KindOf(err) != KindBadValue {
		t.Errorf("code for a non-digit serial: %v", err)
	}
	// Password longer than 40 characters: wrong password for a protected
	// file, ignored for an unprotected one (both as stoken does).
	long := strings.Repeat("p", 41)
	if _, err := Read(f01, long); err != nil {
		t.Errorf("long password on an unprotected file: %v", err)
	}
	f03 := readVector(t, "f03-8d-30s-addpin-pw.sdtid")
	if _, err := Read(f03, "Tr0ub4dor&3"+long); KindOf(err) != KindWrongPassword {
		t.Errorf("long password: %v", err)
	}
	// ISO-8859-1 declared files are read (and é decoded to U+00E9).
	latin := []byte(strings.Replace(string(f01), `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="ISO-8859-1"?>`, 1))
	latin = remac(t, latin, "", func(d *doc) { setText(t, d.tokens[0], "Nickname", "Café") })
	latin = []byte(strings.Replace(string(latin), "Caf&#xE9;", "Caf\xe9", 1))
	latin = []byte(strings.Replace(string(latin), `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="ISO-8859-1"?>`, 1))
	if tok, err := read(latin); err != nil || tok.Nickname != "Café" {
		t.Errorf("latin-1: %v %q", err, tok.Nickname)
	}
	// Junk after the root element and a second root are malformed.
	for _, tail := range []string{"junk", "<TKNBatch/>"} {
		if _, err := read(append(append([]byte(nil), f01...), tail...)); KindOf(err) != KindMalformedXML {
			t.Errorf("tail %q: %v", tail, err)
		}
	}
	// Line numbers count from the start of the file, leading text included.
	lead := append([]byte("line1\nline2\n"), readVector(t, "tamper/unclosed-tag.sdtid")...)
	if _, err := read(lead); !errors.As(err, &e) || e.Kind != KindMalformedXML || e.Line != 41 {
		t.Errorf("leading lines: %v", err)
	}
	// "<?xml" followed by a newline is not a declaration for stoken.
	nl := []byte(strings.Replace(string(f01), "<?xml ", "<?xml\n", 1))
	if _, err := read(nl); KindOf(err) != KindNotSDTID {
		t.Errorf("<?xml + newline: %v", err)
	}
	if _, err := read(nil); KindOf(err) != KindNotSDTID {
		t.Errorf("empty: %v", err)
	}
	utf16 := []byte{0xff, 0xfe}
	for _, c := range string(f01[:200]) {
		utf16 = append(utf16, byte(c), 0)
	}
	if _, err := read(utf16); KindOf(err) != KindNotSDTID {
		t.Errorf("UTF-16: %v", err)
	}
}

// TestMultiTokenRead: each TKN verifies on its own keys (its own SN).
func TestMultiTokenRead(t *testing.T) {
	f01 := readVector(t, "f01-8d-60s-addpin-nopw.sdtid")
	two := remac(t, f01, "", func(d *doc) {
		// A second TKN with its own serial; the remac gives it its own MAC.
		c := &node{name: "TKN"}
		for _, ch := range d.tokens[0].children {
			cp := *ch
			c.children = append(c.children, &cp)
		}
		c.find("SN").content = "999999999999"
		d.root.children = append(d.root.children[:2], append([]*node{c}, d.root.children[2:]...)...)
		d.tokens = append(d.tokens, c)
	})
	f, err := Read(two, "")
	if err != nil || len(f.Tokens) != 2 || f.Tokens[1].Serial != "999999999999" {
		t.Fatalf("Read: %v", err)
	}
	if _, err := ReadSingle(two, ""); KindOf(err) != KindMultipleTokens {
		t.Errorf("ReadSingle: %v", err)
	}
	// Damage only the second token's MAC: the error names token index 1.
	bad := []byte(strings.Replace(string(two), "<SN>999999999999</SN>", "<SN>999999999998</SN>", 1))
	var e *Error
	if _, err := Read(bad, ""); !errors.As(err, &e) || e.Kind != KindTokenMACFailed || e.Token != 1 {
		t.Errorf("second token damaged: %v", err)
	} else if !strings.Contains(e.Error(), "token 2, serial 999999999998") {
		t.Errorf("message %q", e.Error())
	}
}

func TestErrorMessages(t *testing.T) {
	for _, c := range []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: KindTokenMACFailed, Token: 1, Serial: "123456789012", Detail: "the token fields were changed or damaged"},
			"token MAC check failed (token 2, serial 123456789012): the token fields were changed or damaged"},
		{&Error{Kind: KindMissingElement, Element: "Seed", Token: 0, Detail: "decodes to 15 bytes, need 16"},
			`missing required element "Seed": decodes to 15 bytes, need 16`},
		{&Error{Kind: KindMalformedXML, Line: 39, Token: -1, Detail: "element <UserLogin> closed by </UserLogn>"},
			"malformed XML at line 39: element <UserLogin> closed by </UserLogn>"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	err := fmt.Errorf("wrapped: %w", &Error{Kind: KindWrongPassword, Token: -1})
	if !errors.Is(err, &Error{Kind: KindWrongPassword}) || errors.Is(err, &Error{Kind: KindPasswordRequired}) {
		t.Error("errors.Is by kind")
	}
	if KindOf(err) != KindWrongPassword || KindOf(errors.New("x")) != 0 || KindOf(nil) != 0 {
		t.Error("KindOf")
	}
	// Real reader errors name the element and why.
	_, rerr := Read(readVector(t, "tamper/seed-15-bytes.sdtid"), "")
	if rerr == nil || !strings.Contains(rerr.Error(), `missing required element "Seed"`) || !strings.Contains(rerr.Error(), "15 bytes") {
		t.Errorf("seed message: %v", rerr)
	}
}

func TestPasswordKeyAndCache(t *testing.T) {
	// 2.10: f12 and its password twin.
	for pw, want := range map[string]string{"Example Org": "8dbdb50256dc16ae53b238c7c26299ac", "hunter2": "cbf9fc888f5385063475941213246271"} {
		k := PasswordKey(pw, "Example Dest", "Example Batch")
		if hex.EncodeToString(k[:]) != want {
			t.Errorf("K0(%s) = %x", pw, k)
		}
		c := NewKeyCache()
		if c.Get(pw, " Example Dest ", "Example Batch") != k || c.Get(pw, "Example Dest", "Example Batch") != k {
			t.Error("cache differs from PasswordKey")
		}
	}
	// The straightforward 1000 x 5-block form gives the same K0 as the
	// shortcut that reuses the first four blocks.
	for _, in := range [][3]string{{"", "", ""}, {"p", "d", "n"}, {strings.Repeat("x", 40), strings.Repeat("y", 40), strings.Repeat("z", 20)}} {
		var key [16]byte
		field(key[:], trimC(in[2]))
		var buf [80]byte
		field(buf[0:32], in[0])
		field(buf[32:64], trimC(in[1]))
		var k0 [16]byte
		b := newAES(key)
		for i := 0; i < 1000; i++ {
			buf[78], buf[79] = byte(i>>8), byte(i)
			m := cbcMAC(b, [16]byte{}, buf[:])
			for j := range k0 {
				k0[j] ^= m[j]
			}
		}
		if PasswordKey(in[0], in[1], in[2]) != k0 {
			t.Errorf("PasswordKey%q differs from the plain algorithm", in)
		}
	}
}

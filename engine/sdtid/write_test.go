package sdtid

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testSignerOnce sync.Once
	testSigner     *Signer
)

func signer(t testing.TB) *Signer {
	t.Helper()
	testSignerOnce.Do(func() {
		s, err := GenerateSigner("swtoken test")
		if err != nil {
			panic(err)
		}
		testSigner = s
	})
	return testSigner
}

// inputFromTemplate turns a fixture's stoken template plus the vector's
// random values into the WriteInput that must reproduce the fixture.
func inputFromTemplate(t *testing.T, fx fixture) WriteInput {
	t.Helper()
	root, err := parseDocument(readVector(t, fx.Template))
	if err != nil {
		t.Fatal(err)
	}
	hdr, tkn := root.child("TKNHeader"), root.child("TKN")
	get := func(n *node, name string) string {
		if c := n.find(name); c != nil {
			return c.content
		}
		return ""
	}
	atoi := func(s string) int {
		if s == "" {
			return 0
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	date := func(s string) time.Time {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	in := WriteInput{
		Batch: Batch{
			Origin: get(hdr, "Origin"), Dest: get(hdr, "Dest"), Name: get(hdr, "Name"),
			Birth: date(get(hdr, "DefBirth")), Death: date(get(hdr, "DefDeath")),
			Digits: atoi(get(hdr, "DefDigits")), IntervalSeconds: atoi(get(hdr, "DefInterval")),
			AddPIN: get(hdr, "DefAddPIN") == "1", LocalPIN: get(hdr, "DefLocalPIN") == "1",
		},
		Token: TokenSpec{
			Serial:    get(tkn, "SN"),
			FirstName: get(tkn, "UserFirstName"), LastName: get(tkn, "UserLastName"), Login: get(tkn, "UserLogin"),
			DeviceSerialNumber: get(tkn, "DeviceSerialNumber"), Nickname: get(tkn, "Nickname"),
		},
		Password: pw(fx.Password),
	}
	for _, name := range []string{"DefMode", "DefTimeDerivedSeeds", "DefAppDerivedSeeds"} {
		if v := get(hdr, name); v != "" {
			in.Batch.Overrides = append(in.Batch.Overrides, Field{name, v})
		}
	}
	for _, name := range tokenOverrideOrder {
		if c := tkn.child(name); c != nil {
			in.Token.Overrides = append(in.Token.Overrides, Field{name, c.content})
		}
	}
	if fx.NewDevID != nil {
		in.Token.DeviceSerialNumber = *fx.NewDevID // stoken issue --new-devid
	}
	secret, err := base64.StdEncoding.DecodeString(fx.SecretB64)
	if err != nil {
		t.Fatal(err)
	}
	seed := [16]byte(mustHex(t, fx.SeedHex))
	in.Secret, in.Seed = (*[16]byte)(secret), &seed
	return in
}

// withoutTrailer cuts the TKNTrailer element out: the fixtures carry the
// vendor signature, which swtoken never makes.
func withoutTrailer(t *testing.T, b []byte) []byte {
	t.Helper()
	i := bytes.Index(b, []byte("  <TKNTrailer>"))
	j := bytes.Index(b, []byte("</TKNTrailer>\n"))
	if i < 0 || j < i {
		t.Fatalf("no TKNTrailer in\n%s", b)
	}
	return append(append([]byte(nil), b[:i]...), b[j+len("</TKNTrailer>\n"):]...)
}

// TestWriteFixturesExact rebuilds every stoken fixture byte for byte.
func TestWriteFixturesExact(t *testing.T) {
	v := loadVectors(t)
	w := &Writer{Signer: signer(t), Rand: errReader{}}
	for _, fx := range v.Fixtures {
		t.Run(fx.Name, func(t *testing.T) {
			in := inputFromTemplate(t, fx)
			out, err := w.Write(in)
			if err != nil {
				t.Fatal(err)
			}
			want := withoutTrailer(t, readVector(t, fx.File))
			got := withoutTrailer(t, out.Data)
			if !bytes.Equal(got, want) {
				t.Errorf("differs from stoken's file\n--- ours\n%s\n--- stoken\n%s", got, want)
			}
			if hex.EncodeToString(out.Seed[:]) != fx.SeedHex || base64.StdEncoding.EncodeToString(out.Secret[:]) != fx.SecretB64 {
				t.Errorf("Written seed/secret differ")
			}
			if err := signer(t).VerifyFile(out.Data); err != nil {
				t.Errorf("VerifyFile: %v", err)
			}
		})
	}
}

// errReader makes sure the exact test takes nothing from Rand.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("no randomness expected") }

var randText = []string{"", " ", "Alice", "O'Brien", `a & b < c > d "q" 'x'`, "José", "日本語", "tab\there", "]]>", "x y", "é&<>\"'日本"}

func randomInput(r *rand.Rand) WriteInput {
	pick := func(s []string) string { return s[r.Intn(len(s))] }
	serial := ""
	for i := 0; i < 12; i++ {
		serial += strconv.Itoa(r.Intn(10))
	}
	in := WriteInput{
		Batch: Batch{
			Digits:          []int{6, 8}[r.Intn(2)],
			IntervalSeconds: []int{30, 60}[r.Intn(2)],
			AddPIN:          r.Intn(2) == 1,
			LocalPIN:        r.Intn(4) == 0,
			Birth:           time.Date(2024, 1, 1+r.Intn(700), 0, 0, 0, 0, time.UTC),
			Death:           time.Date(2026, 1, 1+r.Intn(4000), 0, 0, 0, 0, time.UTC),
		},
		Token: TokenSpec{
			Serial:    serial,
			FirstName: pick(randText), LastName: pick(randText), Login: pick(randText),
			Nickname:           pick(randText),
			DeviceSerialNumber: pick([]string{"", "556f1985-33dd-442c-9155-3a0e994f21b1", "a01c4380-fc01-4df0-b113-7fb98ec74694", "8f94b226-d362-4204-ac52-3b21fa333b6f", "1234567890ABCDEF", "device-42"}),
		},
	}
	if r.Intn(3) == 0 {
		in.Batch.Origin, in.Batch.Dest, in.Batch.Name = "ACME Corp", "VPN Users", "ACME-2025"
	}
	if r.Intn(4) != 0 {
		const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 &<>\"'!#%;"
		var b strings.Builder
		n := 1 + r.Intn(24)
		for b.Len() < n {
			switch r.Intn(12) {
			case 0:
				b.WriteString("é")
			case 1:
				b.WriteString("日本")
			default:
				b.WriteByte(alphabet[r.Intn(len(alphabet))])
			}
		}
		in.Password = b.String()
		if len(in.Password) > maxWritePassword || trimC(in.Password) == "N/A" || in.Password == "ACME Corp" {
			in.Password = in.Password[:0] + "p" + strconv.Itoa(r.Intn(1e6))
		}
	}
	return in
}

// TestWriteRoundTrip: random inputs read back with the same seed and fields,
// the signature verifies, and any flipped signature byte fails.
func TestWriteRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	w := &Writer{Signer: signer(t), Rand: r, Keys: NewKeyCache()}
	for i := 0; i < 100; i++ {
		in := randomInput(r)
		out, err := w.Write(in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		f, err := ReadSingle(out.Data, in.Password)
		if err != nil {
			t.Fatalf("case %d: read back: %v\n%s", i, err, out.Data)
		}
		tok := f.Tokens[0]
		if tok.Seed != out.Seed || tok.Serial != in.Token.Serial || tok.Digits != in.Batch.Digits ||
			tok.IntervalSeconds != in.Batch.IntervalSeconds || (tok.PINMode >= 2) != in.Batch.AddPIN ||
			tok.PINMode&1 == 1 != in.Batch.LocalPIN || tok.Alg != 1 ||
			!tok.Death.Equal(in.Batch.Death) || tok.Birth != in.Batch.Birth.Format("2006/01/02") ||
			tok.FirstName != blank(in.Token.FirstName) || tok.LastName != blank(in.Token.LastName) ||
			tok.Login != blank(in.Token.Login) || tok.Nickname != blank(in.Token.Nickname) ||
			tok.DeviceSerialNumber != blank(in.Token.DeviceSerialNumber) {
			t.Fatalf("case %d: read back %+v from %+v", i, tok, in)
		}
		if f.PasswordProtected != (in.Password != "") {
			t.Errorf("case %d: PasswordProtected %v", i, f.PasswordProtected)
		}
		if in.Password != "" {
			if _, err := Read(out.Data, ""); KindOf(err) != KindPasswordRequired {
				t.Errorf("case %d: opened without its password: %v", i, err)
			}
		}
		if err := w.Signer.VerifyFile(out.Data); err != nil {
			t.Fatalf("case %d: VerifyFile: %v", i, err)
		}
		// Flip one byte inside the signature's base64 (swap for another
		// alphabet letter so it still decodes).
		start := bytes.Index(out.Data, []byte("<BatchSignature>")) + len("<BatchSignature>")
		bad := bytes.Clone(out.Data)
		pos := start + r.Intn(160)
		if bad[pos] == 'A' {
			bad[pos] = 'B'
		} else {
			bad[pos] = 'A'
		}
		if err := w.Signer.VerifyFile(bad); KindOf(err) != KindSignatureFailed {
			t.Fatalf("case %d: tampered signature: %v", i, err)
		}
		// A changed token field (re-MACed, so stoken would accept it) also
		// breaks the signature.
		edited := remac(t, out.Data, in.Password, func(d *doc) { setText(t, d.tokens[0], "UserLogin", "mallory") })
		if _, err := Read(edited, in.Password); err != nil {
			t.Fatalf("case %d: re-MACed edit: %v", i, err)
		}
		if err := w.Signer.VerifyFile(edited); KindOf(err) != KindSignatureFailed {
			t.Fatalf("case %d: edited file still verifies: %v", i, err)
		}
	}
	other, err := GenerateSigner("someone else")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := w.Write(randomInput(r))
	if err := other.VerifyFile(out.Data); KindOf(err) != KindSignatureFailed {
		t.Errorf("another installation's key verified the file: %v", err)
	}
}

func TestSignerPersistence(t *testing.T) {
	s := signer(t)
	s2, err := NewSigner(s.KeyDER(), s.CertDER())
	if err != nil {
		t.Fatal(err)
	}
	w := &Writer{Signer: s2}
	in := randomInput(rand.New(rand.NewSource(1)))
	out, err := w.Write(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyFile(out.Data); err != nil {
		t.Errorf("restored signer's file does not verify with the original: %v", err)
	}
	other, _ := GenerateSigner("x")
	if _, err := NewSigner(s.KeyDER(), other.CertDER()); err == nil {
		t.Error("key and foreign certificate accepted together")
	}
	if _, err := NewSigner([]byte("junk"), s.CertDER()); err == nil {
		t.Error("junk key accepted")
	}
}

// TestWriteRefuses: every invalid input is a KindBadValue naming the field.
func TestWriteRefuses(t *testing.T) {
	w := &Writer{Signer: signer(t)}
	ok := func() WriteInput {
		return WriteInput{Batch: Batch{Digits: 8}, Token: TokenSpec{Serial: "123456789012"}}
	}
	cases := []struct {
		name    string
		element string
		mod     func(*WriteInput)
	}{
		{"empty SN", "SN", func(in *WriteInput) { in.Token.Serial = "" }},
		{"13-digit SN", "SN", func(in *WriteInput) { in.Token.Serial = "1234567890123" }},
		{"letters in SN", "SN", func(in *WriteInput) { in.Token.Serial = "12345678901a" }},
		{"padded SN", "SN", func(in *WriteInput) { in.Token.Serial = " 12345" }},
		{"7 digits", "Digits", func(in *WriteInput) { in.Batch.Digits = 7 }},
		{"45 s", "IntervalSeconds", func(in *WriteInput) { in.Batch.IntervalSeconds = 45 }},
		{"33-byte password", "Password", func(in *WriteInput) { in.Password = strings.Repeat("x", 33) }},
		{"password with NUL", "Password", func(in *WriteInput) { in.Password = "a\x00b" }},
		{"password = Origin", "Password", func(in *WriteInput) { in.Password = "N/A" }},
		{"NUL in nickname", "Nickname", func(in *WriteInput) { in.Token.Nickname = "a\x00" }},
		{"NUL in login", "UserLogin", func(in *WriteInput) { in.Token.Login = "\x00" }},
		{"newline in first name", "UserFirstName", func(in *WriteInput) { in.Token.FirstName = "a\nb" }},
		{"bad UTF-8", "UserLastName", func(in *WriteInput) { in.Token.LastName = "\xff" }},
		{"non-ASCII Origin", "Origin", func(in *WriteInput) { in.Batch.Origin = "Café" }},
		{"non-ASCII Dest", "Dest", func(in *WriteInput) { in.Batch.Dest = "日本" }},
		{"non-ASCII Name", "Name", func(in *WriteInput) { in.Batch.Name = "é" }},
		{"NUL in Name", "Name", func(in *WriteInput) { in.Batch.Name = "a\x00" }},
		{"blank Origin", "Origin", func(in *WriteInput) { in.Batch.Origin = "  " }},
		{"Death 2000/01/01", "DefDeath", func(in *WriteInput) { in.Batch.Death = epoch2000 }},
		{"Death 2040", "DefDeath", func(in *WriteInput) { in.Batch.Death = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"DefAlg override", "DefAlg", func(in *WriteInput) { in.Batch.Overrides = []Field{{"DefAlg", "0"}} }},
		{"octal-looking override", "DefMode", func(in *WriteInput) { in.Batch.Overrides = []Field{{"DefMode", "01"}} }},
		{"token Alg 0", "Alg", func(in *WriteInput) { in.Token.Overrides = []Field{{"Alg", "0"}} }},
		{"token Digits 9", "Digits", func(in *WriteInput) { in.Token.Overrides = []Field{{"Digits", "9"}} }},
		{"unknown override", "Colour", func(in *WriteInput) { in.Token.Overrides = []Field{{"Colour", "1"}} }},
		{"duplicate override", "Mode", func(in *WriteInput) { in.Token.Overrides = []Field{{"Mode", "1"}, {"Mode", "0"}} }},
		{"bad token Death", "Death", func(in *WriteInput) { in.Token.Overrides = []Field{{"Death", "2035-12-31"}} }},
		{"huge nickname", "Nickname", func(in *WriteInput) { in.Token.Nickname = strings.Repeat("n", 5000) }},
	}
	for _, c := range cases {
		in := ok()
		c.mod(&in)
		_, err := w.Write(in)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindBadValue || e.Element != c.element {
			t.Errorf("%s: got %v, want KindBadValue for %q", c.name, err, c.element)
		}
	}
	if _, err := w.Write(ok()); err != nil {
		t.Fatalf("the valid base input was refused: %v", err)
	}
	if _, err := (&Writer{}).Write(ok()); err == nil {
		t.Error("a Writer without a Signer wrote a file")
	}
}

// TestWriteDefaults: zero Batch values give stoken's defaults, dates from
// Writer.Now, and no password means the Origin.
func TestWriteDefaults(t *testing.T) {
	now := time.Date(2025, 3, 4, 23, 59, 0, 0, time.FixedZone("x", -5*3600)) // 2025-03-05 UTC
	w := &Writer{Signer: signer(t), Now: func() time.Time { return now }}
	out, err := w.Write(WriteInput{Token: TokenSpec{Serial: "42"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<Origin>N/A</Origin>", "<Dest>N/A</Dest>", "<Name>N/A</Name>", "<FirstToken>N/A</FirstToken>",
		"<NumTokens>0</NumTokens>", "<DefBirth>2025/03/05</DefBirth>", "<DefDeath>2030/03/04</DefDeath>",
		"<DefDigits>8</DefDigits>", "<DefInterval>60</DefInterval>", "<DefAlg>1</DefAlg>", "<DefAddPIN>0</DefAddPIN>",
		"<UserFirstName> </UserFirstName>", "<DeviceSerialNumber> </DeviceSerialNumber>", "<Nickname> </Nickname>"} {
		if !bytes.Contains(out.Data, []byte(s)) {
			t.Errorf("missing %s", s)
		}
	}
	f, err := Read(out.Data, "N/A") // the Origin is the password of an unprotected file
	if err != nil || f.PasswordProtected {
		t.Fatalf("read: %v %+v", err, f)
	}
	if f.Tokens[0].Serial != "42" {
		t.Errorf("serial %q", f.Tokens[0].Serial)
	}
}

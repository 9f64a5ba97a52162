package sdtid

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Batch holds the header values of a file. Zero values mean stoken's
// defaults (sdtid-format.md 1.3): Origin, Dest, Name, FirstToken and
// LastToken "N/A", NumTokens 0, Digits 8, IntervalSeconds 60, Birth today
// (UTC) and Death today + 1825 days. AddPIN and LocalPIN are written as
// given: a Go bool cannot default to stoken's AddPIN 1, so set AddPIN for
// PIN tokens.
type Batch struct {
	Origin, Dest, Name    string
	FirstToken, LastToken string
	NumTokens             int
	// Birth and Death are calendar dates, written YYYY/MM/DD from the value's
	// own year, month and day. Death is the last valid day.
	Birth, Death    time.Time
	Digits          int // 6 or 8
	IntervalSeconds int // 30 or 60
	AddPIN          bool
	LocalPIN        bool
	// Overrides sets the other, rarely changed header elements by name, in
	// place (the element order never changes): Version, DefMode,
	// DefPrecision, DefSmallWin, DefMediumWin, DefLargeWin,
	// DefCopyProtection, DefPinType, DefKeypad, DefProtLevel, DefRevision,
	// DefTimeDerivedSeeds, DefAppDerivedSeeds, DefFormFactor. Values are
	// plain decimal integers. DefAlg is always 1.
	Overrides []Field
}

// TokenSpec holds the TKN values. Empty strings are written as " ", as stoken
// does.
type TokenSpec struct {
	Serial                       string // 1-12 digits
	FirstName, LastName, Login   string
	DeviceSerialNumber, Nickname string // DeviceSerialNumber: a device ID or class GUID
	// Overrides are per-token elements (1.4); they are written in stoken's
	// order whatever their order here: Birth Death Digits Interval Alg Mode
	// Precision SmallWin MediumWin LargeWin AddPIN LocalPIN CopyProtection
	// PinType Keypad ProtLevel Revision TimeDerivedSeeds AppDerivedSeeds
	// FormFactor.
	Overrides []Field
}

// Field is one element name and its text.
type Field struct{ Name, Value string }

// Writer writes single-token SDTID files that stoken reads.
type Writer struct {
	Signer *Signer
	Rand   io.Reader // nil = crypto/rand
	// Keys, when set, caches K0 across files with the same password, Dest
	// and Name; the 1000-round derivation then runs once per job.
	Keys *KeyCache
	// Now gives "today" for default Birth/Death; nil = time.Now.
	Now func() time.Time
}

// WriteInput is one file to write.
type WriteInput struct {
	Batch    Batch
	Token    TokenSpec
	Password string    // "" = no password: the Origin is the key (2.2)
	Secret   *[16]byte // nil = 16 bytes from Rand (read first)
	Seed     *[16]byte // nil = 16 bytes from Rand (read after Secret)
}

// Written is a written file and the secrets it holds, for the caller to
// store. Seed is the plaintext seed.
type Written struct {
	Data   []byte
	Seed   [16]byte
	Secret [16]byte
}

// The header and its defaults, in stoken's order (1.2, 1.3).
var headerOrder = []Field{
	{"Version", "0"}, {"Origin", "N/A"}, {"Dest", "N/A"}, {"Name", "N/A"},
	{"FirstToken", "N/A"}, {"LastToken", "N/A"}, {"NumTokens", "0"}, {"Secret", ""},
	{"DefBirth", ""}, {"DefDeath", ""}, {"DefDigits", "8"}, {"DefInterval", "60"},
	{"DefAlg", "1"}, {"DefMode", "0"}, {"DefPrecision", "2400"}, {"DefSmallWin", "630"},
	{"DefMediumWin", "4320"}, {"DefLargeWin", "4320"}, {"DefAddPIN", "1"}, {"DefLocalPIN", "0"},
	{"DefCopyProtection", "1"}, {"DefPinType", "0"}, {"DefKeypad", "1"}, {"DefProtLevel", "0"},
	{"DefRevision", "0"}, {"DefTimeDerivedSeeds", "1"}, {"DefAppDerivedSeeds", "0"},
	{"DefFormFactor", "20000001"},
}

// headerOverridable are the header elements Batch.Overrides may set; the
// others have typed Batch fields or are computed.
var headerOverridable = map[string]bool{
	"Version": true, "DefMode": true, "DefPrecision": true, "DefSmallWin": true,
	"DefMediumWin": true, "DefLargeWin": true, "DefCopyProtection": true, "DefPinType": true,
	"DefKeypad": true, "DefProtLevel": true, "DefRevision": true,
	"DefTimeDerivedSeeds": true, "DefAppDerivedSeeds": true, "DefFormFactor": true,
}

// tokenOverrideOrder is stoken's order for per-token overrides.
var tokenOverrideOrder = []string{"Birth", "Death", "Digits", "Interval", "Alg", "Mode",
	"Precision", "SmallWin", "MediumWin", "LargeWin", "AddPIN", "LocalPIN", "CopyProtection",
	"PinType", "Keypad", "ProtLevel", "Revision", "TimeDerivedSeeds", "AppDerivedSeeds", "FormFactor"}

// plainInt is what a writer emits for integers: decimal without a leading
// zero, because stoken reads a leading 0 as octal ("08" fails).
var plainInt = regexp.MustCompile(`^(0|[1-9][0-9]{0,9})$`)

var dateText = regexp.MustCompile(`^[0-9]{4}/[0-9]{2}/[0-9]{2}$`)

// Dates a writer accepts: day 0 (2000/01/01) is invalid for stoken and
// anything after 2038/01/18 is clamped by its 32-bit time.
var (
	minDeath = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
	maxDeath = time.Date(2038, 1, 18, 0, 0, 0, 0, time.UTC)
)

// maxWritePassword: only 32 bytes enter the key (2.2); longer would be
// silently truncated, so it is refused.
const maxWritePassword = 32

// maxTextField bounds one text value, keeping a file far below the 64 KiB
// that stoken reads.
const maxTextField = 1024

func badInput(element, format string, args ...any) *Error {
	return errf(KindBadValue, element, -1, format, args...)
}

// Write builds one signed, single-token file. Invalid input is refused with
// a KindBadValue *Error naming the field; nothing is silently changed.
func (w *Writer) Write(in WriteInput) (*Written, error) {
	if w.Signer == nil {
		return nil, errors.New("sdtid: Writer.Signer is nil")
	}
	hdr, err := w.headerFields(&in.Batch)
	if err != nil {
		return nil, err
	}
	tkn, err := tokenFields(&in.Token)
	if err != nil {
		return nil, err
	}
	origin, dest, name := hdr[1].Value, hdr[2].Value, hdr[3].Value
	pw := in.Password
	switch {
	case len(pw) > maxWritePassword:
		return nil, badInput("Password", "%d bytes; at most %d bytes enter the key", len(pw), maxWritePassword)
	case strings.IndexByte(pw, 0) >= 0:
		return nil, badInput("Password", "contains a NUL character, which would end it early")
	case pw != "" && pw == trimC(origin):
		return nil, badInput("Password", "equals the Origin, so the file would open without a password")
	case pw == "":
		pw = trimC(origin) // "no password" is the Origin as password (2.2)
	}

	rnd := w.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var out Written
	for _, x := range []struct {
		given *[16]byte
		dst   *[16]byte
	}{{in.Secret, &out.Secret}, {in.Seed, &out.Seed}} {
		if x.given != nil {
			*x.dst = *x.given
		} else if _, err := io.ReadFull(rnd, x.dst[:]); err != nil {
			return nil, fmt.Errorf("sdtid: reading random bytes: %w", err)
		}
	}

	var k0 [16]byte
	if w.Keys != nil {
		k0 = w.Keys.Get(pw, dest, name)
	} else {
		k0 = PasswordKey(pw, dest, name)
	}
	sn := in.Token.Serial
	k := deriveKeys(k0, name, sn, out.Secret)
	enc := cryptSeed(k, sn, out.Seed)
	hdr[7].Value = base64.StdEncoding.EncodeToString(out.Secret[:])
	tkn[1].Value = "=" + base64.StdEncoding.EncodeToString(enc[:])

	header := &node{name: "TKNHeader"}
	for _, f := range hdr {
		header.children = append(header.children, &node{name: f.Name, content: f.Value})
	}
	token := &node{name: "TKN"}
	attrs := &node{name: "TokenAttributes"}
	for _, f := range tkn {
		n := &node{name: f.Name, content: f.Value}
		if f.Name == "DeviceSerialNumber" || f.Name == "Nickname" {
			attrs.children = append(attrs.children, n)
		} else {
			token.children = append(token.children, n)
		}
	}
	token.children = append(token.children, attrs)

	sc := scratchPool.Get().(*macScratch)
	defer sc.release()
	hbuf, err := macInputTo(sc.mac[0], sc.prefix, header)
	if err != nil {
		return nil, badInput("TKNHeader", "%v", err)
	}
	sc.mac[0] = hbuf
	tbuf, err := macInputTo(sc.mac[1], sc.prefix, token)
	if err != nil {
		return nil, badInput("TKN", "%v", err)
	}
	sc.mac[1] = tbuf
	hmac := cbcMAC(newAES(k.HeaderMAC), ivHeaderMAC, hbuf)
	tmac := cbcMAC(newAES(k.TokenMAC), ivTokenMAC, tbuf)
	header.children = append(header.children, &node{name: "HeaderMAC", content: base64.StdEncoding.EncodeToString(hmac[:])})
	token.children = append(token.children, &node{name: "TokenMAC", content: base64.StdEncoding.EncodeToString(tmac[:])})

	sbuf, err := sigInputTo(sc.sig, sc.prefix, header, []*node{token})
	if err != nil {
		return nil, badInput("TKN", "%v", err)
	}
	sc.sig = sbuf
	sig, err := w.Signer.sign(sbuf)
	if err != nil {
		return nil, fmt.Errorf("sdtid: signing: %w", err)
	}
	trailer := &node{name: "TKNTrailer", children: []*node{
		{name: "BatchSignature", content: base64.StdEncoding.EncodeToString(sig)},
		{name: "BatchCertificate", content: base64.StdEncoding.EncodeToString(w.Signer.certDER)},
	}}
	root := &node{name: "TKNBatch", children: []*node{header, token, trailer}}
	out.Data = serialize(root)
	if len(out.Data) > maxInput {
		return nil, badInput("TKN", "the file would be %d bytes; stoken reads only the first %d", len(out.Data), maxInput)
	}
	return &out, nil
}

func (w *Writer) headerFields(b *Batch) ([]Field, error) {
	hdr := append([]Field(nil), headerOrder...)
	set := func(i int, v string) { hdr[i].Value = v }
	for i, v := range []string{b.Origin, b.Dest, b.Name, b.FirstToken, b.LastToken} {
		el := hdr[1+i].Name
		if v == "" {
			continue // stoken's "N/A"
		}
		if err := checkText(el, v, true); err != nil {
			return nil, err
		}
		set(1+i, v)
	}
	if trimC(hdr[1].Value) == "" {
		return nil, badInput("Origin", "is blank; it is the key of files without a password")
	}
	if b.NumTokens < 0 {
		return nil, badInput("NumTokens", "must not be negative")
	}
	set(6, strconv.Itoa(b.NumTokens))

	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	today := now().UTC()
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	birth, death := b.Birth, b.Death
	if birth.IsZero() {
		birth = today
	}
	if death.IsZero() {
		death = today.AddDate(0, 0, 1825)
	}
	for _, d := range []struct {
		el string
		t  time.Time
		i  int
	}{{"DefBirth", birth, 8}, {"DefDeath", death, 9}} {
		s, err := formatDate(d.el, d.t)
		if err != nil {
			return nil, err
		}
		set(d.i, s)
	}

	switch b.Digits {
	case 0:
	case 6, 8:
		set(10, strconv.Itoa(b.Digits))
	default:
		return nil, badInput("Digits", "%d; use 6 or 8", b.Digits)
	}
	switch b.IntervalSeconds {
	case 0:
	case 30, 60:
		set(11, strconv.Itoa(b.IntervalSeconds))
	default:
		return nil, badInput("IntervalSeconds", "%d; use 30 or 60", b.IntervalSeconds)
	}
	set(18, boolText(b.AddPIN))
	set(19, boolText(b.LocalPIN))

	seen := map[string]bool{}
	for _, o := range b.Overrides {
		if !headerOverridable[o.Name] {
			return nil, badInput(o.Name, "cannot be overridden in the header (use the Batch fields; DefAlg is always 1)")
		}
		if seen[o.Name] {
			return nil, badInput(o.Name, "given twice")
		}
		seen[o.Name] = true
		if !plainInt.MatchString(o.Value) {
			return nil, badInput(o.Name, "%q is not a plain decimal integer", clip(o.Value))
		}
		for i := range hdr {
			if hdr[i].Name == o.Name {
				hdr[i].Value = o.Value
			}
		}
	}
	return hdr, nil
}

func formatDate(el string, t time.Time) (string, error) {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	lo := minDeath
	if el == "DefBirth" || el == "Birth" {
		lo = epoch2000 // never read by stoken; "stoken export" writes 2000/01/01
	}
	if d.Before(lo) || d.After(maxDeath) {
		return "", badInput(el, "%s is outside %s to 2038/01/18, the dates stoken handles",
			d.Format("2006/01/02"), lo.Format("2006/01/02"))
	}
	return d.Format("2006/01/02"), nil
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func tokenFields(t *TokenSpec) ([]Field, error) {
	if len(t.Serial) < 1 || len(t.Serial) > 12 || strings.Trim(t.Serial, "0123456789") != "" {
		return nil, badInput("SN", "%q; a serial number is 1 to 12 digits", clip(t.Serial))
	}
	out := []Field{{"SN", t.Serial}, {"Seed", ""}}
	for _, f := range []Field{{"UserFirstName", t.FirstName}, {"UserLastName", t.LastName}, {"UserLogin", t.Login}} {
		if err := checkText(f.Name, f.Value, false); err != nil {
			return nil, err
		}
		out = append(out, Field{f.Name, blank(f.Value)})
	}
	ov := map[string]string{}
	for _, o := range t.Overrides {
		if _, dup := ov[o.Name]; dup {
			return nil, badInput(o.Name, "given twice")
		}
		if err := checkOverride(o); err != nil {
			return nil, err
		}
		ov[o.Name] = o.Value
	}
	for _, name := range tokenOverrideOrder {
		if v, ok := ov[name]; ok {
			out = append(out, Field{name, v})
		}
	}
	for _, f := range []Field{{"DeviceSerialNumber", t.DeviceSerialNumber}, {"Nickname", t.Nickname}} {
		if err := checkText(f.Name, f.Value, false); err != nil {
			return nil, err
		}
		out = append(out, Field{f.Name, blank(f.Value)})
	}
	return out, nil
}

func checkOverride(o Field) error {
	known := false
	for _, n := range tokenOverrideOrder {
		known = known || n == o.Name
	}
	if !known {
		return badInput(o.Name, "is not a per-token override (Birth, Death, Digits, Interval, AddPIN, ...)")
	}
	switch o.Name {
	case "Birth", "Death":
		t, err := ParseDate(o.Value)
		if !dateText.MatchString(o.Value) || err != nil {
			return badInput(o.Name, "%q is not a YYYY/MM/DD date", clip(o.Value))
		}
		if _, err := formatDate(o.Name, t); err != nil {
			return err
		}
	case "Digits":
		if o.Value != "6" && o.Value != "8" {
			return badInput(o.Name, "%q; use 6 or 8", clip(o.Value))
		}
	case "Interval":
		if o.Value != "30" && o.Value != "60" {
			return badInput(o.Name, "%q; use 30 or 60", clip(o.Value))
		}
	case "Alg":
		if o.Value != "1" {
			return badInput(o.Name, "%q; only AES-128 tokens (1) are written", clip(o.Value))
		}
	case "AddPIN", "LocalPIN", "Mode", "TimeDerivedSeeds", "AppDerivedSeeds":
		if o.Value != "0" && o.Value != "1" {
			return badInput(o.Name, "%q; use 0 or 1", clip(o.Value))
		}
	default:
		if !plainInt.MatchString(o.Value) {
			return badInput(o.Name, "%q is not a plain decimal integer", clip(o.Value))
		}
	}
	return nil
}

func blank(s string) string {
	if s == "" {
		return " "
	}
	return s
}

// checkText refuses what would not survive the round trip or would make the
// file ambiguous: invalid UTF-8, characters XML cannot carry, control
// characters other than tab (a NUL would also end the value inside stoken),
// and, for the key fields Origin/Dest/Name, anything not printable ASCII
// (how RSA's tools encode non-ASCII there is unknown, 8).
func checkText(el, v string, asciiOnly bool) error {
	if len(v) > maxTextField {
		return badInput(el, "%d bytes; at most %d", len(v), maxTextField)
	}
	if !utf8.ValidString(v) {
		return badInput(el, "is not valid UTF-8")
	}
	for _, r := range v {
		switch {
		case r == 0:
			return badInput(el, "contains a NUL character")
		case r < 0x20 && r != '\t', r == 0x7f:
			return badInput(el, "contains the control character U+%04X", r)
		case r == 0xFFFE || r == 0xFFFF:
			return badInput(el, "contains U+%04X, which XML cannot carry", r)
		case asciiOnly && r > 0x7e:
			return badInput(el, "contains non-ASCII text; it is key material, keep it ASCII")
		}
	}
	return nil
}

// serialize writes the tree as libxml2 does (1.9), byte for byte.
func serialize(root *node) []byte {
	buf := make([]byte, 0, 4096)
	buf = append(buf, "<?xml version=\"1.0\"?>\n"...)
	var emit func(n *node, depth int)
	emit = func(n *node, depth int) {
		for i := 0; i < depth; i++ {
			buf = append(buf, ' ', ' ')
		}
		switch {
		case len(n.children) > 0:
			buf = append(append(append(buf, '<'), n.name...), ">\n"...)
			for _, c := range n.children {
				emit(c, depth+1)
			}
			for i := 0; i < depth; i++ {
				buf = append(buf, ' ', ' ')
			}
			buf = append(append(append(buf, "</"...), n.name...), ">\n"...)
		case n.content == "":
			buf = append(append(append(buf, '<'), n.name...), "/>\n"...)
		default:
			buf = append(append(append(buf, '<'), n.name...), '>')
			buf = escapeText(buf, n.content)
			buf = append(append(append(buf, "</"...), n.name...), ">\n"...)
		}
	}
	emit(root, 0)
	return buf
}

// escapeText escapes like libxml2 without a declared encoding: & < > and CR
// as references, every non-ASCII code point as &#xHEX; (upper case).
func escapeText(buf []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '&':
			buf = append(buf, "&amp;"...)
		case r == '<':
			buf = append(buf, "&lt;"...)
		case r == '>':
			buf = append(buf, "&gt;"...)
		case r == '\r':
			buf = append(buf, "&#xD;"...)
		case r >= 0x80:
			buf = append(buf, "&#x"...)
			buf = append(buf, strings.ToUpper(strconv.FormatInt(int64(r), 16))...)
			buf = append(buf, ';')
		default:
			buf = append(buf, byte(r))
		}
	}
	return buf
}

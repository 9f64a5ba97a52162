// Package ctf writes and reads RSA SecurID Compressed Token Format strings
// (CTF) byte for byte as stoken 0.92 does: version 2 (81 digits, bare, in
// blocks of five, or behind the iPhone/Android link) and version 3 (base64
// behind a link), with password and device-ID binding. The reference is
// docs ctf-format.md (../shared/docs/ctf-format.md); section numbers in
// comments ("§4.5") refer to it. Tokencodes reuse engine/sdtid's algorithm.
//
// Secrets: no error text ever contains a seed, a password or a device ID.
package ctf

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"time"
)

// Form is the text form of a CTF string.
type Form int

const (
	// FormDigits is the bare 81-digit v2 string.
	FormDigits Form = iota + 1
	// FormBlocks is v2 with a dash after every five digits (97 characters).
	FormBlocks
	// FormIPhone is com.rsa.securid.iphone://ctf?ctfData=<payload>.
	FormIPhone
	// FormAndroid is http://127.0.0.1/securid/ctf?ctfData=<payload>.
	FormAndroid
	// FormRSA is com.rsa.securid://ctf?ctfData=<payload>: read, never written
	// (stoken never writes it).
	FormRSA
	// FormOtherLink is a string with ctfData= behind any other prefix: read,
	// never written. Its smartphone flag is 0 (§2.2 step 4).
	FormOtherLink
)

func (f Form) String() string {
	switch f {
	case FormDigits:
		return "digits"
	case FormBlocks:
		return "blocks"
	case FormIPhone:
		return "iphone"
	case FormAndroid:
		return "android"
	case FormRSA:
		return "rsa-link"
	case FormOtherLink:
		return "link"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// The link prefixes of §2.1.
const (
	PrefixIPhone  = "com.rsa.securid.iphone://ctf?ctfData="
	PrefixAndroid = "http://127.0.0.1/securid/ctf?ctfData="
	PrefixRSA     = "com.rsa.securid://ctf?ctfData="
)

// ClassGUID is a device-class GUID known to stoken (§4.5). Binding a token to
// one binds it to every device of the class; a unique device ID (from the
// app's About screen) binds it to one unit. The format does not tell them
// apart.
type ClassGUID struct{ Tag, Name, GUID string }

// ClassGUIDs lists stoken's class GUIDs in its auto-detection order.
var ClassGUIDs = []ClassGUID{
	{"iphone", "iPhone", "556f1985-33dd-442c-9155-3a0e994f21b1"},
	{"android", "Android", "a01c4380-fc01-4df0-b113-7fb98ec74694"},
	{"bb", "BlackBerry", "868c28f8-31bf-4911-9876-ebece5c3f2ab"},
	{"bb10", "BlackBerry 10", "b77a1d06-d505-4200-90d3-1bb397748704"},
	{"winphone", "Windows Phone", "c483b592-63f0-4f19-b4cb-a6bce8e57159"},
	{"win", "Windows", "8f94b226-d362-4204-ac52-3b21fa333b6f"},
	{"mac", "Mac OSX", "d0955a53-569b-4ecc-9cf7-6c2a59d4e775"},
}

// PIN modes (§4.3): bit 1 = AddPIN, bit 0 = LocalPIN. A mode >= 2 adds the
// PIN to the tokencode.
const (
	PINNone   = 0
	PINLocal  = 1
	PINAdd    = 2
	PINAddLoc = 3
)

// Token is what a CTF string carries. v3 carries fewer flags (§5.8): a v3
// decode always has Alg128 and TimeDerived set, PINMode 0 or 2, no
// AppDerived/Feature6/Reserved.
type Token struct {
	Serial   string   // 12 digits (1-12 on encode: left-padded with 0)
	Seed     [16]byte // the plain seed
	Digits   int      // tokencode digits, 1-8
	Interval int      // 30 or 60 seconds (v2 interval codes 2 and 3 read as 60)
	PINMode  int      // 0-3, see PINNone...
	// Death is the last valid day (00:00 UTC); stoken's expiry is the next
	// midnight. NeverExpires is set on decode when the day number is beyond
	// 2038-01-18 (§4.4); on encode, NeverExpires with a zero Death writes the
	// largest day number.
	Death        time.Time
	NeverExpires bool

	Alg128      bool   // 128BIT flag; false = a 64-bit token (no tokencodes)
	TimeDerived bool   // TIMESEEDS
	AppDerived  bool   // APPSEEDS (v2 only)
	Feature4    bool   // FEAT4, SDTID Mode (v3: the mode byte)
	Feature6    bool   // FEAT6 (v2 only)
	Reserved    uint16 // the unknown v2 flag bits 0x8004, copied through

	// Set by Decode: how the string was protected.
	PasswordProtected bool
	DeviceBound       bool
}

// Options choose how Encode writes a token.
type Options struct {
	Version int  // 2 or 3
	Form    Form // FormDigits, FormBlocks, FormIPhone, FormAndroid (v3: IPhone or Android)
	// Password protects the seed (raw bytes, at most 40, no NUL); "" = none.
	Password string
	// DeviceID binds the token to a device: a class GUID or a unique device
	// ID, as given (separators and case are handled as stoken does); "" = none.
	DeviceID string
	// Rand supplies the v3 nonce; nil means crypto/rand.
	Rand io.Reader
}

// Info is what Inspect reads without a password or device ID.
type Info struct {
	Version    int  // 1, 2 or 3
	Form       Form // the text form
	Smartphone bool // the string begins with a phone link prefix (§2.2 step 4)
	// NeedsPassword / NeedsDeviceID say what Decode will need.
	NeedsPassword, NeedsDeviceID bool
	// Settings are readable only in v2 strings (in v3 they are encrypted);
	// Token.Seed is then zero and Settings false for v3.
	Settings bool
	Token    Token
}

const maxSecret = 40

func checkSecret(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fail(ErrPasswordFormat, what+" contains a NUL byte")
	}
	if what == "the password" && len(s) > maxSecret {
		return fail(ErrPasswordFormat, fmt.Sprintf("the password is %d bytes; at most %d are allowed", len(s), maxSecret))
	}
	return nil
}

// decodeSecrets checks the secrets given to decode a string: the password
// when the string is protected (it must be given then), otherwise none is
// used; and the device ID. It returns the password to use.
func decodeSecrets(protected bool, pw, devid string) (string, error) {
	if !protected {
		pw = ""
	} else if pw == "" {
		return "", fail(ErrMissingPassword, "this string is protected by a password")
	} else if err := checkSecret("the password", pw); err != nil {
		return "", err
	}
	if err := checkSecret("the device ID", devid); err != nil {
		return "", err
	}
	return pw, nil
}

// Encode writes t as a CTF string. v2 output is deterministic; v3 draws a
// 16-byte nonce from o.Rand (crypto/rand when nil).
func Encode(t Token, o Options) (string, error) {
	if err := checkSecret("the password", o.Password); err != nil {
		return "", err
	}
	if err := checkSecret("the device ID", o.DeviceID); err != nil {
		return "", err
	}
	serial, exp, err := validate(t)
	if err != nil {
		return "", err
	}
	switch o.Version {
	case 2:
		var smartphone bool
		switch o.Form {
		case FormDigits, FormBlocks:
		case FormIPhone, FormAndroid:
			smartphone = true
		default:
			return "", fail(ErrMalformed, fmt.Sprintf("v2 cannot be written in form %v", o.Form))
		}
		s := encodeV2(t, serial, exp, o.Password, o.DeviceID, smartphone)
		switch o.Form {
		case FormBlocks:
			return blocks(s), nil
		case FormIPhone:
			return PrefixIPhone + s, nil
		case FormAndroid:
			return PrefixAndroid + s, nil
		}
		return s, nil
	case 3:
		prefix := ""
		switch o.Form {
		case FormIPhone:
			prefix = PrefixIPhone
		case FormAndroid:
			prefix = PrefixAndroid
		default:
			return "", fail(ErrMalformed, fmt.Sprintf("v3 is written only behind a link (iphone or android), not in form %v", o.Form))
		}
		r := o.Rand
		if r == nil {
			r = rand.Reader
		}
		var nonce [16]byte
		if _, err := io.ReadFull(r, nonce[:]); err != nil {
			return "", fmt.Errorf("ctf: reading the v3 nonce: %w", err)
		}
		return prefix + encodeV3(t, serial, exp, o.Password, o.DeviceID, nonce), nil
	}
	return "", fail(ErrUnsupportedVersion, fmt.Sprintf("version %d cannot be written (2 or 3)", o.Version))
}

// epoch2000 is day 0 of the CTF day numbers.
var epoch2000 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// neverDay is the first day number stoken treats as "never expires".
const neverDay = 13898

// validate checks t for encoding and returns its 12-digit serial and day
// number.
func validate(t Token) (string, int, error) {
	if len(t.Serial) < 1 || len(t.Serial) > 12 || strings.Trim(t.Serial, "0123456789") != "" {
		return "", 0, fail(ErrMalformed, fmt.Sprintf("serial %q: 1-12 digits are required", t.Serial))
	}
	serial := strings.Repeat("0", 12-len(t.Serial)) + t.Serial
	if t.Digits < 1 || t.Digits > 8 {
		return "", 0, fail(ErrMalformed, fmt.Sprintf("%d tokencode digits: 1-8 are possible", t.Digits))
	}
	if t.Interval != 30 && t.Interval != 60 {
		return "", 0, fail(ErrMalformed, fmt.Sprintf("interval %d s: 30 or 60 are possible", t.Interval))
	}
	if t.PINMode < 0 || t.PINMode > 3 {
		return "", 0, fail(ErrMalformed, fmt.Sprintf("PIN mode %d: 0-3 are possible", t.PINMode))
	}
	if t.Reserved&^0x8004 != 0 {
		return "", 0, fail(ErrMalformed, fmt.Sprintf("reserved flag bits %#04x: only 0x8004 are reserved", t.Reserved))
	}
	var exp int
	switch {
	case t.Death.IsZero() && t.NeverExpires:
		exp = 1<<14 - 1
	case t.Death.IsZero():
		return "", 0, fail(ErrMalformed, "no expiry date (Death) and not NeverExpires")
	default:
		d := t.Death.UTC().Sub(epoch2000)
		if d < 0 || d >= (1<<14)*24*time.Hour {
			return "", 0, fail(ErrMalformed, fmt.Sprintf("expiry date %s is outside 2000-01-01 to 2044-11-10", t.Death.UTC().Format("2006-01-02")))
		}
		exp = int(d / (24 * time.Hour))
	}
	return serial, exp, nil
}

func blocks(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/5)
	for i := 0; i < len(s); i++ {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// maxPayload is stoken's buffer limit for the copied payload (§2.2 step 3).
const maxPayload = 2047

// parsed is a string located per §2.2.
type parsed struct {
	payload    string // v2: the digits (dashes removed); v3: the raw text after ctfData=
	version    int    // 1, 2 or 3
	form       Form
	smartphone bool
}

// locate is §2.2 steps 1-4.
func locate(s string) (parsed, error) {
	var p parsed
	lower := strings.ToLower(s)
	var rest string
	link := false
	if i := strings.Index(lower, "ctfdata=3d"); i >= 0 {
		rest, link = s[i+len("ctfdata=3d"):], true
	} else if i := strings.Index(lower, "ctfdata="); i >= 0 {
		rest, link = s[i+len("ctfdata="):], true
	} else if strings.Contains(lower, "<?xml ") {
		return p, fail(ErrMalformed, "this is an SDTID (XML) file, not a CTF string")
	} else if s != "" && s[0] >= '0' && s[0] <= '9' {
		rest = s
	} else if s == "" {
		return p, fail(ErrMalformed, "empty string")
	} else {
		return p, fail(ErrMalformed, "neither a ctfData= link nor a string of digits")
	}
	switch {
	case strings.HasPrefix(s, "com.rsa.securid.iphone://ctf"):
		p.form, p.smartphone = FormIPhone, true
	case strings.HasPrefix(s, "http://127.0.0.1/securid/ctf"):
		p.form, p.smartphone = FormAndroid, true
	case strings.HasPrefix(s, "com.rsa.securid://ctf"):
		p.form, p.smartphone = FormRSA, true
	case link:
		p.form = FormOtherLink
	}
	if rest == "" {
		return p, fail(ErrMalformed, "nothing after ctfData=")
	}
	switch c := rest[0]; {
	case c == '1' || c == '2':
		var b strings.Builder
		dashes := false
		for i := 0; i < len(rest); i++ {
			ch := rest[i]
			if ch == '-' {
				dashes = true
				continue
			}
			if ch < '0' || ch > '9' {
				break
			}
			b.WriteByte(ch)
			if b.Len() > maxPayload {
				return p, fail(ErrInvalidLength, "more than 2047 digits")
			}
		}
		p.payload, p.version = b.String(), int(c-'0')
		if !link {
			p.form = FormDigits
			if dashes {
				p.form = FormBlocks
			}
		}
	case c == 'A':
		if len(rest) > maxPayload {
			return p, fail(ErrInvalidLength, "the v3 payload is over 2047 bytes")
		}
		if len(rest) < v3Text {
			return p, fail(ErrUnsupportedVersion, fmt.Sprintf("a base64 payload of %d characters: v3 has %d", len(rest), v3Text))
		}
		if !link {
			// Unreachable: a digit string cannot start with A.
			return p, fail(ErrMalformed, "a v3 payload is read only behind ctfData=")
		}
		p.payload, p.version = rest, 3
	case c == 'B':
		return p, fail(ErrUnsupportedVersion, "a v4 (BAEB...) string: only v2 and v3 are supported")
	case c >= '3' && c <= '9':
		return p, fail(ErrUnsupportedVersion, fmt.Sprintf("version digit %c: only 1 and 2 are numeric versions", c))
	default:
		return p, fail(ErrMalformed, "the payload after ctfData= does not start with 1, 2 or A")
	}
	return p, nil
}

// Inspect reads what s shows without a password or device ID: version, form,
// what Decode needs, and for v2 the settings and serial (the v2 check digits
// are verified).
func Inspect(s string) (Info, error) {
	p, err := locate(s)
	if err != nil {
		return Info{}, err
	}
	info := Info{Version: p.version, Form: p.form, Smartphone: p.smartphone}
	if p.version == 3 {
		blob, err := v3Blob(p.payload)
		if err != nil {
			return Info{}, err
		}
		info.NeedsPassword, info.NeedsDeviceID = blob[1] != 0, blob[2] != 0
		return info, nil
	}
	f, err := parseV2(p.payload)
	if err != nil {
		return Info{}, err
	}
	info.Settings = true
	info.Token = f.token()
	info.Token.Seed = [16]byte{}
	info.NeedsPassword, info.NeedsDeviceID = info.Token.PasswordProtected, info.Token.DeviceBound
	return info, nil
}

// Decode reads s with its password and device ID ("" = none given). A
// password or device ID the string does not need is ignored, as in stoken
// (even one that is too long).
func Decode(s, password, deviceID string) (Token, error) {
	p, err := locate(s)
	if err != nil {
		return Token{}, err
	}
	if p.version == 3 {
		return decodeV3(p.payload, password, deviceID)
	}
	return decodeV2(p, password, deviceID)
}

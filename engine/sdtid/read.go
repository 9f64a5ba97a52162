package sdtid

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// maxPasswordRead is the longest password stoken's reader accepts; a longer
// one is treated as wrong (sdtid-format.md 3).
const maxPasswordRead = 40

// File is a read and verified SDTID file.
type File struct {
	Header Header
	// Tokens holds every TKN in document order, each verified with its own
	// keys. ReadSingle guarantees exactly one.
	Tokens []Token
	// PasswordProtected is true when the file did not verify with the Origin
	// as password, i.e. it needed the real one.
	PasswordProtected bool
}

// Header holds the TKNHeader values as read: raw text, not trimmed. Fields
// holds every leaf element of the header in document order (Secret left out:
// it is key material, even if wrapped).
type Header struct {
	Version, Origin, Dest, Name string
	FirstToken, LastToken       string
	NumTokens                   string
	Birth, Death                string // DefBirth and DefDeath
	Fields                      []Field
}

// Token is one verified token. Properties follow stoken's lookup (1.4): a
// TKN element first, then DefX in the header, then X in the header.
type Token struct {
	Serial          string   // the raw SN text, 1-12 characters
	Seed            [16]byte // decrypted
	Digits          int      // ((Digits-1)&7)+1, default 6
	IntervalSeconds int      // 60 if Interval is 60 (the default), else 30
	PINMode         int      // (AddPIN!=0)*2 + (LocalPIN!=0)
	// Alg is 1 for AES-128 tokens and 0 for 64-bit ones. An absent Alg is 0,
	// as stoken shows it ("Key length: 64"), so codes for such a file are
	// refused rather than guessed.
	Alg              int
	Mode             int  // "feature bit 4"
	TimeDerivedSeeds bool // default false when absent
	AppDerivedSeeds  bool
	Birth            string // raw text, never checked (stoken ignores it)
	// Death is the last valid day at 00:00 UTC. It is zero when NeverExpires:
	// dates before 2000 wrap around in stoken and count as "never expires".
	Death                      time.Time
	NeverExpires               bool
	FirstName, LastName, Login string
	DeviceSerialNumber         string // raw (" " means blank)
	Nickname                   string
}

// Read parses and verifies an SDTID file and returns every TKN. password ""
// means none was given: the Origin is then the password, as in stoken. With
// a password, the Origin is still tried first (stoken ignores a password a
// file does not need).
func Read(data []byte, password string) (*File, error) {
	return read(data, password, false)
}

// ReadSingle is Read with stoken's rule that a file holds exactly one TKN:
// more than one gives KindMultipleTokens.
func ReadSingle(data []byte, password string) (*File, error) {
	return read(data, password, true)
}

// doc is the located structure of a parsed file.
type doc struct {
	root, header, trailer *node
	tokens                []*node
}

func locate(data []byte) (*doc, error) {
	root, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	if root.name != "TKNBatch" {
		return nil, &Error{Kind: KindMissingElement, Element: "TKNBatch", Token: -1,
			Detail: fmt.Sprintf("the document element is %q", root.name)}
	}
	d := &doc{root: root, header: root.child("TKNHeader"), trailer: root.child("TKNTrailer")}
	for _, c := range root.children {
		if c.name == "TKN" {
			d.tokens = append(d.tokens, c)
		}
	}
	switch {
	case d.header == nil:
		return nil, &Error{Kind: KindMissingElement, Element: "TKNHeader", Token: -1, Detail: "no TKNHeader under TKNBatch"}
	case len(d.tokens) == 0:
		return nil, &Error{Kind: KindMissingElement, Element: "TKN", Token: -1, Detail: "no TKN under TKNBatch"}
	case d.trailer == nil:
		return nil, &Error{Kind: KindMissingElement, Element: "TKNTrailer", Token: -1,
			Detail: "no TKNTrailer under TKNBatch (stoken requires it, even empty)"}
	}
	return d, nil
}

func read(data []byte, password string, single bool) (*File, error) {
	d, err := locate(data)
	if err != nil {
		return nil, err
	}
	if single && len(d.tokens) > 1 {
		return nil, &Error{Kind: KindMultipleTokens, Token: -1,
			Detail: fmt.Sprintf("the file holds %d TKN elements; stoken reads only files with one", len(d.tokens))}
	}
	f := &File{Header: readHeader(d.header)}
	hdrBuf, err := macInput(d.header)
	if err != nil {
		return nil, &Error{Kind: KindBadValue, Element: "TKNHeader", Token: -1, Detail: err.Error()}
	}
	k0s := map[[3]string][16]byte{} // tokens of one batch share K0: derive it once
	k0 := func(pw, dest, name string) [16]byte {
		id := [3]string{pw, trimC(dest), trimC(name)}
		k, ok := k0s[id]
		if !ok {
			k = PasswordKey(pw, dest, name)
			k0s[id] = k
		}
		return k
	}
	for i, tn := range d.tokens {
		p, err := parseToken(d.header, tn, i)
		if err != nil {
			return nil, err
		}
		tknBuf, err := macInput(tn)
		if err != nil {
			return nil, &Error{Kind: KindBadValue, Element: "TKN", Token: i, Serial: p.tok.Serial, Detail: err.Error()}
		}
		check := func(pw string) (keys, bool, bool) {
			k := deriveKeys(k0(pw, p.dest, p.name), p.name, p.sn, p.secret)
			h := cbcMAC(newAES(k.HeaderMAC), ivHeaderMAC, hdrBuf)
			t := cbcMAC(newAES(k.TokenMAC), ivTokenMAC, tknBuf)
			return k, subtle.ConstantTimeCompare(h[:], p.headerMAC[:]) == 1,
				subtle.ConstantTimeCompare(t[:], p.tokenMAC[:]) == 1
		}
		macErr := func(hOK bool) error {
			if !hOK {
				return &Error{Kind: KindHeaderMACFailed, Token: -1,
					Detail: "the header fields were changed or damaged"}
			}
			return &Error{Kind: KindTokenMACFailed, Token: i, Serial: p.tok.Serial,
				Detail: "the token fields were changed or damaged"}
		}
		k, hOK, tOK := check(trimC(p.origin))
		protected := false
		switch {
		case hOK && tOK:
		case hOK != tOK:
			return nil, macErr(hOK)
		case password == "":
			return nil, &Error{Kind: KindPasswordRequired, Token: -1,
				Detail: "the file is password protected (a damaged Secret, or both MACs damaged, looks the same)"}
		case len(password) > maxPasswordRead:
			return nil, &Error{Kind: KindWrongPassword, Token: -1,
				Detail: fmt.Sprintf("the password is longer than %d characters, which stoken refuses", maxPasswordRead)}
		default:
			k, hOK, tOK = check(password)
			switch {
			case hOK && tOK:
				protected = true
			case hOK != tOK:
				return nil, macErr(hOK)
			default:
				return nil, &Error{Kind: KindWrongPassword, Token: -1,
					Detail: "both MACs fail with this password (a damaged Secret, or both MACs damaged, looks the same)"}
			}
		}
		if protected {
			f.PasswordProtected = true
		}
		p.tok.Seed = cryptSeed(k, p.sn, p.encSeed)
		f.Tokens = append(f.Tokens, p.tok)
	}
	return f, nil
}

func readHeader(h *node) Header {
	text := func(name string) string {
		if n := h.find(name); n != nil {
			return n.content
		}
		return ""
	}
	hd := Header{
		Version: text("Version"), Origin: text("Origin"), Dest: text("Dest"), Name: text("Name"),
		FirstToken: text("FirstToken"), LastToken: text("LastToken"), NumTokens: text("NumTokens"),
		Birth: text("DefBirth"), Death: text("DefDeath"),
	}
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.children {
			if len(c.children) > 0 {
				walk(c)
			} else if c.name != "Secret" {
				hd.Fields = append(hd.Fields, Field{Name: c.name, Value: c.content})
			}
		}
	}
	walk(h)
	return hd
}

// parsed is one TKN with everything the MAC check needs.
type parsed struct {
	tok                 Token
	sn                  string
	origin, dest, name  string
	secret, encSeed     [16]byte
	headerMAC, tokenMAC [16]byte
}

// lookup implements the property lookup of 1.4.
func lookup(header, tkn *node, x string) *node {
	if n := tkn.find(x); n != nil {
		return n
	}
	if n := header.find("Def" + x); n != nil {
		return n
	}
	return header.find(x)
}

// parseToken checks a TKN in stoken's order (2.9, steps 2 and 3).
func parseToken(header, tkn *node, idx int) (*parsed, error) {
	missing := func(el, format string, args ...any) error {
		return errf(KindMissingElement, el, idx, format, args...)
	}
	p := &parsed{}
	sn := lookup(header, tkn, "SN")
	switch {
	case sn == nil:
		return nil, missing("SN", "the token has no serial number")
	case len(sn.content) == 0 || len(sn.content) > 12:
		return nil, missing("SN", "the serial number has %d characters, need 1 to 12 (stoken does not trim it)", len(sn.content))
	}
	p.sn = sn.content
	p.tok.Serial = sn.content

	// Integer properties: each must parse if present (stoken: silent
	// "General failure").
	ints := map[string]int64{}
	for _, x := range []string{"TimeDerivedSeeds", "AppDerivedSeeds", "Mode", "Alg", "AddPIN", "LocalPIN", "Digits", "Interval"} {
		n := lookup(header, tkn, x)
		if n == nil {
			continue
		}
		v, ok := parseCInt(n.content)
		if !ok {
			e := errf(KindBadValue, n.name, idx, "%q is not an integer (stoken reads decimal, 0x hex, or octal with a leading 0, with nothing after)", clip(n.content))
			e.Serial = p.tok.Serial
			return nil, e
		}
		ints[x] = v
	}
	get := func(x string, def int64) int64 {
		if v, ok := ints[x]; ok {
			return v
		}
		return def
	}
	p.tok.Digits = int((get("Digits", 6)-1)&7) + 1
	p.tok.IntervalSeconds = 30
	if get("Interval", 60) == 60 {
		p.tok.IntervalSeconds = 60
	}
	p.tok.PINMode = 0
	if get("AddPIN", 0) != 0 {
		p.tok.PINMode += 2
	}
	if get("LocalPIN", 0) != 0 {
		p.tok.PINMode++
	}
	if get("Alg", 0) != 0 {
		p.tok.Alg = 1
	}
	if get("Mode", 0) != 0 {
		p.tok.Mode = 1
	}
	p.tok.TimeDerivedSeeds = get("TimeDerivedSeeds", 0) != 0
	p.tok.AppDerivedSeeds = get("AppDerivedSeeds", 0) != 0

	death := lookup(header, tkn, "Death")
	if death == nil {
		return nil, &Error{Kind: KindMissingElement, Element: "DefDeath", Token: idx, Serial: p.tok.Serial,
			Detail: "no expiry date (Death or DefDeath); stoken requires one"}
	}
	dt, err := ParseDate(death.content)
	if err != nil {
		return nil, &Error{Kind: KindBadValue, Element: death.name, Token: idx, Serial: p.tok.Serial,
			Detail: fmt.Sprintf("%q: %v", clip(death.content), err)}
	}
	expDay, never := expiryDay(dt)
	if never {
		p.tok.NeverExpires = true
	} else {
		p.tok.Death = epoch2000.Add(time.Duration(expDay) * day)
	}
	if b := lookup(header, tkn, "Birth"); b != nil {
		p.tok.Birth = b.content
	}

	for _, x := range []struct {
		name string
		dst  *string
	}{{"Origin", &p.origin}, {"Dest", &p.dest}, {"Name", &p.name}} {
		n := lookup(header, tkn, x.name)
		if n == nil {
			return nil, missing(x.name, "the batch has no %s; it is part of the key", x.name)
		}
		*x.dst = n.content
	}
	if err := decode16(lookup(header, tkn, "Secret"), "Secret", false, idx, &p.secret); err != nil {
		return nil, err
	}
	if err := decode16(lookup(header, tkn, "Seed"), "Seed", true, idx, &p.encSeed); err != nil {
		return nil, err
	}
	if err := decode16(lookup(header, tkn, "HeaderMAC"), "HeaderMAC", false, idx, &p.headerMAC); err != nil {
		return nil, err
	}
	if err := decode16(lookup(header, tkn, "TokenMAC"), "TokenMAC", false, idx, &p.tokenMAC); err != nil {
		return nil, err
	}

	text := func(x string) string {
		if n := lookup(header, tkn, x); n != nil {
			return n.content
		}
		return ""
	}
	p.tok.FirstName = text("UserFirstName")
	p.tok.LastName = text("UserLastName")
	p.tok.Login = text("UserLogin")
	p.tok.DeviceSerialNumber = text("DeviceSerialNumber")
	p.tok.Nickname = text("Nickname")
	return p, nil
}

// decode16 decodes a base64 element that must hold exactly 16 bytes; stoken
// reports every failure as a missing element. Seed's first character (the
// "=" stoken writes) is dropped, whatever it is.
func decode16(n *node, name string, dropFirst bool, idx int, dst *[16]byte) error {
	if n == nil {
		return errf(KindMissingElement, name, idx, "not present")
	}
	s := n.content
	if dropFirst && len(s) > 0 {
		s = s[1:]
	}
	b, err := decodeB64(s)
	switch {
	case err != nil:
		return errf(KindMissingElement, name, idx, "not valid base64")
	case len(b) != 16:
		msg := fmt.Sprintf("decodes to %d bytes, need 16", len(b))
		if dropFirst {
			msg += " (after dropping the first character, the \"=\" prefix)"
		}
		return errf(KindMissingElement, name, idx, "%s", msg)
	}
	copy(dst[:], b)
	return nil
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

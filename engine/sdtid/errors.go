package sdtid

import (
	"errors"
	"fmt"
)

// Kind classifies an *Error. Callers branch on the kind (errors.Is with an
// &Error{Kind: K}, or KindOf); the message is for people.
type Kind int

// The kinds follow what stoken distinguishes (sdtid-format.md section 3), with
// the silent "General failure" cases split by cause so a user learns which
// element is wrong.
const (
	// KindMalformedXML: the XML is not well formed; Error.Line is the 1-based
	// line of the whole input.
	KindMalformedXML Kind = iota + 1
	// KindNotSDTID: no "<?xml " declaration in the first 65535 bytes (empty
	// file, UTF-16, plain text, ...).
	KindNotSDTID
	// KindMissingElement: a required element is absent, or unusable in the way
	// stoken reports as "missing" (SN too long or padded, Secret or Seed not
	// 16 bytes). Error.Element names it.
	KindMissingElement
	// KindBadValue: a value does not parse (non-integer flag, bad date), or a
	// writer input or PIN is refused. Error.Element names the field.
	KindBadValue
	// KindHeaderMACFailed: the HeaderMAC does not match the header.
	KindHeaderMACFailed
	// KindTokenMACFailed: a TokenMAC does not match its TKN.
	KindTokenMACFailed
	// KindPasswordRequired: both MACs fail without a password. A damaged
	// Secret, or two damaged MACs, look exactly the same.
	KindPasswordRequired
	// KindWrongPassword: a password was given and both MACs still fail, or the
	// password is longer than stoken accepts.
	KindWrongPassword
	// KindMultipleTokens: more than one TKN, from ReadSingle only.
	KindMultipleTokens
	// KindExpired: a tokencode was asked for past stoken's expiry limit.
	KindExpired
	// KindUnsupported: 64-bit (Alg 0) tokens, whose algorithm nobody
	// implements; we refuse rather than give a wrong code.
	KindUnsupported
	// KindSignatureFailed: BatchSignature does not verify (Signer.VerifyFile).
	KindSignatureFailed
)

var kindNames = map[Kind]string{
	KindMalformedXML:     "malformed XML",
	KindNotSDTID:         "not an SDTID file",
	KindMissingElement:   "missing element",
	KindBadValue:         "bad value",
	KindHeaderMACFailed:  "header MAC check failed",
	KindTokenMACFailed:   "token MAC check failed",
	KindPasswordRequired: "password required",
	KindWrongPassword:    "wrong password",
	KindMultipleTokens:   "multiple tokens",
	KindExpired:          "token expired",
	KindUnsupported:      "unsupported token",
	KindSignatureFailed:  "batch signature check failed",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the only error type the package returns for file and input
// problems. Detail never holds a password, seed, key or Secret.
type Error struct {
	Kind    Kind
	Element string // the element or field, for KindMissingElement and KindBadValue
	Line    int    // 1-based line, for KindMalformedXML
	Token   int    // 0-based TKN index when the error concerns one token, else -1
	Serial  string // the token's SN when known (not secret; helps find the token)
	Detail  string // plain words
}

func (e *Error) Error() string {
	var msg string
	switch e.Kind {
	case KindMalformedXML:
		msg = fmt.Sprintf("malformed XML at line %d", e.Line)
	case KindMissingElement:
		msg = fmt.Sprintf("missing required element %q", e.Element)
	case KindBadValue:
		msg = fmt.Sprintf("bad value for %q", e.Element)
	case KindHeaderMACFailed:
		msg = "header MAC check failed"
	case KindTokenMACFailed:
		msg = "token MAC check failed"
	default:
		msg = e.Kind.String()
	}
	var where string
	switch {
	case e.Token >= 0 && e.Serial != "":
		where = fmt.Sprintf("token %d, serial %s", e.Token+1, e.Serial)
	case e.Token > 0:
		// Token 0 is the only token in almost every file; naming it adds noise.
		where = fmt.Sprintf("token %d", e.Token+1)
	case e.Token < 0 && e.Serial != "":
		where = "serial " + e.Serial
	}
	if where != "" {
		msg += " (" + where + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is makes errors.Is(err, &Error{Kind: K}) true for every *Error of kind K,
// whatever its other fields.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

// KindOf returns the Kind of the first *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func errf(kind Kind, element string, token int, format string, args ...any) *Error {
	return &Error{Kind: kind, Element: element, Token: token, Detail: fmt.Sprintf(format, args...)}
}

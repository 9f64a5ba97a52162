package model

import (
	"fmt"
	"strings"
	"time"
)

// TokenKind says whether a token is a software token (distributable as a
// file) or an imported hardware-style record.
type TokenKind string

const (
	KindSoftware TokenKind = "software"
	KindHardware TokenKind = "hardware"
)

// Algorithm is the token's seed algorithm. It sets the password limit of
// its token files.
type Algorithm string

const (
	AlgAES128 Algorithm = "AES-128"
	AlgSID64  Algorithm = "SID-64"
)

// Algorithms lists the algorithms in display order.
func Algorithms() []Algorithm { return []Algorithm{AlgAES128, AlgSID64} }

// ParseAlgorithm accepts AES-128 or SID-64 in any case. An empty string is
// refused; optional algorithm filters handle "" themselves.
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range Algorithms() {
		if strings.EqualFold(strings.TrimSpace(s), string(a)) {
			return a, nil
		}
	}
	return "", fieldErr(FieldAlgorithm, "%q is not an algorithm; use AES-128 or SID-64", s)
}

// Valid reports a known algorithm.
func (a Algorithm) Valid() bool { return a == AlgAES128 || a == AlgSID64 }

// PasswordLimit is the most characters a token file password may have for
// this algorithm (product.md: 24 for 128-bit, 8 for 64-bit tokens). It is 0
// for an unknown algorithm, so nothing passes by accident.
func (a Algorithm) PasswordLimit() int {
	switch a {
	case AlgAES128:
		return 24
	case AlgSID64:
		return 8
	}
	return 0
}

// Bits is the seed strength shown to the admin.
func (a Algorithm) Bits() int {
	switch a {
	case AlgAES128:
		return 128
	case AlgSID64:
		return 64
	}
	return 0
}

const (
	// SoftwareSerialLen is the length of a software token serial; it is
	// also the width serials are padded to for ordering and display.
	SoftwareSerialLen = 12
	// MaxTokensPerUser is the most tokens one user may hold.
	MaxTokensPerUser = 3
	// MaxNicknameLen is the longest token nickname, in characters.
	MaxNicknameLen = 24
)

// ParseSerial checks a serial typed or imported as text and returns it with
// surrounding spaces removed. Serials are digits only, 1-12 of them; leading
// zeros are significant and kept, because the unpadded text enters the token
// file's key derivation (sdtid-format.md 1.7).
func ParseSerial(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", fieldErr(FieldSerial, "must not be blank")
	case !isDigits(s):
		return "", fieldErr(FieldSerial, "%q must contain digits only", s)
	case len(s) > SoftwareSerialLen:
		return "", fieldErr(FieldSerial, "%q has %d digits; a serial has at most %d", s, len(s), SoftwareSerialLen)
	}
	return s, nil
}

// ValidateSerial checks a serial against its token kind: software tokens
// have exactly 12 digits; hardware-style serials have 1-12 digits and are
// kept as given.
func ValidateSerial(serial string, kind TokenKind) error {
	if serial != strings.TrimSpace(serial) {
		return fieldErr(FieldSerial, "%q has surrounding spaces", serial)
	}
	if _, err := ParseSerial(serial); err != nil {
		return err
	}
	if kind == KindSoftware && len(serial) != SoftwareSerialLen {
		return fieldErr(FieldSerial, "%q has %d digits; a software token serial has exactly %d", serial, len(serial), SoftwareSerialLen)
	}
	return nil
}

// SerialKey is the serial left-padded with zeros to 12 digits. Serials
// compare numerically (a range "from 100 to 200" must include "150" but not
// "1500"), and comparing the padded text is numeric comparison that also
// sorts as bytes, which is what a bbolt key needs. A longer (invalid) input
// is returned as is.
func SerialKey(serial string) string {
	if len(serial) >= SoftwareSerialLen {
		return serial
	}
	return strings.Repeat("0", SoftwareSerialLen-len(serial)) + serial
}

// CompareSerials orders two serials numerically: -1, 0 or +1.
func CompareSerials(a, b string) int {
	return strings.Compare(SerialKey(a), SerialKey(b))
}

// BindingKind says how token files are bound: to a device class (its GUID,
// any device of that class may import the file) or to one device ID.
type BindingKind string

const (
	BindingNone   BindingKind = ""
	BindingClass  BindingKind = "class"
	BindingDevice BindingKind = "device"
)

// Distribution records a token's file distributions. Binding and Nickname
// are what the last distribution used.
type Distribution struct {
	Count       int
	LastJob     string
	LastAt      time.Time
	Binding     string
	BindingKind BindingKind
	Nickname    string
	// Digits, IntervalSeconds and AddPIN are the tokencode settings of the
	// file handed out last (from the job's profile). The helpdesk check
	// (swtoken verify) needs them, and the profile may have been edited
	// since. Zero when unknown (never distributed by swtoken).
	Digits          int
	IntervalSeconds int
	AddPIN          bool
}

// Distributed reports whether a token file was ever handed out; such a
// token is redistributed by the next job, which breaks the old file.
func (d Distribution) Distributed() bool { return d.Count > 0 }

// Token is one token record. The seed is never held in clear here: the
// store seals it (product.md section 5) and the model only carries the
// opaque sealed bytes, so no code that merely lists tokens can leak it.
type Token struct {
	Serial     string
	Kind       TokenKind
	Algorithm  Algorithm
	SealedSeed []byte
	// Birth and Death are calendar dates; only their UTC year, month and
	// day count.
	Birth time.Time
	Death time.Time
	// Enabled is whether the token may authenticate.
	Enabled bool
	// EnabledSetByAdmin records that the admin set Enabled explicitly, after
	// which assigning and unassigning no longer move it (see EnabledAfter).
	EnabledSetByAdmin bool
	AssignedUser      string
	Distribution      Distribution
}

// Date returns the UTC midnight of t's UTC calendar day; token dates are
// days, not instants, and the same everywhere (token files use UTC days).
func Date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Expired reports whether now is past the token's death date: the token
// still works on its death date and is expired from the next day on. A token
// without a death date never expires.
func (t Token) Expired(now time.Time) bool {
	if t.Death.IsZero() {
		return false
	}
	return Date(now).After(Date(t.Death))
}

// DaysLeft is the number of whole days from now's date to the death date:
// 0 on the death date itself, negative once expired.
func (t Token) DaysLeft(now time.Time) int {
	return int(Date(t.Death).Sub(Date(now)).Hours() / 24)
}

// ExpiresWithin reports whether the token is not yet expired and its death
// date is at most days days away. It decides whether a user may request a
// replacement (the self-service replacement window).
func (t Token) ExpiresWithin(now time.Time, days int) bool {
	if t.Death.IsZero() || t.Expired(now) {
		return false
	}
	return t.DaysLeft(now) <= days
}

// Validate checks a token record, reporting every wrong field.
func (t Token) Validate() error {
	var es FieldErrors
	switch t.Kind {
	case KindSoftware, KindHardware:
		es.Add(FieldSerial, ValidateSerial(t.Serial, t.Kind))
	default:
		es.Add(FieldKind, fieldErr(FieldKind, "%q is not a token kind; use software or hardware", string(t.Kind)))
		// Without a kind, check only what every serial must satisfy.
		es.Add(FieldSerial, ValidateSerial(t.Serial, KindHardware))
	}
	if !t.Algorithm.Valid() {
		es.Add(FieldAlgorithm, fieldErr(FieldAlgorithm, "%q is not an algorithm; use AES-128 or SID-64", string(t.Algorithm)))
	}
	if t.Death.IsZero() {
		es.Add(FieldDeath, fieldErr(FieldDeath, "the expiry date is missing"))
	} else if !t.Birth.IsZero() && Date(t.Death).Before(Date(t.Birth)) {
		es.Add(FieldDeath, fieldErr(FieldDeath, "%s is before the birth date %s",
			Date(t.Death).Format(time.DateOnly), Date(t.Birth).Format(time.DateOnly)))
	}
	if t.AssignedUser != "" {
		es.Add(FieldAssignedUser, refield(ValidateUserID(t.AssignedUser), FieldAssignedUser))
	}
	if t.Distribution.Count < 0 {
		es.Add(FieldTimesDist, fieldErr(FieldTimesDist, "must not be negative (got %d)", t.Distribution.Count))
	}
	if d := t.Distribution.Digits; d < 0 || d > 8 {
		es.Add(FieldTimesDist, fieldErr(FieldTimesDist, "the recorded code length %d is not 1-8 digits", d))
	}
	if i := t.Distribution.IntervalSeconds; i != 0 && i != 30 && i != 60 {
		es.Add(FieldTimesDist, fieldErr(FieldTimesDist, "the recorded code interval %d is not 30 or 60 seconds", i))
	}
	switch t.Distribution.BindingKind {
	case BindingNone, BindingClass, BindingDevice:
	default:
		es.Add(FieldBinding, fieldErr(FieldBinding, "%q is not a binding kind; use class or device", string(t.Distribution.BindingKind)))
	}
	return es.Err()
}

// CheckAssign decides whether userID may be given token t, knowing how many
// tokens the user holds now (the store counts them). A token has at most one
// user and a user at most MaxTokensPerUser tokens.
func CheckAssign(t Token, userID string, userTokens int) error {
	if err := ValidateUserID(userID); err != nil {
		return err
	}
	switch {
	case t.AssignedUser == userID:
		return fieldErr(FieldAssignedUser, "token %s is already assigned to %s", t.Serial, userID)
	case t.AssignedUser != "":
		return fieldErr(FieldAssignedUser, "token %s is already assigned to %s; unassign it first (a token has at most one user)", t.Serial, t.AssignedUser)
	case userTokens >= MaxTokensPerUser:
		return fieldErr(FieldAssignedUser, "%s already holds %d tokens, the most a user may hold", userID, userTokens)
	}
	return nil
}

// EnabledAfter computes the enabled flag after an assignment change: a token
// is enabled when assigned and disabled when unassigned, unless the admin set
// the flag explicitly, in which case the admin's choice stands.
func EnabledAfter(t Token, assigned bool) bool {
	if t.EnabledSetByAdmin {
		return t.Enabled
	}
	return assigned
}

// Assign gives the token to userID and updates Enabled. Call CheckAssign
// first; Assign itself does not know the user's other tokens.
func (t *Token) Assign(userID string) {
	t.AssignedUser = userID
	t.Enabled = EnabledAfter(*t, true)
}

// Unassign takes the token from its user and updates Enabled.
func (t *Token) Unassign() {
	t.AssignedUser = ""
	t.Enabled = EnabledAfter(*t, false)
}

// SetEnabled is the admin's explicit choice; it sticks across later
// assignment changes until FollowAssignment.
func (t *Token) SetEnabled(on bool) {
	t.Enabled = on
	t.EnabledSetByAdmin = true
}

// FollowAssignment drops the admin's explicit choice, so Enabled follows the
// assignment again, starting now.
func (t *Token) FollowAssignment() {
	t.EnabledSetByAdmin = false
	t.Enabled = t.AssignedUser != ""
}

// String is a short description for lists and logs. It never shows the seed.
func (t Token) String() string {
	u := t.AssignedUser
	if u == "" {
		u = "unassigned"
	}
	return fmt.Sprintf("%s (%s, %s, %s)", t.Serial, t.Kind, t.Algorithm, u)
}

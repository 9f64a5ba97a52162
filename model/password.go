package model

import (
	"fmt"
	"strings"
)

// PasswordMode is how a job protects each token file. Its value is the
// command line spelling, which is also what the store keeps.
type PasswordMode string

const (
	PasswordNone           PasswordMode = "none"
	PasswordAdmin          PasswordMode = "password"
	PasswordUserID         PasswordMode = "userid"
	PasswordUserIDAndAdmin PasswordMode = "userid+password"
)

// PasswordModes lists the modes in the wizard's order.
func PasswordModes() []PasswordMode {
	return []PasswordMode{PasswordAdmin, PasswordNone, PasswordUserID, PasswordUserIDAndAdmin}
}

// ParsePasswordMode reads the command line spelling (any case) or a label.
func ParsePasswordMode(s string) (PasswordMode, error) {
	k := NameKey(s)
	for _, m := range PasswordModes() {
		if k == string(m) || k == strings.ToLower(m.Label()) {
			return m, nil
		}
	}
	return "", fieldErr(FieldPasswordMode, "%q is not a password mode; use none, password, userid or userid+password", s)
}

// Valid reports a known mode.
func (m PasswordMode) Valid() bool {
	switch m {
	case PasswordNone, PasswordAdmin, PasswordUserID, PasswordUserIDAndAdmin:
		return true
	}
	return false
}

func (m PasswordMode) String() string { return string(m) }

// Label is the wizard's wording.
func (m PasswordMode) Label() string {
	switch m {
	case PasswordNone:
		return "No password"
	case PasswordAdmin:
		return "Password"
	case PasswordUserID:
		return "User ID"
	case PasswordUserIDAndAdmin:
		return "User ID followed by Password"
	}
	return string(m)
}

// NeedsAdminPassword reports whether the admin must enter a password.
func (m PasswordMode) NeedsAdminPassword() bool {
	return m == PasswordAdmin || m == PasswordUserIDAndAdmin
}

// UsesUserID reports whether each file's password contains its user's ID,
// which makes passwords differ per file.
func (m PasswordMode) UsesUserID() bool {
	return m == PasswordUserID || m == PasswordUserIDAndAdmin
}

// EffectivePassword is the password of one token file: "" for no password,
// the admin's password, the user ID, or the user ID immediately followed by
// the admin's password.
func EffectivePassword(mode PasswordMode, userID, adminPassword string) string {
	switch mode {
	case PasswordAdmin:
		return adminPassword
	case PasswordUserID:
		return userID
	case PasswordUserIDAndAdmin:
		return userID + adminPassword
	}
	return ""
}

// MaxPasswordBytes is the most UTF-8 bytes of a token file password that
// count: the SDTID key derivation uses only the first 32 bytes, and stoken
// refuses to read longer passwords (sdtid-format.md 2.2). A 24-character
// password of non-ASCII letters can exceed it, and the file would then not
// open with the password the user was given.
const MaxPasswordBytes = 32

// CheckPasswordLength checks one token's file password: 1 to
// alg.PasswordLimit() characters (24 for AES-128, 8 for SID-64), counted in
// characters, and at most MaxPasswordBytes bytes. No password (mode none)
// always passes. The error gives lengths, never the password or the user ID
// (which is the password in the userid modes).
func CheckPasswordLength(mode PasswordMode, userID, adminPassword string, alg Algorithm) error {
	if mode == PasswordNone {
		return nil
	}
	pw := EffectivePassword(mode, userID, adminPassword)
	limit := alg.PasswordLimit()
	if limit == 0 {
		return fieldErr(FieldPassword, "unknown token algorithm %q has no password limit", string(alg))
	}
	switch n := charLen(pw); {
	case n == 0:
		return fieldErr(FieldPassword, "the %s password is empty; it must be 1-%d characters for %s tokens", mode.Label(), limit, alg)
	case n > limit:
		return fieldErr(FieldPassword, "the %s password is %d characters; %s tokens allow 1-%d", mode.Label(), n, alg, limit)
	case len(pw) > MaxPasswordBytes:
		return fieldErr(FieldPassword, "the %s password is %d bytes in UTF-8; token files allow at most %d (use fewer non-ASCII characters)", mode.Label(), len(pw), MaxPasswordBytes)
	}
	return nil
}

// MaxAdminPasswordLen is the longest admin password any algorithm allows.
const MaxAdminPasswordLen = 24

// ValidateAdminPassword checks the admin's password and its confirmation for
// mode. Modes password and userid+password require it; the other modes take
// none, and one given anyway is refused rather than silently ignored, since
// the admin evidently expected the files to be protected by it. The per-token
// limits are CheckPasswordLength's; this catches what fails for every token.
func ValidateAdminPassword(mode PasswordMode, password, confirm string) error {
	if !mode.Valid() {
		return fieldErr(FieldPasswordMode, "%q is not a password mode; use none, password, userid or userid+password", string(mode))
	}
	if !mode.NeedsAdminPassword() {
		if password != "" || confirm != "" {
			return fieldErr(FieldPassword, "mode %q uses no admin password; leave it empty or choose %q or %q",
				mode.Label(), PasswordAdmin.Label(), PasswordUserIDAndAdmin.Label())
		}
		return nil
	}
	var es FieldErrors
	switch n := charLen(password); {
	case n == 0:
		es = append(es, fieldErr(FieldPassword, "is required for mode %q", mode.Label()))
	case hasControl(password):
		es = append(es, fieldErr(FieldPassword, "contains a control character"))
	case n > MaxAdminPasswordLen:
		es = append(es, fieldErr(FieldPassword, "is %d characters; no token allows more than %d", n, MaxAdminPasswordLen))
	case len(password) > MaxPasswordBytes:
		es = append(es, fieldErr(FieldPassword, "is %d bytes in UTF-8; token files allow at most %d", len(password), MaxPasswordBytes))
	}
	if password != confirm {
		es = append(es, fieldErr(FieldPasswordConfirm, "the two passwords do not match"))
	}
	return es.Err()
}

// PasswordSummary describes the mode for the summary and the manifest
// without any secret.
func PasswordSummary(mode PasswordMode) string {
	switch mode {
	case PasswordNone:
		return "No password: anyone with a file can import the token"
	case PasswordAdmin:
		return "Password: the same admin password for every file"
	case PasswordUserID:
		return "User ID: each file's password is its user's ID"
	case PasswordUserIDAndAdmin:
		return "User ID followed by Password: each user's ID, then the admin password"
	}
	return fmt.Sprintf("unknown mode %q", string(mode))
}

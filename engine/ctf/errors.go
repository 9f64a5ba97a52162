package ctf

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them (test with errors.Is); *Error adds a specific detail for people. The
// split follows stoken's library error codes (ctf-format.md Appendix B),
// with "Missing required password", which stoken also uses for a missing
// device ID, split in two.
var (
	// ErrMalformed: stoken's "General failure": not a CTF string at all (no
	// ctfData= and no leading digit, a payload starting with something else,
	// bare base64, a v3 blob that is not 291 bytes or has no 12-character
	// serial), or an encoder input that cannot be written.
	ErrMalformed = errors.New("malformed CTF string")
	// ErrInvalidLength: stoken's "Invalid length": v2 not 81-85 digits, v3
	// text too long after %-decoding, a bad % escape.
	ErrInvalidLength = errors.New("invalid CTF length")
	// ErrUnsupportedVersion: stoken's "Unsupported token version".
	ErrUnsupportedVersion = errors.New("unsupported CTF version")
	// ErrChecksum: stoken's "Checksum failed": the v2 check digits or the v3
	// HMAC do not match (a typo, a truncated link, or tampering).
	ErrChecksum = errors.New("CTF checksum failed")
	// ErrPasswordFormat: stoken's "Invalid password format": a password over
	// 40 bytes or with a NUL byte.
	ErrPasswordFormat = errors.New("invalid CTF password format")
	// ErrMissingPassword: the string is password-protected and no password
	// was given.
	ErrMissingPassword = errors.New("CTF password required")
	// ErrMissingDeviceID: the string is bound to a device and no device ID
	// was given.
	ErrMissingDeviceID = errors.New("CTF device ID required")
	// ErrWrongPassword: stoken's "Seed decryption failed": the password does
	// not open the seed.
	ErrWrongPassword = errors.New("wrong CTF password")
	// ErrDeviceIDMismatch: stoken's "Device ID mismatch".
	ErrDeviceIDMismatch = errors.New("CTF device ID mismatch")
	// ErrUnsupportedToken: a tokencode was asked of a token whose algorithm
	// is not implemented (64-bit) or whose settings cannot give one.
	ErrUnsupportedToken = errors.New("unsupported token for tokencodes")
	// ErrExpired: a tokencode was asked past stoken's expiry limit.
	ErrExpired = errors.New("token expired")
)

// Error is the error type of this package: Err is one of the sentinels,
// Detail says what exactly is wrong. Neither ever holds a seed, a password
// or a device ID.
type Error struct {
	Err    error
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

func fail(err error, detail string) error { return &Error{Err: err, Detail: detail} }

package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Enrollment codes (product.md section 13): a one-time code an admin gives
// a user who has no registered key yet, typed at serve's
// keyboard-interactive prompt. Bucket, created by the first invitation:
//
//	enrollments/  <user id> -> JSON enrollmentJSON
//
// One record per user (a new invitation replaces it). The code itself is
// never stored: only HMAC-SHA256(k, "swtoken enrollment" 0 user 0 salt 0
// code), with k derived from the store key (enrollmentMACKey) and a random
// 16-byte salt per code, so a copy of the database without the key file
// cannot test guesses offline.

var bucketEnrollments = []byte("enrollments")

// EnrollmentTTL is how long a code lives.
const EnrollmentTTL = 72 * time.Hour

// EnrollmentMaxTries is the number of wrong tries that ends a code.
const EnrollmentMaxTries = 5

// enrollmentAlphabet is Crockford's base32: no I, L, O or U, so a code read
// aloud or from paper is typed right; the ambiguous letters are read as
// the digits they look like.
const enrollmentAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// enrollmentCodeChars is the code's length: 16 characters of 5 bits, 80
// bits, written in four groups of four.
const enrollmentCodeChars = 16

// maxEnrollmentInput bounds what is hashed of a code typed in.
const maxEnrollmentInput = 64

const enrollmentRecordVersion = 1

// Enrollment states.
const (
	enrollLive  = "live"
	enrollUsed  = "used"
	enrollEnded = "ended" // five wrong tries
)

type enrollmentJSON struct {
	V         int       `json:"v"`
	Salt      []byte    `json:"salt"`
	MAC       []byte    `json:"mac"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Expires   time.Time `json:"expires"`
	Tries     int       `json:"tries"`
	State     string    `json:"state"`
	Done      time.Time `json:"done,omitempty"` // when used or ended
}

// Invitation is an enrollment code just issued.
type Invitation struct {
	User    string
	Code    string // only in InviteUser's result; stored as a hash, never readable again
	Expires time.Time
}

// EnrollResult is what RedeemEnrollment decided.
type EnrollResult int

const (
	EnrollAccepted EnrollResult = iota // code right: now used, cannot be used again
	EnrollRefused                      // wrong code (one try counted), unknown user, no code, used, expired or ended
)

// enrollmentMACKey derives the key of the enrollment code MACs from the
// audit key (itself HKDF-derived from the store key): HMAC used as a PRF
// with its own label, so the two uses stay apart.
func (s *Store) enrollmentMACKey() ([]byte, error) {
	if s.keys == nil {
		return nil, errors.New("store is closed")
	}
	m := hmac.New(sha256.New, s.keys.auditMAC)
	m.Write([]byte("swtoken v1 enrollment code hmac-sha256"))
	return m.Sum(nil), nil
}

// NormalizeEnrollmentCode reads a code as typed: case-insensitive, dashes
// and spaces ignored, I and L read as 1 and O as 0. ok is false when it
// cannot be a code (wrong length or characters).
func NormalizeEnrollmentCode(code string) (norm string, ok bool) {
	if len(code) > maxEnrollmentInput {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch r {
		case '-', ' ', '\t':
			continue
		case 'I', 'L':
			r = '1'
		case 'O':
			r = '0'
		}
		if r > 127 || !strings.ContainsRune(enrollmentAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != enrollmentCodeChars {
		return "", false
	}
	return b.String(), true
}

func (s *Store) enrollmentMAC(user string, salt []byte, norm string) ([]byte, error) {
	k, err := s.enrollmentMACKey()
	if err != nil {
		return nil, err
	}
	defer clear(k)
	m := hmac.New(sha256.New, k)
	m.Write([]byte("swtoken enrollment\x00"))
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write(salt)
	m.Write([]byte{0})
	m.Write([]byte(norm))
	return m.Sum(nil), nil
}

// newEnrollmentCode draws 80 random bits and writes them XXXX-XXXX-XXXX-XXXX.
func newEnrollmentCode() (string, error) {
	raw := make([]byte, enrollmentCodeChars)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("enrollment code: random source: %w", err)
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(enrollmentAlphabet[c&31]) // 256 is a multiple of 32: no bias
	}
	clear(raw)
	return b.String(), nil
}

func (t *Tx) enrollment(user string) (enrollmentJSON, bool, error) {
	var j enrollmentJSON
	b := t.tx.Bucket(bucketEnrollments)
	if b == nil {
		return j, false, nil
	}
	v := b.Get([]byte(user))
	if v == nil {
		return j, false, nil
	}
	if err := unmarshalRecord("enrollment", []byte(user), v, &j, &j.V, enrollmentRecordVersion); err != nil {
		return j, false, err
	}
	return j, true, nil
}

func (t *Tx) putEnrollment(user string, j enrollmentJSON) error {
	b, err := t.tx.CreateBucketIfNotExists(bucketEnrollments)
	if err != nil {
		return err
	}
	j.V = enrollmentRecordVersion
	return putJSON(b, []byte(user), j)
}

// InviteUser issues a new enrollment code for user (who must exist),
// valid EnrollmentTTL from now; it replaces an earlier code. Audited "user
// invite" (never the code). The code is in the result only.
func (s *Store) InviteUser(user string, now time.Time) (Invitation, error) {
	code, err := newEnrollmentCode()
	if err != nil {
		return Invitation{}, err
	}
	norm, _ := NormalizeEnrollmentCode(code)
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Invitation{}, fmt.Errorf("enrollment code: random source: %w", err)
	}
	mac, err := s.enrollmentMAC(user, salt, norm)
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{User: user, Code: code, Expires: now.Add(EnrollmentTTL).UTC()}
	err = s.Update(func(tx *Tx) error {
		if _, err := tx.User(user); err != nil {
			return err
		}
		old, found, err := tx.enrollment(user)
		if err != nil {
			return err
		}
		if err := tx.putEnrollment(user, enrollmentJSON{Salt: salt, MAC: mac, Created: now.UTC(),
			CreatedBy: tx.s.osUser, Expires: inv.Expires, State: enrollLive}); err != nil {
			return err
		}
		details := "enrollment code issued, expires " + inv.Expires.Format(time.RFC3339)
		if found && old.State == enrollLive && now.Before(old.Expires) {
			details += "; the earlier code no longer works"
		}
		return tx.AppendAudit("user invite", "user "+user, details)
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// RedeemEnrollment checks a code in one write transaction: constant-time comparison of hashes;
// a wrong code counts a try and the fifth wrong try ends the code; a right one marks it used.
// Audits "user enrollment used" / "user enrollment ended" (after 5 wrong tries). The caller
// (serve) audits the login attempt itself.
//
// A user without a live code is refused after a read only (nothing is
// written); the caller makes refusals take the same time.
func (s *Store) RedeemEnrollment(user, code string, now time.Time) (EnrollResult, error) {
	norm, wellFormed := NormalizeEnrollmentCode(code)
	if !wellFormed {
		// Still a try: hash something of the same length.
		norm = strings.Repeat("0", enrollmentCodeChars)
	}
	var live bool
	var rec enrollmentJSON
	if err := s.View(func(tx *Tx) error {
		j, found, err := tx.enrollment(user)
		rec, live = j, found && j.State == enrollLive && now.Before(j.Expires)
		return err
	}); err != nil {
		return EnrollRefused, err
	}
	if !live {
		// The same work as a check, so that the answer takes about as long.
		_, _ = s.enrollmentMAC(user, rec.Salt, norm)
		return EnrollRefused, nil
	}
	result := EnrollRefused
	err := s.Update(func(tx *Tx) error {
		result = EnrollRefused
		j, found, err := tx.enrollment(user)
		if err != nil || !found || j.State != enrollLive || !now.Before(j.Expires) {
			return err
		}
		mac, err := s.enrollmentMAC(user, j.Salt, norm)
		if err != nil {
			return err
		}
		if hmac.Equal(mac, j.MAC) && wellFormed {
			j.State, j.Done = enrollUsed, now.UTC()
			if err := tx.putEnrollment(user, j); err != nil {
				return err
			}
			result = EnrollAccepted
			return tx.AppendAudit("user enrollment used", "user "+user, "the enrollment code was used; it no longer works")
		}
		j.Tries++
		if j.Tries >= EnrollmentMaxTries {
			j.State, j.Done = enrollEnded, now.UTC()
			if err := tx.putEnrollment(user, j); err != nil {
				return err
			}
			return tx.AppendAudit("user enrollment ended", "user "+user,
				fmt.Sprintf("%d wrong tries: the enrollment code no longer works", j.Tries))
		}
		return tx.putEnrollment(user, j)
	})
	if err != nil {
		return EnrollRefused, err
	}
	return result, nil
}

// EnrollmentStatus says whether a user has a live code (for `users keys list`/the README).
func (s *Store) EnrollmentStatus(user string, now time.Time) (live bool, expires time.Time, err error) {
	err = s.View(func(tx *Tx) error {
		j, found, err := tx.enrollment(user)
		if err != nil || !found {
			return err
		}
		live = j.State == enrollLive && now.Before(j.Expires)
		expires = j.Expires
		return nil
	})
	return live, expires, err
}

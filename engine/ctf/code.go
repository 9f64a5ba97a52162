package ctf

import (
	"errors"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
)

// sdtidToken gives t to engine/sdtid's tokencode algorithm (ctf-format.md §8
// is the same algorithm as the SDTID one).
func (t Token) sdtidToken() *sdtid.Token {
	alg := 0
	if t.Alg128 {
		alg = 1
	}
	return &sdtid.Token{
		Serial:          t.Serial,
		Seed:            t.Seed,
		Digits:          t.Digits,
		IntervalSeconds: t.Interval,
		PINMode:         t.PINMode,
		Alg:             alg,
		Death:           t.Death,
		NeverExpires:    t.NeverExpires,
	}
}

// ExpiresAt is stoken's expiry instant: the midnight after Death, clamped to
// 2038-01-19T03:14:07Z; never-expiring tokens get that clamp.
func (t Token) ExpiresAt() time.Time { return t.sdtidToken().ExpiresAt() }

// Code returns the tokencode at at (PIN "" = the raw code; PIN modes >= 2
// fold a 4-8 digit PIN in), refusing past stoken's expiry limit. A 64-bit
// token (Alg128 false) is refused rather than given a wrong code, although
// stoken computes the AES code for it.
func (t Token) Code(at time.Time, pin string) (string, error) {
	c, err := t.sdtidToken().Code(at, pin)
	return c, mapCodeErr(err)
}

// CodeForce is Code without the expiry check, like stoken --force.
func (t Token) CodeForce(at time.Time, pin string) (string, error) {
	c, err := t.sdtidToken().CodeForce(at, pin)
	return c, mapCodeErr(err)
}

func mapCodeErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sdtid.Error
	if errors.As(err, &se) {
		switch se.Kind {
		case sdtid.KindExpired:
			return &Error{Err: ErrExpired, Detail: se.Detail}
		case sdtid.KindUnsupported:
			return &Error{Err: ErrUnsupportedToken, Detail: se.Detail}
		}
		return &Error{Err: ErrMalformed, Detail: se.Detail}
	}
	return err
}

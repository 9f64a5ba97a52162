package sdtid

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// ExpiresAt is stoken's expiration instant: the end of the Death day
// (Death + 1 day), clamped to 2038-01-19T03:14:07Z as stoken's 32-bit time
// does. NeverExpires tokens get that clamp too: stoken refuses even those
// after 2038.
func (t *Token) ExpiresAt() time.Time {
	if t.NeverExpires {
		return maxTime32
	}
	exp := t.Death.Add(day)
	if exp.After(maxTime32) {
		return maxTime32
	}
	return exp
}

// expired applies 4.4: days_left = trunc((expiration + 12 h - now) / 1 day)
// and a code is refused when days_left < 0, i.e. from Death + 2 days 12:00.
func (t *Token) expired(at time.Time) bool {
	left := t.ExpiresAt().Unix() + 12*3600 - at.Unix()
	return left/86400 < 0
}

// Code returns the tokencode at at. pin "" gives the raw code; for PIN tokens
// (PINMode >= 2) a non-empty pin must be 4-8 digits and is folded in (4.2).
// PIN-less tokens ignore pin. Past expiry it returns KindExpired.
func (t *Token) Code(at time.Time, pin string) (string, error) {
	if err := t.usable(); err != nil {
		return "", err
	}
	if t.expired(at) {
		return "", &Error{Kind: KindExpired, Token: -1, Serial: t.Serial,
			Detail: fmt.Sprintf("expired %s; stoken refuses codes from 2.5 days after the Death date", t.ExpiresAt().Format("2006/01/02"))}
	}
	return t.code(at, pin)
}

// CodeForce is Code without the expiry check, like stoken --force.
func (t *Token) CodeForce(at time.Time, pin string) (string, error) {
	if err := t.usable(); err != nil {
		return "", err
	}
	return t.code(at, pin)
}

// maxVerifyWindow bounds Verify's work (one day of 60-s intervals); a wider
// window would make guessing easy anyway.
const maxVerifyWindow = 1440

// Verify checks code against the codes at offsets 0, -1, +1, -2, +2 ... up
// to ±window intervals from at, and returns the matching offset in intervals.
// Expiry is judged at at.
func (t *Token) Verify(code string, at time.Time, pin string, window int) (offset int, ok bool, err error) {
	if window < 0 || window > maxVerifyWindow {
		return 0, false, &Error{Kind: KindBadValue, Element: "window", Token: -1,
			Detail: fmt.Sprintf("the window must be 0 to %d intervals", maxVerifyWindow)}
	}
	if _, err := t.Code(at, pin); err != nil {
		return 0, false, err
	}
	step := time.Duration(t.IntervalSeconds) * time.Second
	for i := 0; i <= 2*window; i++ {
		off := (i + 1) / 2
		if i%2 == 1 {
			off = -off
		}
		want, err := t.code(at.Add(time.Duration(off)*step), pin)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return off, true, nil
		}
	}
	return 0, false, nil
}

// usable refuses tokens whose codes we would get wrong.
func (t *Token) usable() error {
	switch {
	case t.Alg == 0:
		return &Error{Kind: KindUnsupported, Token: -1, Serial: t.Serial,
			Detail: "64-bit (Alg 0) token: its algorithm is not implemented, so no code is given rather than a wrong one"}
	case t.Digits < 1 || t.Digits > 8:
		return &Error{Kind: KindBadValue, Element: "Digits", Token: -1, Serial: t.Serial, Detail: "digits must be 1 to 8"}
	case t.IntervalSeconds != 30 && t.IntervalSeconds != 60:
		return &Error{Kind: KindBadValue, Element: "Interval", Token: -1, Serial: t.Serial, Detail: "the interval must be 30 or 60 seconds"}
	case len(t.Serial) < 1 || len(t.Serial) > 12 || strings.Trim(t.Serial, "0123456789") != "":
		return &Error{Kind: KindBadValue, Element: "SN", Token: -1, Serial: t.Serial,
			Detail: "the serial number must be 1-12 digits for a tokencode"}
	}
	return nil
}

func bcd2(v int) byte { return byte((v/10)%10<<4 | v%10) }

// chain runs the five AES steps of 4.2 for at (UTC) and returns the last
// output, which holds four consecutive 32-bit codes. trace, if set, sees each
// step's input block and output.
func (t *Token) chain(at time.Time, trace func(n int, in, out [16]byte)) [16]byte {
	minute := at.Minute()
	if t.IntervalSeconds == 60 {
		minute &^= 3
	} else {
		minute &^= 1
	}
	y := at.Year()
	ts := [8]byte{bcd2(y / 100), bcd2(y % 100), bcd2(int(at.Month())), bcd2(at.Day()), bcd2(at.Hour()), bcd2(minute), 0, 0}

	serial := strings.Repeat("0", 12-len(t.Serial)) + t.Serial
	var sn [4]byte
	for i := 0; i < 4; i++ {
		sn[i] = (serial[4+2*i]-'0')<<4 | (serial[5+2*i] - '0')
	}
	key := t.Seed
	for _, n := range []int{2, 3, 4, 5, 8} {
		in := [16]byte{8: sn[0], 9: sn[1], 10: sn[2], 11: sn[3], 12: 0xbb, 13: 0xbb, 14: 0xbb, 15: 0xbb}
		for i := 0; i < 8; i++ {
			if i < n {
				in[i] = ts[i]
			} else {
				in[i] = 0xaa
			}
		}
		key = aesBlock(key, in)
		if trace != nil {
			trace(n, in, key)
		}
	}
	return key
}

func (t *Token) code(at time.Time, pin string) (string, error) {
	usePIN := t.PINMode >= 2 && pin != ""
	if usePIN && (len(pin) < 4 || len(pin) > 8 || strings.Trim(pin, "0123456789") != "") {
		return "", &Error{Kind: KindBadValue, Element: "PIN", Token: -1, Serial: t.Serial, Detail: "the PIN must be 4 to 8 digits"}
	}
	at = at.UTC()
	key := t.chain(at, nil)
	var idx int
	if t.IntervalSeconds == 60 {
		idx = 4 * (at.Minute() & 3)
	} else {
		idx = 8 * (at.Minute() & 1)
		if at.Second() >= 30 {
			idx += 4
		}
	}
	v := binary.BigEndian.Uint32(key[idx : idx+4])
	out := []byte(fmt.Sprintf("%010d", v))
	out = out[len(out)-t.Digits:]
	if usePIN {
		for i := 0; i < len(pin) && i < len(out); i++ {
			o := len(out) - 1 - i
			out[o] = '0' + (out[o]-'0'+pin[len(pin)-1-i]-'0')%10
		}
	}
	return string(out), nil
}

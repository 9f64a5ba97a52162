package sdtid

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"time"
)

// cSpace is C's isspace set, used wherever stoken relies on C library
// parsing or trimming (strtol, sscanf, its trim helper).
const cSpace = " \t\n\v\f\r"

func isCSpace(c byte) bool { return strings.IndexByte(cSpace, c) >= 0 }

func trimC(s string) string { return strings.Trim(s, cSpace) }

// parseCInt parses like C strtol(s, &end, 0) and then demands that digits
// were read and *end == 0, which is how stoken reads every integer and flag:
// leading whitespace and a sign are fine, "0x" means hex, a leading 0 means
// octal ("08" fails), and any trailing character (even a space) fails. An
// empty value fails too (checked against stoken). Out-of-range values
// saturate as strtol's do.
func parseCInt(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexVal(s[i+2]) >= 0 {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) {
		d := hexVal(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/base {
			overflow = true
		} else {
			v = v*base + uint64(d)
		}
		i++
	}
	if i == start {
		return 0, false
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case neg && (overflow || v > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(v), true
	case overflow || v > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(v), true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// scanCInt reads one sscanf "%d" from s: optional whitespace and sign, then
// at least one decimal digit. It returns the value and the rest of s.
func scanCInt(s string) (int64, string, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v < 1e12 { // beyond this the date is nonsense anyway; keep time.Date sane
			v = v*10 + int64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, s, false
	}
	if neg {
		v = -v
	}
	return v, s[i:], true
}

var epoch2000 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxTime32 is the largest 32-bit time_t. stoken clamps expiry to it, so
// every date after 2038/01/18 (and every "never expires" date) ends there.
var maxTime32 = time.Unix(math.MaxInt32, 0).UTC()

const day = 24 * time.Hour

// dayNumber converts y/m/d the way the C library's timegm does (out-of-range
// months and days roll over) and counts days from 2000-01-01.
func dayNumber(y, m, d int64) int64 {
	clamp := func(v, lim int64) int {
		if v > lim {
			return int(lim)
		}
		if v < -lim {
			return int(-lim)
		}
		return int(v)
	}
	t := time.Date(clamp(y, 1e6), time.Month(clamp(m, 1e7)), clamp(d, 1e9), 0, 0, 0, 0, time.UTC)
	secs := t.Unix() - epoch2000.Unix()
	return secs / 86400 // C division truncates toward zero; whole days either way
}

// ParseDate reads an SDTID date the way stoken does (sdtid-format.md 1.7):
// three decimal integers separated by '/', anything after the third ignored,
// out-of-range months and days rolled over. It returns that day at 00:00 UTC.
// A date that stoken stores as day 0 (2000/01/01, or anything that wraps to
// it) is invalid. Dates before 2000 are returned as they are; Read marks them
// NeverExpires, as stoken does.
func ParseDate(s string) (time.Time, error) {
	y, rest, ok := scanCInt(s)
	if ok && strings.HasPrefix(rest, "/") {
		var m, d int64
		m, rest, ok = scanCInt(rest[1:])
		if ok && strings.HasPrefix(rest, "/") {
			d, _, ok = scanCInt(rest[1:])
			if ok {
				n := dayNumber(y, m, d)
				if uint16(n) == 0 {
					return time.Time{}, errors.New("the date is day 0 (2000/01/01), which stoken treats as invalid")
				}
				return epoch2000.Add(time.Duration(n) * day), nil
			}
		}
	}
	return time.Time{}, errors.New("not a YYYY/MM/DD date")
}

// expiryDay turns a parsed Death date into stoken's 16-bit day number and
// says whether it wrapped around from before 2000 ("never expires").
func expiryDay(death time.Time) (expDay uint16, never bool) {
	n := int64(death.Sub(epoch2000) / day)
	return uint16(n), n < 0
}

// decodeB64 decodes base64 as Debian's stoken (libtomcrypt 1.18) reads it:
// the standard alphabet, with whitespace ignored and '=' padding optional.
func decodeB64(s string) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if !isCSpace(s[i]) {
			clean = append(clean, s[i])
		}
	}
	// Padding may be missing or complete, but never in the middle.
	trimmed := strings.TrimRight(string(clean), "=")
	if len(clean)-len(trimmed) > 2 {
		return nil, errors.New("too much padding")
	}
	return base64.RawStdEncoding.DecodeString(trimmed)
}

// field is stoken's fixed-width string field: the first n bytes of s (a NUL
// ends it), right-padded with zero bytes.
func field(dst []byte, s string) {
	clear(dst)
	for i := 0; i < len(dst) && i < len(s) && s[i] != 0; i++ {
		dst[i] = s[i]
	}
}

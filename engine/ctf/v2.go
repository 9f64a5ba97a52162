package ctf

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// v2 flag bits (§4.3).
const (
	flag128Bit    = 0x4000
	flagPassProt  = 0x2000
	flagSNProt    = 0x1000
	flagAppSeeds  = 0x0800
	flagFeat4     = 0x0400
	flagTimeSeeds = 0x0200
	flagFeat6     = 0x0020
	reservedMask  = 0x8004
)

// magic is the constant tail of the v2 key material (§4.6).
var magic = []byte{0xd8, 0xf5, 0x32, 0x53, 0x82, 0x89}

// flagsOf builds the 16-bit flags word without PASSPROT/SNPROT.
func flagsOf(t Token) uint16 {
	f := t.Reserved & reservedMask
	set := func(b bool, m uint16) {
		if b {
			f |= m
		}
	}
	set(t.Alg128, flag128Bit)
	set(t.AppDerived, flagAppSeeds)
	set(t.Feature4, flagFeat4)
	set(t.TimeDerived, flagTimeSeeds)
	set(t.Feature6, flagFeat6)
	f |= uint16(t.Digits-1) & 7 << 6
	f |= uint16(t.PINMode) & 3 << 3
	if t.Interval == 60 {
		f |= 1
	}
	return f
}

// devidV2 is the normalised device ID DN of §4.5 for version digit v and
// limit n (32, or 40 with the smartphone flag).
func devidV2(id string, v, n int) []byte {
	if len(id) > n {
		id = id[:n]
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(id); i++ {
		c := id[i]
		var keep bool
		if v == 1 {
			keep = c < '0' || c > '9'
		} else {
			keep = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
		if !keep {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out = append(out, c)
	}
	return out
}

func devidCheck(dn []byte, n int) uint16 {
	buf := make([]byte, n)
	copy(buf, dn)
	return smac15(buf)
}

func seedKeyV2(pw string, dn []byte) [16]byte {
	km := make([]byte, 0, len(pw)+len(dn)+len(magic))
	km = append(km, pw...)
	km = append(km, dn...)
	km = append(km, magic...)
	return shash(km)
}

func limitN(smartphone bool) int {
	if smartphone {
		return 40
	}
	return 32
}

// encodeV2 is §4.8; it returns the 81 digits.
func encodeV2(t Token, serial string, exp int, pw, devid string, smartphone bool) string {
	flags := flagsOf(t)
	n := limitN(smartphone)
	var dn []byte
	if pw != "" {
		flags |= flagPassProt
	}
	if devid != "" {
		flags |= flagSNProt
		dn = devidV2(devid, 2, n)
	}
	key := seedKeyV2(pw, dn)
	enc := aesEncrypt(key, t.Seed)
	b := make(bits, 24)
	copy(b, enc[:])
	b.put(128, 16, uint64(flags))
	b.put(144, 14, uint64(exp))
	b.put(158, 1, 0)
	b.put(159, 15, uint64(smac15(t.Seed[:])))
	b.put(174, 15, uint64(devidCheck(dn, n)))
	out := make([]byte, 0, 81)
	out = append(out, '2')
	out = append(out, serial...)
	out = packDigits(out, b, 189)
	return string(digits15(out, smac15(out)))
}

// fieldsV2 are the parts of a v2 string.
type fieldsV2 struct {
	version    int
	serial     string
	encSeed    [16]byte
	flags      uint16
	exp        int
	seedCheck  uint16
	devidCheck uint16
}

// parseV2 is §4.7 steps 1-3.
func parseV2(digits string) (fieldsV2, error) {
	var f fieldsV2
	if len(digits) < 81 || len(digits) > 85 {
		return f, fail(ErrInvalidLength, fmt.Sprintf("%d digits: a v2 string has 81", len(digits)))
	}
	body := digits[:len(digits)-5]
	sum := unpackDigits(digits[len(digits)-5:]).get(0, 15)
	if uint16(sum) != smac15([]byte(body)) {
		return f, fail(ErrChecksum, "the check digits do not match (a mistyped or damaged string)")
	}
	f.version = int(digits[0] - '0')
	f.serial = digits[1:13]
	b := unpackDigits(digits[13:76])
	copy(f.encSeed[:], b[:16])
	f.flags = uint16(b.get(128, 16))
	f.exp = int(b.get(144, 14))
	f.seedCheck = uint16(b.get(159, 15))
	f.devidCheck = uint16(b.get(174, 15))
	return f, nil
}

// token gives the settings of f (no seed).
func (f fieldsV2) token() Token {
	t := Token{
		Serial:            f.serial,
		Digits:            int(f.flags>>6&7) + 1,
		Interval:          30,
		PINMode:           int(f.flags >> 3 & 3),
		Alg128:            f.flags&flag128Bit != 0,
		TimeDerived:       f.flags&flagTimeSeeds != 0,
		AppDerived:        f.flags&flagAppSeeds != 0,
		Feature4:          f.flags&flagFeat4 != 0,
		Feature6:          f.flags&flagFeat6 != 0,
		Reserved:          f.flags & reservedMask,
		PasswordProtected: f.flags&flagPassProt != 0,
		DeviceBound:       f.flags&flagSNProt != 0,
	}
	if f.flags&3 != 0 {
		t.Interval = 60
	}
	setExpiry(&t, f.exp)
	return t
}

func setExpiry(t *Token, exp int) {
	t.Death = epoch2000.Add(time.Duration(exp) * 24 * time.Hour)
	t.NeverExpires = exp >= neverDay
}

// decodeV2 is §4.7 steps 4-6.
func decodeV2(p parsed, pw, devid string) (Token, error) {
	f, err := parseV2(p.payload)
	if err != nil {
		return Token{}, err
	}
	t := f.token()
	if pw, err = decodeSecrets(t.PasswordProtected, pw, devid); err != nil {
		return Token{}, err
	}
	var dn []byte
	n := limitN(p.smartphone)
	if t.DeviceBound {
		if devid == "" {
			return Token{}, fail(ErrMissingDeviceID, "this string is bound to a device ID (a class GUID or the app's device ID)")
		}
		dn = devidV2(devid, f.version, n)
		if devidCheck(dn, n) != f.devidCheck {
			detail := "the device ID does not match the one this string is bound to"
			if !p.smartphone && len(devid) > 32 {
				detail += " (a bare string reads only 32 characters of it: was it made for a link?)"
			}
			return Token{}, fail(ErrDeviceIDMismatch, detail)
		}
	}
	seed := aesDecrypt(seedKeyV2(pw, dn), f.encSeed)
	if smac15(seed[:]) != f.seedCheck {
		if t.PasswordProtected {
			return Token{}, fail(ErrWrongPassword, "the seed does not decrypt with this password (or device ID)")
		}
		if t.DeviceBound {
			return Token{}, fail(ErrDeviceIDMismatch, "the seed does not decrypt with this device ID (it passed the 15-bit check by chance)")
		}
		return Token{}, fail(ErrChecksum, "the seed check value does not match the seed")
	}
	t.Seed = seed
	return t, nil
}

// equal16 compares in constant time.
func equal16(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

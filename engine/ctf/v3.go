package ctf

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

const (
	v3Len     = 291 // bytes of the binary blob (§5.1)
	v3Text    = 388 // base64 characters of it
	v3MaxText = 390 // stoken's limit after %-decoding (§5.7)
	v3Payload = 176
	dayUnits  = 337500 // v3 date units per day (§5.2)
	days1970  = 10957  // 1970-01-01 to 2000-01-01
)

var (
	cMac = []byte{0xd0, 0x14, 0x43, 0x3c, 0x6d, 0x17, 0x9f, 0xeb, 0xda, 0x09, 0xab, 0xfc, 0x32, 0x49, 0x63, 0x4c}
	cEnc = []byte{0x3b, 0xaf, 0xff, 0x4d, 0x91, 0x8d, 0x89, 0xb6, 0x81, 0x60, 0xde, 0x44, 0x4e, 0x05, 0xc0, 0xdd}
)

// devidV3 is D48 of §5.3: letters and digits only, upper-cased, at most 48
// bytes, zero-padded to 48.
func devidV3(id string) [48]byte {
	var d [48]byte
	n := 0
	for i := 0; i < len(id) && n < 48; i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			continue
		}
		d[n] = c
		n++
	}
	return d
}

// keyV3 is K(C) of §5.4.
func keyV3(pw string, d48 [48]byte, c []byte, nonce []byte) []byte {
	buf := make([]byte, 0, len(pw)+80)
	buf = append(buf, pw...)
	buf = append(buf, d48[:]...)
	buf = append(buf, c...)
	buf = append(buf, nonce...)
	pb := make([]byte, 0, len(buf)/2)
	for i := 1; i < len(buf); i += 2 {
		pb = append(pb, buf[i])
	}
	k, err := pbkdf2.Key(sha256.New, string(pb), nonce, 1000, 32)
	if err != nil {
		panic(err) // only FIPS-only mode refuses; this format cannot be made FIPS
	}
	return k
}

func hashes(nonce []byte, d48 [48]byte, pw string) (devHash, devPassHash [32]byte) {
	h := sha256.New()
	h.Write(nonce)
	h.Write(d48[:])
	copy(devHash[:], h.Sum(nil))
	h.Write([]byte(pw))
	copy(devPassHash[:], h.Sum(nil))
	return
}

func cbc(key, iv []byte, data []byte, encrypt bool) {
	c, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	if encrypt {
		cipher.NewCBCEncrypter(c, iv).CryptBlocks(data, data)
	} else {
		cipher.NewCBCDecrypter(c, iv).CryptBlocks(data, data)
	}
}

func put40(b []byte, v uint64) {
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], v)
	copy(b, t[3:])
}

// encodeV3 is §5; it returns the %-escaped base64 text.
func encodeV3(t Token, serial string, exp int, pw, devid string, nonce [16]byte) string {
	var pl [v3Payload]byte
	copy(pl[0:16], serial)
	copy(pl[16:32], t.Seed[:])
	pl[32], pl[33] = 1, 1
	if t.Feature4 {
		pl[34] = 1
	}
	pl[35] = byte(t.Digits)
	pl[36] = 0x1f
	if t.PINMode >= 2 {
		pl[36] = 0x21
	}
	pl[37] = byte(t.Interval)
	put40(pl[48:53], uint64(exp+days1970)*dayUnits)
	for i := 160; i < v3Payload; i++ {
		pl[i] = 0x10
	}

	var d48 [48]byte
	if devid != "" {
		d48 = devidV3(devid)
	}
	var blob [v3Len]byte
	blob[0] = 3
	if pw != "" {
		blob[1] = 1
	}
	if devid != "" {
		blob[2] = 1
	}
	dh, dph := hashes(nonce[:], d48, pw)
	copy(blob[3:35], dh[:])
	copy(blob[35:67], dph[:])
	copy(blob[67:83], nonce[:])
	cbc(keyV3(pw, d48, cEnc, nonce[:]), nonce[:], pl[:], true)
	copy(blob[83:259], pl[:])
	m := hmac.New(sha256.New, keyV3(pw, d48, cMac, nonce[:]))
	m.Write(blob[:259])
	copy(blob[259:], m.Sum(nil))

	b64 := base64.StdEncoding.EncodeToString(blob[:])
	var sb strings.Builder
	sb.Grow(len(b64) + 40)
	for i := 0; i < len(b64); i++ {
		c := b64[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// v3Blob is §5.7 steps 2-3: %-decoding and lenient base64 (characters outside
// the alphabet are skipped, as by stoken's libtomcrypt build).
func v3Blob(payload string) ([]byte, error) {
	dec := make([]byte, 0, len(payload))
	for i := 0; i < len(payload); i++ {
		c := payload[i]
		if c == '%' {
			if i+2 >= len(payload) {
				return nil, fail(ErrInvalidLength, "a % escape is cut short")
			}
			h, ok1 := unhex(payload[i+1])
			l, ok2 := unhex(payload[i+2])
			if !ok1 || !ok2 {
				return nil, fail(ErrInvalidLength, "a % is not followed by two hex digits")
			}
			c = h<<4 | l
			i += 2
		}
		dec = append(dec, c)
	}
	if len(dec) > v3MaxText {
		return nil, fail(ErrInvalidLength, fmt.Sprintf("%d characters after %%-decoding: a v3 string has %d", len(dec), v3Text))
	}
	clean := make([]byte, 0, len(dec))
	for _, c := range dec {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean) != v3Text {
		return nil, fail(ErrMalformed, fmt.Sprintf("%d base64 characters: a v3 string has %d", len(clean), v3Text))
	}
	blob, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil || len(blob) != v3Len {
		return nil, fail(ErrMalformed, "the base64 text does not decode to a v3 token")
	}
	if blob[0] != 3 {
		return nil, fail(ErrMalformed, fmt.Sprintf("version byte %d in a base64 payload: v3 has 3", blob[0]))
	}
	return blob, nil
}

// decodeV3 is §5.7.
func decodeV3(payload, pw, devid string) (Token, error) {
	blob, err := v3Blob(payload)
	if err != nil {
		return Token{}, err
	}
	passProt, devBound := blob[1] != 0, blob[2] != 0
	if pw, err = decodeSecrets(passProt, pw, devid); err != nil {
		return Token{}, err
	}
	var d48 [48]byte
	if devBound {
		if devid == "" {
			return Token{}, fail(ErrMissingDeviceID, "this string is bound to a device ID (a class GUID or the app's device ID)")
		}
		d48 = devidV3(devid)
	}
	nonce := blob[67:83]
	dh, dph := hashes(nonce, d48, pw)
	if !equal16(dh[:], blob[3:35]) {
		if !devBound {
			return Token{}, fail(ErrChecksum, "the device hash of an unbound string does not match (a damaged string)")
		}
		return Token{}, fail(ErrDeviceIDMismatch, "the device ID does not match the one this string is bound to")
	}
	if !equal16(dph[:], blob[35:67]) {
		if !passProt {
			return Token{}, fail(ErrChecksum, "the password hash of an unprotected string does not match (a damaged string)")
		}
		return Token{}, fail(ErrWrongPassword, "the password does not match")
	}
	m := hmac.New(sha256.New, keyV3(pw, d48, cMac, nonce))
	m.Write(blob[:259])
	if !hmac.Equal(m.Sum(nil), blob[259:]) {
		return Token{}, fail(ErrChecksum, "the MAC does not match (a damaged string)")
	}
	pl := make([]byte, v3Payload)
	copy(pl, blob[83:259])
	cbc(keyV3(pw, d48, cEnc, nonce), nonce, pl, false)
	serial := pl[:16]
	if i := strings.IndexByte(string(serial), 0); i >= 0 {
		serial = serial[:i]
	}
	if len(serial) != 12 {
		return Token{}, fail(ErrMalformed, fmt.Sprintf("the serial number has %d characters, not 12", len(serial)))
	}
	t := Token{
		Serial:            string(serial),
		Digits:            int((pl[35]-1)&7) + 1,
		Interval:          30,
		PINMode:           0,
		Alg128:            true,
		TimeDerived:       true,
		Feature4:          pl[34] != 0,
		PasswordProtected: passProt,
		DeviceBound:       devBound,
	}
	copy(t.Seed[:], pl[16:32])
	if pl[36] != 0x1f {
		t.PINMode = 2
	}
	if pl[37] == 60 {
		t.Interval = 60
	}
	var e [8]byte
	copy(e[3:], pl[48:53])
	day := int64(binary.BigEndian.Uint64(e[:])/dayUnits) - days1970
	if day > neverDay-1 || day < 0 {
		day = neverDay - 1 // stoken's clamp: the last day it can represent
	}
	setExpiry(&t, int(day))
	return t, nil
}

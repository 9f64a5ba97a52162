package ctf

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func vectorByID(t *testing.T, id string) vector {
	t.Helper()
	for _, v := range loadVectors(t).Vectors {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("no vector %s", id)
	return vector{}
}

// flipDigit changes the digit at i (0-7 stays 0-7).
func flipDigit(s string, i int) string {
	b := []byte(s)
	b[i] = '0' + (b[i]-'0'+1)%8
	return string(b)
}

// reV3 rewrites byte i of a v3 link's blob.
func reV3(t *testing.T, s string, i int, fn func(byte) byte) string {
	t.Helper()
	blob := blobOf(t, s)
	blob[i] = fn(blob[i])
	b64 := base64.StdEncoding.EncodeToString(blob)
	return PrefixAndroid + strings.NewReplacer("+", "%2B", "/", "%2F").Replace(b64)
}

// TestDecodeErrorsKeepStokensDistinctions: each refusal wraps its own
// sentinel, as stoken tells its errors apart, and no text leaks a secret.
func TestDecodeErrorsKeepStokensDistinctions(t *testing.T) {
	v01, v03, v04, v05 := vectorByID(t, "V01"), vectorByID(t, "V03"), vectorByID(t, "V04"), vectorByID(t, "V05")
	pw5, dev5 := str(v05.Inputs.Password), str(v05.Inputs.Devid)
	dev4 := str(v04.Inputs.Devid)
	androidDigits := strings.TrimPrefix(v04.Expected.Android, PrefixAndroid)
	cases := []struct {
		name, s, pw, dev string
		want             error
	}{
		{"check digits", flipDigit(v01.Expected.Plain, 80), "", "", ErrChecksum},
		{"data digit", flipDigit(v01.Expected.Plain, 30), "", "", ErrChecksum},
		{"80 digits", v01.Expected.Plain[:80], "", "", ErrInvalidLength},
		{"86 digits", v01.Expected.Plain + "00000", "", "", ErrInvalidLength},
		{"space-separated blocks", strings.ReplaceAll(v01.Expected.Blocks, "-", " "), "", "", ErrInvalidLength},
		{"version digit 3", "3" + v01.Expected.Plain[1:], "", "", ErrUnsupportedVersion},
		{"v4", PrefixRSA + "BAEB" + strings.Repeat("A", 400), "", "", ErrUnsupportedVersion},
		{"short base64", PrefixAndroid + "AwAA" + strings.Repeat("A", 100), "", "", ErrUnsupportedVersion},
		{"bare base64", strings.TrimPrefix(v01.Expected.V3Android, PrefixAndroid), "", "", ErrMalformed},
		{"not a token", "hello", "", "", ErrMalformed},
		{"empty", "", "", "", ErrMalformed},
		{"SDTID", `<?xml version="1.0"?><TKNBatch/>`, "", "", ErrMalformed},
		{"bad % escape", strings.Replace(v01.Expected.V3Android, "%2", "%G", 1), "", "", ErrInvalidLength},
		{"v3 version byte", reV3(t, v01.Expected.V3Android, 0, func(byte) byte { return 2 }), "", "", ErrMalformed},
		{"v2 missing password", v03.Expected.Plain, "", "", ErrMissingPassword},
		{"v2 wrong password", v03.Expected.Plain, "hunter3", "", ErrWrongPassword},
		{"v2 password too long", v03.Expected.Plain, strings.Repeat("p", 41), "", ErrPasswordFormat},
		{"v2 NUL in password", v03.Expected.Plain, "hun\x00ter2", "", ErrPasswordFormat},
		{"v2 missing device ID", v04.Expected.Plain, "", "", ErrMissingDeviceID},
		{"v2 wrong device ID", v04.Expected.Plain, "", ClassGUIDs[0].GUID, ErrDeviceIDMismatch},
		{"v2 link digits used bare", androidDigits, "", dev4, ErrDeviceIDMismatch},
		{"v2 both missing", v05.Expected.Plain, "", "", ErrMissingPassword},
		{"v2 device ID missing", v05.Expected.Plain, pw5, "", ErrMissingDeviceID},
		{"v3 missing password", v05.Expected.V3Android, "", dev5, ErrMissingPassword},
		{"v3 missing device ID", v05.Expected.V3Android, pw5, "", ErrMissingDeviceID},
		{"v3 wrong password", v05.Expected.V3Android, pw5 + "x", dev5, ErrWrongPassword},
		{"v3 wrong device ID", v05.Expected.V3Android, pw5, ClassGUIDs[1].GUID, ErrDeviceIDMismatch},
		{"v3 MAC", reV3(t, v05.Expected.V3Android, 290, func(b byte) byte { return b ^ 1 }), pw5, dev5, ErrChecksum},
		{"v3 payload", reV3(t, v05.Expected.V3Android, 100, func(b byte) byte { return b ^ 1 }), pw5, dev5, ErrChecksum},
	}
	all := []error{ErrMalformed, ErrInvalidLength, ErrUnsupportedVersion, ErrChecksum, ErrPasswordFormat,
		ErrMissingPassword, ErrMissingDeviceID, ErrWrongPassword, ErrDeviceIDMismatch}
	for _, c := range cases {
		_, err := Decode(c.s, c.pw, c.dev)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		for _, other := range all {
			if other != c.want && errors.Is(err, other) {
				t.Errorf("%s: %v is also %v", c.name, err, other)
			}
		}
		var e *Error
		if !errors.As(err, &e) || e.Detail == "" {
			t.Errorf("%s: %v is not an *Error with a detail", c.name, err)
		}
		for _, secret := range []string{c.pw, c.dev, "hunter2", pw5, dev5, dev4} {
			if secret != "" && strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q shows a secret", c.name, err)
			}
		}
		for _, seed := range []string{v03.Inputs.SeedHex, v04.Inputs.SeedHex, v05.Inputs.SeedHex} {
			if strings.Contains(err.Error(), seed) {
				t.Errorf("%s: error shows a seed", c.name)
			}
		}
	}
}

// TestDecodeIgnoresSecretsTheStringDoesNotNeed, as stoken does.
func TestDecodeIgnoresSecretsTheStringDoesNotNeed(t *testing.T) {
	v01 := vectorByID(t, "V01")
	for _, s := range []string{v01.Expected.Plain, v01.Expected.Android, v01.Expected.V3Android} {
		if _, err := Decode(s, "unneeded", ClassGUIDs[1].GUID); err != nil {
			t.Errorf("%.40s: %v", s, err)
		}
	}
}

// TestDecodeAcceptsWhatStokenAccepts: the lenient readings of §2.2 and §5.7.
func TestDecodeAcceptsWhatStokenAccepts(t *testing.T) {
	v01 := vectorByID(t, "V01")
	v3 := v01.Expected.V3Android
	for name, s := range map[string]string{
		"trailing garbage":      v01.Expected.Plain + " trailing&x=1",
		"ctfData anywhere":      "xx CTFDATA=" + v01.Expected.Plain,
		"quoted-printable":      "http://127.0.0.1/securid/ctf?ctfData=3D" + strings.TrimPrefix(v01.Expected.Plain, ""),
		"v3 raw + and /":        strings.NewReplacer("%2B", "+", "%2F", "/").Replace(v3),
		"v3 lower-case escapes": strings.NewReplacer("%2B", "%2b", "%2F", "%2f").Replace(v3),
		"v3 trailing newline":   v3 + "\n",
		"82 digits":             "", // built below
	} {
		if name == "82 digits" {
			body := v01.Expected.Plain[:76] + "0"
			s = string(digits15([]byte(body), smac15([]byte(body))))
		}
		if _, err := Decode(s, "", ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestEncodeRefusesBadInput: every bad encoder input gets a specific error.
func TestEncodeRefusesBadInput(t *testing.T) {
	good := vectorByID(t, "V01").token(t)
	mod := func(f func(*Token)) Token { c := good; f(&c); return c }
	cases := []struct {
		name string
		tok  Token
		o    Options
		want error
	}{
		{"serial letters", mod(func(t *Token) { t.Serial = "12345678901a" }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"serial 13 digits", mod(func(t *Token) { t.Serial = "1234567890123" }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"9 digits", mod(func(t *Token) { t.Digits = 9 }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"45 s", mod(func(t *Token) { t.Interval = 45 }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"no expiry", mod(func(t *Token) { t.Death = Token{}.Death }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"1999 expiry", mod(func(t *Token) { t.Death = epoch2000.AddDate(0, 0, -1) }), Options{Version: 2, Form: FormDigits}, ErrMalformed},
		{"v3 bare", good, Options{Version: 3, Form: FormDigits}, ErrMalformed},
		{"v4", good, Options{Version: 4, Form: FormAndroid}, ErrUnsupportedVersion},
		{"no form", good, Options{Version: 2}, ErrMalformed},
		{"41-byte password", good, Options{Version: 2, Form: FormDigits, Password: strings.Repeat("x", 41)}, ErrPasswordFormat},
		{"NUL device ID", good, Options{Version: 3, Form: FormAndroid, DeviceID: "a\x00b"}, ErrPasswordFormat},
	}
	for _, c := range cases {
		if _, err := Encode(c.tok, c.o); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := Encode(good, Options{Version: 3, Form: FormAndroid, Rand: iotest.ErrReader(errors.New("no entropy"))}); err == nil {
		t.Error("a failing nonce source was not reported")
	}
}

// TestEncodeV3DrawsAFreshNonce: without Rand, crypto/rand gives every v3
// string its own nonce; with Rand, the nonce is the reader's.
func TestEncodeV3DrawsAFreshNonce(t *testing.T) {
	tok := vectorByID(t, "V01").token(t)
	a, _ := Encode(tok, Options{Version: 3, Form: FormAndroid})
	b, _ := Encode(tok, Options{Version: 3, Form: FormAndroid})
	if a == b {
		t.Fatal("two v3 encodings are equal")
	}
	nonce := bytes.Repeat([]byte{7}, 16)
	c, _ := Encode(tok, Options{Version: 3, Form: FormAndroid, Rand: bytes.NewReader(nonce)})
	if !bytes.Equal(nonceOf(t, c), nonce) {
		t.Fatal("the nonce is not the injected one")
	}
}

// TestEncodeShortSerialIsPadded as stoken pads an SDTID's shorter SN.
func TestEncodeShortSerialIsPadded(t *testing.T) {
	tok := vectorByID(t, "V02").token(t)
	tok.Serial = "123456789"
	s, err := Encode(tok, Options{Version: 2, Form: FormDigits})
	if err != nil || s != vectorByID(t, "V02").Expected.Plain {
		t.Fatalf("%s %v", s, err)
	}
}

// TestDecodeIgnoresATooLongUnneededPassword as stoken does; a needed one is
// refused.
func TestDecodeIgnoresATooLongUnneededPassword(t *testing.T) {
	long := strings.Repeat("x", 41)
	if _, err := Decode(vectorByID(t, "V01").Expected.Plain, long, ""); err != nil {
		t.Errorf("unprotected string: %v", err)
	}
	if _, err := Decode(vectorByID(t, "V03").Expected.Plain, long, ""); !errors.Is(err, ErrPasswordFormat) {
		t.Errorf("protected string: %v", err)
	}
}

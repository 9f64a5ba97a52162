package ctf

import (
	"bytes"
	"testing"
)

func benchToken(b *testing.B) Token {
	b.Helper()
	for _, v := range loadVectors(b).Vectors {
		if v.ID == "V05" {
			return v.token(b)
		}
	}
	b.Fatal("no V05")
	return Token{}
}

// zeroes is an endless nonce source, so the benchmark measures the format,
// not crypto/rand.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func BenchmarkEncodeV2(b *testing.B) {
	tok := benchToken(b)
	o := Options{Version: 2, Form: FormAndroid, Password: "Correct_horse!battery&staple", DeviceID: ClassGUIDs[0].GUID}
	for b.Loop() {
		if _, err := Encode(tok, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeV3(b *testing.B) {
	tok := benchToken(b)
	o := Options{Version: 3, Form: FormAndroid, Password: "Correct_horse!battery&staple", DeviceID: ClassGUIDs[0].GUID, Rand: zeroes{}}
	for b.Loop() {
		if _, err := Encode(tok, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeV2(b *testing.B) {
	tok := benchToken(b)
	pw, dev := "Correct_horse!battery&staple", ClassGUIDs[0].GUID
	s, _ := Encode(tok, Options{Version: 2, Form: FormAndroid, Password: pw, DeviceID: dev})
	for b.Loop() {
		if _, err := Decode(s, pw, dev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeV3(b *testing.B) {
	tok := benchToken(b)
	pw, dev := "Correct_horse!battery&staple", ClassGUIDs[0].GUID
	s, _ := Encode(tok, Options{Version: 3, Form: FormAndroid, Password: pw, DeviceID: dev, Rand: bytes.NewReader(make([]byte, 16))})
	for b.Loop() {
		if _, err := Decode(s, pw, dev); err != nil {
			b.Fatal(err)
		}
	}
}

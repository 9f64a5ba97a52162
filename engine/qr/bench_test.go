package qr

import "testing"

// BenchmarkPNG is one v2 link's PNG at the default scale: the QR part of a
// CTF job's per-token floor.
func BenchmarkPNG(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PNG(androidV2, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHalfBlocks is one v2 link's terminal rendering.
func BenchmarkHalfBlocks(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HalfBlocks(androidV2); err != nil {
			b.Fatal(err)
		}
	}
}

package qr

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"
)

const androidV2 = "http://127.0.0.1/securid/ctf?ctfData=252183154536347124653246702113264363265246451345134136430475601762135241624234423"

// TestV2LinkIsVersion5AtLevelM pins the size the error-correction decision
// rests on: a v2 link (37-byte prefix + 81 digits, in a byte and a numeric
// segment) is version 5 (37 modules) at level M. At level L it would be
// version 4, at Q version 6; as a single byte segment, version 7.
func TestV2LinkIsVersion5AtLevelM(t *testing.T) {
	m, err := Encode(androidV2)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version() != 5 || m.Size() != 37 {
		t.Fatalf("a v2 link is version %d (%d modules), want 5 (37)", m.Version(), m.Size())
	}
	s, _ := HalfBlocks(androidV2)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != 23 || len([]rune(lines[0])) != 45 {
		t.Fatalf("its half-block rendering is %d lines of %d columns, want 23 of 45 (fits 80x24)", len(lines), len([]rune(lines[0])))
	}
}

// TestPNGPixelsAreTheModulesWithTheQuietZone decodes the PNG: each module is
// Scale x Scale pixels, black for dark, with 4 white modules around.
func TestPNGPixelsAreTheModulesWithTheQuietZone(t *testing.T) {
	m, _ := Encode(androidV2)
	for _, scale := range []int{0, 1, 3} {
		data, err := PNG(androidV2, Options{Scale: scale})
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		px := scale
		if px == 0 {
			px = DefaultScale
		}
		n := m.Size() + 2*QuietZone
		if img.Bounds() != image.Rect(0, 0, n*px, n*px) {
			t.Fatalf("scale %d: bounds %v, want %d pixels square", scale, img.Bounds(), n*px)
		}
		for y := 0; y < n*px; y++ {
			for x := 0; x < n*px; x++ {
				want := m.Dark(x/px-QuietZone, y/px-QuietZone)
				if got := isDark(img.At(x, y)); got != want {
					t.Fatalf("scale %d: pixel (%d,%d) dark=%v, want %v", scale, x, y, got, want)
				}
			}
		}
	}
}

// TestPNGIsDeterministic: the same text gives the same bytes (a job's ZIP
// does not change between runs).
func TestPNGIsDeterministic(t *testing.T) {
	a, err := PNG(androidV2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := PNG(androidV2, Options{})
	if !bytes.Equal(a, b) {
		t.Fatal("two PNGs of the same text differ")
	}
	s1, _ := HalfBlocks(androidV2)
	s2, _ := HalfBlocks(androidV2)
	if s1 != s2 {
		t.Fatal("two half-block renderings of the same text differ")
	}
}

// TestPNGRefusesAScaleOutOfRange names the range.
func TestPNGRefusesAScaleOutOfRange(t *testing.T) {
	for _, scale := range []int{-1, MaxScale + 1} {
		if _, err := PNG(androidV2, Options{Scale: scale}); err == nil || !strings.Contains(err.Error(), "1 to 64") {
			t.Fatalf("scale %d: err %v, want the range 1 to 64", scale, err)
		}
	}
}

// TestEncodeRefusesEmptyAndTooLongText, and promptly: go-qr's
// MakeSegmentsOptimally loops forever on a text over version 27, so a
// regression to it hangs here.
func TestEncodeRefusesEmptyAndTooLongText(t *testing.T) {
	if _, err := Encode(""); !errors.Is(err, ErrText) {
		t.Fatalf("empty text: err %v, want ErrText", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := PNG(strings.Repeat("ab", 1500), Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrText) {
			t.Fatalf("3000 bytes: err %v, want ErrText", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("encoding 3000 bytes did not return within 10 s")
	}
	// Version 40 at M holds 2331 bytes; 2000 bytes still encode.
	if m, err := Encode(strings.Repeat("ab", 1000)); err != nil || m.Version() < 28 {
		t.Fatalf("2000 bytes: version %d, err %v; want a version over 27", m.Version(), err)
	}
}

// TestSegmentsSplitDigitRuns: a numeric segment for a run of 9 or more
// digits inside other text, and one segment for an all-alphanumeric text.
func TestSegmentsSplitDigitRuns(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{androidV2, 2},
		{"ab12345678cd", 1},                   // 8 digits: not worth a segment
		{"ab123456789cd", 3},                  // 9 digits: byte, numeric, byte
		{"12345-67890-12345", 1},              // blocks: alphanumeric
		{"252183154536347124653246702113", 1}, // bare digits: numeric
	} {
		segs, err := segments(c.text)
		if err != nil || len(segs) != c.want {
			t.Errorf("segments(%q) = %d segments (err %v), want %d", c.text, len(segs), err, c.want)
		}
	}
}

// TestHalfBlocksDrawsTheQuietZoneAsInkByDefault: on a light-on-dark
// terminal the ink is light, so the quiet zone is full blocks and the
// finder patterns' dark modules are gaps; Invert swaps ink and gap. Only
// ▀ ▄ █, space and the line ends appear.
func TestHalfBlocksDrawsTheQuietZoneAsInkByDefault(t *testing.T) {
	def, _ := HalfBlocks(androidV2)
	inv, _ := HalfBlocksWith(androidV2, TextOptions{Invert: true})
	defLines := strings.Split(def, "\n")
	invLines := strings.Split(inv, "\n")
	if defLines[0] != strings.Repeat("█", 45) || strings.TrimSpace(invLines[0]) != "" || len([]rune(invLines[0])) != 45 {
		t.Fatalf("first lines: default %q, inverted %q; want 45 full blocks and 45 spaces", defLines[0], invLines[0])
	}
	// Line 2 holds module rows 4-5: the quiet zone (4 columns), then the
	// top edge of a finder pattern (dark).
	if got := string([]rune(defLines[2])[:6]); got != "████ ▄" {
		t.Fatalf("default line 3 starts %q, want %q", got, "████ ▄")
	}
	if got := string([]rune(invLines[2])[:6]); got != "    █▀" {
		t.Fatalf("inverted line 3 starts %q, want %q", got, "    █▀")
	}
	for _, s := range []string{def, inv} {
		if strings.Trim(s, "▀▄█ \n") != "" {
			t.Fatalf("a rendering holds characters other than ▀ ▄ █, space and newline:\n%s", s)
		}
	}
}

// TestFromHalfBlocksRoundTrip: both renderings read back to the symbol's
// modules (inside the added margin), also from a capture that lost its
// trailing spaces and blank lines and uses CRLF.
func TestFromHalfBlocksRoundTrip(t *testing.T) {
	m, _ := Encode(androidV2)
	want := m.Image()
	n := want.Bounds().Dx()
	for _, invert := range []bool{false, true} {
		s, _ := HalfBlocksWith(androidV2, TextOptions{Invert: invert})
		var trimmed []string
		for _, l := range strings.Split(s, "\n") {
			trimmed = append(trimmed, strings.TrimRight(l, " "))
		}
		captured := strings.TrimRight(strings.Join(trimmed, "\r\n"), "\r\n")
		for name, text := range map[string]string{"as written": s, "as captured": captured} {
			img, err := FromHalfBlocks(text)
			if err != nil {
				t.Fatalf("invert %v, %s: %v", invert, name, err)
			}
			for y := 0; y < n; y++ {
				for x := 0; x < n; x++ {
					if got, w := isDark(img.At(x+QuietZone, y+QuietZone)), isDark(want.At(x, y)); got != w {
						t.Fatalf("invert %v, %s: module (%d,%d) dark=%v, want %v", invert, name, x, y, got, w)
					}
				}
			}
			b := img.Bounds()
			for x := 0; x < b.Dx(); x++ {
				if isDark(img.At(x, 0)) || isDark(img.At(x, b.Dy()-1)) {
					t.Fatalf("invert %v, %s: the margin is not light at column %d", invert, name, x)
				}
			}
		}
	}
}

// TestFromHalfBlocksRefusesOtherText names the line and column.
func TestFromHalfBlocksRefusesOtherText(t *testing.T) {
	s, _ := HalfBlocks(androidV2)
	bad := strings.Replace(s, "▄", "x", 1)
	_, err := FromHalfBlocks(bad)
	if !errors.Is(err, ErrHalfBlocks) || !strings.Contains(err.Error(), "line 3, column") || !strings.Contains(err.Error(), `'x'`) {
		t.Fatalf("err %v, want ErrHalfBlocks naming line 3 and 'x'", err)
	}
	if _, err := FromHalfBlocks(" \n\n"); !errors.Is(err, ErrHalfBlocks) {
		t.Fatalf("blank text: err %v, want ErrHalfBlocks", err)
	}
}

// Package qr draws QR codes of CTF links (engine/ctf strings): PNG images
// for the jobs' ZIPs and a half-block text rendering for a terminal, and
// reads such a text rendering back into an image (for tests that capture a
// terminal).
//
// The symbols come from github.com/piglig/go-qr (a port of Nayuki's
// reference encoder, no dependencies): optimal segments (a v2 link is a
// byte segment for the prefix and a numeric one for the 81 digits), error
// correction level M, raised by the encoder when the higher level fits the
// same version, and the encoder's automatic mask. The output is
// deterministic: the same text gives the same modules, the same PNG bytes
// and the same text. docs/DECISIONS.md ("QR codes") says why M and why this
// library.
package qr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"strings"
	"sync"

	goqr "github.com/piglig/go-qr"
)

// QuietZone is the light margin around every symbol, in modules: the 4 that
// ISO/IEC 18004 requires.
const QuietZone = 4

// DefaultScale is the PNG's pixels per module when Options.Scale is 0: a v2
// link (version 5, 37 modules + the quiet zone = 45) is then 360 pixels
// square.
const DefaultScale = 8

// MaxScale bounds Options.Scale (a version-40 symbol at 64 is 11,648
// pixels square, still a bounded image).
const MaxScale = 64

// Level is the error-correction level asked of the encoder (go-qr raises it
// when a higher level fits the same version).
const Level = goqr.Medium

// Options choose how PNG draws a symbol.
type Options struct {
	// Scale is pixels per module, 1 to MaxScale; 0 means DefaultScale.
	Scale int
}

// ErrText is wrapped by every error about the text to encode (empty, or too
// long for a QR symbol at level M).
var ErrText = errors.New("qr: cannot encode the text")

// ErrHalfBlocks is wrapped by every error of FromHalfBlocks.
var ErrHalfBlocks = errors.New("qr: not a half-block rendering")

// Matrix is a symbol's modules without the quiet zone: Dark(x, y) is true for
// a dark module, 0 <= x, y < Size.
type Matrix struct {
	code *goqr.QrCode
}

// Size is the symbol's side in modules (21 to 177).
func (m Matrix) Size() int { return m.code.Size() }

// Dark reports whether the module at column x, row y is dark; outside the
// symbol (the quiet zone and beyond) it is light.
func (m Matrix) Dark(x, y int) bool { return m.code.Module(x, y) }

// Version is the symbol's QR version (1 to 40).
func (m Matrix) Version() int { return (m.code.Size() - 17) / 4 }

// Encode makes the symbol of text.
func Encode(text string) (Matrix, error) {
	if text == "" {
		return Matrix{}, fmt.Errorf("%w: the text is empty", ErrText)
	}
	segs, err := segments(text)
	if err != nil {
		return Matrix{}, fmt.Errorf("%w: %d bytes: %v", ErrText, len(text), err)
	}
	code, err := goqr.EncodeSegments(segs, Level, goqr.MinVersion, goqr.MaxVersion, -1, true)
	if err != nil {
		return Matrix{}, fmt.Errorf("%w: %d bytes: %v", ErrText, len(text), err)
	}
	return Matrix{code: code}, nil
}

// minDigitRun is the shortest run of digits inside other text that gets a
// numeric segment of its own: from 9 digits on, the numeric segment (10 bits
// per 3 digits) and the byte segment header after it (at most 36 bits of
// headers in all) cost less than 8 bits a digit, at every version.
const minDigitRun = 9

// segments splits text for the encoder: one numeric or alphanumeric segment
// when the whole text allows it (a bare v2 string, a v2 string in blocks),
// else byte segments with a numeric segment for each run of minDigitRun or
// more digits (a v2 link: the prefix, then the 81 digits). go-qr's
// MakeSegmentsOptimally is not used: v1.1.0 loops forever on a text that
// does not fit version 27.
func segments(text string) ([]*goqr.QrSegment, error) {
	if strings.Trim(text, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:") == "" {
		return goqr.MakeSegments(text)
	}
	var segs []*goqr.QrSegment
	start := 0 // the first byte not yet in a segment
	flush := func(end int) error {
		if end > start {
			seg, err := goqr.MakeBytes([]byte(text[start:end]))
			if err != nil {
				return err
			}
			segs = append(segs, seg)
		}
		return nil
	}
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if j-i >= minDigitRun {
			if err := flush(i); err != nil {
				return nil, err
			}
			seg, err := goqr.MakeNumeric(text[i:j])
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
			start = j
		}
		i = max(j, i+1)
	}
	if err := flush(len(text)); err != nil {
		return nil, err
	}
	return segs, nil
}

// Image is the symbol with its quiet zone, one pixel per module, black on
// white.
func (m Matrix) Image() *image.Paletted {
	n := m.Size() + 2*QuietZone
	img := image.NewPaletted(image.Rect(0, 0, n, n), palette)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !m.Dark(x-QuietZone, y-QuietZone) {
				img.SetColorIndex(x, y, light)
			}
		}
	}
	return img
}

// The two colours of every image: index 0 dark, 1 light.
var palette = color.Palette{color.Gray{Y: 0}, color.Gray{Y: 255}}

const (
	dark  = 0
	light = 1
)

// PNG is the symbol of text as a PNG: black modules on white, the quiet
// zone included, o.Scale pixels per module, 1 bit per pixel.
func PNG(text string, o Options) ([]byte, error) {
	m, err := Encode(text)
	if err != nil {
		return nil, err
	}
	return ImagePNG(m.Image(), o.Scale)
}

// ImagePNG writes img as a PNG, each pixel scale x scale (0 =
// DefaultScale): 1-bit greyscale, a pixel dark when its luminance is below
// half. It serves PNG and turns FromHalfBlocks' image into a file a reader
// can take. The file is written here rather than with image/png, whose
// 1-bit path reads pixels one at a time through an interface and made a
// PNG of a v2 link cost ten times its QR encoding; every rendering is
// decoded by image/png and zbarimg in the tests.
func ImagePNG(img image.Image, scale int) ([]byte, error) {
	if scale == 0 {
		scale = DefaultScale
	}
	if scale < 1 || scale > MaxScale {
		return nil, fmt.Errorf("qr: scale %d: 1 to %d pixels per module are possible", scale, MaxScale)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, errors.New("qr: an empty image")
	}
	w, h := b.Dx()*scale, b.Dy()*scale
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 1 // bit depth; colour type 0 (greyscale), deflate, filter 0, no interlace
	writeChunk(&out, "IHDR", ihdr)

	var idat bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&idat)
	row := make([]byte, 1+(w+7)/8) // filter type 0, then the pixels, MSB first, 1 = white
	for y := b.Min.Y; y < b.Max.Y; y++ {
		clear(row)
		for x := b.Min.X; x < b.Max.X; x++ {
			if isDark(img.At(x, y)) {
				continue
			}
			for px := (x - b.Min.X) * scale; px < (x-b.Min.X+1)*scale; px++ {
				row[1+px/8] |= 0x80 >> (px % 8)
			}
		}
		for range scale {
			if _, err := zw.Write(row); err != nil {
				return nil, err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// zlibWriters reuses compressors (each allocates about a megabyte); Reset
// gives the same output as a new writer, so the PNG stays deterministic.
var zlibWriters = sync.Pool{New: func() any {
	zw, err := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	if err != nil {
		panic(err) // BestSpeed is a valid level
	}
	return zw
}}

// writeChunk appends a PNG chunk: length, type, data, CRC-32 of type and
// data.
func writeChunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

func isDark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 128
}

// The half-block characters: the upper half, the lower half, both, neither.
const (
	upper = '▀'
	lower = '▄'
	full  = '█'
	blank = ' '
)

// TextOptions choose how HalfBlocksWith draws a symbol.
//
// A character cell shows its glyph in the terminal's foreground colour on
// its background colour, and a reader needs dark modules on a light ground.
// So the glyphs ("ink") must draw whichever modules the foreground colour
// makes right:
//
//   - by default the ink draws the LIGHT modules and the quiet zone, and a
//     dark module is a gap showing the background. This is right on a
//     terminal with light text on a dark background, the default of most
//     terminal emulators and SSH clients.
//   - with Invert the ink draws the DARK modules, and the light ones and the
//     quiet zone are gaps. This is right on a terminal with dark text on a
//     light background.
//
// Either way the symbol reads dark-on-light on the screen it suits; on the
// other kind of terminal it reads light-on-dark, which many phone cameras
// refuse.
type TextOptions struct {
	Invert bool
}

// HalfBlocks is HalfBlocksWith(text, TextOptions{}): the rendering for a
// light-on-dark terminal.
func HalfBlocks(text string) (string, error) {
	return HalfBlocksWith(text, TextOptions{})
}

// HalfBlocksWith draws the symbol of text with the quiet zone as lines of
// ▀ ▄ █ and spaces, two module rows per line (the upper half of a cell is
// the first, the lower half the second) and one module per column. The
// side is odd, so the last line's lower half is outside the symbol and left
// as background. Every line has the same width and ends in "\n"; nothing
// else (no colour, no escape) is written.
func HalfBlocksWith(text string, o TextOptions) (string, error) {
	m, err := Encode(text)
	if err != nil {
		return "", err
	}
	n := m.Size() + 2*QuietZone
	// ink reports whether the module at (x, y) of the quiet-zoned symbol
	// is drawn with a glyph.
	ink := func(x, y int) bool {
		if y >= n {
			return false
		}
		return m.Dark(x-QuietZone, y-QuietZone) == o.Invert
	}
	var b strings.Builder
	b.Grow((n + 1) / 2 * (n*3 + 1))
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := ink(x, y), ink(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune(full)
			case top:
				b.WriteRune(upper)
			case bottom:
				b.WriteRune(lower)
			default:
				b.WriteRune(blank)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// FromHalfBlocks reads a half-block rendering (as HalfBlocksWith writes it,
// or as a terminal capture gives it back) into an image, one pixel per
// module, black on white: each character is two pixels, one above the
// other, and the whole is framed by a light margin of QuietZone pixels, so
// that a capture that lost its blank edges (a terminal drops trailing
// spaces, and may drop blank lines) still has a quiet zone.
//
// Which of ink and gap is dark follows from the first character of the
// first line, which is the quiet zone: "█" means the default rendering (ink
// is light), a space or an empty first line means the inverted one (ink is
// dark). Captures drop trailing spaces, so short lines are completed with
// gaps to the longest line's width; "\r\n" line endings are taken. Any
// other character is an error naming its line and column.
func FromHalfBlocks(text string) (image.Image, error) {
	text = strings.TrimSuffix(text, "\n")
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%w: the text is blank", ErrHalfBlocks)
	}
	lines := strings.Split(text, "\n")
	rows := make([][]rune, len(lines))
	width := 0
	for i, l := range lines {
		rows[i] = []rune(strings.TrimSuffix(l, "\r"))
		for j, r := range rows[i] {
			switch r {
			case upper, lower, full, blank:
			default:
				return nil, fmt.Errorf("%w: line %d, column %d: %q is not one of ▀ ▄ █ and space", ErrHalfBlocks, i+1, j+1, r)
			}
		}
		width = max(width, len(rows[i]))
	}
	inkIsLight := len(rows[0]) > 0 && rows[0][0] == full
	inkIndex, gapIndex := uint8(dark), uint8(light)
	if inkIsLight {
		inkIndex, gapIndex = light, dark
	}
	img := image.NewPaletted(image.Rect(0, 0, width+2*QuietZone, 2*len(rows)+2*QuietZone), palette)
	for i := range img.Pix {
		img.Pix[i] = light
	}
	for y, row := range rows {
		for x := 0; x < width; x++ {
			r := blank
			if x < len(row) {
				r = row[x]
			}
			top, bottom := gapIndex, gapIndex
			if r == upper || r == full {
				top = inkIndex
			}
			if r == lower || r == full {
				bottom = inkIndex
			}
			img.SetColorIndex(QuietZone+x, QuietZone+2*y, top)
			img.SetColorIndex(QuietZone+x, QuietZone+2*y+1, bottom)
		}
	}
	return img, nil
}

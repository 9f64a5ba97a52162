package model

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestPrintableEscapesTerminalControls: every character that could move
// the cursor, recolour the terminal, start a forged line or reorder the
// text around it is shown as a visible escape.
func TestPrintableEscapesTerminalControls(t *testing.T) {
	for in, want := range map[string]string{
		"a\nFAKE RECORD":                        `a\nFAKE RECORD`,
		"\x1b[31mred":                           `\x1b[31mred`,
		"tab\there\r":                           `tab\there\r`,
		"bell\a nul\x00 del\x7f":                `bell\x07 nul\x00 del\x7f`,
		"c1 \u0085 \u009b2J":                    `c1 \u0085 \u009b2J`,
		"Payroll \u202efdp.exe":                 `Payroll \u202efdp.exe`,
		"\u2066x\u2069\u200e\u200f\u061c\u202a": `\u2066x\u2069\u200e\u200f\u061c\u202a`,
		"line\u2028sep\u2029":                   `line\u2028sep\u2029`,
		"bad \xff\x9b byte":                     `bad \xff\x9b byte`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPrintableLeavesOrdinaryTextAlone: letters of any script, emoji,
// punctuation and backslashes come out as they went in.
func TestPrintableLeavesOrdinaryTextAlone(t *testing.T) {
	for _, s := range []string{"", "jdoe", "Émile Zoé", "漢字テスト", "גל הפצה 1", "توزيع", "🙂 👩‍💻", `C:\tokens\n.sdtid`, "a b\u00a0c"} {
		if got := Printable(s); got != s {
			t.Errorf("Printable(%q) = %q, want it unchanged", s, got)
		}
	}
}

// checkPrintable is the property Printable promises for any input: valid
// UTF-8 without a character it escapes, unchanged when there was nothing
// to escape, and stable when applied again.
func checkPrintable(t *testing.T, in string) {
	t.Helper()
	out := Printable(in)
	if !utf8.ValidString(out) {
		t.Fatalf("Printable(%q) = %q: not UTF-8", in, out)
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return unicode.IsControl(r) || escapedRune(r) }); i >= 0 {
		t.Fatalf("Printable(%q) = %q: control or format character at byte %d", in, out, i)
	}
	if utf8.ValidString(in) && strings.IndexFunc(in, escapedRune) < 0 && out != in {
		t.Fatalf("Printable(%q) = %q: changed text that needed no escape", in, out)
	}
	if again := Printable(out); again != out {
		t.Fatalf("Printable is not stable: %q then %q", out, again)
	}
}

// TestPrintableProperty checks the property on many random strings mixing
// controls, format characters, broken UTF-8 and ordinary text.
func TestPrintableProperty(t *testing.T) {
	pool := []string{"\x00", "\x1b", "\n", "\r", "\t", "\x7f", "\u0085", "\u009b", "\u202e", "\u2066", "\u200f", "\u2028",
		"\xff", "\xc3", "\xe2\x80", "a", "Z", " ", `\`, "é", "漢", "🙂", "\u200d", "[31m", "%", "\u00a0"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pool[rng.IntN(len(pool))])
		}
		checkPrintable(t, b.String())
	}
	// Every code point up to the end of the BMP's specials, one at a time.
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		checkPrintable(t, "x"+string(r)+"y")
	}
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "plain", "a\nb", "\x1b[2J", "\u202e", "\xff", "é漢"} {
		f.Add(s)
	}
	f.Fuzz(checkPrintable)
}

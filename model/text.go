package model

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths in this package are counted in characters (runes), because that
// is what the specification and the admin mean by "characters"; a byte
// count would refuse short non-ASCII names.
func charLen(s string) int { return utf8.RuneCountInString(s) }

// hasControl reports a control character (C0, DEL, C1). Such characters in
// names and free text could move the cursor or recolour an admin's terminal
// when shown, and have no business in a name.
func hasControl(s string) bool {
	return strings.IndexFunc(s, isControlOrBidi) >= 0
}

// isControlOrBidi is a control character or an invisible bidirectional
// formatting character (U+061C, U+200E-U+200F, U+202A-U+202E,
// U+2066-U+2069): those reorder how the text around them is displayed, so a
// job or profile name could show as something else than it is in the
// console, the audit trail and the files.
func isControlOrBidi(r rune) bool {
	switch {
	case unicode.IsControl(r), r == 0x061C, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Printable returns s with every character that could act on a terminal or
// hide text replaced by a visible escape, for showing text that came from
// outside (file names, CSV content, audit details, error texts) on a
// terminal: C0 controls and DEL become \n, \r, \t or \xHH (\x1b for
// ESC), C1 controls, the bidirectional formatting characters of
// isControlOrBidi and the line and paragraph separators U+2028/U+2029
// become \uHHHH, and a byte that is not UTF-8 becomes \xHH. Everything
// else, other Unicode included, is left as it is, so Printable is the
// identity on ordinary text. A backslash is not doubled: the escapes are
// for the eye, and a name that spells "\n" is harmless.
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case escapedRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// escapedRune is a character Printable escapes.
func escapedRune(r rune) bool {
	return isControlOrBidi(r) || r == 0x2028 || r == 0x2029
}

// needsEscape reports whether Printable would change s.
func needsEscape(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s, escapedRune) >= 0
}

// hasControlExceptLayout is hasControl for multi-line free text, where line
// breaks and tabs are legitimate.
func hasControlExceptLayout(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return isControlOrBidi(r) && r != '\n' && r != '\t'
	}) >= 0
}

// allPrintable reports whether every rune is printable (letters, marks,
// numbers, punctuation, symbols and the ASCII space).
func allPrintable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// isDigits reports a non-empty string of ASCII digits only.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NameKey is the form of a name used to compare names for uniqueness and to
// look them up: surrounding spaces dropped and case folded, so "Staff" and
// " staff" are one name. Job names are unique ignoring case (product.md);
// profile names use the same key so that a lookup by name (the command line's
// --profile NAME) can never be ambiguous.
func NameKey(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// SameName reports whether two names collide under NameKey.
func SameName(a, b string) bool { return NameKey(a) == NameKey(b) }

// FileKind names the kind of a file that is not a regular file ("a
// directory", "a FIFO (named pipe)", ...), for messages that refuse it.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// Plural is "1 token", "2 tokens", "0 tokens": n and the noun in agreement.
// noun is the singular; the plural adds "s" (swtoken's nouns are regular:
// token, file, job, user, problem).
func Plural(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, Agree(n, noun, noun+"s"))
}

// Agree picks the word that agrees with a count: one for 1, many for any
// other number ("1 token was", "2 tokens were", "0 tokens were").
func Agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

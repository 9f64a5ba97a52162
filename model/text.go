package model

import (
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

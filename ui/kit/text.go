package kit

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/store"
)

// WithHelp is b with its help label and description replaced.
func WithHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// Wrap word-wraps s to width (at least 20 cells).
func Wrap(s string, width int) string { return ansi.Wordwrap(s, max(20, width), " ") }

// WrapLong is Wrap for text with values that may be longer than a line
// (names, IDs): a word with no room is broken rather than left to be cut
// at the screen's edge.
func WrapLong(s string, width int) string {
	lines := strings.Split(ansi.Wrap(s, max(20, width), " "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Hang wraps text after a prefix, indenting the continuation lines under
// the text so the prefix (ERROR:, WARNING:) stands out.
func Hang(prefix, text string, width int) string {
	return HangLines(prefix, strings.Split(Wrap(text, width-lipgloss.Width(prefix)), "\n"))
}

// HangLines puts prefix before the first line and indents the others under
// the text.
func HangLines(prefix string, lines []string) string {
	pw := lipgloss.Width(prefix)
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", pw) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// KVLines renders label/value rows, one string per line: the labels in a
// column, each value split into lines by wrapValue for the value column's
// width. KVWrapped and WrapRows differ only in wrapValue.
func KVLines(t *Theme, rows [][2]string, width int, wrapValue func(v string, vw int) []string) []string {
	lw, vw := KVColumns(rows, width)
	var out []string
	for _, r := range rows {
		v := r[1]
		if v == "" {
			v = "-"
		}
		for i, l := range wrapValue(v, vw) {
			label := ""
			if i == 0 {
				label = r[0] + ":"
			}
			out = append(out, t.Label.Render(fmt.Sprintf("%-*s", lw, label))+" "+l)
		}
	}
	return out
}

// WrapLines wraps v to width at the given breakpoints, breaking a word too
// long for a line, and trims each line's trailing spaces.
func WrapLines(v string, width int, breakpoints string) []string {
	lines := strings.Split(ansi.Wrap(v, width, breakpoints), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// OrDash is s, or "-" for an empty value.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WrapRows renders label/value rows like KVWrapped, one string per line,
// and never cuts a value: a word too long for the value column (a 128-character
// name without spaces, a device ID) is broken across lines, indented under
// the value column. The summary must show every field whole.
func WrapRows(t *Theme, rows [][2]string, width int) []string {
	return KVLines(t, rows, width, func(v string, vw int) []string { return WrapLines(v, vw, " ") })
}

// KVColumns are the widths of KVWrapped's label and value columns.
func KVColumns(rows [][2]string, width int) (lw, vw int) {
	for _, r := range rows {
		lw = max(lw, len(r[0])+1)
	}
	return lw, max(10, width-lw-1)
}

// KVWrapped renders label/value rows; no value is cut: a value is wrapped at spaces and hyphens, a word longer than the column
// (a path, a long name) is broken, and a newline in a value starts a new
// line.
func KVWrapped(t *Theme, rows [][2]string, width int) string {
	return strings.Join(KVLines(t, rows, width, func(v string, vw int) []string { return WrapLines(v, vw, " -") }), "\n")
}

// HangBreak is hang for texts that can hold a word longer than the line (a
// path): it wraps at spaces and breaks only a word that does not fit, so no
// part of the text is cut off.
func HangBreak(prefix, text string, width int) string {
	return HangLines(prefix, strings.Split(ansi.Wrap(text, max(20, width-ansi.StringWidth(prefix)), " "), "\n"))
}

// Commas formats 20000 as "20,000".
func Commas(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Plural is "1 change" or "3 changes".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Truncate cuts plain text s to w runes, ending in the theme's ellipsis.
func Truncate(t *Theme, s string, w int) string {
	if len([]rune(s)) <= w {
		return s
	}
	return string([]rune(s)[:max(0, w-len([]rune(t.G.Ellipsis)))]) + t.G.Ellipsis
}

// ConflictText is a *store.ConflictError as "ERROR: msg", wrapped at
// spaces only, so that the date of the change is never split at a hyphen.
func ConflictText(t *Theme, e *store.ConflictError, width int) string {
	prefix := t.Error.Render("ERROR: ")
	return HangLines(prefix, WrapAtSpaces(e.Error(), max(20, width-lipgloss.Width(prefix))))
}

// FitLines cuts or pads s to exactly h lines of at most w cells, so the
// status line and footer never move.
func FitLines(s string, w, h int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// WrapAtSpaces fills lines of at most width cells, breaking only at
// spaces; a word longer than a line is broken where it must be.
func WrapAtSpaces(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	lines = append(lines, line)
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(ansi.Hardwrap(l, width, true), "\n")...)
	}
	return out
}

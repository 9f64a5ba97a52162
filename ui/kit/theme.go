package kit

import (
	"os"
	"strings"

	"charm.land/lipgloss/v2"
)

// Glyphs are the symbols the console draws. Every marker that carries
// meaning is text as well as style, so it survives NO_COLOR, a monochrome
// VT100 and a screen reader: the cursor is "> ", a done step "[x]".
type Glyphs struct {
	Cursor    string // the selected row
	NoCursor  string // same width, for the other rows
	Checked   string
	Unchecked string
	RadioOn   string
	RadioOff  string
	StepDone  string
	StepNow   string
	StepTodo  string
	Crumb     string // breadcrumb separator
	Dot       string // help separator
	Ellipsis  string
	BarFull   rune
	BarEmpty  rune
	Rule      string
}

// unicodeGlyphs are used on UTF-8 terminals; the markers are still ASCII,
// only decoration uses Unicode.
var unicodeGlyphs = Glyphs{
	Cursor: "> ", NoCursor: "  ",
	Checked: "[x]", Unchecked: "[ ]",
	RadioOn: "(*)", RadioOff: "( )",
	StepDone: "[x]", StepNow: "[>]", StepTodo: "[ ]",
	Crumb: " › ", Dot: " • ", Ellipsis: "…",
	BarFull: '█', BarEmpty: '░', Rule: "─",
}

// asciiGlyphs are used when the locale is not UTF-8 (LANG=C on old
// servers), where Unicode would print as mojibake.
var asciiGlyphs = Glyphs{
	Cursor: "> ", NoCursor: "  ",
	Checked: "[x]", Unchecked: "[ ]",
	RadioOn: "(*)", RadioOff: "( )",
	StepDone: "[x]", StepNow: "[>]", StepTodo: "[ ]",
	Crumb: " > ", Dot: " | ", Ellipsis: "...",
	BarFull: '#', BarEmpty: '.', Rule: "-",
}

// Theme is the console's one set of semantic styles.
type Theme struct {
	G Glyphs
	// Color is false under NO_COLOR: styles then use only bold, underline
	// and reverse, which NO_COLOR allows and a VT100 shows.
	Color bool

	App      lipgloss.Style // the top bar
	Title    lipgloss.Style
	Heading  lipgloss.Style
	Label    lipgloss.Style
	Muted    lipgloss.Style
	Selected lipgloss.Style // the cursor row (reverse video)
	Match    lipgloss.Style // fuzzy-matched characters
	Error    lipgloss.Style
	Warn     lipgloss.Style
	OK       lipgloss.Style
	Key      lipgloss.Style
	Desc     lipgloss.Style
	TabOn    lipgloss.Style
	TabOff   lipgloss.Style
	BarColor string // progress fill colour ("" = none)
}

// NewTheme builds the theme. color=false drops every colour; unicode=false
// switches to ASCII glyphs.
func NewTheme(color, unicode bool) *Theme {
	t := &Theme{G: asciiGlyphs, Color: color}
	if unicode {
		t.G = unicodeGlyphs
	}
	s := lipgloss.NewStyle
	t.App = s().Bold(true)
	t.Title = s().Bold(true)
	t.Heading = s().Bold(true).Underline(true)
	t.Label = s()
	t.Muted = s()
	t.Selected = s().Reverse(true)
	t.Match = s().Underline(true)
	t.Error = s().Bold(true)
	t.Warn = s().Bold(true)
	t.OK = s().Bold(true)
	t.Key = s().Bold(true)
	t.Desc = s()
	t.TabOn = s().Reverse(true).Bold(true)
	t.TabOff = s()
	if color {
		// The 16 basic colours: they downsample predictably to every
		// profile and read on dark and light backgrounds alike.
		t.App = t.App.Foreground(lipgloss.Color("6"))
		t.Title = t.Title.Foreground(lipgloss.Color("6"))
		t.Heading = t.Heading.Foreground(lipgloss.Color("6"))
		t.Label = t.Label.Foreground(lipgloss.Color("4"))
		t.Muted = t.Muted.Faint(true)
		t.Error = t.Error.Foreground(lipgloss.Color("1"))
		t.Warn = t.Warn.Foreground(lipgloss.Color("3"))
		t.OK = t.OK.Foreground(lipgloss.Color("2"))
		t.Key = t.Key.Foreground(lipgloss.Color("6"))
		t.Desc = t.Desc.Faint(true)
		t.BarColor = "6"
	}
	return t
}

// NoColor reports NO_COLOR the way no-color.org defines it: any non-empty
// value. (colorprofile itself only honours values strconv.ParseBool reads
// as true, so NO_COLOR=yes would otherwise be ignored.)
func NoColor(getenv func(string) string) bool { return getenv("NO_COLOR") != "" }

// UnicodeLocale reports whether the locale's character set is UTF-8, using
// the POSIX precedence LC_ALL > LC_CTYPE > LANG. No locale at all is the C
// locale, which is ASCII.
func UnicodeLocale(getenv func(string) string) bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// ThemeFromEnv is the theme for this process's environment.
func ThemeFromEnv() *Theme {
	return NewTheme(!NoColor(os.Getenv), UnicodeLocale(os.Getenv))
}

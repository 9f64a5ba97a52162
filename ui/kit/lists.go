package kit

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
)

// ASCIITheme reports the ASCII glyph set (non-UTF-8 locale).
func ASCIITheme(t *Theme) bool { return t.G.Ellipsis == asciiGlyphs.Ellipsis }

// listStyles are the filterlist styles of the theme: the same attributes
// as the rest of the console, so a list reads the same under NO_COLOR.
func listStyles(t *Theme) filterlist.Styles {
	s := filterlist.DefaultStyles()
	s.Prompt = t.Label.Bold(true)
	s.Placeholder = t.Muted
	s.Selected = t.Selected
	s.Marker = t.Selected // one reverse-video bar, marker included
	s.Match = t.Match.Bold(true)
	s.Status = t.Muted
	s.Empty = t.Muted
	return s
}

// NewList is a filterlist in the console's theme. Tests that drive Update
// by hand (Options.instant) get no debounce, so that every keystroke's
// search is a Cmd they can run in any order.
func NewList(env *Env, r filterlist.RenderFunc, opts ...filterlist.Option) filterlist.Model {
	d := filterlist.DefaultDebounce
	if env.Debounce == 0 {
		d = 0
	}
	// The list's ASCII glyph set: its row marker is then "> ", the
	// console's cursor on every terminal (theme.go: markers are ASCII,
	// only decoration is Unicode). Key help follows the theme.
	return filterlist.New(append([]filterlist.Option{
		filterlist.WithRender(r),
		filterlist.WithStyles(listStyles(env.Theme)),
		filterlist.WithASCII(true),
		filterlist.WithKeyMap(filterlist.DefaultKeyMap(ASCIITheme(env.Theme))),
		filterlist.WithDebounce(d),
	}, opts...)...)
}

// ListBack is the esc of a screen whose list is filtering: esc clears the
// filter first (handled), and only then leaves the screen.
func ListBack(l *filterlist.Model) (tea.Cmd, bool) {
	if !l.Filtering() {
		return nil, false
	}
	var cmd tea.Cmd
	*l, cmd = l.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	return cmd, true
}

// KeepFilter leaves a focused filter input but keeps the filter applied,
// so that a screen's action keys (x, e, a, ...) work on the filtered rows;
// esc would clear the filter.
var KeepFilter = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "keep filter"))

// LeaveFilter handles KeepFilter for a screen's list.
func LeaveFilter(l *filterlist.Model, msg tea.KeyPressMsg) bool {
	if l.FilterFocused() && key.Matches(msg, KeepFilter) {
		l.Blur()
		return true
	}
	return false
}

// ListHelp is a list's short help with the console's arrow labels (the
// list itself uses its ASCII glyph set, see NewList).
func ListHelp(env *Env, l *filterlist.Model) []key.Binding {
	lh := l.ShortHelp() // up, down, filter, clear, select
	k := env.Keys
	if l.FilterFocused() {
		return []key.Binding{k.ArrowUp, k.ArrowDown, lh[3], lh[4]}
	}
	return []key.Binding{k.Up, k.Down, lh[2], lh[3], lh[4]}
}

// FilterHelp is the short help while a list's filter input is focused,
// with KeepFilter.
func FilterHelp(env *Env, l *filterlist.Model) []key.Binding {
	return append(ListHelp(env, l), KeepFilter)
}

// Cell is one column of a list row. fv is the index of the Cell's text
// among the fields the item's FilterValue joins with spaces (-1: the Cell
// is not part of it), so fuzzy matches can be underlined in place.
type Cell struct {
	Text string
	W    int // width in cells; 0 = the rest of the row
	FV   int
}

// splitMatches splits the rune indexes matched in strings.Join(fields, " ")
// into per-field rune indexes.
func splitMatches(fields []string, matched []int) [][]int {
	out := make([][]int, len(fields))
	if len(matched) == 0 {
		return out
	}
	start, k := 0, 0
	for i, f := range fields {
		n := len([]rune(f))
		for k < len(matched) && matched[k] < start+n {
			if matched[k] >= start {
				out[i] = append(out[i], matched[k]-start)
			}
			k++
		}
		start += n + 1
	}
	return out
}

// RenderRow lays cells out in columns one space apart, within width.
// The selected row is drawn in the theme's Selected style over its whole
// width (the list adds the marker glyph too: never colour alone).
func RenderRow(t *Theme, cells []Cell, fields []string, matched []int, width int, selected bool) string {
	per := splitMatches(fields, matched)
	base := lipgloss.NewStyle()
	if selected {
		base = t.Selected
	}
	match := t.Match.Bold(true).Inherit(base)
	var b strings.Builder
	used := 0
	for i, cl := range cells {
		if used >= width {
			break
		}
		if i > 0 {
			b.WriteString(base.Render(" "))
			used++
		}
		w := cl.W
		if w <= 0 || used+w > width {
			w = width - used
		}
		if w <= 0 {
			break
		}
		var m []int
		if cl.FV >= 0 && cl.FV < len(per) {
			m = per[cl.FV]
		}
		s, m := filterlist.Truncate(cl.Text, m, w, t.G.Ellipsis)
		b.WriteString(filterlist.Highlight(s, m, base, match))
		last := i == len(cells)-1
		if pad := w - ansi.StringWidth(s); pad > 0 && (!last || selected) {
			b.WriteString(base.Render(strings.Repeat(" ", pad)))
		}
		used += w
	}
	return b.String()
}

// HeaderRow is the column titles above a list, aligned with RenderRow
// (after the list's two-Cell marker).
func HeaderRow(t *Theme, cells []Cell, width int) string {
	var parts []string
	used := 2
	for _, cl := range cells {
		w := cl.W
		if w <= 0 || used+w > width {
			w = max(0, width-used)
		}
		parts = append(parts, ansi.Truncate(cl.Text, w, "")+strings.Repeat(" ", max(0, w-ansi.StringWidth(cl.Text))))
		used += w + 1
	}
	return t.Label.Render(ansi.Truncate("  "+strings.TrimRight(strings.Join(parts, " "), " "), width, ""))
}

// QuickTabs renders a row of quick filters ("[1 All (30)]  2 Unassigned
// (3)"), dropping the counts when the row would not fit.
func QuickTabs(t *Theme, labels []string, counts []int, active, width int) string {
	render := func(withCounts bool) string {
		parts := make([]string, len(labels))
		for i, l := range labels {
			s := Itoa(i+1) + " " + l
			if withCounts && counts != nil {
				s += " (" + Commas(counts[i]) + ")"
			}
			if i == active {
				parts[i] = t.TabOn.Render("[" + s + "]")
			} else {
				parts[i] = t.TabOff.Render(" " + s + " ")
			}
		}
		return strings.Join(parts, " ")
	}
	s := render(true)
	if lipgloss.Width(s) > width {
		s = render(false)
	}
	return ansi.Truncate(s, width, t.G.Ellipsis)
}

// Itoa is n with thousands separators (Commas).
func Itoa(n int) string { return Commas(n) }

// ErrorText is "ERROR: msg", wrapped to width. The message may quote a
// file name or a record: model.Printable shows its control characters.
func ErrorText(t *Theme, err error, width int) string {
	return t.Error.Render("ERROR: ") + Wrap(model.Printable(err.Error()), max(20, width-7))
}

// TextValue is s, or "-" when blank.
func TextValue(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// ListWithHeader renders the list in h lines with the column header
// between its filter line and its rows.
func ListWithHeader(l *filterlist.Model, header string, w, h int) string {
	l.SetSize(w, max(3, h-1))
	v := l.View()
	first, rest, _ := strings.Cut(v, "\n")
	return first + "\n" + header + "\n" + rest
}

package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
)

// Shared pieces of the list screens (Profiles, Tokens, Users, Audit Log,
// the pickers and the wizard's profile step). Every list is a
// ui/filterlist.Model, built by newList in the console's theme.

// Routing messages. The root delivers them by address rather than to the
// top screen only, so that a result that arrives after the admin moved on
// (a picker popped, a detail opened) still reaches the screen it is for.
type (
	// addressedMsg is delivered to one screen, wherever it is on the stack
	// (and dropped when it is no longer there).
	addressedMsg struct {
		to  screen
		msg tea.Msg
	}
	// broadcastMsg is delivered to every screen on the stack: an inventory
	// change that several open screens show (a token was assigned).
	broadcastMsg struct{ msg tea.Msg }
)

// listOwner is a screen that owns filterlists. Their debounce ticks and
// search results are routed to it even when it is not on top (the doc of
// filterlist.ListID).
type listOwner interface {
	OwnsList(id uint64) bool
}

// to addresses msg to s.
func to(s screen, msg tea.Msg) tea.Msg { return addressedMsg{s, msg} }

// broadcast delivers msg to every screen on the stack.
func broadcast(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return broadcastMsg{msg} }
}

// routeAddressed handles the routing messages for the root; ok is false for
// any other message.
func (m *Model) routeAddressed(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case addressedMsg:
		for i, s := range m.stack {
			if s == msg.to {
				var cmd tea.Cmd
				m.stack[i], cmd = s.Update(msg.msg)
				return cmd, true
			}
		}
		return nil, true
	case broadcastMsg:
		var cmds []tea.Cmd
		for i, s := range m.stack {
			var cmd tea.Cmd
			m.stack[i], cmd = s.Update(msg.msg)
			cmds = append(cmds, cmd)
		}
		return tea.Batch(cmds...), true
	}
	if id, ok := filterlist.ListID(msg); ok {
		for i := len(m.stack) - 1; i >= 0; i-- {
			if o, ok := m.stack[i].(listOwner); ok && o.OwnsList(id) {
				var cmd tea.Cmd
				m.stack[i], cmd = m.stack[i].Update(msg)
				return cmd, true
			}
		}
		// No owner declared itself: the top screen gets it, as before.
	}
	return nil, false
}

// asciiTheme reports the ASCII glyph set (non-UTF-8 locale).
func asciiTheme(t *Theme) bool { return t.G.Ellipsis == asciiGlyphs.Ellipsis }

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

// newList is a filterlist in the console's theme. Tests that drive Update
// by hand (Options.instant) get no debounce, so that every keystroke's
// search is a Cmd they can run in any order.
func newList(c *common, r filterlist.RenderFunc, opts ...filterlist.Option) filterlist.Model {
	d := filterlist.DefaultDebounce
	if c.debounce == 0 {
		d = 0
	}
	// The list's ASCII glyph set: its row marker is then "> ", the
	// console's cursor on every terminal (theme.go: markers are ASCII,
	// only decoration is Unicode). Key help follows the theme.
	return filterlist.New(append([]filterlist.Option{
		filterlist.WithRender(r),
		filterlist.WithStyles(listStyles(c.theme)),
		filterlist.WithASCII(true),
		filterlist.WithKeyMap(filterlist.DefaultKeyMap(asciiTheme(c.theme))),
		filterlist.WithDebounce(d),
	}, opts...)...)
}

// listBack is the esc of a screen whose list is filtering: esc clears the
// filter first (handled), and only then leaves the screen.
func listBack(l *filterlist.Model) (tea.Cmd, bool) {
	if !l.Filtering() {
		return nil, false
	}
	var cmd tea.Cmd
	*l, cmd = l.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	return cmd, true
}

// keepFilter leaves a focused filter input but keeps the filter applied,
// so that a screen's action keys (x, e, a, ...) work on the filtered rows;
// esc would clear the filter.
var keepFilter = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "keep filter"))

// leaveFilter handles keepFilter for a screen's list.
func leaveFilter(l *filterlist.Model, msg tea.KeyPressMsg) bool {
	if l.FilterFocused() && key.Matches(msg, keepFilter) {
		l.Blur()
		return true
	}
	return false
}

// listHelp is a list's short help with the console's arrow labels (the
// list itself uses its ASCII glyph set, see newList).
func listHelp(c *common, l *filterlist.Model) []key.Binding {
	lh := l.ShortHelp() // up, down, filter, clear, select
	k := c.keys
	if l.FilterFocused() {
		return []key.Binding{k.arrowUp(), k.arrowDown(), lh[3], lh[4]}
	}
	return []key.Binding{k.Up, k.Down, lh[2], lh[3], lh[4]}
}

// filterHelp is the short help while a list's filter input is focused,
// with keepFilter.
func filterHelp(c *common, l *filterlist.Model) []key.Binding {
	return append(listHelp(c, l), keepFilter)
}

// cell is one column of a list row. fv is the index of the cell's text
// among the fields the item's FilterValue joins with spaces (-1: the cell
// is not part of it), so fuzzy matches can be underlined in place.
type cell struct {
	text string
	w    int // width in cells; 0 = the rest of the row
	fv   int
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

// renderRow lays cells out in columns one space apart, within width.
// The selected row is drawn in the theme's Selected style over its whole
// width (the list adds the marker glyph too: never colour alone).
func renderRow(t *Theme, cells []cell, fields []string, matched []int, width int, selected bool) string {
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
		w := cl.w
		if w <= 0 || used+w > width {
			w = width - used
		}
		if w <= 0 {
			break
		}
		var m []int
		if cl.fv >= 0 && cl.fv < len(per) {
			m = per[cl.fv]
		}
		s, m := filterlist.Truncate(cl.text, m, w, t.G.Ellipsis)
		b.WriteString(filterlist.Highlight(s, m, base, match))
		last := i == len(cells)-1
		if pad := w - ansi.StringWidth(s); pad > 0 && (!last || selected) {
			b.WriteString(base.Render(strings.Repeat(" ", pad)))
		}
		used += w
	}
	return b.String()
}

// headerRow is the column titles above a list, aligned with renderRow
// (after the list's two-cell marker).
func headerRow(t *Theme, cells []cell, width int) string {
	var parts []string
	used := 2
	for _, cl := range cells {
		w := cl.w
		if w <= 0 || used+w > width {
			w = max(0, width-used)
		}
		parts = append(parts, ansi.Truncate(cl.text, w, "")+strings.Repeat(" ", max(0, w-ansi.StringWidth(cl.text))))
		used += w + 1
	}
	return t.Label.Render(ansi.Truncate("  "+strings.TrimRight(strings.Join(parts, " "), " "), width, ""))
}

// quickTabs renders a row of quick filters ("[1 All (30)]  2 Unassigned
// (3)"), dropping the counts when the row would not fit.
func quickTabs(t *Theme, labels []string, counts []int, active, width int) string {
	render := func(withCounts bool) string {
		parts := make([]string, len(labels))
		for i, l := range labels {
			s := itoa(i+1) + " " + l
			if withCounts && counts != nil {
				s += " (" + commas(counts[i]) + ")"
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

func itoa(n int) string { return commas(n) }

// errorText is "ERROR: msg", wrapped to width. The message may quote a
// file name or a record: model.Printable shows its control characters.
func errorText(t *Theme, err error, width int) string {
	return t.Error.Render("ERROR: ") + wrap(model.Printable(err.Error()), max(20, width-7))
}

// textValue is s, or "-" when blank.
func textValue(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

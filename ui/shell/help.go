package shell

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/ui/kit"
)

// The full help (? or F1) lists every binding of the top screen and the
// root's own, laid out in as few columns as fit the height, and as many
// as the width allows; what still does not fit scrolls (pgup/pgdn). A
// column is never cut.

// helpGap separates the help's columns.
const helpGap = "   "

// helpNote is the line under the bindings.
const helpNote = "q and ? type text in text fields, where F1 opens this help; ctrl+c always quits (it asks first when input or a job would be lost)."

// helpEntries are the bindings the full help lists: the top screen's,
// then the root's.
func (m *Model) helpEntries() []key.Binding {
	var out []key.Binding
	for _, g := range m.top().FullHelp() {
		out = append(out, g...)
	}
	seen := map[string]bool{}
	for _, b := range out {
		seen[b.Help().Key] = true
	}
	for _, b := range m.rootHelp() {
		if !seen[b.Help().Key] {
			out = append(out, b)
		}
	}
	var shown []key.Binding
	for _, b := range out {
		if b.Enabled() && b.Help().Key != "" {
			shown = append(shown, b)
		}
	}
	return shown
}

// rootHelp is the root's bindings as the screens below the help see them
// (not the help overlay's own).
func (m *Model) rootHelp() []key.Binding { return m.screenBindings().Shown(false) }

// helpRows is how many lines the bindings may take: the body less the
// heading, blank lines and the note.
func (m *Model) helpRows() (rows int, note []string) {
	note = strings.Split(kit.Wrap(helpNote, m.width), "\n")
	return max(1, m.bodyHeight()-3-len(note)), note
}

// layoutHelp lays the help out for the current size (called from Update:
// View only shows it).
func (m *Model) layoutHelp() {
	rows, _ := m.helpRows()
	lines := helpColumns(m.c.Theme, m.helpEntries(), m.width, rows)
	m.helpScroll.SetLines(lines)
	m.helpScroll.SetHeight(rows)
}

// helpColumns lays entries out top to bottom, then left to right, in the
// fewest columns whose height is at most rows and whose width is at most
// width; when even the most columns that fit the width are too tall, the
// lines are taller than rows and scroll. An entry wider than the screen
// wraps under its key.
func helpColumns(t *kit.Theme, entries []key.Binding, width, rows int) []string {
	n := len(entries)
	if n == 0 {
		return nil
	}
	layout := func(cols int) ([][]string, int) {
		per := (n + cols - 1) / cols
		var out [][]string
		total := 0
		for c := 0; c*per < n; c++ {
			col := entries[c*per : min(n, (c+1)*per)]
			kw, w := 0, 0
			for _, b := range col {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
			var cells []string
			for _, b := range col {
				cell := t.Key.Render(b.Help().Key) + strings.Repeat(" ", kw-ansi.StringWidth(b.Help().Key)) + " " + t.Desc.Render(b.Help().Desc)
				w = max(w, ansi.StringWidth(cell))
				cells = append(cells, cell)
			}
			for i, c := range cells {
				cells[i] = c + strings.Repeat(" ", w-ansi.StringWidth(c))
			}
			if c > 0 {
				total += len(helpGap)
			}
			total += w
			out = append(out, cells)
		}
		return out, total
	}
	best, bestCols := [][]string(nil), 0
	for cols := 1; cols <= n; cols++ {
		grid, w := layout(cols)
		if w > width && cols > 1 {
			break // more columns only get wider
		}
		best, bestCols = grid, cols
		if (n+cols-1)/cols <= rows {
			break
		}
	}
	_ = bestCols
	per := len(best[0])
	var lines []string
	for r := 0; r < per; r++ {
		var parts []string
		for _, col := range best {
			if r < len(col) {
				parts = append(parts, col[r])
			}
		}
		line := strings.TrimRight(strings.Join(parts, helpGap), " ")
		if ansi.StringWidth(line) > width {
			// One column wider than the screen: wrap, never cut.
			lines = append(lines, strings.Split(ansi.Wrap(line, width, " "), "\n")...)
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// fullHelpView shows the laid-out help at its scroll position.
func (m *Model) fullHelpView() string {
	t := m.c.Theme
	_, note := m.helpRows()
	head := "Keys: " + m.top().Title()
	if pos := m.helpScroll.Position(); pos != "" {
		head += "  (" + pos + ", pgdn/pgup scroll)"
	}
	return t.Heading.Render(ansi.Truncate(head, m.width, t.G.Ellipsis)) + "\n\n" + m.helpScroll.View() + "\n\n" + t.Muted.Render(strings.Join(note, "\n"))
}

package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"
)

// filterList is a fuzzy-filtered list: a text field above a list. It is
// our own instead of bubbles/list, which has an async filter race (results
// carry no term), an O(n²) paginator and quits on "v" (tui-conventions
// §2.4). Short lists are filtered synchronously in Update (no I/O, a few
// microseconds); long ones in a Cmd whose result carries a sequence number,
// and stale results are dropped.
type filterList struct {
	id    int // tells lists apart when their results are in flight
	items []string
	input textField

	matches []fuzzy.Match // nil with an empty filter: every item in order
	cursor  int           // index into the visible rows
	offset  int           // first visible row

	seq     int  // of the latest filter request
	pending bool // a result for seq has not arrived
	// chooseWhenReady records an enter typed while a result was pending,
	// so that "type and enter" at paste speed picks from the right list.
	chooseWhenReady bool
}

// syncFilterLimit is the list size up to which filtering runs in Update.
const syncFilterLimit = 2000

var nextFilterListID int

type filterResultMsg struct {
	id, seq int
	matches []fuzzy.Match
}

// filterChosenMsg is emitted when the admin picks a row (item index).
type filterChosenMsg struct {
	id    int
	index int
}

func newFilterList(c *common, items []string) filterList {
	nextFilterListID++
	ti := newInput(c, "(type to filter)")
	return filterList{id: nextFilterListID, items: items, input: ti}
}

// newInput is a text field in the console's theme.
func newInput(c *common, placeholder string) textField {
	return newTextField(c.theme, placeholder)
}

// visible is the number of rows after filtering.
func (l *filterList) visible() int {
	if l.matches == nil {
		return len(l.items)
	}
	return len(l.matches)
}

// itemAt maps a visible row to an item index.
func (l *filterList) itemAt(row int) int {
	if l.matches == nil {
		return row
	}
	return l.matches[row].Index
}

// Selected returns the item index under the cursor, or -1.
func (l *filterList) Selected() int {
	if l.pending || l.visible() == 0 {
		return -1
	}
	return l.itemAt(min(l.cursor, l.visible()-1))
}

// SelectItem puts the cursor on item i (after clearing the filter), so a
// value chosen before is highlighted when the admin steps back.
func (l *filterList) SelectItem(i int) {
	if i < 0 || i >= len(l.items) {
		return
	}
	l.input.SetValue("")
	l.matches, l.pending, l.chooseWhenReady = nil, false, false
	l.cursor = i
}

func (l *filterList) Focus() tea.Cmd { return l.input.Focus() }

func runFilter(term string, items []string) []fuzzy.Match {
	if term == "" {
		return nil
	}
	m := fuzzy.Find(term, items)
	if m == nil {
		m = []fuzzy.Match{}
	}
	return m
}

// Update handles movement, enter and typing.
func (l filterList) Update(c *common, msg tea.Msg) (filterList, tea.Cmd) {
	switch msg := msg.(type) {
	case filterResultMsg:
		if msg.id != l.id || msg.seq != l.seq {
			return l, nil // stale: a newer term is in flight or shown
		}
		l.matches, l.pending, l.cursor, l.offset = msg.matches, false, 0, 0
		if l.chooseWhenReady {
			l.chooseWhenReady = false
			return l, l.choose()
		}
		return l, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, c.keys.arrowUp()):
			if l.cursor > 0 {
				l.cursor--
			}
			return l, nil
		case key.Matches(msg, c.keys.arrowDown()):
			if l.cursor < l.visible()-1 {
				l.cursor++
			}
			return l, nil
		case key.Matches(msg, c.keys.PageUp):
			l.cursor = max(0, l.cursor-10)
			return l, nil
		case key.Matches(msg, c.keys.PageDown):
			l.cursor = max(0, min(l.visible()-1, l.cursor+10))
			return l, nil
		case key.Matches(msg, c.keys.Select):
			if l.pending {
				l.chooseWhenReady = true
				return l, nil
			}
			return l, l.choose()
		}
	}
	before := l.input.Value()
	var cmd tea.Cmd
	l.input, cmd = l.input.Update(msg)
	if term := l.input.Value(); term != before {
		l.seq++
		if len(l.items) <= syncFilterLimit {
			l.matches, l.cursor, l.offset = runFilter(term, l.items), 0, 0
		} else {
			l.pending = true
			id, seq, items := l.id, l.seq, l.items
			cmd = tea.Batch(cmd, func() tea.Msg {
				return filterResultMsg{id: id, seq: seq, matches: runFilter(term, items)}
			})
		}
	}
	return l, cmd
}

func (l *filterList) choose() tea.Cmd {
	i := l.Selected()
	if i < 0 {
		return nil
	}
	id := l.id
	return func() tea.Msg { return filterChosenMsg{id: id, index: i} }
}

// View renders the filter field and up to h-1 rows.
func (l *filterList) View(c *common, w, h int, focused bool) string {
	t := c.theme
	var b strings.Builder
	l.input.SetWidth(max(10, w-12))
	count := fmt.Sprintf("(%d of %d)", l.visible(), len(l.items))
	if l.pending {
		count = "(filtering...)"
	}
	b.WriteString("Filter: " + l.input.View() + " " + t.Muted.Render(count) + "\n")
	rows := max(1, h-1)
	n := l.visible()
	if l.cursor >= n {
		l.cursor = max(0, n-1)
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	if n == 0 {
		b.WriteString(t.Muted.Render("  no match") + "\n")
	}
	for r := l.offset; r < n && r < l.offset+rows; r++ {
		name := l.items[l.itemAt(r)]
		if l.matches != nil {
			name = highlight(name, l.matches[r].MatchedIndexes, t.Match)
		}
		line := t.G.NoCursor + name
		if r == l.cursor {
			line = t.G.Cursor + name
			if focused {
				line = t.Selected.Render(ansi.Truncate(line, w, t.G.Ellipsis))
			}
		}
		b.WriteString(ansi.Truncate(line, w, t.G.Ellipsis) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// highlight styles the matched characters. fuzzy reports byte offsets and
// lipgloss.StyleRunes wants rune indexes; converting keeps the highlight
// on the right letters in non-ASCII names ("Zürich").
func highlight(s string, byteIdx []int, st lipgloss.Style) string {
	if len(byteIdx) == 0 {
		return s
	}
	runes := make([]int, 0, len(byteIdx))
	for _, bi := range byteIdx {
		if bi <= len(s) {
			runes = append(runes, utf8.RuneCountInString(s[:bi]))
		}
	}
	return lipgloss.StyleRunes(s, runes, st, lipgloss.NewStyle())
}

package filterlist

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Styles are the list's styles. The app's theme builds them (colours only
// where the profile allows); DefaultStyles uses attributes only, so it
// reads the same under NO_COLOR. Meaning never rests on colour: the
// selected row also has a marker glyph, and matches are underlined.
type Styles struct {
	Prompt      lipgloss.Style // "Filter: "
	FilterText  lipgloss.Style // the typed pattern
	Placeholder lipgloss.Style // "press / to filter"
	Item        lipgloss.Style // an unselected row
	Selected    lipgloss.Style // the selected row (padded to the full width)
	Marker      lipgloss.Style // the selection marker glyph
	Match       lipgloss.Style // matched characters (inherits the row style)
	Status      lipgloss.Style // the page/count line
	Empty       lipgloss.Style // "No matches."
}

// DefaultStyles returns colourless styles: reverse for the selected row,
// bold+underline for matched characters.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{
		Prompt:      s.Bold(true),
		FilterText:  s,
		Placeholder: s.Faint(true),
		Item:        s,
		Selected:    s.Reverse(true),
		Marker:      s.Bold(true),
		Match:       s.Bold(true).Underline(true),
		Status:      s.Faint(true),
		Empty:       s.Faint(true),
	}
}

type glyphs struct {
	marker   string // selected row; same width as "  "
	ellipsis string
	sep      string
	pending  string
}

func (m Model) glyphs() glyphs {
	if m.ascii {
		return glyphs{marker: "> ", ellipsis: "...", sep: " | ", pending: "filtering..."}
	}
	return glyphs{marker: "▸ ", ellipsis: "…", sep: " · ", pending: "filtering…"}
}

const markerWidth = 2

// DefaultRender renders item.FilterValue() on one line, truncated with
// ellipsis, with the matched runes in st.Match.
func DefaultRender(st Styles, ellipsis string) RenderFunc {
	return func(item Item, width int, selected bool, matched []int) string {
		base := st.Item
		if selected {
			base = st.Selected
		}
		s, matched := Truncate(item.FilterValue(), matched, width, ellipsis)
		out := Highlight(s, matched, base, st.Match.Inherit(base))
		if selected {
			if pad := width - ansi.StringWidth(s); pad > 0 {
				out += base.Render(strings.Repeat(" ", pad))
			}
		}
		return out
	}
}

// Truncate cuts the plain string s to width cells, ending in ellipsis if
// it was cut, and drops the matched rune indexes that no longer point into
// the kept text.
func Truncate(s string, matched []int, width int, ellipsis string) (string, []int) {
	if ansi.StringWidth(s) <= width {
		return s, matched
	}
	ew := ansi.StringWidth(ellipsis)
	if width <= ew {
		ellipsis, ew = "", 0
	}
	kept := ansi.Truncate(s, width-ew, "")
	n := utf8.RuneCountInString(kept)
	k := 0
	for k < len(matched) && matched[k] < n {
		k++
	}
	return kept + ellipsis, matched[:k]
}

// Highlight renders s with the runes at the (ascending) rune indexes in
// matched in match and the rest in base. Indexes are RUNE indexes, not
// the byte offsets fuzzy reports (see the package doc).
func Highlight(s string, matched []int, base, match lipgloss.Style) string {
	if len(matched) == 0 {
		return base.Render(s)
	}
	var b strings.Builder
	runStart, k, r := 0, 0, 0 // byte start of the current run, next matched, rune index
	inMatch := matched[0] == 0
	for off := range s {
		isM := k < len(matched) && matched[k] == r
		if isM {
			k++
		}
		if isM != inMatch {
			if off > runStart {
				b.WriteString(pick(inMatch, match, base).Render(s[runStart:off]))
			}
			runStart, inMatch = off, isM
		}
		r++
	}
	if runStart < len(s) {
		b.WriteString(pick(inMatch, match, base).Render(s[runStart:]))
	}
	return b.String()
}

func pick(m bool, match, base lipgloss.Style) lipgloss.Style {
	if m {
		return match
	}
	return base
}

// View renders the filter line, one page of rows and the status line:
// exactly max(height, 3) lines. Only the visible rows are rendered.
func (m Model) View() string {
	w := m.width
	if w <= 0 {
		w = 80
	}
	g := m.glyphs()
	var b strings.Builder
	b.WriteString(ansi.Truncate(m.input.View(), w, ""))

	rows := m.perPage()
	n := m.Len()
	page := 0
	if n > 0 {
		page = m.cursor / rows
	}
	pattern := ""
	if m.shown != nil {
		pattern = m.shown.pattern
	}
	drawn := 0
	for r := page * rows; r < min(n, (page+1)*rows); r++ {
		idx := m.IndexAt(r)
		sel := r == m.cursor
		marker := strings.Repeat(" ", markerWidth)
		if sel {
			marker = m.styles.Marker.Render(g.marker)
		}
		line := marker + m.render(m.items[idx], max(0, w-markerWidth), sel, matchedRunes(pattern, m.values[idx]))
		b.WriteByte('\n')
		b.WriteString(ansi.Truncate(line, w, ""))
		drawn++
	}
	if n == 0 && !m.pending {
		msg := "No items."
		if m.shown != nil {
			msg = "No matches."
		}
		b.WriteByte('\n')
		b.WriteString(ansi.Truncate(strings.Repeat(" ", markerWidth)+m.styles.Empty.Render(msg), w, ""))
		drawn++
	}
	for ; drawn < rows; drawn++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(ansi.Truncate(m.styles.Status.Render(m.status(page, rows, n, g)), w, ""))
	return b.String()
}

// status is the paginator line: "page 3/2000 · 12,345 of 100,000". It is
// O(1), unlike the dot paginator of bubbles/list (tui-conventions §2.4 #2).
func (m Model) status(page, rows, n int, g glyphs) string {
	pages := max(1, (n+rows-1)/rows)
	var b strings.Builder
	b.WriteString("page ")
	b.WriteString(strconv.Itoa(page + 1))
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(pages))
	b.WriteString(g.sep)
	if m.shown == nil {
		b.WriteString(commas(len(m.items)))
		if len(m.items) == 1 {
			b.WriteString(" item")
		} else {
			b.WriteString(" items")
		}
	} else {
		b.WriteString(commas(n))
		b.WriteString(" of ")
		b.WriteString(commas(len(m.items)))
	}
	if m.pending {
		b.WriteString(g.sep)
		b.WriteString(g.pending)
	}
	return b.String()
}

// commas formats n with thousands separators: 100000 → "100,000".
func commas(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

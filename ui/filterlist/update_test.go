package filterlist

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var fruit = []string{
	"apple", "apricot", "banana", "blackberry", "blueberry", "cherry", "grape",
	"grapefruit", "kiwi", "lemon", "lime", "mango", "melon", "orange", "papaya",
	"peach", "pear", "plum", "raspberry", "strawberry",
}

// newList returns a focused list of values at 80x24 without debounce.
func newList(t testing.TB, values []string, opts ...Option) Model {
	t.Helper()
	m := New(append([]Option{WithDebounce(0)}, opts...)...)
	m.SetItems(items(values...))
	m.SetSize(80, 24)
	m.Focus()
	return m
}

func TestTypingFilters(t *testing.T) {
	for _, sync := range []int{DefaultSyncLimit, 0} {
		m := newList(t, fruit, WithSyncLimit(sync))
		for _, p := range []string{"b", "be", "ber", "berr", "berry"} {
			m = typ(t, m, p[len(p)-1:])
			if err := checkShows(m, fruit, p); err != nil {
				t.Fatalf("sync limit %d: %v", sync, err)
			}
		}
	}
}

func TestBackspaceWidens(t *testing.T) {
	values := []string{"abc", "ab-x", "a-b", "xyz", "ba", "acb"}
	for _, sync := range []int{DefaultSyncLimit, 0} {
		// Typed: "ab" and "abc" are cached; backspace hits "ab" exactly.
		m := newList(t, values, WithSyncLimit(sync))
		m = typ(t, m, "abc")
		if err := checkShows(m, values, "abc"); err != nil {
			t.Fatal(err)
		}
		var cmd tea.Cmd
		m, cmd = m.Update(press("backspace"))
		m, _ = settle(t, m, cmd)
		if err := checkShows(m, values, "ab"); err != nil {
			t.Fatal(err)
		}
		// Set directly: only "abc" is known, so "ab" must not be narrowed
		// from it (its matches are a strict subset of those of "ab").
		m = newList(t, values, WithSyncLimit(sync))
		m, _ = settle(t, m, m.SetFilterValue("abc"))
		if len(m.cache) != 1 {
			t.Fatalf("cache %d entries, want only abc", len(m.cache))
		}
		for _, p := range []string{"ab", "a", ""} {
			m, cmd = m.Update(press("backspace"))
			m, _ = settle(t, m, cmd)
			if err := checkShows(m, values, p); err != nil {
				t.Fatal(err)
			}
		}
		if m.Len() != len(values) || m.shown != nil {
			t.Fatalf("empty filter shows %d rows", m.Len())
		}
	}
}

func TestEsc(t *testing.T) {
	m := newList(t, fruit)
	m = typ(t, m, "pe")
	if !m.Filtering() || !m.FilterFocused() {
		t.Fatal("not filtering after typing")
	}
	// Focused: esc leaves and clears.
	m, _ = m.Update(press("esc"))
	if m.FilterFocused() || m.FilterValue() != "" || m.Len() != len(fruit) || m.Filtering() {
		t.Fatalf("after esc: focused=%v value=%q rows=%d", m.FilterFocused(), m.FilterValue(), m.Len())
	}
	// Applied but not focused: esc clears.
	m.Focus()
	m = typ(t, m, "pe")
	m.Blur()
	if !m.Filtering() {
		t.Fatal("an applied filter must count as filtering (esc belongs to the list)")
	}
	m, _ = m.Update(press("esc"))
	if m.FilterValue() != "" || m.Len() != len(fruit) {
		t.Fatal("esc did not clear an applied filter")
	}
	// Neither: esc is not the list's, nothing happens.
	before := m.View()
	m, cmd := m.Update(press("esc"))
	if cmd != nil || m.View() != before || m.Filtering() {
		t.Fatal("esc without a filter must be left to the parent")
	}
}

func TestSlashJKAndFocus(t *testing.T) {
	m := New(WithDebounce(0))
	m.SetItems(items(fruit...))
	m.SetSize(80, 10) // 8 rows a page
	m, _ = m.Update(press("j"))
	m, _ = m.Update(press("j"))
	m, _ = m.Update(press("k"))
	if m.Cursor() != 1 || m.FilterValue() != "" {
		t.Fatalf("j j k unfocused: cursor %d, filter %q", m.Cursor(), m.FilterValue())
	}
	m, _ = m.Update(press("/"))
	if !m.FilterFocused() || m.FilterValue() != "" {
		t.Fatal("/ must focus the filter without typing")
	}
	m = typ(t, m, "jk/ ")
	if m.FilterValue() != "jk/ " {
		t.Fatalf("focused: j, k, / and space are text, got %q", m.FilterValue())
	}
	if !strings.Contains(ansi.Strip(m.View()), "Filter: jk/") {
		t.Fatal(m.View())
	}
}

func TestPagingAndClamping(t *testing.T) {
	values := make([]string, 95)
	for i := range values {
		values[i] = "item " + strings.Repeat("x", i%7) + string(rune('a'+i%26))
	}
	m := New(WithDebounce(0))
	m.SetItems(items(values...))
	m.SetSize(80, 12) // 10 rows a page, 10 pages
	steps := []struct {
		key    string
		cursor int
		status string
	}{
		{"up", 0, "page 1/10"},
		{"down", 1, "page 1/10"},
		{"pgdown", 11, "page 2/10"},
		{"pgdown", 21, "page 3/10"},
		{"pgup", 11, "page 2/10"},
		{"end", 94, "page 10/10"},
		{"down", 94, "page 10/10"},
		{"pgdown", 94, "page 10/10"},
		{"home", 0, "page 1/10"},
		{"pgup", 0, "page 1/10"},
	}
	for _, s := range steps {
		m, _ = m.Update(press(s.key))
		if m.Cursor() != s.cursor {
			t.Fatalf("%s: cursor %d, want %d", s.key, m.Cursor(), s.cursor)
		}
		lines := strings.Split(m.View(), "\n")
		if len(lines) != 12 {
			t.Fatalf("%s: view has %d lines, want 12", s.key, len(lines))
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, s.status) {
			t.Fatalf("%s: status %q, want %q", s.key, last, s.status)
		}
	}
	// The cursor is clamped when the rows shrink.
	m, _ = m.Update(press("end"))
	m.Focus()
	m = typ(t, m, "xxxxxx")
	if m.Cursor() != 0 || m.Len() == 0 {
		t.Fatalf("after filtering: cursor %d of %d", m.Cursor(), m.Len())
	}
	m, _ = m.Update(press("end"))
	if m.Cursor() != m.Len()-1 {
		t.Fatal("end")
	}
	m.SetItems(items(values[:3]...)) // fewer items, same filter
	m, _ = settle(t, m, nil)
	if c := m.Cursor(); c < 0 || (m.Len() > 0 && c >= m.Len()) {
		t.Fatalf("cursor %d out of %d rows", c, m.Len())
	}
	// No rows at all.
	m = typ(t, m, "qqq")
	m, _ = m.Update(press("down"))
	if _, _, ok := m.Selected(); ok || m.Len() != 0 {
		t.Fatal("nothing can be selected in an empty result")
	}
	if m, cmd := m.Update(press("enter")); cmd != nil || m.Pending() {
		t.Fatal("enter on no rows must do nothing")
	}
	if !strings.Contains(m.View(), "No matches.") {
		t.Fatal(m.View())
	}
}

func TestEnterSelects(t *testing.T) {
	m := newList(t, fruit)
	m = typ(t, m, "rry")
	m, _ = m.Update(press("down"))
	_, sel := settle(t, m, func() tea.Cmd { _, c := m.Update(press("enter")); return c }())
	exp := want(fruit, "rry")
	if len(sel) != 1 || sel[0].Index != exp[1] || sel[0].Item.FilterValue() != fruit[exp[1]] || sel[0].ListID != m.ID() {
		t.Fatalf("selected %+v, want index %d (%s)", sel, exp[1], fruit[exp[1]])
	}
}

// TestEnterWhilePending: enter pressed before the current pattern's result
// has landed is performed when it lands, once, and a stale result that
// lands first neither applies nor triggers it.
func TestEnterWhilePending(t *testing.T) {
	values := tokenValues(5000)
	m := newList(t, values, WithSyncLimit(0))
	var cmds []tea.Cmd
	for _, r := range "jsm" {
		var c tea.Cmd
		m, c = m.Update(press(string(r)))
		cmds = append(cmds, c)
	}
	if !m.Pending() {
		t.Fatal("not pending")
	}
	m, c := m.Update(press("enter"))
	if c != nil {
		t.Fatal("enter while pending must not select from the rows on screen")
	}
	m, c = m.Update(press("enter")) // a second enter is still one selection
	if c != nil {
		t.Fatal("second enter")
	}
	// Stale results first ("js", then "j"): dropped, no selection.
	for _, i := range []int{1, 0} {
		for _, msg := range runCmd(cmds[i]) {
			m, c = m.Update(msg)
			if c != nil || !m.Pending() {
				t.Fatalf("stale result %d applied or selected", i)
			}
		}
	}
	m, sel := settle(t, m, cmds[2])
	exp := want(values, "jsm")
	if len(sel) != 1 || sel[0].Index != exp[0] {
		t.Fatalf("selected %+v, want exactly one selection of %d (%s)", sel, exp[0], values[exp[0]])
	}
	if err := checkShows(m, values, "jsm"); err != nil {
		t.Fatal(err)
	}
	// Esc drops a queued enter.
	m, c = m.Update(press("i"))
	m, _ = m.Update(press("enter"))
	m, _ = m.Update(press("esc"))
	if _, sel = settle(t, m, c); len(sel) != 0 {
		t.Fatal("esc must cancel a queued enter")
	}
}

func TestPaste(t *testing.T) {
	m := New(WithDebounce(0))
	m.SetItems(items(fruit...))
	m, cmd := m.Update(tea.PasteMsg{Content: "berry"})
	m, _ = settle(t, m, cmd)
	if !m.FilterFocused() {
		t.Fatal("paste must focus the filter")
	}
	if err := checkShows(m, fruit, "berry"); err != nil {
		t.Fatal(err)
	}
	// ctrl+v must not read the server's clipboard (no Cmd at all).
	m, cmd = m.Update(press("ctrl+v"))
	if cmd != nil || m.FilterValue() != "berry" {
		t.Fatalf("ctrl+v: cmd %v, value %q", cmd != nil, m.FilterValue())
	}
}

func TestOtherListsMessagesIgnored(t *testing.T) {
	a := newList(t, fruit, WithSyncLimit(0))
	b := newList(t, fruit, WithSyncLimit(0))
	a, ca := a.Update(press("p"))
	b, _ = b.Update(press("q"))
	for _, msg := range runCmd(ca) {
		b, _ = b.Update(msg)
	}
	if !b.Pending() || b.shown != nil {
		t.Fatal("list b applied list a's result")
	}
	a, _ = settle(t, a, nil)
	_ = a
}

func TestSetItemsDropsInflightResult(t *testing.T) {
	m := newList(t, tokenValues(3000), WithSyncLimit(0))
	m, c := m.Update(press("7"))
	newValues := []string{"777", "abc", "7x7"}
	m, _ = settle(t, m, m.SetItems(items(newValues...)))
	for _, msg := range runCmd(c) { // the result for the old items
		m, _ = m.Update(msg)
	}
	if err := checkShows(m, newValues, "7"); err != nil {
		t.Fatal(err)
	}
}

func TestDebounce(t *testing.T) {
	values := tokenValues(5000)
	m := newList(t, values, WithSyncLimit(0), WithDebounce(5*time.Millisecond))
	var ticks []tea.Cmd
	for _, r := range "smi" {
		var c tea.Cmd
		m, c = m.Update(press(string(r)))
		ticks = append(ticks, c)
	}
	searches := 0
	for _, tc := range ticks {
		for _, msg := range runCmd(tc) {
			if _, ok := msg.(debounceMsg); !ok {
				t.Fatalf("keystroke returned %T, want a debounce tick", msg)
			}
			var c tea.Cmd
			m, c = m.Update(msg)
			if c != nil {
				searches++
				m, _ = settle(t, m, c)
			}
		}
	}
	if searches != 1 {
		t.Fatalf("%d searches for 3 keystrokes within the debounce, want 1", searches)
	}
	if err := checkShows(m, values, "smi"); err != nil {
		t.Fatal(err)
	}
}

func TestNarrowingUsesPreviousResult(t *testing.T) {
	values := tokenValues(20000)
	m := newList(t, values, WithSyncLimit(0))
	m = typ(t, m, "jsmi")
	var c tea.Cmd
	m, c = m.Update(press("t"))
	// The job captured in the Cmd scans only the matches of "jsmi".
	_, base := lookup(m.cache, m.gen, "jsmit")
	if base == nil || base.pattern != "jsmi" {
		t.Fatalf("no narrowing base for jsmit: %+v", base)
	}
	m, _ = settle(t, m, c)
	if err := checkShows(m, values, "jsmit"); err != nil {
		t.Fatal(err)
	}
}

func TestHelpHidesInapplicable(t *testing.T) {
	m := New()
	m.SetItems(items(fruit...))
	names := func() []string {
		var out []string
		for _, b := range m.ShortHelp() {
			if b.Enabled() {
				out = append(out, b.Help().Key)
			}
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"↑/k", "↓/j", "/", "enter"}) {
		t.Fatalf("unfocused help %v", got)
	}
	m.Focus()
	if got := names(); !slices.Equal(got, []string{"↑", "↓", "esc", "enter"}) {
		t.Fatalf("focused help %v", got)
	}
}

func TestListIDAndRefilter(t *testing.T) {
	values := tokenValues(5000)
	m := newList(t, values, WithSyncLimit(0))
	m, c := m.Update(press("j"))
	msgs := runCmd(c)
	if id, ok := ListID(msgs[0]); !ok || id != m.ID() {
		t.Fatalf("ListID = %d, %v; want %d", id, ok, m.ID())
	}
	if _, ok := ListID(press("j")); ok {
		t.Fatal("a key is no list message")
	}
	// The result was lost (delivered elsewhere): Refilter recovers.
	if !m.Pending() {
		t.Fatal("not pending")
	}
	m, _ = settle(t, m, m.Refilter())
	if err := checkShows(m, values, "j"); err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs { // the lost result arrives late: stale now
		m, _ = m.Update(msg)
	}
	if err := checkShows(m, values, "j"); err != nil {
		t.Fatal(err)
	}
}

package filterlist

import (
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Item is one row of the list. FilterValue is the text the fuzzy filter
// matches against; it is read once per SetItems, so it must not change
// while the item is in the list.
type Item interface {
	FilterValue() string
}

// RenderFunc renders one row's content in at most width cells. The list
// draws the selection marker (a glyph, never colour alone) in front of it,
// and width is what is left after the marker. matched holds the RUNE indexes of item.FilterValue() that the
// current pattern matched, ascending (nil when there is no filter). The
// result should be at most width cells wide; it is truncated if not.
type RenderFunc func(item Item, width int, selected bool, matched []int) string

// SelectedMsg is emitted (as the result of a Cmd) when the admin presses
// enter on a row. ListID tells lists apart (see Model.ID); Index is the
// item's index in the slice given to SetItems.
type SelectedMsg struct {
	ListID uint64
	Item   Item
	Index  int
}

// debounceMsg fires when the debounce delay after keystroke seq is over.
type debounceMsg struct{ id, seq uint64 }

// resultMsg carries a finished search. res is nil if the search stopped
// because it had been superseded.
type resultMsg struct {
	id, seq uint64
	res     *result
}

// DefaultDebounce is the delay between the last keystroke and the start of a
// search over a large list.
const DefaultDebounce = 40 * time.Millisecond

// DefaultSyncLimit is the candidate count up to which a search runs directly
// in Update (well under a millisecond) instead of in a Cmd.
const DefaultSyncLimit = 2000

var lastID atomic.Uint64

// Model is a fuzzy-filtered list. Create it with New; the zero value is not
// usable. Like bubbles components it is a value: Update returns the new one.
type Model struct {
	id     uint64
	items  []Item
	values []string // items[i].FilterValue(), computed once in SetItems
	gen    uint64   // bumped by SetItems; results of older gens are invalid

	input     textinput.Model
	keys      KeyMap
	keysSet   bool
	styles    Styles
	ascii     bool
	render    RenderFunc
	debounce  time.Duration
	syncLimit int

	width, height int

	shown  *result // what is displayed; nil = no filter, all items in order
	cursor int     // row index into the displayed rows

	// seq identifies the latest filter request. It is bumped whenever the
	// pattern or the items change, and every debounce tick and search result
	// carries the seq it was started for: anything else is stale.
	seq uint64
	// latest mirrors seq for running searches, which poll it to stop early
	// once superseded. It is only a CPU saver; correctness comes from the
	// seq check in Update.
	latest      *atomic.Uint64
	pending     bool // the result for seq has not been applied yet
	enterQueued bool // enter was pressed while pending
	cache       []*result

	// keep is the selection to restore after SetItemsKeep, once the rows
	// for the new items are shown; nil otherwise.
	keep *keepSel

	// noSeqCheck turns the stale-result protection off (tests only: it
	// proves that the race tests catch its absence).
	noSeqCheck bool
}

// Option configures New.
type Option func(*Model)

// WithRender sets the row renderer (default: DefaultRender).
func WithRender(r RenderFunc) Option { return func(m *Model) { m.render = r } }

// WithStyles sets the styles (default: DefaultStyles()).
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// WithASCII selects ASCII glyphs for terminals without UTF-8.
func WithASCII(ascii bool) Option { return func(m *Model) { m.ascii = ascii } }

// WithDebounce sets the debounce delay (0: search on every keystroke).
func WithDebounce(d time.Duration) Option { return func(m *Model) { m.debounce = max(d, 0) } }

// WithSyncLimit sets the candidate count up to which searches run directly in
// Update (0: always in a Cmd).
func WithSyncLimit(n int) Option { return func(m *Model) { m.syncLimit = max(n, 0) } }

// WithKeyMap replaces the key bindings.
func WithKeyMap(km KeyMap) Option { return func(m *Model) { m.keys = km; m.keysSet = true } }

// New returns an empty list. Give it items with SetItems and a size with
// SetSize.
func New(opts ...Option) Model {
	m := Model{
		id:        lastID.Add(1),
		styles:    DefaultStyles(),
		debounce:  DefaultDebounce,
		syncLimit: DefaultSyncLimit,
		latest:    new(atomic.Uint64),
	}
	for _, o := range opts {
		o(&m)
	}
	if !m.keysSet {
		m.keys = DefaultKeyMap(m.ascii)
	}
	if m.render == nil {
		m.render = DefaultRender(m.styles, m.glyphs().ellipsis)
	}
	m.input = newInput(m.styles)
	m.SetSize(80, 24)
	return m
}

func newInput(st Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = "Filter: "
	ti.Placeholder = placeholderBlurred
	// ctrl+v would exec xclip/xsel on the server (tui-conventions §2.4 #9);
	// terminal paste still arrives as tea.PasteMsg.
	ti.KeyMap.Paste.SetEnabled(false)
	// home/end move the list, up/down never browse suggestions.
	ti.KeyMap.LineStart = key.NewBinding(key.WithKeys("ctrl+a"))
	ti.KeyMap.LineEnd = key.NewBinding(key.WithKeys("ctrl+e"))
	ti.KeyMap.NextSuggestion.SetEnabled(false)
	ti.KeyMap.PrevSuggestion.SetEnabled(false)
	ti.KeyMap.AcceptSuggestion.SetEnabled(false)
	s := ti.Styles()
	for _, ss := range []*textinput.StyleState{&s.Focused, &s.Blurred} {
		ss.Prompt = st.Prompt
		ss.Text = st.FilterText
		ss.Placeholder = st.Placeholder
	}
	// A blinking cursor redraws twice a second: wasted traffic over SSH.
	s.Cursor.Blink = false
	ti.SetStyles(s)
	return ti
}

const (
	placeholderBlurred = "press / to filter"
	placeholderFocused = "type to filter"
)

// ID identifies the list in SelectedMsg.
func (m Model) ID() uint64 { return m.id }

// keepSel is a selection SetItemsKeep carries over to new items.
type keepSel struct {
	item Item
	same func(old, new Item) bool
	row  int    // the cursor's row before, used when the item is gone
	seq  uint64 // the seq of the new items; a newer pattern drops it
}

// SetItems replaces the items. FilterValue is read here, once per item. A
// non-empty filter is re-applied (the returned Cmd runs it for large lists).
// The cursor stays at its row (clamped); SetItemsKeep keeps it on its item.
func (m *Model) SetItems(items []Item) tea.Cmd {
	m.keep = nil
	return m.setItems(items)
}

// SetItemsKeep is SetItems for a reload of the same list (new Item values
// for the same records): the cursor stays on the item that same(old, new)
// reports as the one selected before, and so on its page, also when the
// filter is re-applied in a Cmd. The filter text and focus are kept. When
// that item is gone, the cursor stays at its row. A change of the pattern
// before the re-applied result lands drops the selection as usual (a new
// result starts at its best row).
func (m *Model) SetItemsKeep(items []Item, same func(old, new Item) bool) tea.Cmd {
	m.keep = nil
	if it, _, ok := m.Selected(); ok && !m.pending {
		m.keep = &keepSel{item: it, same: same, row: m.cursor}
	}
	return m.setItems(items)
}

func (m *Model) setItems(items []Item) tea.Cmd {
	m.items = items
	m.values = make([]string, len(items))
	for i, it := range items {
		m.values[i] = it.FilterValue()
	}
	m.gen++
	m.cache = nil
	m.bumpSeq()
	if m.keep != nil {
		m.keep.seq = m.seq
	}
	if m.input.Value() == "" {
		m.shown = nil
		m.pending, m.enterQueued = false, false
		m.clampCursor()
		m.restoreKeep()
		return nil
	}
	// The rows shown refer to the old items: show none until the new
	// result lands ("filtering…" in the status line).
	m.shown = &result{gen: m.gen, pattern: m.input.Value()}
	nm, cmd := m.refilter(false)
	*m = nm
	return cmd
}

// Items returns the items given to SetItems.
func (m Model) Items() []Item { return m.items }

// SetSize sets the size of the whole component: one filter line, height-2
// rows and one status line.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.input.SetWidth(max(1, width-len(m.input.Prompt)-1))
}

// Focus focuses the filter input.
func (m *Model) Focus() tea.Cmd {
	m.input.Placeholder = placeholderFocused
	return m.input.Focus()
}

// Blur leaves the filter input (the filter stays applied).
func (m *Model) Blur() {
	m.input.Placeholder = placeholderBlurred
	m.input.Blur()
}

// FilterFocused reports whether the filter input has the focus, i.e. whether
// printable keys are text for the filter.
func (m Model) FilterFocused() bool { return m.input.Focused() }

// Filtering reports whether the list is capturing input: the filter input is
// focused or a filter is applied. While it is true, esc belongs to the list
// (it clears the filter); a parent should use esc for "back" only when it
// is false, and should not treat printable keys as shortcuts when
// FilterFocused is true.
func (m Model) Filtering() bool { return m.input.Focused() || m.input.Value() != "" }

// FilterValue returns the filter as typed.
func (m Model) FilterValue() string { return m.input.Value() }

// SetFilterValue sets the filter as if typed (without debounce).
func (m *Model) SetFilterValue(s string) tea.Cmd {
	if s == m.input.Value() {
		return nil
	}
	m.input.SetValue(s)
	m.input.CursorEnd()
	m.bumpSeq()
	nm, cmd := m.refilter(false)
	*m = nm
	return cmd
}

// Refilter runs the current filter again (without debounce), for instance
// when a screen whose list had a search in flight is shown again after its
// result message went elsewhere. Cached results make it cheap.
func (m *Model) Refilter() tea.Cmd {
	m.bumpSeq()
	nm, cmd := m.refilter(false)
	*m = nm
	return cmd
}

// ListID reports whether msg is one of a list's internal messages (a
// debounce tick or a search result) and which list it belongs to, so that a
// parent can route it to the owning list even when that list's screen is
// not on top. Such messages must reach the list; it ignores other lists'.
func ListID(msg tea.Msg) (uint64, bool) {
	switch msg := msg.(type) {
	case debounceMsg:
		return msg.id, true
	case resultMsg:
		return msg.id, true
	}
	return 0, false
}

// Pending reports whether the result for the current filter has not been
// applied yet (the rows shown are the previous result's).
func (m Model) Pending() bool { return m.pending }

// Len returns the number of rows after filtering.
func (m Model) Len() int {
	if m.shown == nil {
		return len(m.items)
	}
	return len(m.shown.order)
}

// IndexAt maps a row (0 ≤ row < Len()) to the item's index.
func (m Model) IndexAt(row int) int {
	if m.shown == nil {
		return row
	}
	return int(m.shown.order[row])
}

// Cursor returns the selected row.
func (m Model) Cursor() int { return m.cursor }

// Selected returns the item under the cursor and its index in the items.
func (m Model) Selected() (Item, int, bool) {
	if m.cursor < 0 || m.cursor >= m.Len() {
		return nil, -1, false
	}
	i := m.IndexAt(m.cursor)
	return m.items[i], i, true
}

// Update handles keys, pastes and the list's own messages. Messages of other
// lists (told apart by ID) are ignored.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		var focus, cmd tea.Cmd
		if !m.input.Focused() {
			focus = m.Focus()
		}
		m, cmd = m.updateInput(msg)
		return m, tea.Batch(focus, cmd)
	case debounceMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil // a newer keystroke restarted the delay
		}
		return m.refilter(false)
	case resultMsg:
		if msg.id != m.id {
			return m, nil
		}
		if msg.res != nil && msg.res.gen == m.gen {
			// Correct for its pattern even if stale: worth keeping as a
			// narrowing base or for backspace.
			m.cache = remember(m.cache, msg.res)
		}
		if m.noSeqCheck {
			if msg.res != nil {
				return m.apply(msg.res)
			}
			return m, nil
		}
		if msg.seq != m.seq {
			return m, nil // stale: the pattern or the items changed since
		}
		if msg.res == nil {
			// Stopped although current: a copy of this Model bumped the
			// shared stop counter. Search again.
			return m.refilter(false)
		}
		return m.apply(msg.res)
	}
	if m.input.Focused() {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg) // cursor messages
		return m, cmd
	}
	return m, nil
}

func isText(k tea.KeyPressMsg) bool {
	return k.Text != "" && k.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModMeta|tea.ModSuper|tea.ModHyper) == 0
}

func (m Model) handleKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	focused := m.input.Focused()
	if focused && isText(k) {
		return m.updateInput(k) // j, k, / and space are text here
	}
	switch {
	case key.Matches(k, m.keys.Select):
		if m.pending {
			// Never pick from the rows of an older pattern: wait for the
			// current result (apply selects then).
			m.enterQueued = true
			return m, nil
		}
		return m, m.selectCmd()
	case key.Matches(k, m.keys.Clear):
		return m.clearFilter()
	case key.Matches(k, m.keys.Up):
		m.moveCursor(-1)
	case key.Matches(k, m.keys.Down):
		m.moveCursor(1)
	case key.Matches(k, m.keys.PageUp):
		m.moveCursor(-m.perPage())
	case key.Matches(k, m.keys.PageDown):
		m.moveCursor(m.perPage())
	case key.Matches(k, m.keys.Home):
		m.cursor = 0
	case key.Matches(k, m.keys.End):
		m.cursor = max(0, m.Len()-1)
	case !focused && key.Matches(k, m.keys.Filter):
		return m, m.Focus()
	default:
		if focused {
			return m.updateInput(k) // backspace, ctrl+w, left, right, …
		}
	}
	return m, nil
}

// clearFilter handles esc: it leaves a focused filter input and clears the
// filter. With neither, esc is not the list's (see Filtering).
func (m Model) clearFilter() (Model, tea.Cmd) {
	m.enterQueued = false
	if m.input.Focused() {
		m.Blur()
	}
	if m.input.Value() == "" {
		return m, nil
	}
	m.input.SetValue("")
	m.bumpSeq()
	return m.refilter(false)
}

// updateInput feeds msg to the filter input and starts a search if the
// pattern changed.
func (m Model) updateInput(msg tea.Msg) (Model, tea.Cmd) {
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() == before {
		return m, cmd
	}
	m.bumpSeq()
	m, c := m.refilter(true)
	return m, tea.Batch(cmd, c)
}

func (m *Model) bumpSeq() {
	m.seq++
	if m.latest != nil {
		m.latest.Store(m.seq)
	}
}

// refilter brings the rows up to date with the current pattern: directly
// when the answer is known or cheap, otherwise through a (debounced)
// search Cmd tagged with the current seq.
func (m Model) refilter(debounce bool) (Model, tea.Cmd) {
	p := m.input.Value()
	if p == "" {
		return m.apply(nil)
	}
	exact, base := lookup(m.cache, m.gen, p)
	if exact != nil {
		return m.apply(exact)
	}
	job := searchJob{values: m.values, pattern: p, gen: m.gen}
	if base != nil {
		job.base = base.asc // narrowing: see the package doc
	}
	if job.candidates() <= m.syncLimit {
		res := job.run()
		m.cache = remember(m.cache, res)
		return m.apply(res)
	}
	m.pending = true
	id, seq := m.id, m.seq
	if debounce && m.debounce > 0 {
		return m, tea.Tick(m.debounce, func(time.Time) tea.Msg { return debounceMsg{id, seq} })
	}
	if latest := m.latest; latest != nil && !m.noSeqCheck {
		job.stop = func() bool { return latest.Load() != seq }
	}
	return m, func() tea.Msg { return resultMsg{id: id, seq: seq, res: job.run()} }
}

// apply shows res (nil: no filter) and performs a queued enter.
func (m Model) apply(res *result) (Model, tea.Cmd) {
	m.shown = res
	m.pending = false
	m.cursor = 0
	m.restoreKeep()
	if m.enterQueued {
		m.enterQueued = false
		return m, m.selectCmd()
	}
	return m, nil
}

func (m Model) selectCmd() tea.Cmd {
	it, idx, ok := m.Selected()
	if !ok {
		return nil
	}
	id := m.id
	return func() tea.Msg { return SelectedMsg{ListID: id, Item: it, Index: idx} }
}

// restoreKeep puts the cursor back on the item SetItemsKeep kept, if the
// rows shown are those of its items, and forgets it.
func (m *Model) restoreKeep() {
	k := m.keep
	m.keep = nil
	if k == nil || k.seq != m.seq {
		return
	}
	for r := range m.Len() {
		if k.same(k.item, m.items[m.IndexAt(r)]) {
			m.cursor = r
			return
		}
	}
	m.cursor = k.row
	m.clampCursor()
}

func (m *Model) moveCursor(d int) {
	m.cursor += d
	m.clampCursor()
}

func (m *Model) clampCursor() {
	m.cursor = max(0, min(m.cursor, m.Len()-1))
}

// perPage is the number of rows on a page.
func (m Model) perPage() int {
	if m.height <= 0 {
		return 10
	}
	return max(1, m.height-2)
}

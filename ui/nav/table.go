package nav

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Binding is one row of a screen's binding table: the keys with their help
// text, what they do, and why they do nothing right now. One table drives
// both the screen's key dispatch and its help, so that the help cannot say
// something the keys do not do (lazygit's controllers work this way).
type Binding struct {
	// Key holds the keys and the help text (key.WithHelp). A binding
	// without help text is still dispatched but never shown; screens use
	// that only for aliases that a shown binding already names.
	Key key.Binding
	// Run is what the keys do. It may change the screen (it is called
	// from Update) but must not do I/O: return a tea.Cmd for that.
	Run func() tea.Cmd
	// Disabled, when not empty, says why the binding does nothing now.
	// Pressing its key shows the reason (DisabledMsg) instead of running,
	// and the help leaves it out.
	Disabled string
	// FullOnly keeps the binding out of the short help footer; the full
	// help (? or F1) still lists it.
	FullOnly bool
}

// Table is a screen's binding table, in help order. The first binding
// whose keys match wins.
type Table []Binding

// DisabledMsg is what pressing a disabled binding returns: the root shows
// Reason in the status line.
type DisabledMsg struct{ Reason string }

// Ran, when set (tests only), is called with every binding a Table runs,
// so that a test can prove which binding a key press reached.
var Ran func(Binding)

// IsText reports whether a key press types text (a printable character or
// space): such a key is never a command while a text field has focus.
func IsText(msg tea.KeyPressMsg) bool {
	return msg.Text != "" && msg.Mod&^tea.ModShift == 0
}

// Match returns the index of the binding that msg reaches, or -1. typing
// says a text field has focus: then keys that type text match nothing.
func (t Table) Match(msg tea.KeyPressMsg, typing bool) int {
	if typing && IsText(msg) {
		return -1
	}
	for i, b := range t {
		if key.Matches(msg, b.Key) {
			return i
		}
	}
	return -1
}

// Handle runs the binding that msg reaches. handled is false when no
// binding matches, so that the caller can give the key to a text field or
// a list.
func (t Table) Handle(msg tea.KeyPressMsg, typing bool) (cmd tea.Cmd, handled bool) {
	i := t.Match(msg, typing)
	if i < 0 {
		return nil, false
	}
	b := t[i]
	if b.Disabled != "" {
		reason := b.Disabled
		return func() tea.Msg { return DisabledMsg{Reason: reason} }, true
	}
	if Ran != nil {
		Ran(b)
	}
	if b.Run == nil {
		return nil, true
	}
	return b.Run(), true
}

// shown reports whether b appears in help while typing is as given.
func (b Binding) shown(typing bool) bool {
	if b.Disabled != "" || b.Key.Help().Key == "" || !b.Key.Enabled() {
		return false
	}
	if typing {
		// A binding whose every key types text cannot be reached now.
		for _, k := range b.Key.Keys() {
			if !typesText(k) {
				return true
			}
		}
		return false
	}
	return true
}

// typesText reports whether the key named k (as key.Binding names keys)
// types a character.
func typesText(k string) bool {
	return k == "space" || len([]rune(k)) == 1
}

// Shown is the bindings the help lists while typing is as given.
func (t Table) Shown(typing bool) []key.Binding {
	var out []key.Binding
	for _, b := range t {
		if b.shown(typing) {
			out = append(out, b.Key)
		}
	}
	return out
}

// ShortHelp is the footer's bindings: the shown ones that are not
// FullOnly.
func (t Table) ShortHelp(typing bool) []key.Binding {
	var out []key.Binding
	for _, b := range t {
		if b.shown(typing) && !b.FullOnly {
			out = append(out, b.Key)
		}
	}
	return out
}

// Columns splits the shown bindings into columns of at most rows each, for
// a full help that fits the screen's height.
func (t Table) Columns(typing bool, rows int) [][]key.Binding {
	if rows < 1 {
		rows = 1
	}
	all := t.Shown(typing)
	var cols [][]key.Binding
	for len(all) > 0 {
		n := min(rows, len(all))
		cols = append(cols, all[:n])
		all = all[n:]
	}
	return cols
}

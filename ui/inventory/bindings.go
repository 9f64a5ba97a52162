package inventory

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// The parts of the inventory screens' binding tables (nav.Table): a list's
// keys, a y/n question's keys and esc. Every screen's Update dispatches
// its keys through its table first, its help is the table's, and its Back
// runs the table's esc, so that what the help says is what the keys do.

// bind is a binding with its help.
func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// escKey is the esc key press.
var escKey = tea.KeyPressMsg{Code: tea.KeyEscape}

// esc is an esc binding: the root hands esc to Back, which runs it
// (backVia), so it is in the table for the help and the tests. A nil run
// lets the root pop the screen.
func esc(desc string, run func() tea.Cmd) nav.Binding {
	return nav.Binding{Key: bind("esc", desc, "esc"), Run: run}
}

// backVia is a screen's Back: the table's esc binding, if any, handles
// esc (a disabled one swallows it); without one the root pops the screen.
func backVia(t nav.Table) (tea.Cmd, bool) {
	i := t.Match(escKey, false)
	if i < 0 {
		return nil, false
	}
	b := t[i]
	switch {
	case b.Disabled != "":
		return nil, true
	case b.Run == nil:
		return nil, false
	}
	return b.Run(), true
}

// busy is the table while a change is under way: esc waits for it.
func busy() nav.Table {
	return nav.Table{{Key: bind("esc", "back", "esc"), Disabled: "Working: wait until it is done."}}
}

// ask is a y/n question's bindings (kit.Confirm's keys and help): y does
// yes, n and esc do no.
func ask(k *kit.KeyMap, c kit.Confirm, yes, no func() tea.Cmd) nav.Table {
	h := c.Help(k)
	return nav.Table{{Key: h[0], Run: yes}, {Key: h[1], Run: no}, {Key: bind("esc", c.No, "esc"), Run: no, FullOnly: true}}
}

// listKeys says how a screen uses its list's keys.
type listKeys struct {
	// open is the help of enter on a row ("details"); "" leaves enter
	// out (the list never opens a row).
	open string
	// empty is why enter does nothing while the list shows no row.
	empty string
	// keepFilter adds tab, which leaves the filter input but keeps the
	// filter (kit.KeepFilter), so that the screen's letters work on the
	// filtered rows.
	keepFilter bool
	// moveShort shows up and down in the short help (a picker's).
	moveShort bool
	// noEsc leaves esc to the screen (a picker, whose filter always has
	// the focus).
	noEsc bool
}

// listTable is the bindings of a filterlist: moving, paging, the filter
// and enter; each runs by handing the list its key.
func listTable(c *common, l *filterlist.Model, o listKeys) nav.Table {
	fwd := func(code rune) func() tea.Cmd {
		return func() tea.Cmd {
			var cmd tea.Cmd
			*l, cmd = l.Update(tea.KeyPressMsg{Code: code})
			return cmd
		}
	}
	k := c.Keys
	focused := l.FilterFocused()
	up, down := k.Up, k.Down
	if focused {
		up, down = k.ArrowUp, k.ArrowDown
	}
	var t nav.Table
	if o.open != "" {
		b := nav.Binding{Key: bind("enter", o.open, "enter"), Run: fwd(tea.KeyEnter)}
		if l.Len() == 0 {
			b.Disabled = o.empty
		}
		t = append(t, b)
	}
	if !focused {
		t = append(t, nav.Binding{Key: bind("/", "filter", "/"), Run: l.Focus})
	}
	if focused && o.keepFilter {
		t = append(t, nav.Binding{Key: kit.KeepFilter, Run: func() tea.Cmd { l.Blur(); return nil }})
	}
	if l.Filtering() && !o.noEsc {
		t = append(t, esc("clear filter", fwd(tea.KeyEscape)))
	}
	return append(t,
		nav.Binding{Key: up, Run: fwd(tea.KeyUp), FullOnly: !o.moveShort},
		nav.Binding{Key: down, Run: fwd(tea.KeyDown), FullOnly: !o.moveShort},
		nav.Binding{Key: bind("pgup", "previous page", "pgup"), Run: fwd(tea.KeyPgUp), FullOnly: true},
		nav.Binding{Key: bind("pgdn", "next page", "pgdown"), Run: fwd(tea.KeyPgDown), FullOnly: true},
		nav.Binding{Key: bind("home", "first row", "home"), Run: fwd(tea.KeyHome), FullOnly: true},
		nav.Binding{Key: bind("end", "last row", "end"), Run: fwd(tea.KeyEnd), FullOnly: true},
	)
}

// note is a binding's Run that only explains, in the status line, why
// the key does nothing now (the key stays in the help: it names what the
// screen offers).
func note(text string) func() tea.Cmd {
	return func() tea.Cmd { return nav.Status(nav.StatusWarn, text) }
}

// dispatch runs the binding msg reaches; an unhandled key goes to the
// list only while its filter input has the focus (it types there).
func dispatch(t nav.Table, l *filterlist.Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := t.Handle(msg, l.FilterFocused()); ok {
		return cmd
	}
	if !l.FilterFocused() {
		return nil
	}
	var cmd tea.Cmd
	*l, cmd = l.Update(msg)
	return cmd
}

// helpColumns is the full help of a table, in columns of at most 8 rows.
func helpColumns(t nav.Table, typing bool) [][]key.Binding { return t.Columns(typing, 8) }

// tabled is the nav.Base of the inventory's screens: esc runs the screen's
// table (backVia) and the help is the table's, so that neither is written
// twice. self is the screen, set by its constructor.
type tabled struct {
	nav.Base
	self nav.Screen
}

// listScreen is what the inventory's list screens share: the list, whether
// it loaded and why not, and the reloads after store changes (live.go).
type listScreen struct {
	tabled
	c       *common
	list    filterlist.Model
	loaded  bool
	err     error
	reloads kit.LiveLoad
}

// HandlesBack is true: the table's esc, if any, handles esc.
func (b *tabled) HandlesBack() bool { return true }

func (b *tabled) Back() (nav.Screen, tea.Cmd, bool) {
	cmd, ok := backVia(b.self.Bindings())
	return b.self, cmd, ok
}

func (b *tabled) ShortHelp() []key.Binding {
	return b.self.Bindings().ShortHelp(b.self.CapturesInput())
}

func (b *tabled) FullHelp() [][]key.Binding {
	return helpColumns(b.self.Bindings(), b.self.CapturesInput())
}

// selected is the list's selected row as its type.
func selected[R filterlist.Item](l *filterlist.Model) (R, bool) {
	it, _, ok := l.Selected()
	if !ok {
		var none R
		return none, false
	}
	return it.(R), true
}

// listMsg is the part of a list screen's Update that is the list's: a row
// picked (open), a key (the screen's table, then the filter input), and
// the list's own messages.
func listMsg(l *filterlist.Model, table func() nav.Table, msg tea.Msg, open func(filterlist.Item) tea.Cmd) tea.Cmd {
	switch msg := msg.(type) {
	case filterlist.SelectedMsg:
		if msg.ListID != l.ID() {
			return nil
		}
		return open(msg.Item)
	case tea.KeyPressMsg:
		return dispatch(table(), l, msg)
	}
	var cmd tea.Cmd
	*l, cmd = l.Update(msg)
	return cmd
}

// loadState is what a list screen shows before its rows: the error that
// kept them from being read, or that they are being read; ok is false
// once they are there.
func loadState(c *common, err error, loaded bool, what string, w int) (string, bool) {
	switch {
	case err != nil:
		return kit.ErrorText(c.Theme, fmt.Errorf("cannot read the %s: %w", what, err), w), true
	case !loaded:
		return "Loading the " + what + "...", true
	}
	return "", false
}

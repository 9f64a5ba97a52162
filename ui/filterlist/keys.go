package filterlist

import "charm.land/bubbles/v2/key"

// KeyMap holds the list's bindings. It implements help.KeyMap through the
// Model (whose ShortHelp/FullHelp hide the bindings that do not apply).
//
// Up and Down also carry "k" and "j"; those two only move the cursor when
// the filter input is not focused (while it is, every printable key is text
// for the filter).
type KeyMap struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Home, End        key.Binding
	Filter           key.Binding // focus the filter input
	Clear            key.Binding // leave / clear the filter
	Select           key.Binding
}

// DefaultKeyMap returns the bindings of tui-conventions §6.3. ascii selects
// help labels without arrows for non-UTF-8 terminals.
func DefaultKeyMap(ascii bool) KeyMap {
	up, down := "↑/k", "↓/j"
	if ascii {
		up, down = "up/k", "down/j"
	}
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp(up, "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp(down, "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "prev page")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "next page")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Select:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),
	}
}

// ShortHelp implements help.KeyMap for the list's current state.
func (m Model) ShortHelp() []key.Binding {
	km := m.helpKeys()
	return []key.Binding{km.Up, km.Down, km.Filter, km.Clear, km.Select}
}

// FullHelp implements help.KeyMap for the list's current state.
func (m Model) FullHelp() [][]key.Binding {
	km := m.helpKeys()
	return [][]key.Binding{
		{km.Up, km.Down, km.PageUp, km.PageDown, km.Home, km.End},
		{km.Filter, km.Clear, km.Select},
	}
}

// helpKeys is the key map with the bindings that do not apply right now
// disabled (a disabled binding is not shown by bubbles/help).
func (m Model) helpKeys() KeyMap {
	km := m.keys
	if m.input.Focused() {
		km.Filter.SetEnabled(false)
		km.Up.SetHelp("↑", "up")
		km.Down.SetHelp("↓", "down")
		if m.ascii {
			km.Up.SetHelp("up", "up")
			km.Down.SetHelp("down", "down")
		}
	}
	if !m.Filtering() {
		km.Clear.SetEnabled(false)
	}
	return km
}

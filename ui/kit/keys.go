package kit

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every key binding of the console, so that the help footer,
// the full help and the tests all read the same definitions.
type KeyMap struct {
	// Global.
	Quit  key.Binding // ctrl+c: always
	QuitQ key.Binding // q: only where no text is being typed
	Help  key.Binding
	// HelpF1 opens the help everywhere, also where ? is text.
	HelpF1   key.Binding
	Back     key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Select   key.Binding
	Yes      key.Binding
	No       key.Binding

	// Wizard.
	Next       key.Binding
	Prev       key.Binding
	NextField  key.Binding
	PrevField  key.Binding
	Toggle     key.Binding
	RestoreGUI key.Binding
	Submit     key.Binding

	// ArrowUp and ArrowDown move in lists under a text field (the profile
	// filter), where j and k must type.
	ArrowUp   key.Binding
	ArrowDown key.Binding

	// Jobs.
	NextTab  key.Binding
	PrevTab  key.Binding
	Details  key.Binding
	Download key.Binding
	Delete   key.Binding
	Cancel   key.Binding
}

// DefaultKeyMap is the console's key map. Every binding has a plain key: no
// F-keys or alt combinations are required, since SSH clients and tmux eat
// them.
func DefaultKeyMap() *KeyMap {
	nb := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Quit:     nb("ctrl+c", "quit", "ctrl+c"),
		QuitQ:    nb("q", "quit", "q"),
		Help:     nb("?", "help", "?"),
		HelpF1:   nb("F1", "help", "f1"),
		Back:     nb("esc", "back", "esc"),
		Up:       nb("↑/k", "up", "up", "k"),
		Down:     nb("↓/j", "down", "down", "j"),
		PageUp:   nb("pgup", "page up", "pgup"),
		PageDown: nb("pgdn", "page down", "pgdown"),
		Select:   nb("enter", "select", "enter"),
		Yes:      nb("y", "yes", "y", "Y"),
		No:       nb("n", "no", "n", "N"),

		Next:       nb("enter", "next", "enter"),
		Prev:       nb("esc", "back", "esc"),
		NextField:  nb("tab", "next field", "tab"),
		PrevField:  nb("shift+tab", "previous field", "shift+tab"),
		Toggle:     nb("space", "toggle", "space"),
		RestoreGUI: nb("ctrl+r", "restore GUID", "ctrl+r"),
		Submit:     nb("enter", "submit job", "enter"),

		ArrowUp:   nb("↑", "up", "up", "ctrl+p"),
		ArrowDown: nb("↓", "down", "down", "ctrl+n"),

		NextTab:  nb("tab/→", "next tab", "tab", "right", "l"),
		PrevTab:  nb("shift+tab/←", "previous tab", "shift+tab", "left", "h"),
		Details:  nb("enter", "details", "enter"),
		Download: nb("d", "download", "d"),
		Delete:   nb("x", "delete output", "x"),
		Cancel:   nb("c", "cancel job", "c"),
	}
}

// ASCIIHelp makes the help labels read well on ASCII terminals (LANG=C):
// the arrows become words, and since the key then names the direction
// ("k/up"), the description says what the key does ("move up"), not
// "up up".
func ASCIIHelp(km *KeyMap) {
	set := func(b *key.Binding, k, desc string) { b.SetHelp(k, desc) }
	set(&km.Up, "k/up", "move up")
	set(&km.Down, "j/down", "move down")
	set(&km.ArrowUp, "up", "move up")
	set(&km.ArrowDown, "down", "move down")
	r := strings.NewReplacer("↑", "up", "↓", "down", "→", "right", "←", "left")
	for _, b := range []*key.Binding{&km.NextTab, &km.PrevTab} {
		h := b.Help()
		b.SetHelp(r.Replace(h.Key), h.Desc)
	}
}

// Package navtest proves, for one screen state, that its help and its keys
// agree: every key the help shows reaches the binding whose help it is, and
// no key that the help leaves out changes the screen.
package navtest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/nav"
)

// Subject is one screen in one state, made fresh for every key so that one
// key's effect cannot hide another's.
type Subject struct {
	// Table is the screen's bindings in this state.
	Table nav.Table
	// Typing is true while a text field has focus: keys that type or
	// edit text go to the field and are not commands.
	Typing bool
	// Press sends the key through the screen's Update and returns the
	// command it gave.
	Press func(tea.KeyPressMsg) tea.Cmd
	// View renders the screen.
	View func() string
}

// Universe is every key the check presses: letters, digits, the
// punctuation people type, and the keys a terminal sends for editing,
// moving and function keys.
func Universe() []string {
	var keys []string
	for r := 'a'; r <= 'z'; r++ {
		keys = append(keys, string(r), strings.ToUpper(string(r)), "ctrl+"+string(r))
	}
	for r := '0'; r <= '9'; r++ {
		keys = append(keys, string(r))
	}
	for _, r := range "?/-+=*.,:;!@#$%^&()[]{}<>'\"\\|`~_" {
		keys = append(keys, string(r))
	}
	return append(keys, "space", "enter", "esc", "tab", "shift+tab", "up", "down",
		"left", "right", "pgup", "pgdown", "home", "end", "backspace", "delete",
		"f1", "f2", "f5", "f10")
}

// editing is the keys a focused text field uses to edit and move within
// its text; with Typing they belong to the field, not the help.
var editing = map[string]bool{
	"left": true, "right": true, "home": true, "end": true, "backspace": true,
	"delete": true, "ctrl+a": true, "ctrl+e": true, "ctrl+b": true, "ctrl+f": true,
	"ctrl+k": true, "ctrl+u": true, "ctrl+w": true, "ctrl+d": true, "ctrl+h": true,
	"ctrl+v": true, "ctrl+y": true,
}

// rootKeys are handled by the console's root before any screen sees them
// (quit, help); the root's own table is checked on its own.
var rootKeys = map[string]bool{"ctrl+c": true, "f1": true, "ctrl+z": true}

// Key builds a key press the way Bubble Tea reports the key named s.
func Key(s string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
		"f1": tea.KeyF1, "f2": tea.KeyF2, "f5": tea.KeyF5, "f10": tea.KeyF10,
	}
	switch {
	case s == "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case s == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(s, "ctrl+") && len(s) == len("ctrl+")+1:
		return tea.KeyPressMsg{Code: rune(s[len(s)-1]), Mod: tea.ModCtrl}
	}
	if code, ok := named[s]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("navtest.Key: unknown key " + s)
	}
	if r[0] >= 'A' && r[0] <= 'Z' {
		return tea.KeyPressMsg{Code: r[0] + ('a' - 'A'), ShiftedCode: r[0], Mod: tea.ModShift, Text: s}
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// CheckHelp presses every key of Universe on a fresh subject and fails
// when a key the help shows does not run the binding it is shown for, or
// when a key the help does not show changes the view or returns a command.
func CheckHelp(t *testing.T, name string, fresh func() Subject) {
	t.Helper()
	var ran []nav.Binding
	nav.Ran = func(b nav.Binding) { ran = append(ran, b) }
	defer func() { nav.Ran = nil }()

	first := fresh()
	shown := map[string]string{} // key -> help description
	for _, kb := range first.Table.Shown(first.Typing) {
		for _, k := range kb.Keys() {
			if first.Typing && (nav.IsText(Key(k)) || editing[k]) {
				continue
			}
			if _, dup := shown[k]; !dup {
				shown[k] = kb.Help().Desc
			}
		}
	}
	if len(shown) == 0 {
		t.Errorf("%s: the help shows no key", name)
	}
	for _, k := range Universe() {
		if rootKeys[k] {
			continue
		}
		s := fresh()
		msg := Key(k)
		if s.Typing && (nav.IsText(msg) || editing[k]) {
			continue
		}
		before := s.View()
		ran = nil
		cmd := s.Press(msg)
		after := s.View()
		if desc, ok := shown[k]; ok {
			if len(ran) != 1 || ran[0].Key.Help().Desc != desc {
				var got []string
				for _, b := range ran {
					got = append(got, b.Key.Help().Desc)
				}
				t.Errorf("%s: key %q is shown as %q but ran %v", name, k, desc, got)
			}
			continue
		}
		if len(ran) > 0 {
			t.Errorf("%s: key %q is not in the help but ran %q", name, k, ran[0].Key.Help().Desc)
			continue
		}
		if cmd != nil && !harmless(cmd) {
			t.Errorf("%s: key %q is not in the help but returned a command", name, k)
		}
		if after != before {
			t.Errorf("%s: key %q is not in the help but changed the screen", name, k)
		}
	}
}

// harmless reports a command whose only message explains that a binding
// is disabled (the screen says why a key does nothing, which is not an
// action).
func harmless(cmd tea.Cmd) bool {
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		_, ok := msg.(nav.DisabledMsg)
		return ok
	case <-time.After(200 * time.Millisecond):
		return false // a timer or I/O: an action
	}
}

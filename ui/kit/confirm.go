package kit

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Answer is what a key said to a y/n question.
type Answer int

// The answers: a key other than y and n leaves the question open.
const (
	Undecided Answer = iota
	Yes
	No
)

// Confirm is a y/n question's choices: y does Yes, n does No ("delete",
// "keep"). The screen asks the question itself (its text differs); the
// keys, their help and the line of choices are the same everywhere.
type Confirm struct {
	Yes, No string
	// Gap separates the two choices in Choices ("    " when empty).
	Gap string
}

// Answer reads a key: y (or Y) is Yes, n (or N) No.
func (c Confirm) Answer(keys *KeyMap, msg tea.KeyPressMsg) Answer {
	switch {
	case key.Matches(msg, keys.Yes):
		return Yes
	case key.Matches(msg, keys.No):
		return No
	}
	return Undecided
}

// Help is the short help while the question is open.
func (c Confirm) Help(keys *KeyMap) []key.Binding {
	return []key.Binding{WithHelp(keys.Yes, "y", c.Yes), WithHelp(keys.No, "n", c.No)}
}

// Choices is the line under the question: "y delete    n keep".
func (c Confirm) Choices(t *Theme) string {
	gap := c.Gap
	if gap == "" {
		gap = "    "
	}
	return t.Key.Render("y") + " " + c.Yes + gap + t.Key.Render("n") + " " + c.No
}

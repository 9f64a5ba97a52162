package navtest

import (
	"fmt"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/nav"
)

// counter is a screen with a text field and a count: + adds, - subtracts
// (unless hiddenMinus), and x is dispatched outside the table when
// sneaky is set, as a screen with a hand-written key switch would.
type counter struct {
	n      int
	text   string
	typing bool
	sneaky bool
}

func (c *counter) table() nav.Table {
	return nav.Table{
		{Key: key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "add")), Run: func() tea.Cmd { c.n++; return nil }},
		{Key: key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "subtract")), Run: func() tea.Cmd { c.n--; return nil }},
		{Key: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")), Disabled: "nothing to save"},
		{Key: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "field")), Run: func() tea.Cmd { c.typing = !c.typing; return nil }},
	}
}

func (c *counter) press(msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := c.table().Handle(msg, c.typing); ok {
		return cmd
	}
	if c.sneaky && msg.String() == "x" {
		c.n = 100
	}
	if c.typing && nav.IsText(msg) {
		c.text += msg.Text
	}
	return nil
}

func (c *counter) subject() Subject {
	return Subject{Table: c.table(), Typing: c.typing, Press: c.press,
		View: func() string { return fmt.Sprintf("%d %q", c.n, c.text) }}
}

func TestCheckHelpPassesATableDrivenScreen(t *testing.T) {
	CheckHelp(t, "counter", func() Subject { return (&counter{}).subject() })
	CheckHelp(t, "counter typing", func() Subject { return (&counter{typing: true}).subject() })
}

func TestCheckHelpCatchesAKeyMissingFromTheHelp(t *testing.T) {
	ft := &testing.T{}
	done := make(chan struct{})
	go func() { // CheckHelp reports through ft; run it where Errorf cannot end this test
		defer close(done)
		CheckHelp(ft, "sneaky", func() Subject { return (&counter{sneaky: true}).subject() })
	}()
	<-done
	if !ft.Failed() {
		t.Fatal("a key outside the help changed the screen, and CheckHelp did not fail")
	}
}

func TestTableLeavesTextKeysToAFocusedField(t *testing.T) {
	c := &counter{typing: true}
	c.press(Key("+"))
	if c.n != 0 || c.text != "+" {
		t.Fatalf("typing + in a field ran the command: n=%d text=%q", c.n, c.text)
	}
	if got := c.table().Shown(true); len(got) != 1 || got[0].Help().Key != "tab" {
		t.Fatalf("help while typing = %v, want only tab", got)
	}
}

func TestDisabledBindingSaysWhy(t *testing.T) {
	c := &counter{}
	cmd := c.press(Key("ctrl+s"))
	if cmd == nil {
		t.Fatal("a disabled binding gave no reason")
	}
	if msg, ok := cmd().(nav.DisabledMsg); !ok || msg.Reason != "nothing to save" {
		t.Fatalf("got %#v", cmd())
	}
	for _, b := range c.table().Shown(false) {
		if b.Help().Key == "ctrl+s" {
			t.Fatal("a disabled binding is shown in the help")
		}
	}
}

func TestColumnsFitTheRows(t *testing.T) {
	c := &counter{}
	cols := c.table().Columns(false, 2)
	if len(cols) != 2 || len(cols[0]) != 2 || len(cols[1]) != 1 {
		t.Fatalf("columns = %v", cols)
	}
}

package shell_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
	"github.com/swtoken/swtoken/ui/shell"
)

// rootSubject checks the root's own table: the screens under it have no
// keys, so every key the root leaves alone changes nothing.
func rootSubject(t *testing.T, setup func(m *shell.Model)) navtest.Subject {
	m, _ := newModel(t, 80, 24)
	setup(m)
	return navtest.Subject{Table: m.Bindings(), Typing: m.Top().CapturesInput() && !m.ShowingHelp() && !m.ConfirmingQuit(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd { _, cmd := m.Update(msg); return cmd },
		View:  m.Render}
}

func TestRootHelpMatchesItsKeys(t *testing.T) {
	states := map[string]func(m *shell.Model){
		"home":               func(m *shell.Model) {},
		"a screen over home": func(m *shell.Model) { uitest.Update(t, m, nav.PushMsg{S: newScreen("Second")}) },
		"a text field": func(m *shell.Model) {
			s := newScreen("Typing")
			s.typing = true
			uitest.Update(t, m, nav.PushMsg{S: s})
		},
		"quit question": func(m *shell.Model) {
			uitest.Update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobRunning, Done: 1, Total: 9})
			pressKey(t, m, "q")
		},
		"help": func(m *shell.Model) { pressKey(t, m, "?") },
		"long help": func(m *shell.Model) {
			s := newScreen("Many")
			s.n = 60
			uitest.Update(t, m, nav.PushMsg{S: s})
			pressKey(t, m, "?")
		},
		"error": func(m *shell.Model) { uitest.Update(t, m, nav.FatalMsg{Err: errString("disk I/O error")}) },
	}
	for name, setup := range states {
		navtest.CheckHelp(t, name, func() navtest.Subject { return rootSubject(t, setup) })
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// F1 opens the help everywhere, also over a text field, where ? is text.
func TestF1OpensHelpOverATextField(t *testing.T) {
	m, _ := newModel(t, 80, 24)
	s := newScreen("Typing")
	s.typing = true
	uitest.Update(t, m, nav.PushMsg{S: s})
	pressKey(t, m, "?", "q")
	if m.ShowingHelp() || m.ConfirmingQuit() || s.typed != "?q" {
		t.Fatalf("? and q in a text field: help %v, quit %v, typed %q", m.ShowingHelp(), m.ConfirmingQuit(), s.typed)
	}
	pressKey(t, m, "f1")
	if !m.ShowingHelp() {
		t.Fatal("F1 did not open the help over a text field")
	}
	uitest.WantScreen(t, m, "Keys: Typing")
	pressKey(t, m, "f1")
	if m.ShowingHelp() {
		t.Fatal("F1 did not close the help")
	}
}

// The full help of a screen with many bindings fits 80x24: columns that
// fit the width, scrolling for the rest, never a column cut with "…".
func TestFullHelpFits80x24(t *testing.T) {
	m, _ := newModel(t, 80, 24)
	s := newScreen("Many")
	s.n = 40
	uitest.Update(t, m, nav.PushMsg{S: s})
	pressKey(t, m, "?")
	var seen strings.Builder
	for page := 0; page < 10; page++ {
		frame := uitest.ScreenText(m)
		lines := strings.Split(frame, "\n")
		if len(lines) > 24 {
			t.Fatalf("help is %d lines:\n%s", len(lines), frame)
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > 80 {
				t.Fatalf("help line %d wide: %q", w, l)
			}
		}
		body := strings.Join(lines[2:len(lines)-2], "\n")
		if strings.Contains(body, "…") {
			t.Fatalf("help cut with …:\n%s", frame)
		}
		seen.WriteString(body + "\n")
		if atEnd(frame) {
			break
		}
		pressKey(t, m, "pgdown")
	}
	all := seen.String()
	for _, b := range s.Bindings() {
		h := b.Key.Help()
		if !strings.Contains(all, h.Key) || !strings.Contains(all, h.Desc) {
			t.Errorf("help lacks %q %q:\n%s", h.Key, h.Desc, all)
		}
	}
	for _, want := range []string{"ctrl+c", "F1", "esc"} {
		if !strings.Contains(all, want) {
			t.Errorf("help lacks the root's %q", want)
		}
	}
}

// atEnd reports a help frame that shows its last line.
func atEnd(frame string) bool {
	i := strings.Index(frame, "(lines ")
	if i < 0 {
		return true
	}
	var a, b, n int
	_, _ = fmt.Sscanf(frame[i:], "(lines %d-%d of %d", &a, &b, &n)
	return b >= n
}

// Package uitest drives the console's real root (ui/shell) by hand in
// tests: messages are fed to Update and every resulting Cmd runs at once,
// synchronously, as the program would (the environment has no timers).
package uitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
	"github.com/swtoken/swtoken/ui/shell"
)

// Now is the fixed clock of every test, so views are stable.
var Now = time.Date(2026, 9, 30, 14, 5, 9, 0, time.UTC)

// GoldenSizes are the sizes goldens are taken at: the smallest supported
// size and a large one. Regenerate with: go test ./ui/... -run Golden -update
var GoldenSizes = [][2]int{{80, 24}, {120, 40}}

// Env is the tests' environment: the fixed clock, Unicode without colour,
// and no debounce, status expiry or polling (tests poll by hand).
func Env() *kit.Env {
	return &kit.Env{Theme: kit.NewTheme(false, true), Keys: kit.DefaultKeyMap(), Now: func() time.Time { return Now },
		Host: "tokenhost", User: "admin"}
}

// NewModel is a root model sized w x h that has answered its start-up
// questions.
func NewModel(t testing.TB, cfg shell.Config, w, h int) *shell.Model {
	t.Helper()
	m := shell.New(cfg)
	Run(t, m, m.Init())
	Update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// Update feeds msgs and runs every resulting Cmd.
func Update(t testing.TB, m *shell.Model, msgs ...tea.Msg) {
	t.Helper()
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		Run(t, m, cmd)
	}
}

// Run runs cmd and every Cmd that follows from it.
func Run(t testing.TB, m *shell.Model, cmd tea.Cmd) {
	t.Helper()
	var queue []tea.Cmd
	if cmd != nil {
		queue = append(queue, cmd)
	}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("command loop")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return
		default:
			_, next := m.Update(msg)
			if next != nil {
				queue = append(queue, next)
			}
		}
	}
}

// KeyPress builds a key press the way Bubble Tea reports it: one
// character as typed, any other name as navtest.Key names it.
func KeyPress(s string) tea.KeyPressMsg {
	if r := []rune(s); len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: s}
	}
	return navtest.Key(s)
}

// Press sends named keys.
func Press(t testing.TB, m *shell.Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		Update(t, m, KeyPress(k))
	}
}

// TypeText sends each rune as a key press.
func TypeText(t testing.TB, m *shell.Model, s string) {
	t.Helper()
	for _, r := range s {
		Update(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// ClearField empties the focused field.
func ClearField(t testing.TB, m *shell.Model) {
	t.Helper()
	Update(t, m, tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl}, KeyPress("ctrl+u"))
}

// Paste is a bracketed paste of s.
func Paste(s string) tea.Msg { return tea.PasteMsg{Content: s} }

// ScreenText is the frame, ANSI stripped.
func ScreenText(m *shell.Model) string { return ansi.Strip(m.Render()) }

// WantScreen fails unless the frame shows sub.
func WantScreen(t testing.TB, m *shell.Model, sub string) {
	t.Helper()
	if !strings.Contains(ScreenText(m), sub) {
		t.Fatalf("screen lacks %q:\n%s", sub, ScreenText(m))
	}
}

// WantNoScreen fails when the frame shows sub.
func WantNoScreen(t testing.TB, m *shell.Model, sub string) {
	t.Helper()
	if strings.Contains(ScreenText(m), sub) {
		t.Fatalf("screen shows %q:\n%s", sub, ScreenText(m))
	}
}

// SameText compares texts ignoring where they were wrapped.
func SameText(got, want string) bool {
	strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strip(got) == strip(want)
}

// WantFlat is WantScreen for a text that may wrap: spaces and line breaks
// are ignored.
func WantFlat(t testing.TB, m *shell.Model, sub string) {
	t.Helper()
	flat := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if !strings.Contains(flat(ScreenText(m)), flat(sub)) {
		t.Fatalf("screen lacks %q:\n%s", sub, ScreenText(m))
	}
}

// SizeName names a golden size: "80x24".
func SizeName(sz [2]int) string { return fmt.Sprintf("%dx%d", sz[0], sz[1]) }

// LineWith returns the screen line containing sub, and the line after it.
func LineWith(t testing.TB, m *shell.Model, sub string) (string, string) {
	t.Helper()
	lines := strings.Split(ScreenText(m), "\n")
	for i, l := range lines {
		if strings.Contains(l, sub) {
			next := ""
			if i+1 < len(lines) {
				next = lines[i+1]
			}
			return l, next
		}
	}
	t.Fatalf("no line with %q:\n%s", sub, ScreenText(m))
	return "", ""
}

// Forged is outside text that tries to act on the terminal: recolour it,
// clear it, reverse the text after it and start a forged line.
const Forged = "x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD"

// WantNoRawControls fails when the console's raw frame (what goes to the
// terminal, styling included) holds the forged text's control sequences,
// or a line that starts with the forged text.
func WantNoRawControls(t testing.TB, m *shell.Model) {
	t.Helper()
	raw := m.Render()
	for _, bad := range []string{"\x1b[31m", "\x1b[2J", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the frame holds a raw %q:\n%q", bad, raw)
		}
	}
	lines := strings.Split(ansi.Strip(raw), "\n")
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "FAKE RECORD") {
			t.Errorf("a forged line reached the screen:\n%s", ansi.Strip(raw))
		}
	}
	if len(lines) != 24 {
		t.Errorf("the frame is %d lines, want 24", len(lines))
	}
}

// Placeholder stands for another feature's screen in a feature's tests:
// it shows and is titled title, and does nothing.
func Placeholder(title string) nav.Screen { return &placeholder{title: title} }

type placeholder struct {
	nav.Base
	title string
}

func (s *placeholder) Init() tea.Cmd                        { return nil }
func (s *placeholder) Update(tea.Msg) (nav.Screen, tea.Cmd) { return s, nil }
func (s *placeholder) View() string                         { return s.title }
func (s *placeholder) Title() string                        { return s.title }
func (s *placeholder) ShortHelp() []key.Binding             { return nil }
func (s *placeholder) FullHelp() [][]key.Binding            { return nil }
func (s *placeholder) CapturesInput() bool                  { return false }

// ForGoldenSizes runs walk at each of GoldenSizes, as a subtest named by
// SizeName.
func ForGoldenSizes(t *testing.T, walk func(t *testing.T, w, h int)) {
	t.Helper()
	for _, sz := range GoldenSizes {
		t.Run(SizeName(sz), func(t *testing.T) { walk(t, sz[0], sz[1]) })
	}
}

// Snap compares the screen with the golden file of subtest name.
func Snap(t *testing.T, m *shell.Model, name string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, ScreenText(m)) })
}

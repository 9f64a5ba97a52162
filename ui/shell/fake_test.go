package shell_test

import (
	"fmt"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
	"github.com/swtoken/swtoken/ui/shell"
)

// fakeBackend is a filled store without jobs or events.
type fakeBackend struct{}

func (fakeBackend) IsEmpty() (bool, error)         { return false, nil }
func (fakeBackend) Jobs() ([]model.Job, error)     { return nil, nil }
func (fakeBackend) Events() <-chan nav.JobEvent    { return nil }
func (fakeBackend) ChangeCounter() (uint64, error) { return 0, nil }

// screen is a fake screen: n bindings that do nothing, a text field
// (typing), a secret, and an optional reply to every key.
type screen struct {
	nav.Base
	title  string
	n      int
	typing bool
	typed  string
	secret string
	reply  tea.Cmd
}

func newScreen(title string) *screen { return &screen{title: title, secret: "s3cret"} }

func (s *screen) Init() tea.Cmd { return nil }
func (s *screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if cmd, ok := s.Bindings().Handle(k, s.typing); ok {
			return s, cmd
		}
		if s.typing && nav.IsText(k) {
			s.typed += k.Text
		}
		return s, s.reply
	}
	return s, nil
}
func (s *screen) View() string        { return s.title + " typed:" + s.typed }
func (s *screen) Title() string       { return s.title }
func (s *screen) CapturesInput() bool { return s.typing }
func (s *screen) ClearSecrets()       { s.secret = "" }
func (s *screen) Bindings() nav.Table {
	var t nav.Table
	for i := range s.n {
		k := fmt.Sprintf("alt+%c", 'a'+rune(i%26))
		if i >= 26 {
			k = fmt.Sprintf("ctrl+alt+%c", 'a'+rune(i%26))
		}
		t = append(t, nav.Binding{Key: key.NewBinding(key.WithKeys(k), key.WithHelp(k, fmt.Sprintf("action number %02d", i+1)))})
	}
	return t
}
func (s *screen) ShortHelp() []key.Binding  { return nil }
func (s *screen) FullHelp() [][]key.Binding { return [][]key.Binding{s.Bindings().Shown(s.typing)} }

// newModel is the root at w x h with a fake Home under it.
func newModel(t *testing.T, w, h int) (*shell.Model, *screen) {
	t.Helper()
	home := newScreen("Home")
	env := uitest.Env()
	m := uitest.NewModel(t, shell.Config{Env: env, Backend: fakeBackend{},
		Home:     func() nav.Screen { return home },
		FirstRun: func() nav.Screen { return home },
		Open:     func(nav.Page, any) nav.Screen { return newScreen("Opened") },
	}, w, h)
	return m, home
}

// key sends one key press by name (navtest's names).
func pressKey(t *testing.T, m *shell.Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		uitest.Update(t, m, navtest.Key(k))
	}
}

package home

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// subject is a screen as navtest checks it.
func subject(s nav.Screen) navtest.Subject {
	s.SetSize(80, 20)
	return navtest.Subject{Table: s.Bindings(), Typing: s.CapturesInput(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd {
			var cmd tea.Cmd
			_, cmd = s.Update(msg)
			return cmd
		},
		View: s.View}
}

func TestHomeHelpMatchesItsKeys(t *testing.T) {
	navtest.CheckHelp(t, "home", func() navtest.Subject { return subject(New(uitest.Env(), newFakeBackend())) })
	navtest.CheckHelp(t, "home, cursor on the last item", func() navtest.Subject {
		s := New(uitest.Env(), newFakeBackend())
		s.Update(navtest.Key("9"))
		return subject(s)
	})
}

func TestFirstRunHelpMatchesItsKeys(t *testing.T) {
	navtest.CheckHelp(t, "first run", func() navtest.Subject {
		be := newFakeBackend()
		be.Empty = true
		return subject(NewFirstRun(uitest.Env(), be))
	})
}

// The digits that pick an item are in Home's help, and each picks its item.
func TestHomeHelpListsTheNumberKeys(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	if f := ansi.Strip(m.Footer()); !strings.Contains(f, "1-9 pick by number") {
		t.Fatalf("footer without the number keys: %q", f)
	}
	press(t, m, "5")
	wantScreen(t, m, "> 5  Tokens")
}

// Under LANG=C the help names the keys in words and says what they do:
// "k/up move up", never "up up".
func TestASCIIHelpReadsAsWords(t *testing.T) {
	env := uitest.Env()
	env.Theme = kit.NewTheme(false, false)
	kit.ASCIIHelp(env.Keys)
	s := New(env, newFakeBackend())
	var got []string
	for _, b := range s.Bindings().Shown(false) {
		got = append(got, b.Help().Key+" "+b.Help().Desc)
	}
	help := strings.Join(got, " | ")
	for _, want := range []string{"k/up move up", "j/down move down"} {
		if !strings.Contains(help, want) {
			t.Errorf("ASCII help %q lacks %q", help, want)
		}
	}
	for _, bad := range []string{"up up", "down down", "↑", "↓"} {
		if strings.Contains(help, bad) {
			t.Errorf("ASCII help %q reads %q", help, bad)
		}
	}
}

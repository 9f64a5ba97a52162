package requests

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

func subjectOf(h *harness) navtest.Subject {
	return navtest.Subject{Table: h.s.Bindings(), Typing: h.s.CapturesInput(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd { s, cmd := h.s.Update(msg); h.s = s; return cmd },
		View:  h.s.View}
}

func TestRequestsHelpMatchesItsKeys(t *testing.T) {
	states := []struct {
		name  string
		fresh func() nav.Screen
		keys  []string
		want  string
	}{
		{"list", func() nav.Screen { return newTestScreen(fixture()) }, nil, "Pending (3)"},
		{"list completed", func() nav.Screen { return newTestScreen(fixture()) }, []string{"2"}, "R-3"},
		{"list empty", func() nav.Screen { return newTestScreen(&fakeBackend{needed: 1}) }, nil, "No request waits"},
		{"filter typing", func() nav.Screen { return newTestScreen(fixture()) }, []string{"/", "a"}, "R-"},
		{"filter kept", func() nav.Screen { return newTestScreen(fixture()) }, []string{"/", "a", "tab"}, "R-"},
		{"details pending", func() nav.Screen { return newTestScreen(fixture()) }, []string{"enter"}, "History"},
		{"details long", func() nav.Screen { return newTestScreen(longHistory()) }, []string{"enter"}, "lines 1-"},
		{"details long scrolled", func() nav.Screen { return newTestScreen(longHistory()) }, []string{"enter", "pgdown"}, "call"},
		{"details fulfilled", func() nav.Screen { return newTestScreen(fixture()) }, []string{"2", "enter"}, "History"},
		{"approve comment", func() nav.Screen { return newTestScreen(fixture()) }, []string{"enter", "a"}, "Comment to the user"},
		{"approve note", func() nav.Screen { return newTestScreen(fixture()) }, []string{"enter", "a", "tab"}, "Private note"},
		{"reject", func() nav.Screen { return newTestScreen(fixture()) }, []string{"enter", "r"}, "Reject request"},
		{"bulk", func() nav.Screen { return newTestScreen(fixture()) }, []string{"b"}, "Bulk approval"},
		{"bulk comment", func() nav.Screen { return newTestScreen(fixture()) }, []string{"b", "tab"}, "Comment to the users"},
		{"bulk note", func() nav.Screen { return newTestScreen(fixture()) }, []string{"b", "tab", "tab"}, "Private note"},
		{"bulk wrong count", func() nav.Screen { return newTestScreen(fixture()) }, []string{"b", "tab", "enter"}, "Type 3, the number"},
		{"form user", func() nav.Screen { return newTestForm(fixture()) }, nil, "User ID"},
		{"form user filtered", func() nav.Screen { return newTestForm(fixture()) }, []string{"a", "l", "i"}, "alicia"},
		{"form user no match", func() nav.Screen { return newTestForm(fixture()) }, []string{"z", "z", "z"}, "No matches."},
		{"form user picked", func() nav.Screen { return newTestForm(fixture()) }, []string{"b", "o", "b", "enter"}, "Bob Stone <bob@example.com>"},
		{"form user without e-mail picked", func() nav.Screen { return newTestForm(fixture()) }, []string{"x", "n", "o", "enter"}, "no e-mail address"},
		{"form users unreadable", func() nav.Screen {
			be := fixture()
			be.usersErr = errors.New("store locked")
			return newTestForm(be)
		}, nil, "cannot list the users"},
		{"form profile", func() nav.Screen { return newTestForm(fixture()) }, []string{"tab"}, "Profile"},
		{"form password", func() nav.Screen {
			be := fixture()
			be.choices.PasswordRequired = true
			return newTestForm(be)
		}, []string{"tab", "tab", "tab", "tab"}, "Password again"},
		{"form no profile offered", func() nav.Screen { return newTestForm(&fakeBackend{}) }, []string{"tab"}, "none offered"},
		{"form reason", func() nav.Screen { return newTestForm(fixture()) }, []string{"shift+tab"}, "Reason"},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			navtest.CheckHelp(t, st.name, func() navtest.Subject {
				h := newHarness(st.fresh(), 80, 24)
				h.press(st.keys...)
				if v := view(h); !strings.Contains(v, st.want) {
					t.Fatalf("state %s not reached: %q missing from\n%s", st.name, st.want, v)
				}
				return subjectOf(h)
			})
		})
	}
}

package jobs

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// jobsSubject is the jobs screen over the fixture, loaded, after keys
// (pressed through its Update, every Cmd run as the root would, except
// navigation).
func jobsSubject(t *testing.T, keys ...string) navtest.Subject {
	t.Helper()
	be := jobsFixture()
	s := newJobs(&common{Env: uitest.Env(), be: be}, 0)
	s.SetSize(80, 20)
	run := func(cmd tea.Cmd) {
		for cmd != nil {
			msg := cmd()
			if a, ok := msg.(nav.AddressedMsg); ok {
				msg = a.Msg
			}
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					if c != nil {
						if m := c(); m != nil {
							if a, ok := m.(nav.AddressedMsg); ok {
								s.Update(a.Msg)
							}
						}
					}
				}
				return
			}
			_, cmd = s.Update(msg)
		}
	}
	run(s.reload())
	for _, k := range keys {
		_, cmd := s.Update(navtest.Key(k))
		run(cmd)
	}
	return navtest.Subject{Table: s.Bindings(), Typing: s.CapturesInput(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd { _, cmd := s.Update(msg); return cmd },
		View:  s.View}
}

func TestJobsHelpMatchesItsKeys(t *testing.T) {
	states := []struct {
		name string
		keys []string
		want string // in the view: the state was reached
	}{
		{"in progress tab", nil, "[1 In Progress (2)]"},
		{"completed tab", []string{"2"}, "[2 Completed (2)]"},
		{"completed tab, deleted output", []string{"2", "down"}, "> #3"},
		{"failed/canceled tab", []string{"3"}, "[3 Failed/Canceled (2)]"},
		{"details of a running job", []string{"enter"}, "State:       Queued"},
		{"details of a completed job", []string{"2", "enter"}, "Output file: /var/lib"},
		{"download path", []string{"2", "d"}, "Save to:"},
		{"download result", []string{"2", "d", "enter"}, "Saved:"},
		{"overwrite question", []string{"2", "d", "enter", "enter", "d", "enter"}, "Overwrite it?"},
		{"delete question", []string{"2", "x"}, "Delete the output file of job #4?"},
		{"cancel question", []string{"c"}, "Cancel job #6"},
	}
	for _, st := range states {
		if v := ansi.Strip(jobsSubject(t, st.keys...).View()); !strings.Contains(v, st.want) {
			t.Fatalf("%s: the view lacks %q:\n%s", st.name, st.want, v)
		}
		navtest.CheckHelp(t, st.name, func() navtest.Subject { return jobsSubject(t, st.keys...) })
	}
}

// An empty tab offers tabs only; the keys that need a job say why they do
// nothing.
func TestJobsHelpOfAnEmptyList(t *testing.T) {
	navtest.CheckHelp(t, "empty", func() navtest.Subject {
		be := newFakeBackend()
		s := newJobs(&common{Env: uitest.Env(), be: be}, 0)
		s.SetSize(80, 20)
		s.Update(jobsLoadedMsg{})
		return navtest.Subject{Table: s.Bindings(), Press: func(msg tea.KeyPressMsg) tea.Cmd { _, cmd := s.Update(msg); return cmd }, View: s.View}
	})
}

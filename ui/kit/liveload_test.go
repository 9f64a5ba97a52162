package kit

import (
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/nav"
)

// TestLiveSlowReloadsAreSpacedOut: after a reload that took a second, the
// next waits (a tick), so a store that changes every second does not keep
// the console reading 100,000 tokens.
func TestLiveSlowReloadsAreSpacedOut(t *testing.T) {
	var l LiveLoad
	load := func() tea.Msg { return nil }
	s := &stubScreen{}
	if l.Changed(s, load) == nil {
		t.Fatal("first reload not started")
	}
	l.started = time.Now().Add(-time.Second) // it took a second
	if l.Loaded(s, load) != nil {
		t.Fatal("a reload without a change since")
	}
	if cmd := l.Changed(s, load); cmd == nil || !l.waiting || l.inFlight {
		t.Fatalf("the next reload started at once (waiting %v, in flight %v)", l.waiting, l.inFlight)
	}
	if l.Changed(s, load) != nil {
		t.Fatal("a second wait was armed")
	}
	if l.Tick(load) == nil || !l.inFlight {
		t.Fatal("the tick did not start the reload")
	}
}

// stubScreen is a screen that does nothing, to address ticks to.
type stubScreen struct{ nav.Base }

func (s *stubScreen) Init() tea.Cmd                        { return nil }
func (s *stubScreen) Update(tea.Msg) (nav.Screen, tea.Cmd) { return s, nil }
func (s *stubScreen) View() string                         { return "" }
func (s *stubScreen) Title() string                        { return "" }
func (s *stubScreen) ShortHelp() []key.Binding             { return nil }
func (s *stubScreen) FullHelp() [][]key.Binding            { return nil }
func (s *stubScreen) CapturesInput() bool                  { return false }

package kit

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/nav"
)

// LiveLoad paces a screen's reloads after store changes: one reload in
// flight at a time (a change meanwhile gives one more when it lands), and
// after a slow reload (a list of 100,000 tokens) the next one waits twice
// as long as it took, so that a store that changes every second (a job's
// progress) never keeps the console reading.
type LiveLoad struct {
	inFlight bool
	again    bool // the store changed while a reload was in flight
	waiting  bool // a tick starts the next reload
	started  time.Time
	readyAt  time.Time
}

// slowLoad is the reload time from which reloads are spaced out.
const slowLoad = 100 * time.Millisecond

// LiveTickMsg ends a LiveLoad's wait.
type LiveTickMsg struct{}

// Changed is a screen's StoreChanged: load now, later, or not at all (one
// in flight or waiting picks the change up).
func (l *LiveLoad) Changed(s nav.Screen, load tea.Cmd) tea.Cmd {
	switch {
	case l.inFlight:
		l.again = true
		return nil
	case l.waiting:
		return nil
	}
	if wait := time.Until(l.readyAt); wait > 0 {
		l.waiting = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return nav.To(s, LiveTickMsg{}) })
	}
	return l.Start(load)
}

// Start marks a reload (or the first load) as in flight.
func (l *LiveLoad) Start(load tea.Cmd) tea.Cmd {
	l.inFlight, l.waiting, l.started = true, false, time.Now()
	return load
}

// Tick ends the wait: the reload starts.
func (l *LiveLoad) Tick(load tea.Cmd) tea.Cmd {
	if !l.waiting {
		return nil
	}
	return l.Start(load)
}

// Loaded is called when the screen's data landed; it returns the next
// reload when the store changed meanwhile.
func (l *LiveLoad) Loaded(s nav.Screen, load tea.Cmd) tea.Cmd {
	if !l.inFlight {
		return nil
	}
	l.inFlight = false
	l.readyAt = time.Time{}
	if took := time.Since(l.started); took >= slowLoad {
		l.readyAt = time.Now().Add(2 * took)
	}
	if l.again {
		l.again = false
		return l.Changed(s, load)
	}
	return nil
}

// NextPoll arms the next poll of the store's change counter: msg after
// every, or nothing when every is 0 (tests that drive Update by hand send
// the poll message themselves).
func NextPoll(every time.Duration, msg tea.Msg) tea.Cmd {
	if every <= 0 {
		return nil
	}
	return tea.Tick(every, func(time.Time) tea.Msg { return msg })
}

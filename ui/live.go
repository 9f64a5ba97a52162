package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The live console: several processes share one store (consoles, CLI
// commands, `jobs run`), and an open console shows what they change within
// about a second. The root polls the store's change counter (one small
// read, in a Cmd) every pollEvery; when it moved, the top screen reloads
// what it shows (in a Cmd, keeping the admin's place) and the screens
// below it reload when they are on top again. A screen takes part by
// implementing storeWatcher; a screen where the admin is typing leaves its
// input alone.

// pollEvery is how often the console looks at the change counter.
const pollEvery = time.Second

// storeWatcher is a screen that shows store data. StoreChanged is called
// on the top screen when the store changed (by any process), and on a
// screen below when it is on top again after a change; it returns the Cmd
// that reloads (or nil to leave the screen as it is: the admin is typing,
// a reload is already under way). It must keep the admin's place: the
// cursor on the same item (by key), the filter, the tab, what is open.
type storeWatcher interface {
	StoreChanged() tea.Cmd
}

type (
	// pollStoreMsg asks the root to read the change counter.
	pollStoreMsg struct{}
	// storeCounterMsg is the change counter as read.
	storeCounterMsg struct {
		n   uint64
		err error
	}
	// guardedMsg is an addressed message that the root delivers only if
	// ok() still holds when it arrives (checked in Update): a reload for
	// a screen that must not lose input typed while it was read.
	guardedMsg struct {
		to  screen
		msg tea.Msg
		ok  func() bool
	}
)

// readCounter reads the change counter in a Cmd.
func (m *Model) readCounter() tea.Cmd {
	be := m.c.be
	return func() tea.Msg {
		n, err := be.ChangeCounter()
		return storeCounterMsg{n, err}
	}
}

// schedulePoll arms the next poll (none in tests that drive Update by
// hand: they send pollStoreMsg themselves).
func (m *Model) schedulePoll() tea.Cmd {
	if m.c.pollEvery <= 0 {
		return nil
	}
	return tea.Tick(m.c.pollEvery, func(time.Time) tea.Msg { return pollStoreMsg{} })
}

// counterRead handles the counter: the first value is the baseline (the
// screens load in their Init); a value that moved reloads the top screen
// and marks the others stale. A failed read (the store held too long by
// another process) is tried again at the next poll.
func (m *Model) counterRead(msg storeCounterMsg) tea.Cmd {
	next := m.schedulePoll()
	if msg.err != nil {
		return next
	}
	moved := m.counterKnown && msg.n != m.counter
	m.counter, m.counterKnown = msg.n, true
	if !moved {
		return next
	}
	cmds := []tea.Cmd{next, m.refreshUnfinished()}
	for i, s := range m.stack {
		w, ok := s.(storeWatcher)
		if !ok {
			continue
		}
		if i == len(m.stack)-1 {
			cmds = append(cmds, w.StoreChanged())
		} else {
			m.stale[s] = true
		}
	}
	return tea.Batch(cmds...)
}

// refreshUnfinished reads the unfinished jobs again for the root's set
// (what quitting warns about): a job that another process ran to its end
// leaves it, though no engine event of this console said so. A failed
// read leaves the set as it is.
func (m *Model) refreshUnfinished() tea.Cmd {
	be := m.c.be
	return func() tea.Msg {
		js, err := be.Jobs()
		if err != nil {
			return nil
		}
		return runningJobsMsg{seqs: unfinishedSeqs(js), all: true}
	}
}

// shown is called when s is on top again: a stale screen reloads. A
// resumer rechecks the store in Resumed anyway.
func (m *Model) shown(s screen) tea.Cmd {
	if !m.stale[s] {
		return nil
	}
	delete(m.stale, s)
	if _, ok := s.(resumer); ok {
		return nil
	}
	if w, ok := s.(storeWatcher); ok {
		return w.StoreChanged()
	}
	return nil
}

// deliverGuarded hands msg.msg to its screen if it is still on the stack
// and msg.ok() holds.
func (m *Model) deliverGuarded(msg guardedMsg) tea.Cmd {
	for i, s := range m.stack {
		if s == msg.to {
			if msg.ok != nil && !msg.ok() {
				return nil
			}
			var cmd tea.Cmd
			m.stack[i], cmd = s.Update(msg.msg)
			return cmd
		}
	}
	return nil
}

// liveLoad paces a screen's reloads after store changes: one reload in
// flight at a time (a change meanwhile gives one more when it lands), and
// after a slow reload (a list of 100,000 tokens) the next one waits twice
// as long as it took, so that a store that changes every second (a job's
// progress) never keeps the console reading.
type liveLoad struct {
	inFlight bool
	again    bool // the store changed while a reload was in flight
	waiting  bool // a tick starts the next reload
	started  time.Time
	readyAt  time.Time
}

// slowLoad is the reload time from which reloads are spaced out.
const slowLoad = 100 * time.Millisecond

// liveTickMsg ends a liveLoad's wait.
type liveTickMsg struct{}

// changed is a screen's StoreChanged: load now, later, or not at all (one
// in flight or waiting picks the change up).
func (l *liveLoad) changed(s screen, load tea.Cmd) tea.Cmd {
	switch {
	case l.inFlight:
		l.again = true
		return nil
	case l.waiting:
		return nil
	}
	if wait := time.Until(l.readyAt); wait > 0 {
		l.waiting = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return to(s, liveTickMsg{}) })
	}
	return l.start(load)
}

// start marks a reload (or the first load) as in flight.
func (l *liveLoad) start(load tea.Cmd) tea.Cmd {
	l.inFlight, l.waiting, l.started = true, false, time.Now()
	return load
}

// tick ends the wait: the reload starts.
func (l *liveLoad) tick(load tea.Cmd) tea.Cmd {
	if !l.waiting {
		return nil
	}
	return l.start(load)
}

// loaded is called when the screen's data landed; it returns the next
// reload when the store changed meanwhile.
func (l *liveLoad) loaded(s screen, load tea.Cmd) tea.Cmd {
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
		return l.changed(s, load)
	}
	return nil
}

// ---- screens whose files other changes are under way in ----

// StoreChanged reloads the self-service settings only while the screen has
// no unsaved edits, and delivers the result only if it still has none when
// it lands (the admin may have started typing meanwhile): saving, and
// what a save does when the stored settings changed, are the settings
// screen's own.
func (s *settingsScreen) StoreChanged() tea.Cmd {
	untouched := func() bool { return s.busy == "" && !s.leaving && !s.HasInput() }
	if !untouched() {
		return nil
	}
	load := s.Init()
	return func() tea.Msg { return guardedMsg{to: s, msg: load(), ok: untouched} }
}

// StoreChanged rechecks whether the store is still empty (another process
// loaded the demo or imported), unless this screen is loading the demo.
func (s *firstRun) StoreChanged() tea.Cmd {
	if s.loading {
		return nil
	}
	return s.Resumed()
}

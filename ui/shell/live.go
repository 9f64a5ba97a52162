package shell

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// The live console: several processes share one store (consoles, CLI
// commands, `jobs run`), and an open console shows what they change within
// about a second. The root polls the store's change counter (one small
// read, in a Cmd) every pollEvery; when it moved, the top screen reloads
// what it shows (in a Cmd, keeping the admin's place) and the screens
// below it reload when they are on top again. A screen takes part by
// implementing nav.Screen.StoreChanged; a screen where the admin is typing
// leaves its input alone.

// PollEvery is how often the console looks at the change counter.
const PollEvery = time.Second

type (
	// PollStoreMsg asks the root to read the change counter (the poll's
	// tick; tests that drive Update by hand send it themselves).
	PollStoreMsg struct{}
	// storeCounterMsg is the change counter as read.
	storeCounterMsg struct {
		n   uint64
		err error
	}
)

// readCounter reads the change counter in a Cmd.
func (m *Model) readCounter() tea.Cmd {
	be := m.be
	return func() tea.Msg {
		n, err := be.ChangeCounter()
		return storeCounterMsg{n, err}
	}
}

// schedulePoll arms the next poll (none in tests that drive Update by
// hand: they send PollStoreMsg themselves).
func (m *Model) schedulePoll() tea.Cmd { return kit.NextPoll(m.c.PollEvery, PollStoreMsg{}) }

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
		if i == len(m.stack)-1 {
			cmds = append(cmds, s.StoreChanged())
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
	be := m.be
	return func() tea.Msg {
		js, err := be.Jobs()
		if err != nil {
			return nil
		}
		return runningJobsMsg{seqs: unfinishedSeqs(js), all: true}
	}
}

// shown is called when s is on top again: a stale screen reloads. A
// screen that resumed rechecks the store in Resumed anyway.
func (m *Model) shown(s nav.Screen, resumed bool) tea.Cmd {
	if !m.stale[s] {
		return nil
	}
	delete(m.stale, s)
	if resumed {
		return nil
	}
	return s.StoreChanged()
}

// deliverGuarded hands msg.Msg to its screen if it is still on the stack
// and msg.OK() holds.
func (m *Model) deliverGuarded(msg nav.GuardedMsg) tea.Cmd {
	for i, s := range m.stack {
		if s == msg.To {
			if msg.OK != nil && !msg.OK() {
				return nil
			}
			var cmd tea.Cmd
			m.stack[i], cmd = s.Update(msg.Msg)
			return cmd
		}
	}
	return nil
}

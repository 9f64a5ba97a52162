package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
)

// Navigation, status and error messages. Screens never touch the stack
// themselves: they return one of these as a Cmd and the root acts on it.
type (
	pushMsg    struct{ s screen }
	replaceMsg struct{ s screen } // replace the top screen
	popMsg     struct{}
	homeMsg    struct{} // back to the home screen, dropping the rest

	// statusMsg shows a passing message in the status line.
	statusMsg struct {
		level statusLevel
		text  string
	}
	clearStatusMsg struct{ seq int }

	// fatalMsg switches to the full-screen error state. Store failures go
	// here; validation problems are shown at their fields instead.
	fatalMsg struct{ err error }

	// jobEventMsg carries one engine event; eventsClosedMsg says the
	// engine stopped.
	jobEventMsg     JobEvent
	eventsClosedMsg struct{}

	// storeStateMsg answers the first-run question.
	storeStateMsg struct {
		empty bool
		err   error
	}
	// runningJobsMsg seeds the root's set of unfinished jobs at start;
	// with all, it replaces it (jobs ended by other processes leave it).
	runningJobsMsg struct {
		seqs []uint64
		all  bool
	}
)

type statusLevel int

const (
	statusInfo statusLevel = iota
	statusOK
	statusWarn
	statusError
)

// statusTTL is how long a passing message stays (crush uses 5 s, k9s 6 s).
const statusTTL = 6 * time.Second

func push(s screen) tea.Cmd    { return func() tea.Msg { return pushMsg{s} } }
func replace(s screen) tea.Cmd { return func() tea.Msg { return replaceMsg{s} } }
func pop() tea.Msg             { return popMsg{} }
func goHome() tea.Msg          { return homeMsg{} }

// status shows text in the status line. It often names a job, a file or
// an error from outside (a failed job's reason): model.Printable shows
// their control characters.
func status(level statusLevel, text string) tea.Cmd {
	text = model.Printable(text)
	return func() tea.Msg { return statusMsg{level, text} }
}

package nav

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
)

// Navigation, status and error messages. A screen returns one of them as a
// Cmd (the helpers below) and the root acts on it.
type (
	// PushMsg puts S on top of the stack.
	PushMsg struct{ S Screen }
	// ReplaceMsg replaces the top screen with S.
	ReplaceMsg struct{ S Screen }
	// PopMsg closes the top screen.
	PopMsg struct{}
	// HomeMsg goes back to the home screen, dropping the rest.
	HomeMsg struct{}
	// OpenMsg opens a feature's page, which the root resolves to its
	// screen, so that a feature opens another's screen without importing
	// it. Replace puts it in place of the top screen instead of on top.
	OpenMsg struct {
		Page    Page
		Arg     any
		Replace bool
	}

	// StatusMsg shows a passing message in the status line.
	StatusMsg struct {
		Level StatusLevel
		Text  string
	}

	// FatalMsg switches to the full-screen error state. Store failures go
	// here; validation problems are shown at their fields instead.
	FatalMsg struct{ Err error }

	// AddressedMsg is delivered to one screen, wherever it is on the stack
	// (and dropped when it is no longer there), so that a result that
	// arrives after the admin moved on (a picker popped, a detail opened)
	// still reaches the screen it is for.
	AddressedMsg struct {
		To  Screen
		Msg tea.Msg
	}
	// BroadcastMsg is delivered to every screen on the stack: an inventory
	// change that several open screens show (a token was assigned).
	BroadcastMsg struct{ Msg tea.Msg }
	// GuardedMsg is an addressed message that the root delivers only if
	// OK() still holds when it arrives (checked in Update): a reload for a
	// screen that must not lose input typed while it was read.
	GuardedMsg struct {
		To  Screen
		Msg tea.Msg
		OK  func() bool
	}

	// JobEventMsg carries one engine event to every screen on the stack.
	JobEventMsg JobEvent
)

// Page names a feature's screen for OpenMsg.
type Page int

// The pages the root opens. Arg is what the page's constructor takes.
const (
	PageWizard   Page = iota // Arg: nil
	PageJobs                 // Arg: uint64, the job to follow (0 for none)
	PageSettings             // Arg: nil
	PageProfiles             // Arg: nil
	PageTokens               // Arg: nil
	PageUsers                // Arg: nil
	PageImport               // Arg: nil
	PageAudit                // Arg: nil
	PageRequests             // Arg: nil (the self-service requests)
)

// StatusLevel is how the status line marks a message.
type StatusLevel int

// The status levels.
const (
	StatusInfo StatusLevel = iota
	StatusOK
	StatusWarn
	StatusError
)

// StatusTTL is how long a passing message stays (crush uses 5 s, k9s 6 s).
const StatusTTL = 6 * time.Second

// Push puts s on top of the stack.
func Push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{s} } }

// Replace puts s in place of the top screen.
func Replace(s Screen) tea.Cmd { return func() tea.Msg { return ReplaceMsg{s} } }

// Pop closes the top screen.
func Pop() tea.Msg { return PopMsg{} }

// Home goes back to the home screen.
func Home() tea.Msg { return HomeMsg{} }

// Open pushes a feature's page.
func Open(p Page, arg any) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Page: p, Arg: arg} }
}

// OpenInstead puts a feature's page in place of the top screen.
func OpenInstead(p Page, arg any) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Page: p, Arg: arg, Replace: true} }
}

// Status shows text in the status line. It often names a job, a file or
// an error from outside (a failed job's reason): model.Printable shows
// their control characters.
func Status(level StatusLevel, text string) tea.Cmd {
	text = model.Printable(text)
	return func() tea.Msg { return StatusMsg{level, text} }
}

// Fatal switches to the full-screen error state.
func Fatal(err error) tea.Msg { return FatalMsg{err} }

// To addresses msg to s.
func To(s Screen, msg tea.Msg) tea.Msg { return AddressedMsg{s, msg} }

// Broadcast delivers msg to every screen on the stack.
func Broadcast(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return BroadcastMsg{msg} }
}

// JobEvent is a job's state or progress, pushed by the engine.
type JobEvent struct {
	Seq    uint64
	Name   string
	State  model.JobState
	Done   int
	Total  int
	Rate   float64 // tokens per second so far; 0 when unknown
	Reason string  // why it failed or was canceled
	Output string  // absolute, for display (as the jobs backend's Jobs)
	At     time.Time
}

package shell

import "github.com/swtoken/swtoken/ui/nav"

// What tests look at: the feature packages' tests drive the real root and
// check its state and frame.

// Top is the screen on top of the stack.
func (m *Model) Top() nav.Screen { return m.top() }

// Stack is the stack of screens, bottom first (not a copy).
func (m *Model) Stack() []nav.Screen { return m.stack }

// Render is the frame View shows (tests compare it, ANSI stripped, to
// goldens).
func (m *Model) Render() string { return m.render() }

// Footer is the frame's last line: the short help.
func (m *Model) Footer() string { return m.footer() }

// Quitting is true once the console quit.
func (m *Model) Quitting() bool { return m.quitting }

// ConfirmingQuit is true while the quit question is shown.
func (m *Model) ConfirmingQuit() bool { return m.confirmQuit }

// ShowingHelp is true while the help overlay is shown.
func (m *Model) ShowingHelp() bool { return m.showHelp }

// Fatal is the error of the full-screen error state (nil when none).
func (m *Model) Fatal() error { return m.fatal }

// Status is the status line's text ("" when none).
func (m *Model) Status() string { return m.status }

// Size is the terminal's size as last told.
func (m *Model) Size() (width, height int) { return m.width, m.height }

// ClearStatus empties the status line.
func (m *Model) ClearStatus() { m.status = "" }

// Package ui is swtoken's Bubble Tea console.
package ui

import (
	"errors"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// Exit statuses shared with the command line.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// ErrNoTerminal explains why the console refuses to start.
var ErrNoTerminal = errors.New("the console needs an interactive terminal")

// Preflight checks that the console can draw: stdin and stdout must be
// terminals and TERM must name one that can address the cursor. It returns
// a message with the fix when they cannot.
func Preflight(stdin, stdout *os.File, termName string) error {
	switch {
	case stdin == nil || !term.IsTerminal(stdin.Fd()) || stdout == nil || !term.IsTerminal(stdout.Fd()):
		return fmt.Errorf("%w: standard input and output are not a terminal.\n"+
			"Over SSH, ask for one with: ssh -t HOST swtoken\n"+
			"For scripts, use the subcommands (swtoken --help)", ErrNoTerminal)
	case termName == "" || strings.EqualFold(termName, "dumb"):
		return fmt.Errorf("%w: TERM is %q, which cannot position the cursor.\n"+
			"Set a real terminal type, e.g. TERM=xterm-256color or TERM=vt100", ErrNoTerminal, termName)
	}
	return nil
}

// Run opens the console on the store in dataDir and returns the exit status.
func Run(dataDir string) int {
	if err := Preflight(os.Stdin, os.Stdout, os.Getenv("TERM")); err != nil {
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", err)
		return exitUsage
	}
	p := tea.NewProgram(newRoot(dataDir))
	if _, err := p.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// root is the console's top model.
type root struct {
	dataDir       string
	width, height int
}

func newRoot(dataDir string) *root { return &root{dataDir: dataDir} }

func (m *root) Init() tea.Cmd { return nil }

func (m *root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyPressMsg:
		switch msg.String() {
		case "ctrl+c", "q", "esc":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m *root) View() tea.View {
	var b strings.Builder
	fmt.Fprintln(&b, "swtoken console")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "The console screens are being built (see README, 'What works').")
	fmt.Fprintln(&b, "Today the command line does the work: run  swtoken --help")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "q / esc / ctrl+c  quit")
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}

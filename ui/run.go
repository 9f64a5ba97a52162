package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
)

// Exit statuses shared with the command line.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitInUse   = 3
	// exitHangup is 128+SIGHUP, the shell's convention for a hangup.
	exitHangup = 129
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
			"Over SSH, connect with: ssh -t HOST swtoken (it passes your terminal's type);\n"+
			"otherwise set a real terminal type, e.g. TERM=xterm-256color or TERM=vt100", ErrNoTerminal, termName)
	}
	return nil
}

// Run opens the console on the store in dataDir, with the store key in
// keyFile ("" for <dataDir>/swtoken.key), and returns the exit
// status: 0, 1 on failure, 2 without a usable terminal, 3 when another
// process holds the store, 129 after a hangup.
//
// The engine runs in this process. When the console ends, normally or by a
// dropped SSH link (SIGHUP), the engine finishes the job in hand (queued
// jobs wait for the next start), then the store is closed.
func Run(dataDir, keyFile string, lockWait time.Duration) int {
	if err := Preflight(os.Stdin, os.Stdout, os.Getenv("TERM")); err != nil {
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", err)
		return exitUsage
	}
	// Bubble Tea's TEA_TRACE logs raw input, passwords included; and any
	// stray log line would tear the frame.
	os.Unsetenv("TEA_TRACE")
	log.SetOutput(io.Discard)

	st, err := store.Open(store.Options{DataDir: dataDir, KeyFile: keyFile, LockTimeout: lockWait, Activity: "console: open"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", err)
		var inUse *store.InUseError
		if errors.As(err, &inUse) {
			return exitInUse
		}
		return exitFailure
	}
	eng := jobs.New(st, jobs.Options{})
	ctx, stopEngine := context.WithCancel(context.Background())
	eng.Start(ctx)
	be := NewEngineBackend(st, eng).(*engineBackend)

	var popts []tea.ProgramOption
	if kit.NoColor(os.Getenv) {
		// no-color.org: any non-empty value. colorprofile alone would
		// ignore NO_COLOR=yes.
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(New(be, Options{}), popts...)

	// Bubble Tea leaves SIGHUP to Go's default, which kills the process at
	// once: no job finished, no store closed. End the UI instead.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	var hungUp atomic.Bool
	go func() {
		if _, ok := <-hup; ok {
			hungUp.Store(true)
			p.Kill()
		}
	}()
	_, runErr := p.Run()

	// From here on the terminal may be gone; keep further hangups from
	// killing the job in hand, and let ctrl+c (SIGINT/SIGTERM) stop it.
	signal.Ignore(syscall.SIGHUP)
	intr := make(chan os.Signal, 1)
	signal.Notify(intr, os.Interrupt, syscall.SIGTERM)
	eng.StopAfterCurrent()
	if !hungUp.Load() {
		// Only the job this console's engine runs: another process's
		// runner goes on without it.
		if j, ok := eng.RunningJob(); ok {
			fmt.Fprintf(os.Stderr, "swtoken: finishing job #%d %q (%d tokens) before exiting; ctrl+c stops it, and it runs again from the start next time.\n",
				j.Seq, j.Name, j.Total)
		}
	}
	select {
	case <-eng.Done():
	case <-intr:
		stopEngine()
		select {
		case <-eng.Done():
		case <-time.After(5 * time.Second):
		}
	}
	stopEngine()
	signal.Stop(intr)
	be.Close()
	if err := st.Close(); err != nil && !hungUp.Load() {
		fmt.Fprintf(os.Stderr, "swtoken: closing the store: %v\n", err)
	}
	switch {
	case hungUp.Load():
		// No message: the terminal is gone and writes would fail.
		return exitHangup
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled):
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", runErr)
		return exitFailure
	}
	return exitOK
}

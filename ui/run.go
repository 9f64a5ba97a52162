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

	"github.com/swtoken/swtoken/engine/requests"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
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

// ExitInterrupted is the console's status when ctrl+c stopped the job it
// was running (128+SIGINT): the same as the command line's for an
// interrupted job (cli.ExitInterrupted). The job changed nothing and is
// queued again.
const ExitInterrupted = 130

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
// process holds the store, 129 after a hangup, 130 when ctrl+c stopped the
// job the console was running.
//
// The engine runs in this process. When the console ends with q, or by a
// dropped SSH link (SIGHUP), the engine finishes the job in hand (queued
// jobs wait for the next start) and the console says when it finished;
// after ctrl+c (confirmed) the job is stopped and queued again. Then the
// store is closed.
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
	// The console's runner also fulfils approved self-service requests
	// whenever it has no job to run (a failed pass is tried again on the
	// next one; the requests stay Approved), mails their tokens and sends
	// the outbox when SMTP is configured.
	fulfiller := requests.NewRunner(st, requests.Options{Mail: true})
	eng := jobs.New(st, jobs.Options{Idle: func(ctx context.Context) { fulfiller.Pass(ctx) }})
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
	final, runErr := p.Run()
	byCtrlC := false
	if fm, ok := final.(*Model); ok {
		byCtrlC = fm.QuitByCtrlC()
	}

	// From here on the terminal may be gone; keep further hangups from
	// killing the job in hand, and let ctrl+c (SIGINT/SIGTERM) stop it.
	signal.Ignore(syscall.SIGHUP)
	intr := make(chan os.Signal, 1)
	signal.Notify(intr, os.Interrupt, syscall.SIGTERM)
	eng.StopAfterCurrent()
	// Only the job this console's engine runs: another process's runner
	// goes on without it.
	job, hasJob := eng.RunningJob()
	stopped := false
	if hasJob && !hungUp.Load() {
		if byCtrlC {
			fmt.Fprintf(os.Stderr, "swtoken: stopping job #%d %q (ctrl+c)...\n", job.Seq, job.Name)
			stopEngine()
			stopped = true
		} else {
			fmt.Fprintf(os.Stderr, "swtoken: finishing job #%d %q (%d tokens) before exiting; ctrl+c stops it (it is queued again and runs from the start with the next runner).\n",
				job.Seq, job.Name, job.Total)
		}
	}
	select {
	case <-eng.Done():
	case <-intr:
		stopped = true
		stopEngine()
		select {
		case <-eng.Done():
		case <-time.After(5 * time.Second):
		}
	}
	stopEngine()
	signal.Stop(intr)
	end := model.Job{}
	if hasJob {
		end, _ = be.Job(job.Seq)
		if end.Seq == 0 {
			end = job
		}
	}
	be.Close()
	if err := st.Close(); err != nil && !hungUp.Load() {
		fmt.Fprintf(os.Stderr, "swtoken: closing the store: %v\n", err)
	}
	if hasJob && !hungUp.Load() {
		fmt.Fprintln(os.Stderr, "swtoken: "+jobOutcome(end))
	}
	return exitStatus(hungUp.Load(), runErr, hasJob && stopped && !end.State.Terminal())
}

// jobOutcome says what became of the job the console was running when it
// quit, and when it finished: the admin who quit learns it in the
// terminal.
func jobOutcome(j model.Job) string {
	name := fmt.Sprintf("job #%d %q", j.Seq, j.Name)
	switch j.State {
	case model.JobCompleted:
		return fmt.Sprintf("%s completed at %s: %d token files written.", name, model.FormatTime(j.Ended), j.Total)
	case model.JobFailed:
		return fmt.Sprintf("%s failed at %s: %s", name, model.FormatTime(j.Ended), model.Printable(j.Reason))
	case model.JobCanceled:
		return fmt.Sprintf("%s was canceled at %s; nothing changed.", name, model.FormatTime(j.Ended))
	}
	return fmt.Sprintf("%s was stopped before it finished: nothing was changed; it is queued again and runs from the start with the next runner (another console, swtoken jobs run, or the next start).", name)
}

// exitStatus is the console's exit status: 129 after a hangup, 1 when the
// program failed, 130 when ctrl+c stopped the job this console was
// running (as the command line exits for an interrupted job), else 0.
func exitStatus(hungUp bool, runErr error, interrupted bool) int {
	switch {
	case hungUp:
		// No message: the terminal is gone and writes would fail.
		return exitHangup
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled):
		fmt.Fprintf(os.Stderr, "swtoken: %v\n", runErr)
		return exitFailure
	case interrupted:
		return ExitInterrupted
	}
	return exitOK
}

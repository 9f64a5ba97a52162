package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that stop a long command cleanly.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptible is signal.NotifyContext for stopSignals that also keeps
// the first signal caught, so that the command can exit 128+n for it.
type interruptible struct {
	context.Context
	mu     sync.Mutex
	caught os.Signal
	stop   func()
}

// catchStop returns a context canceled by the first of stopSignals. Call
// Stop when done; Interrupted turns an error into one that exits 128+n.
// With oneShot, the signals are caught once: a second one ends the process
// at once (a download's copy); otherwise they stay caught until Stop (a job
// rolling back).
func catchStop(oneShot bool) *interruptible {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	in := &interruptible{Context: ctx}
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			if oneShot {
				signal.Stop(ch)
			}
			in.mu.Lock()
			in.caught = s
			in.mu.Unlock()
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	in.stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
	return in
}

// Stop stops catching the signals (a later one acts as it would without
// this command: it ends the process).
func (in *interruptible) Stop() { in.stop() }

// Signal is the signal caught, nil if none.
func (in *interruptible) Signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.caught
}

// Interrupted wraps err (the command's message) so that the command exits
// 128+n for the signal caught: 130 for SIGINT.
func (in *interruptible) Interrupted(err error) error {
	return &interruptedError{err: err, sig: in.Signal()}
}

// interruptedError is a command stopped by a signal: its message, and exit
// status 128 + the signal's number.
type interruptedError struct {
	err error
	sig os.Signal
}

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// ExitCode is 128 + the signal's number (130 for SIGINT, 143 for SIGTERM,
// 129 for SIGHUP), as a shell reports a process the signal ended.
func (e *interruptedError) ExitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok && s > 0 {
		return 128 + int(s)
	}
	return ExitInterrupted
}

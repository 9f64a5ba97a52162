package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
)

// The console's exit status: ctrl+c that stopped the job the console ran
// is 130, as the command line's interrupted job; a normal quit is 0.
func TestConsoleExitStatus(t *testing.T) {
	for _, c := range []struct {
		name        string
		hungUp      bool
		err         error
		interrupted bool
		want        int
	}{
		{"normal quit", false, nil, false, 0},
		{"ctrl+c stopped the running job", false, nil, true, ExitInterrupted},
		{"killed by a hangup", true, tea.ErrProgramKilled, false, 129},
		{"hangup during a job", true, nil, true, 129},
		{"the program failed", false, errors.New("tty gone"), false, 1},
	} {
		if got := exitStatus(c.hungUp, c.err, c.interrupted); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.want)
		}
	}
	if ExitInterrupted != 130 {
		t.Fatalf("ExitInterrupted = %d", ExitInterrupted)
	}
}

// After quitting, the console says what became of the job it ran: when it
// finished (with the zone), or that it was stopped and is queued again.
func TestConsoleSaysWhenTheJobFinished(t *testing.T) {
	old := time.Local
	time.Local = time.FixedZone("EST", -5*3600)
	t.Cleanup(func() { time.Local = old })
	ended := time.Date(2026, 9, 30, 14, 7, 0, 0, time.UTC)
	got := jobOutcome(model.Job{Seq: 4, Name: "Night batch", State: model.JobCompleted, Total: 300, Ended: ended})
	if want := `job #4 "Night batch" completed at 2026-09-30 09:07:00 EST: 300 token files written.`; got != want {
		t.Errorf("completed: %q, want %q", got, want)
	}
	got = jobOutcome(model.Job{Seq: 4, Name: "Night batch", State: model.JobQueued, Total: 300})
	if !strings.Contains(got, "stopped before it finished: nothing was changed; it is queued again and runs from the start with the next runner") {
		t.Errorf("stopped: %q", got)
	}
}

package shell_test

import (
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// The quit question follows the job: while it runs it says what quitting
// does to it; when it ends, the question says when, and no longer warns.
func TestQuitQuestionSaysWhenTheJobFinished(t *testing.T) {
	old := time.Local
	time.Local = time.FixedZone("EST", -5*3600)
	t.Cleanup(func() { time.Local = old })

	m, _ := newModel(t, 80, 24)
	uitest.Update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobRunning, Done: 10, Total: 100})
	pressKey(t, m, "q")
	uitest.WantFlat(t, m, `Job #4 "Night batch" is running (10 of 100 tokens). If this console runs it, swtoken finishes it before exiting`)
	at := time.Date(2026, 9, 30, 14, 7, 0, 0, time.UTC)
	uitest.Update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobCompleted, Done: 100, Total: 100, At: at})
	if !m.ConfirmingQuit() {
		t.Fatal("the question closed when the job ended")
	}
	uitest.WantFlat(t, m, `Job #4 "Night batch" completed at 2026-09-30 09:07:00 EST: quitting no longer affects it.`)
	uitest.WantScreen(t, m, "Nothing is lost by quitting now.")
	uitest.WantNoScreen(t, m, "not finished")
	pressKey(t, m, "y")
	if !m.Quitting() || m.QuitByCtrlC() {
		t.Fatalf("y: quitting %v, by ctrl+c %v", m.Quitting(), m.QuitByCtrlC())
	}
}

// ctrl+c during a job says that the job stops and is queued again, and
// the root reports the quit as an interrupt (Run exits 130); q asks to
// finish the job first (Run exits 0).
func TestCtrlCDuringAJobIsAnInterrupt(t *testing.T) {
	m, _ := newModel(t, 80, 24)
	uitest.Update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobRunning, Done: 10, Total: 100})
	pressKey(t, m, "ctrl+c")
	if !m.ConfirmingQuit() {
		t.Fatal("ctrl+c quit at once while a job ran")
	}
	uitest.WantFlat(t, m, "quitting with ctrl+c stops it: nothing is changed, and it is queued again and runs from the start with the next runner")
	pressKey(t, m, "y")
	if !m.Quitting() || !m.QuitByCtrlC() {
		t.Fatalf("ctrl+c, y: quitting %v, by ctrl+c %v", m.Quitting(), m.QuitByCtrlC())
	}

	m, _ = newModel(t, 80, 24)
	uitest.Update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobRunning, Done: 10, Total: 100})
	pressKey(t, m, "q", "ctrl+c")
	if !m.Quitting() || !m.QuitByCtrlC() {
		t.Fatalf("q, ctrl+c: quitting %v, by ctrl+c %v", m.Quitting(), m.QuitByCtrlC())
	}

	// Without a job, ctrl+c is a plain quit.
	m, _ = newModel(t, 80, 24)
	pressKey(t, m, "ctrl+c")
	if !m.Quitting() {
		t.Fatal("ctrl+c did not quit")
	}
}

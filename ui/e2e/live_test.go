//go:build e2e

package e2e

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// liveWithin is the acceptance bound: a console shows a change made by
// another process within 2 s (it polls the change counter every second).
const liveWithin = 2 * time.Second

// TestE2EConsoleShowsCLIChanges is the acceptance of the live console: a
// console shows a job queued by the CLI, and an import made by the CLI,
// within 2 s. The second job is queued while the console's runner is busy
// with the first, so that only the poll (no engine event) can show it; the
// console's runner then claims and runs both.
func TestE2EConsoleShowsCLIChanges(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo", "--users", "8000", "--tokens", "8000")
	s := startConsole(t, dir, data, 100, 30, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s.keys("2", "Enter")
	s.waitFor(`1 In Progress \(0\)`, 5*time.Second)

	cli(t, data, "distribute", "--job", "CLI big", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000007000", "--queue", "--yes")
	s.waitFor(`#1 +CLI big +(Queued|Running)`, liveWithin)
	s.waitFor(`#1 +CLI big +Running`, 5*time.Second)

	cli(t, data, "distribute", "--job", "CLI small", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000007001", "--to", "100000007100", "--queue", "--yes")
	s.waitFor(`#2 +CLI small +Queued`, liveWithin)
	if !regexp.MustCompile(`#1 +CLI big +Running`).MatchString(s.screen()) {
		t.Fatalf("the first job is no longer running: the second was not shown while the runner was busy\n%s", s.screen())
	}
	// The console's runner claims both (the CLI only queued them).
	s.waitFor(`\[1 In Progress \(0\)\] +2 Completed \(2\)`, 60*time.Second)

	// The Tokens screen, filtered to a serial that is not there yet.
	s.keys("Escape")
	s.waitFor(`> 2  Jobs`, 5*time.Second)
	s.keys("5", "Enter")
	s.waitFor(`page 1/\d+ . 8,000 items`, 10*time.Second)
	s.keys("/")
	s.typ("98765")
	s.waitFor(`No matches\.`, 5*time.Second)
	vec, err := filepath.Abs(filepath.Join("..", "..", "testdata", "vectors", "f02-6d-30s-nopin-nopw.sdtid"))
	if err != nil {
		t.Fatal(err)
	}
	cli(t, data, "import", "tokens", vec)
	s.waitFor(`> 987654321098 `, liveWithin)
	s.waitFor(`1 of 8,001`, liveWithin)
	s.waitFor(`Filter: 98765`, time.Second) // the filter being typed stayed

	s.keys("C-c")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}
}

// TestE2ESecondConsoleFollowsAJobRunElsewhere: console A runs a job of
// about 16,000 tokens; console B, opened on the same data directory while
// it runs, shows it Running with progress that moves (read from the store:
// B's engine does not run it), then Completed.
func TestE2ESecondConsoleFollowsAJobRunElsewhere(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo", "--users", "20000", "--tokens", "20000")
	a := startConsole(t, dir, data, 100, 30, "TERM=xterm-256color", "LANG=C.UTF-8")
	a.waitFor(`Distribute Software Tokens`, 10*time.Second)
	a.keys("2", "Enter")
	a.waitFor(`1 In Progress \(0\)`, 5*time.Second)
	cli(t, data, "distribute", "--job", "Big batch", "--profile", "Staff iPhone", "--password-mode", "none", "--all", "--queue", "--yes")
	a.waitFor(`#1 +Big batch +Running`, 5*time.Second)

	b := startConsole(t, dir, data, 100, 30, "TERM=xterm-256color", "LANG=C.UTF-8")
	b.waitFor(`Distribute Software Tokens`, 10*time.Second)
	b.keys("2", "Enter")
	b.waitFor(`#1 +Big batch +Running`, 5*time.Second)
	progress := `(\d+)%  ([\d,]+) of ([\d,]+)`
	first := b.waitFor(progress, 5*time.Second)[2]
	rx := regexp.MustCompile(progress)
	deadline := time.Now().Add(5 * time.Second)
	for {
		scr := b.screen()
		if m := rx.FindStringSubmatch(scr); m != nil && m[2] != first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("console B's progress stayed at %s for 5 s:\n%s", first, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.waitFor(`\[1 In Progress \(0\)\] +2 Completed \(1\)`, 90*time.Second)
	b.keys("2")
	b.waitFor(`#1 +Big batch +Completed`, 5*time.Second)
	a.waitFor(`2 Completed \(1\)`, 5*time.Second)

	for _, s := range []*tmuxSession{b, a} {
		s.keys("C-c")
		if st := s.exitStatus(10 * time.Second); st != 0 {
			t.Fatalf("exit status %d:\n%s", st, s.history())
		}
	}
}

package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/swtoken/swtoken/cli"
	"github.com/swtoken/swtoken/ui"
)

// The console's exit status reaches the shell as it is: 130 when ctrl+c
// stopped its job, the command line's status for an interrupted job.
func TestConsoleInterruptExitsAsTheCLI(t *testing.T) {
	if ui.ExitInterrupted != cli.ExitInterrupted {
		t.Fatalf("console %d, command line %d", ui.ExitInterrupted, cli.ExitInterrupted)
	}
	var out, errOut bytes.Buffer
	console := func(string, string, time.Duration) int { return ui.ExitInterrupted }
	if got := cli.Run([]string{"--data-dir", t.TempDir()}, cli.IO{Stdin: &bytes.Buffer{}, Stdout: &out, Stderr: &errOut}, console); got != 130 {
		t.Fatalf("exit %d, want 130 (%s)", got, errOut.String())
	}
}

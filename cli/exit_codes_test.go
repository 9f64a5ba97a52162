package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptJob runs `distribute` in a child process, sends it sig once its
// job writes, and returns the exit status and output.
func interruptJob(t *testing.T, dir string, sig syscall.Signal, args ...string) (int, string, string) {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "writing")
	cmd := childCmd(t, "run", append([]string{"--data-dir", dir}, args...)...)
	cmd.Env = append(cmd.Env, childMarkerEnv+"="+marker)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child's job never wrote\nstdout: %s\nstderr: %s", out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// TestExitCodes is README's "Exit codes" table, row by row: 0 success and
// no-ops, 1 a refused or failed operation, 2 a usage error, 3 the store in
// use, 130 (128 + the signal) a command interrupted by ctrl+c.
func TestExitCodes(t *testing.T) {
	dir := demoDir(t)
	var held, disabled tokenJSON
	for _, tok := range decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json")) {
		if held.Serial == "" && tok.AssignedUser != "" {
			held = tok
		} else if disabled.Serial == "" && tok.AssignedUser == "" && !tok.Enabled {
			disabled = tok
		}
	}
	if held.Serial == "" || disabled.Serial == "" {
		t.Fatalf("demo fixture: held %+v disabled %+v", held, disabled)
	}
	pw := writeFile(t, "pw", "pppppppppppppppppppp\n") // most user IDs + 20 are too long
	distribute := func(extra ...string) []string {
		return append([]string{"distribute", "--profile", "Staff iPhone", "--password-mode", "none", "--from", "100000000001", "--to", "100000000010"}, extra...)
	}
	inProcess := func(args ...string) func(t *testing.T) (int, string, string) {
		return func(t *testing.T) (int, string, string) { return runCmd(t, dir, "", args...) }
	}
	rows := []struct {
		name string
		want int
		run  func(t *testing.T) (code int, stdout, stderr string)
		says string // on stdout or stderr
	}{
		{"success", ExitOK, inProcess("tokens", "list"), held.Serial},
		{"assigning a token to its holder is a no-op", ExitOK,
			inProcess("assign", "--serial", held.Serial, "--user", held.AssignedUser), "already assigned to " + held.AssignedUser},
		{"disabling a disabled token is a no-op", ExitOK, func(t *testing.T) (int, string, string) {
			mustRun(t, dir, "tokens", "disable", disabled.Serial)
			return runCmd(t, dir, "", "tokens", "disable", disabled.Serial)
		}, "is already disabled"},
		{"a refused operation", ExitFailure, inProcess("assign", "--serial", "999999999999", "--user", held.AssignedUser), "999999999999"},
		{"a job refused for passwords too long names the count and the flag", ExitFailure,
			inProcess("distribute", "--job", "Long", "--profile", "Staff iPhone", "--password-mode", "userid+password",
				"--password-file", pw, "--all", "--dry-run"), "run again with --skip-too-long"},
		{"an unknown flag", ExitUsage, inProcess("tokens", "list", "--nope"), "flag provided but not defined: -nope"},
		{"a blank --job", ExitUsage, inProcess(distribute("--job", "", "--dry-run")...), "--job must not be blank"},
		{"a blank --job of spaces", ExitUsage, inProcess(distribute("--job", "  ", "--dry-run")...), "--job must not be blank"},
		{"--job given twice", ExitUsage, inProcess(distribute("--job", "A", "--job", "B", "--dry-run")...), `--job is given twice ("A" and "B")`},
		{"--json without --dry-run", ExitUsage, inProcess(distribute("--job", "A", "--json")...), "--json goes with --dry-run"},
		{"the store in use", ExitInUse, func(t *testing.T) (int, string, string) {
			_, release := holdStore(t, dir, "exit codes test")
			defer release()
			return runCmd(t, dir, "", "--lock-wait", "200ms", "tokens", "list")
		}, "in use"},
		{"the outbox being sent by another process", ExitInUse, func(t *testing.T) (int, string, string) {
			configureLoopbackSMTP(t, dir)
			defer holdOutboxSendLock(t, dir)()
			return runCmd(t, dir, "", "--lock-wait", "200ms", "mail", "send")
		}, "is still sending the outbox"},
		{"ctrl+c during a job", ExitInterrupted, func(t *testing.T) (int, string, string) {
			return interruptJob(t, dir, syscall.SIGINT, distribute("--job", "Interrupted")...)
		}, "interrupted: a job this command was running changed nothing and is queued again"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			code, out, errOut := r.run(t)
			if code != r.want || !strings.Contains(out+errOut, r.says) {
				t.Fatalf("exit %d, want %d saying %q\nstdout: %s\nstderr: %s", code, r.want, r.says, out, errOut)
			}
		})
	}
	// The interrupted job changed nothing and waits in the queue.
	if out := mustRun(t, dir, "jobs", "list"); !strings.Contains(out, "Queued") {
		t.Fatalf("the interrupted job is not queued again:\n%s", out)
	}
}

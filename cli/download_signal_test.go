package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store/storetest"
)

// startDownloadChild starts `swtoken jobs download` in a child process
// whose source ZIP is a FIFO (the test feeds it), waits until half the
// ZIP is in its temporary file and returns the child, its stderr and the
// FIFO's writing end.
func startDownloadChild(t *testing.T, dir, output string, data []byte, target string) (*exec.Cmd, *bytes.Buffer, *os.File) {
	t.Helper()
	os.Remove(output)
	if err := syscall.Mkfifo(output, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := childCmd(t, "run", "--data-dir", dir, "jobs", "download", "Rollout 1", "--out", target)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errOut, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	// Open the FIFO once the child has (ENXIO until then).
	var w *os.File
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.OpenFile(output, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			w = f
			break
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			t.Fatalf("open the FIFO: %v\nchild: %s", err, errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { w.Close() })
	half := len(data) / 2
	if _, err := w.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	tmpDir := filepath.Dir(target)
	for {
		ents, _ := os.ReadDir(tmpDir)
		for _, de := range ents {
			if fi, err := de.Info(); err == nil && strings.HasPrefix(de.Name(), ".") && fi.Size() == int64(half) {
				return cmd, &errOut, w
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporary file of %d bytes in %s\nchild: %s", half, tmpDir, errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDownloadSignalsRemoveTheTemporaryFile: SIGINT, SIGTERM or SIGHUP in
// the middle of `jobs download` removes the temporary copy of the ZIP (it
// holds token secrets), writes nothing and exits 128 + the signal's number
// (130 for SIGINT) with a message. After
// a SIGKILL, which nothing can catch, the next download removes the copy
// the killed process left and says so on stderr.
func TestDownloadSignalsRemoveTheTemporaryFile(t *testing.T) {
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Rollout 1", "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000010", "--yes")
	j := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Rollout 1", "--json"))
	data, err := os.ReadFile(j.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		out := t.TempDir()
		target := filepath.Join(out, "r1.zip")
		cmd, errOut, _ := startDownloadChild(t, dir, j.Output, data, target)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if cmd.ProcessState.ExitCode() != 128+int(sig) ||
			!strings.Contains(errOut.String(), "swtoken: download of "+target+" interrupted: nothing was written and the temporary copy was removed") {
			t.Fatalf("%v: %v\n%s", sig, err, errOut.String())
		}
		if names := storetest.DirNames(t, out); len(names) != 0 {
			t.Fatalf("%v: left behind %v", sig, names)
		}
	}

	out := t.TempDir()
	target := filepath.Join(out, "r1.zip")
	cmd, _, _ := startDownloadChild(t, dir, j.Output, data, target)
	cmd.Process.Kill()
	cmd.Wait()
	left := storetest.DirNames(t, out)
	if len(left) != 1 {
		t.Fatalf("after SIGKILL: %v", left)
	}
	// The job's ZIP is a file again.
	os.Remove(j.Output)
	if err := os.WriteFile(j.Output, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, dir, "", "jobs", "download", "Rollout 1", "--out", target)
	want := "swtoken: removed 1 stale temporary file from an interrupted download: " + filepath.Join(out, left[0]) + "\n"
	if code != ExitOK || stderr != want || !strings.Contains(stdout, "Wrote "+target) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s\nwant stderr: %s", code, stdout, stderr, want)
	}
	if names := storetest.DirNames(t, out); len(names) != 1 || names[0] != "r1.zip" {
		t.Fatalf("in the directory: %v", names)
	}
	mustMode0600(t, target)
}

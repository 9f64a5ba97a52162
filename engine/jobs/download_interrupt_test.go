package jobs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store/storetest"
)

// feedThroughFIFO replaces the job's output file by a FIFO, so that a
// download of it reads what the test writes, when the test writes it. It
// returns the ZIP's bytes.
func feedThroughFIFO(t *testing.T, output string) []byte {
	t.Helper()
	data, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(output); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(output, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

// waitForTemp waits until dir holds a download's temporary file of size
// bytes and returns its path.
func waitForTemp(t *testing.T, dir string, size int64) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(dir)
		for _, de := range ents {
			if strings.HasPrefix(de.Name(), ".swtoken-dl-") {
				if fi, err := de.Info(); err == nil && fi.Size() == size {
					return filepath.Join(dir, de.Name())
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no temporary file of %d bytes in %s: %v", size, dir, storetest.DirNames(t, dir))
	return ""
}

// TestInterruptedDownloadRemovesItsTemporaryFile: when the context ends
// (the CLI's signal handler cancels it) in the middle of the copy, the
// download stops, removes its temporary copy of the ZIP and says so;
// nothing is written.
func TestInterruptedDownloadRemovesItsTemporaryFile(t *testing.T) {
	e, j := completedJob(t)
	data := feedThroughFIFO(t, j.Output)
	dir := t.TempDir()
	target := filepath.Join(dir, "r.zip")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.Download(ctx, j.Seq, target, false)
		done <- err
	}()
	w, err := os.OpenFile(j.Output, os.O_WRONLY, 0) // waits for the download to open it
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	half := len(data) / 2
	if _, err := w.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Base(waitForTemp(t, dir, int64(half)))
	// The temporary name is short (it does not grow with the target's) and
	// says whose it is.
	if want := downloadTempPrefix("r.zip") + strconv.Itoa(os.Getpid()) + "-"; !strings.HasPrefix(tmp, want) || !strings.HasSuffix(tmp, ".tmp") || len(tmp) > 50 {
		t.Fatalf("temporary file %q, want %q...tmp", tmp, want)
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the download did not stop")
	}
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "download of "+target+" interrupted: nothing was written and the temporary copy was removed") {
		t.Fatalf("err = %v", err)
	}
	if names := storetest.DirNames(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.ProcessState.Pid()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Skipf("pid %d was reused at once", pid)
	}
	return pid
}

// TestDownloadRemovesStaleTemporaryFiles: a temporary file of an earlier
// download to the same name whose process is gone (SIGKILL, a crash) is
// removed by the next download, which reports it. One of a live process,
// one whose lock is held (a writer on another host sharing the directory)
// and one for another file name are left alone.
func TestDownloadRemovesStaleTemporaryFiles(t *testing.T) {
	e, j := completedJob(t)
	dir := t.TempDir()
	dead := strconv.Itoa(deadPID(t))
	prefix := downloadTempPrefix("r.zip")
	stale := filepath.Join(dir, prefix+dead+"-123456.tmp")
	live := filepath.Join(dir, prefix+strconv.Itoa(os.Getppid())+"-1.tmp")
	locked := filepath.Join(dir, prefix+dead+"-777.tmp")
	other := filepath.Join(dir, downloadTempPrefix("other.zip")+dead+"-2.tmp")
	for _, p := range []string{stale, live, locked, other} {
		if err := os.WriteFile(p, []byte("PK secret"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lf, err := os.Open(locked)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	res, err := e.Download(context.Background(), j.Seq, filepath.Join(dir, "r.zip"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.StaleRemoved, []string{stale}) {
		t.Fatalf("removed %v, want %v", res.StaleRemoved, []string{stale})
	}
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the stale file is still there: %v", err)
	}
	for _, p := range []string{live, locked, other} {
		if _, err := os.Lstat(p); err != nil {
			t.Fatalf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

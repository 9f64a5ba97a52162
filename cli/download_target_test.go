package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store/storetest"
)

// TestDownloadForceReplacesOnlyAFile: `jobs download --force` onto a FIFO
// is refused with a message naming what it is, and the FIFO stays.
func TestDownloadForceReplacesOnlyAFile(t *testing.T) {
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Rollout 1", "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000005", "--yes")
	fifo := filepath.Join(t.TempDir(), "pipe.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	expectFail(t, dir, ExitFailure, "cannot write "+fifo+": it is a FIFO (named pipe); only a regular file is ever replaced: choose another name",
		"jobs", "download", "Rollout 1", "--out", fifo, "--force")
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		t.Fatalf("the FIFO is now %v (%v)", fi.Mode(), err)
	}
}

// TestDownloadLongJobName: a job named with 128 CJK characters (384
// bytes) downloads under its default name, cut to fit the 255-byte file
// name limit; an --out name that is too long gets an error that says so.
func TestDownloadLongJobName(t *testing.T) {
	dir := demoDir(t)
	name := strings.Repeat("漢", model.MaxJobNameLen)
	mustRun(t, dir, "distribute", "--job", name, "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000005", "--yes")
	out := t.TempDir()
	t.Chdir(out)
	got := mustRun(t, dir, "jobs", "download", name)
	want := strings.Repeat("漢", 83) + ".zip" // 253 bytes
	if !strings.Contains(got, "Wrote "+filepath.Join(out, want)+" ") {
		t.Fatalf("stdout: %s", got)
	}
	mustMode0600(t, filepath.Join(out, want))

	long := filepath.Join(out, strings.Repeat("漢", 84)+".zip") // 256 bytes
	expectFail(t, dir, ExitFailure, "cannot write "+long+": the file name is 256 bytes, the file system allows 255: choose a shorter --out",
		"jobs", "download", name, "--out", long)
	if names := storetest.DirNames(t, out); len(names) != 1 {
		t.Fatalf("in the directory: %v", names)
	}
}

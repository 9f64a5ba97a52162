package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
)

// completedJobSeq submits a small job to the real engine and waits for it
// to complete.
func completedJobSeq(t *testing.T, be *engineBackend) uint64 {
	t.Helper()
	spec := model.JobSpec{Name: "Console download", Profile: "Staff iPhone",
		Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
		PasswordMode: model.PasswordUserID,
		Criteria:     model.Criteria{From: "100000000001", To: "100000000005"}}
	p, err := be.Preview(spec, "")
	if err == nil {
		err = model.CanSubmit(spec, p.Summary)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, typed := model.ConfirmationRequired(spec, p.Summary)
	j, err := be.Submit(spec, "", typed, p.Summary.Selection())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if j, err = be.Job(j.Seq); err == nil && j.State.Terminal() {
			break
		}
	}
	if j.State != model.JobCompleted {
		t.Fatalf("job: %+v", j)
	}
	return j.Seq
}

// TestConsoleDownloadTargets: the console's download (the engine's) with
// the overwrite confirmation refuses a FIFO and names it, says when a
// file name is too long, and reports the stale temporary files of an
// interrupted download that it removed.
func TestConsoleDownloadTargets(t *testing.T) {
	be, _ := realBackend(t)
	seq := completedJobSeq(t, be)
	dir := t.TempDir()

	fifo := filepath.Join(dir, "pipe.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := be.Download(seq, fifo, true)
	if err == nil || errors.Is(err, jobsui.ErrExists) || !strings.Contains(err.Error(), "it is a FIFO (named pipe); only a regular file is ever replaced") {
		t.Fatalf("FIFO: %v", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		t.Fatalf("the FIFO is now %v (%v)", fi.Mode(), err)
	}

	long := filepath.Join(dir, strings.Repeat("é", 126)+".zip")
	if _, err := be.Download(seq, long, false); err == nil || !strings.HasSuffix(err.Error(), ": the file name is 256 bytes, the file system allows 255: choose a shorter name") {
		t.Fatalf("long name: %v", err)
	}

	// A temporary file named as a download to r.zip by a process that is
	// gone names it.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("r.zip"))
	stale := filepath.Join(dir, ".swtoken-dl-"+hex.EncodeToString(sum[:4])+"-"+strconv.Itoa(cmd.ProcessState.Pid())+"-42.tmp")
	if err := os.WriteFile(stale, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := be.Download(seq, filepath.Join(dir, "r.zip"), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "removed 1 stale temporary file from an interrupted download: " + stale; d.Note != want || d.Path != filepath.Join(dir, "r.zip") {
		t.Fatalf("%+v, want note %q", d, want)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale file: %v", err)
	}
}

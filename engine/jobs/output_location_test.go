package jobs

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/store/storetest"
)

// The tests in this file copy, move and restore a data directory that holds
// a completed job, and check that download and delete-output in each place
// act on that place's own ZIP only.

// outputOf is the absolute path of a completed job's ZIP (the job records
// it relative to the data directory).
func outputOf(t testing.TB, st *store.Store, j model.Job) string {
	t.Helper()
	path, err := st.OutputFile(j)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// completedJobIn creates a demo store in dir, runs one job to completion,
// closes the store and returns the job.
func completedJobIn(t *testing.T, dir string) model.Job {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := inventory.LoadDemo(st, 20, 50, testNow); err != nil {
		t.Fatal(err)
	}
	e := New(st, Options{Now: func() time.Time { return testNow }})
	submit(t, e, spec("Copied", model.PasswordNone, "100000000001", "100000000010"), "")
	j := runAll(t, e)
	if j.State != model.JobCompleted {
		t.Fatalf("job ended %+v", j)
	}
	return j
}

// openEngineAt opens the store in dir (migrating it if needed) with an
// engine on it; both close at cleanup.
func openEngineAt(t *testing.T, dir string) (*store.Store, *Engine) {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, New(st, Options{Now: func() time.Time { return testNow }})
}

// zipIn is where a job's ZIP lives in the data directory dir.
func zipIn(dir string, seq uint64) string {
	return filepath.Join(dir, "outputs", strconv.FormatUint(seq, 10)+".zip")
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v\n%s", err, out)
	}
}

func mustExist(t *testing.T, path string, want bool) {
	t.Helper()
	_, err := os.Stat(path)
	switch {
	case want && err != nil:
		t.Fatalf("%s should exist: %v", path, err)
	case !want && !os.IsNotExist(err):
		t.Fatalf("%s should not exist (%v)", path, err)
	}
}

// downloadFrom downloads the job's ZIP from the store in dir and checks
// that the bytes are the ZIP of that directory.
func downloadFrom(t *testing.T, dir string, seq uint64) {
	t.Helper()
	st, e := openEngineAt(t, dir)
	defer st.Close()
	target := filepath.Join(t.TempDir(), "out.zip")
	if _, err := e.Download(context.Background(), seq, target, false); err != nil {
		t.Fatalf("download from %s: %v", dir, err)
	}
	got, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	own, err := os.ReadFile(zipIn(dir, seq))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, own) {
		t.Fatalf("the download from %s is not that directory's ZIP", dir)
	}
}

func deleteOutputIn(t *testing.T, dir string, seq uint64) {
	t.Helper()
	st, e := openEngineAt(t, dir)
	defer st.Close()
	if _, err := e.DeleteOutput(seq); err != nil {
		t.Fatalf("delete-output in %s: %v", dir, err)
	}
}

func TestCopiedDataDirectoryActsOnItsOwnOutput(t *testing.T) {
	root := t.TempDir()
	orig, copyB, copyC := filepath.Join(root, "orig"), filepath.Join(root, "copy-b"), filepath.Join(root, "copy-c")
	j := completedJobIn(t, orig)
	copyDir(t, orig, copyB)
	copyDir(t, orig, copyC)

	// delete-output in a copy removes the copy's ZIP and nobody else's.
	deleteOutputIn(t, copyB, j.Seq)
	mustExist(t, zipIn(copyB, j.Seq), false)
	mustExist(t, zipIn(orig, j.Seq), true)
	mustExist(t, zipIn(copyC, j.Seq), true)

	// With the original's ZIP gone, the other copy still downloads its own.
	deleteOutputIn(t, orig, j.Seq)
	mustExist(t, zipIn(orig, j.Seq), false)
	downloadFrom(t, copyC, j.Seq)
	mustExist(t, zipIn(copyC, j.Seq), true)
}

func TestMovedDataDirectoryActsOnItsOwnOutput(t *testing.T) {
	root := t.TempDir()
	orig, moved := filepath.Join(root, "orig"), filepath.Join(root, "moved")
	j := completedJobIn(t, orig)
	if err := os.Rename(orig, moved); err != nil {
		t.Fatal(err)
	}
	downloadFrom(t, moved, j.Seq)
	deleteOutputIn(t, moved, j.Seq)
	mustExist(t, zipIn(moved, j.Seq), false)
}

// TestRestoredOldFormatStoreActsOnItsOwnOutput restores a backup written
// before output paths were relative: its job names the ZIP by an absolute
// path in the directory it was taken from, which still exists and holds
// another file by that name. After the upgrade at open, download and
// delete-output use the restored directory's ZIP.
func TestRestoredOldFormatStoreActsOnItsOwnOutput(t *testing.T) {
	root := t.TempDir()
	orig, restored := filepath.Join(root, "orig"), filepath.Join(root, "restored")
	j := completedJobIn(t, orig)
	copyDir(t, orig, restored)
	storetest.WriteAbsoluteOutputs(t, restored, orig)
	other := []byte("the original directory's file, not the restored job's ZIP")
	if err := os.WriteFile(zipIn(orig, j.Seq), other, 0o600); err != nil {
		t.Fatal(err)
	}

	downloadFrom(t, restored, j.Seq)
	st, _ := openEngineAt(t, restored)
	got, err := st.Job(j.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Output != "outputs/"+strconv.FormatUint(j.Seq, 10)+".zip" {
		t.Fatalf("after the upgrade the job records output %q", got.Output)
	}
	st.Close()
	deleteOutputIn(t, restored, j.Seq)
	mustExist(t, zipIn(restored, j.Seq), false)
	if data, err := os.ReadFile(zipIn(orig, j.Seq)); err != nil || !bytes.Equal(data, other) {
		t.Fatalf("the original directory's file was touched: %v", err)
	}
}

// TestDamagedOutputPathIsNeverActedOn: a job record naming a file outside
// the data directory (which the upgrade cannot match to the job's own
// outputs/<seq>.zip) is refused by download and delete-output, which read
// and delete nothing, and recovery keeps the job's own ZIP.
func TestDamagedOutputPathIsNeverActedOn(t *testing.T) {
	root := t.TempDir()
	dir, outside := filepath.Join(root, "data"), filepath.Join(root, "outside", "7.zip")
	j := completedJobIn(t, dir)
	if err := os.MkdirAll(filepath.Dir(outside), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("not swtoken's"), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.RewriteJobOutputs(t, dir, 1, func(seq uint64, output string) string {
		if seq == j.Seq {
			return outside
		}
		return output
	})
	st, e := openEngineAt(t, dir)
	target := filepath.Join(t.TempDir(), "out.zip")
	if _, err := e.Download(context.Background(), j.Seq, target, false); !errors.Is(err, store.ErrOutputPathDamaged) || !strings.Contains(err.Error(), outside) {
		t.Fatalf("download: %v", err)
	}
	mustExist(t, target, false)
	if _, err := e.DeleteOutput(j.Seq); !errors.Is(err, store.ErrOutputPathDamaged) {
		t.Fatalf("delete-output: %v", err)
	}
	if err := e.Recover(); err != nil {
		t.Fatal(err)
	}
	mustExist(t, outside, true)
	mustExist(t, zipIn(dir, j.Seq), true)
	if got, err := st.Job(j.Seq); err != nil || got.Output != outside || !got.OutputDeleted.IsZero() {
		t.Fatalf("the refused delete changed the job: %+v %v", got, err)
	}
}

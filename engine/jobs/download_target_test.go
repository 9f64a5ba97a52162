package jobs

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store/storetest"
)

// completedJob runs a small job and returns the engine and the completed
// job.
func completedJob(t *testing.T) (*Engine, model.Job) {
	t.Helper()
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	submit(t, e, spec("Download", model.PasswordUserID, "100000000001", "100000000005"), "")
	j := runAll(t, e)
	if j.State != model.JobCompleted || j.Output == "" {
		t.Fatalf("job: %+v", j)
	}
	// The record holds the path relative to the data directory; the tests
	// work on the file itself.
	abs, err := st.OutputFile(j)
	if err != nil {
		t.Fatal(err)
	}
	j.Output = abs
	return e, j
}

// TestDownloadReplacesOnlyARegularFile: a FIFO, a socket, a directory and
// (where mknod is allowed) a character and a block device are refused, with
// or without force, with a message that says what the target is; nothing
// changes and no temporary file is left.
func TestDownloadReplacesOnlyARegularFile(t *testing.T) {
	e, j := completedJob(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub.zip")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.zip")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cases := []struct {
		path, kind string
		mode       fs.FileMode
	}{
		{fifo, "a FIFO (named pipe)", fs.ModeNamedPipe},
		{sub, "a directory", fs.ModeDir},
		{sock, "a socket", fs.ModeSocket},
	}
	// Device nodes need CAP_MKNOD (root). They are made here and never
	// opened. /dev/null itself is used only by a user who cannot replace
	// it whatever the code does.
	chr := filepath.Join(dir, "null.zip")
	if err := syscall.Mknod(chr, syscall.S_IFCHR|0o600, 1<<8|3); err == nil {
		cases = append(cases, struct {
			path, kind string
			mode       fs.FileMode
		}{chr, "a character device", fs.ModeDevice | fs.ModeCharDevice})
		blk := filepath.Join(dir, "loop.zip")
		if err := syscall.Mknod(blk, syscall.S_IFBLK|0o600, 7<<8); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			path, kind string
			mode       fs.FileMode
		}{blk, "a block device", fs.ModeDevice})
	} else if os.Geteuid() != 0 {
		cases = append(cases, struct {
			path, kind string
			mode       fs.FileMode
		}{"/dev/null", "a character device", fs.ModeDevice | fs.ModeCharDevice})
	} else {
		t.Logf("no character device test: mknod: %v, and /dev/null is not risked as root", err)
	}
	before := storetest.DirNames(t, dir)
	for _, c := range cases {
		for _, force := range []bool{false, true} {
			_, err := e.Download(context.Background(), j.Seq, c.path, force)
			want := "cannot write " + c.path + ": it is " + c.kind + "; only a regular file is ever replaced"
			if err == nil || !strings.Contains(err.Error(), want) || errors.Is(err, ErrTargetExists) {
				t.Errorf("%s (force %v): %v, want %q", c.path, force, err, want)
			}
			fi, err := os.Lstat(c.path)
			if err != nil || fi.Mode().Type() != c.mode {
				t.Errorf("%s (force %v) is now %v (%v)", c.path, force, fi.Mode().Type(), err)
			}
		}
	}
	if after := storetest.DirNames(t, dir); !slices.Equal(before, after) {
		t.Fatalf("directory changed: %v, then %v", before, after)
	}
	if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null: %v %v", fi.Mode(), err)
	}
}

// TestDownloadReplacesASymlinkNotWhatItPointsTo: with force, a symbolic
// link at the target is replaced by a regular 0600 file; the file it
// pointed to is untouched, and a dangling link's target is not created.
// Without force it is an existing file like any other.
func TestDownloadReplacesASymlinkNotWhatItPointsTo(t *testing.T) {
	e, j := completedJob(t)
	want, err := os.ReadFile(j.Output)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	other := filepath.Join(dir, "other.txt")
	if err := os.WriteFile(other, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.zip")
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.zip")
	missing := filepath.Join(dir, "missing")
	if err := os.Symlink(missing, dangling); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Download(context.Background(), j.Seq, link, false); !errors.Is(err, ErrTargetExists) {
		t.Fatalf("without force: %v", err)
	}
	for _, p := range []string{link, dangling} {
		res, err := e.Download(context.Background(), j.Seq, p, true)
		if err != nil || res.Path != p {
			t.Fatalf("%s: %+v %v", p, res, err)
		}
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
			t.Fatalf("%s does not hold the ZIP", p)
		}
	}
	if got, err := os.ReadFile(other); err != nil || string(got) != "keep me" {
		t.Fatalf("the link's target changed: %q %v", got, err)
	}
	if fi, _ := os.Stat(other); fi.Mode().Perm() != 0o644 {
		t.Fatalf("the link's target's mode changed: %v", fi.Mode())
	}
	if _, err := os.Lstat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the dangling link's target was created: %v", err)
	}
	if names := storetest.DirNames(t, dir); len(names) != 3 {
		t.Fatalf("left in the directory: %v", names)
	}
}

//go:build unix

package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store"
)

// TestTokenFilePathThatIsNotARegularFile: a directory, a device and a FIFO
// are rejected with what they are, and a FIFO nobody writes to does not
// block the import.
func TestTokenFilePathThatIsNotARegularFile(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.sdtid")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(vectors, "f01-8d-60s-addpin-nopw.sdtid")
	cases := []struct{ path, want string }{
		{dir, "is a directory, not a regular file"},
		{os.DevNull, "is a character device, not a regular file"},
		{fifo, "is a FIFO (named pipe), not a regular file"},
		{filepath.Join(dir, "missing.sdtid"), "no such file or directory"},
	}
	files := []NamedData{{Name: good, Path: good}}
	for _, c := range cases {
		files = append(files, NamedData{Name: c.path, Path: c.path})
	}
	type outcome struct {
		res store.ImportResult
		err error
	}
	got := make(chan outcome, 1)
	go func() {
		res, err := ImportTokenFiles(st, files, TokenFileOptions{}, store.ImportOptions{Partial: true})
		got <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-got:
	case <-time.After(10 * time.Second):
		// Let the blocked open return, then fail.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("the import blocked on a FIFO")
	}
	if o.err != nil || o.res.Imported != 1 || len(o.res.Rejected) != len(cases) {
		t.Fatalf("%+v, %v", o.res, o.err)
	}
	for i, c := range cases {
		if r := o.res.Rejected[i]; r.Item != c.path || r.Reason != c.want && !strings.HasPrefix(r.Reason, c.want) {
			t.Errorf("%s: rejected as %q: %q, want %q", c.path, r.Item, r.Reason, c.want)
		}
	}
}

//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportTokensFromAFIFODoesNotBlock: a named pipe that nobody writes
// to, and a directory, are rejected with what they are; the import does
// not wait for the pipe.
func TestImportTokensFromAFIFODoesNotBlock(t *testing.T) {
	dir := dataDir(t)
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "pipe.sdtid")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCmd(t, dir, "", "import", "tokens", "--partial", vec("f01-8d-60s-addpin-nopw.sdtid"), fifo, tmp)
		done <- result{code, out, errOut}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil { // unblock the reader
			w.Close()
		}
		t.Fatal("import tokens blocked on a FIFO")
	}
	for _, want := range []string{
		"imported 1, skipped 0, rejected 2\n",
		"rejected: " + fifo + ": is a FIFO (named pipe), not a regular file",
		"rejected: " + tmp + ": is a directory, not a regular file",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q (exit %d):\n%s%s", want, r.code, r.out, r.err)
		}
	}
	if r.code != ExitFailure {
		t.Errorf("exit %d", r.code)
	}
}

package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store/storetest"
)

// TestDownloadFileNameLength: a file name of 255 bytes (the most the file
// system takes) is written, although its temporary name would have been
// longer had it been derived from it; 256 bytes get an error that says so,
// and nothing is written. The default name of a 128-character non-ASCII
// job fits.
func TestDownloadFileNameLength(t *testing.T) {
	e, j := completedJob(t)
	dir := t.TempDir()
	if m := nameMax(dir); m != 255 {
		t.Skipf("the temporary directory's file system takes names of %d bytes", m)
	}
	fits := strings.Repeat("é", 125) + "a.zip" // 255 bytes
	res, err := e.Download(context.Background(), j.Seq, filepath.Join(dir, fits), false)
	if err != nil {
		t.Fatalf("a 255-byte name: %v", err)
	}
	if fi, err := os.Stat(res.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", fi, err)
	}

	long := strings.Repeat("é", 126) + ".zip" // 256 bytes
	_, err = e.Download(context.Background(), j.Seq, filepath.Join(dir, long), false)
	var nt *NameTooLongError
	want := "cannot write " + filepath.Join(dir, long) + ": the file name is 256 bytes, the file system allows 255"
	if !errors.As(err, &nt) || err.Error() != want {
		t.Fatalf("a 256-byte name: %v\nwant %s", err, want)
	}

	for _, name := range []string{strings.Repeat("é", 128), strings.Repeat("漢", 128), strings.Repeat("😀", 128)} {
		p := filepath.Join(dir, model.DefaultDownloadName(name))
		if _, err := e.Download(context.Background(), j.Seq, p, false); err != nil {
			t.Fatalf("default name of %q: %v", name, err)
		}
	}
	if names := storetest.DirNames(t, dir); len(names) != 4 {
		t.Fatalf("in the directory: %d files, want 4", len(names))
	}
}

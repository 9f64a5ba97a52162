//go:build unix

package store

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// otherUID is the user the tests give store files to: nobody.
const otherUID = 65534

// chownToOther gives path to otherUID and back to the effective user when
// the test ends. Only root (CI runs as root) can do that; another user
// cannot give a file away, and only then is the test skipped.
func chownToOther(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, otherUID, -1); err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("cannot give %s to uid %d as uid %d: %v", path, otherUID, os.Geteuid(), err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Lchown(path, os.Geteuid(), -1); err != nil {
			t.Error(err)
		}
	})
}

// wantOwnerError checks that err is the OwnerError of path, naming the
// owner, the user running the test and the chown that fixes it.
func wantOwnerError(t *testing.T, err error, path string, dir bool) {
	t.Helper()
	var oe *OwnerError
	if !errors.As(err, &oe) {
		t.Fatalf("want an OwnerError for %s, got %v", path, err)
	}
	if oe.Path != path {
		t.Fatalf("the error names %s, want %s: %v", oe.Path, path, err)
	}
	me := strconv.Itoa(os.Geteuid())
	if u, err := user.LookupId(me); err == nil {
		me = u.Username
	}
	fix := "chown " + me + " " + path
	if dir {
		fix = "chown -R " + me + " " + path
	}
	msg := err.Error()
	for _, want := range []string{path + " is owned by ", "uid " + strconv.Itoa(otherUID), "refuses to use it", fix} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

// TestFilesOfAnotherOwnerAreRefused: the data directory, the store file,
// the outputs directory and the key file (in the data directory or
// elsewhere) owned by another user are refused, as OpenSSH's StrictModes
// refuses such key files, with an error naming the path, its owner and the
// chown that fixes it; the mode (0600/0700) does not matter, and nothing
// changes, also for a read-write open.
func TestFilesOfAnotherOwnerAreRefused(t *testing.T) {
	dir := initStore(t)
	for _, c := range []struct {
		path string
		dir  bool
	}{
		{dir, true},
		{filepath.Join(dir, DBFileName), false},
		{filepath.Join(dir, OutputsDirName), true},
		{filepath.Join(dir, KeyFileName), false},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			chownToOther(t, c.path)
			before := snapshot(t, filepath.Dir(dir))
			for _, ro := range []bool{true, false} {
				s, err := Open(Options{DataDir: dir, ReadOnly: ro})
				if err == nil {
					s.Close()
					t.Fatalf("read-only %v: opened a store with %s owned by uid %d", ro, c.path, otherUID)
				}
				wantOwnerError(t, err, c.path, c.dir)
				assertSameSnapshot(t, before, snapshot(t, filepath.Dir(dir)))
			}
		})
	}
	// Given back, the store opens again.
	s, err := Open(Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestKeyFileOfAnotherOwnerIsRefusedBeforeAnythingIsCreated: a --key-file
// owned by another user is refused before the new data directory is made.
func TestKeyFileOfAnotherOwnerIsRefusedBeforeAnythingIsCreated(t *testing.T) {
	dir := initStore(t)
	key := filepath.Join(dir, KeyFileName)
	chownToOther(t, key)
	root := t.TempDir()
	fresh := filepath.Join(root, "fresh")
	_, err := Open(Options{DataDir: fresh, KeyFile: key})
	wantOwnerError(t, err, key, false)
	if !strings.HasPrefix(err.Error(), "store key: ") {
		t.Errorf("the error does not say it is the store key: %v", err)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("the data directory was created: %v", err)
	}
}

//go:build unix

package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPrivateModesDespitePermissiveUmask: with umask 000 (an admin's
// careless shell), everything the store creates is still private: the data
// directory and its missing parents, outputs/ 0700; the database, the key
// and the holder file 0600, also after the holder file is rewritten.
func TestPrivateModesDespitePermissiveUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetActivity("rewritten"); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit("test", "modes", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(root, "a"), 0o700},
		{filepath.Join(root, "a", "b"), 0o700},
		{dir, 0o700},
		{filepath.Join(dir, OutputsDirName), 0o700},
		{filepath.Join(dir, DBFileName), 0o600},
		{filepath.Join(dir, KeyFileName), 0o600},
		{filepath.Join(dir, LockFileName), 0o600},
		{filepath.Join(dir, HoldersDirName), 0o700},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.mode {
			t.Errorf("%s: mode %04o, want %04o", c.path, fi.Mode().Perm(), c.mode)
		}
	}
	// Nothing else appeared (no temporary key or holder files).
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 5 {
		t.Errorf("data directory holds %v, want only %s, %s, %s, %s and %s", names, DBFileName, LockFileName, HoldersDirName, KeyFileName, OutputsDirName)
	}

	// A custom key file in a directory of its own is private too.
	key := filepath.Join(t.TempDir(), "custom.key")
	s2, err := Open(Options{DataDir: filepath.Join(root, "other"), KeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("custom key file: %v %v", fi.Mode(), err)
	}
}

// TestOthersReadableFilesAreRefused: each bit of group or other access is
// refused, not only read (a group-writable store could be replaced).
func TestOthersReadableFilesAreRefused(t *testing.T) {
	dir := initStore(t)
	db := filepath.Join(dir, DBFileName)
	for _, mode := range []os.FileMode{0o604, 0o620, 0o601, 0o640, 0o660} {
		if err := os.Chmod(db, mode); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		_, err := Open(Options{DataDir: dir, ReadOnly: true})
		wantErr(t, err, "run `chmod 600 "+db+"`")
		assertSameSnapshot(t, before, snapshot(t, dir))
	}
}

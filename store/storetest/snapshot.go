package storetest

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Snapshot records every file and directory under root (root included):
// mode, size, modification time and content hash, to prove that a refused
// or failed operation changed nothing. With dirTimes false a directory
// records its mode only: a command that opens the store read-write creates
// and removes its holder file, which touches the data directory's time even
// when it changes nothing.
func Snapshot(t testing.TB, root string, dirTimes bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		entry := fmt.Sprintf("%v size=%d mtime=%d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if d.IsDir() && !dirTimes {
			entry = fi.Mode().String()
		}
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			entry += fmt.Sprintf(" sha256=%x", sha256.Sum256(data))
		}
		out[path] = entry
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SameSnapshot reports (t.Errorf, prefixed with what) every path that
// disappeared, changed or appeared between two Snapshots.
func SameSnapshot(t testing.TB, what string, before, after map[string]string) {
	t.Helper()
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s: %s disappeared", what, p)
		} else if a != b {
			t.Errorf("%s: %s changed:\n before %s\n after  %s", what, p, b, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

// DirNames lists the names in dir, in directory order (os.ReadDir sorts
// them).
func DirNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range ents {
		out = append(out, de.Name())
	}
	return out
}

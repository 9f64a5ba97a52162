//go:build unix && !solaris && !aix

package jobs

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on a download's temporary file for as
// long as it is open, so that another host sharing the directory (whose
// pids mean nothing here) does not take it for a stale one. A file system
// without locks is no reason to fail: the pid in the name still counts.
func lockFile(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// removeUnlocked removes path unless another process holds its lock. It
// reports whether it removed it.
func removeUnlocked(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return true, nil
}

//go:build unix

package mail

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock takes an exclusive flock(2) on the file name in the outbox,
// waiting up to wait (0: not at all), and returns ErrLocked when another
// holder keeps it longer. It is how processes that share the outbox take
// turns: one sender at a time (SendDue), one queuer of a request's
// notice or token message at a time (engine/requests). Each call opens
// the file anew, so two goroutines of one process exclude each other
// too, and the kernel drops the lock when its holder dies, killed or not.
func (o *Outbox) Lock(name string, wait time.Duration) (release func(), err error) {
	path := filepath.Join(o.Dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("outbox: locking %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, &LockedError{Path: path, Waited: wait}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

//go:build unix

package mail

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockSending takes the outbox's send lock, an exclusive flock(2) on
// outbox/send.lock, without waiting: ErrSending when another process (or
// another Outbox value of this one) holds it. The kernel drops the lock
// when its holder exits, killed or not, so a crashed sender never leaves
// the outbox locked.
func lockSending(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, sendLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrSending
		}
		return nil, fmt.Errorf("outbox: locking %s: %w", sendLockName, err)
	}
	return func() { f.Close() }, nil
}

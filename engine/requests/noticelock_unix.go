//go:build unix

package requests

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockNotices takes the notice lock, an exclusive flock(2) on
// outbox/notices.lock, waiting up to noticeLockWait. It is held while a
// pending notice is checked, queued and its marker removed, so two
// processes (the console that made a request and a runner that saw the
// marker) never queue the same notice both. The kernel drops it when its
// holder dies, killed or not. Each call opens the file anew, so two
// goroutines of one process exclude each other too.
func lockNotices(outboxDir string) (release func(), err error) {
	name := filepath.Join(outboxDir, noticeLockName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the request notices: %w", err)
	}
	deadline := time.Now().Add(noticeLockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("the request notices: another process has held %s for %s", name, noticeLockWait)
			}
			return nil, fmt.Errorf("the request notices: locking %s: %w", name, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

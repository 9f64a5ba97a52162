//go:build unix

package store

import (
	"errors"
	"syscall"
)

// processAlive probes pid with signal 0. EPERM means the process exists but
// belongs to another user, which still makes it a live holder.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

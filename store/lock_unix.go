//go:build unix

package store

import (
	"errors"
	"syscall"
)

func lockType(write bool) int16 {
	if write {
		return syscall.F_WRLCK
	}
	return syscall.F_RDLCK
}

// tryLock takes the lock without waiting; false means someone else holds a
// conflicting one.
//
// A store made before swtoken.lock existed, opened read-only (which creates
// nothing), has no lock file: bbolt's own lock (polled every 50 ms) is then
// the only one, and holderPID cannot name the holder.
func (l *fileLock) tryLock(write bool) (bool, error) {
	if l.f == nil {
		return true, nil
	}
	lk := syscall.Flock_t{Type: lockType(write), Whence: 0, Start: 0, Len: 0}
	err := syscall.FcntlFlock(l.f.Fd(), syscall.F_SETLK, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		return false, nil
	}
	return err == nil, err
}

func (l *fileLock) unlock() error {
	if l.f == nil {
		return nil
	}
	lk := syscall.Flock_t{Type: syscall.F_UNLCK, Whence: 0, Start: 0, Len: 0}
	return syscall.FcntlFlock(l.f.Fd(), syscall.F_SETLK, &lk)
}

// holderPID returns the pid of a process whose lock conflicts with the one
// wanted, or 0 when there is none (any more) or it cannot be told.
func (l *fileLock) holderPID(write bool) int {
	if l.f == nil {
		return 0
	}
	lk := syscall.Flock_t{Type: lockType(write), Whence: 0, Start: 0, Len: 0}
	if err := syscall.FcntlFlock(l.f.Fd(), syscall.F_GETLK, &lk); err != nil || lk.Type == syscall.F_UNLCK {
		return 0
	}
	return int(lk.Pid)
}

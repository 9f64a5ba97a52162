//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// fileLock is the store's cross-process lock: a POSIX record lock (fcntl)
// on swtoken.lock, shared for reads and exclusive for writes. POSIX locks
// (rather than flock) because F_GETLK names the process that holds a
// conflicting lock, which the "store is in use" message needs. They are per
// process, so the file stays open for the life of the Store (closing any
// descriptor of it would drop the process's lock) and Store serialises its
// own goroutines with a mutex before it asks for this one. bbolt's own flock
// on swtoken.db, taken right after, remains the safety net.
type fileLock struct{ f *os.File }

// openFileLock opens (create: and creates, mode 0600) the lock file.
func openFileLock(path string, create bool) (*fileLock, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flag, fileMode)
	if err != nil {
		return nil, err
	}
	return &fileLock{f: f}, nil
}

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

func (l *fileLock) close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

package store

import "os"

// fileLock is the store's cross-process lock: a POSIX record lock (fcntl)
// on swtoken.lock, shared for reads and exclusive for writes. POSIX locks
// (rather than flock) because F_GETLK names the process that holds a
// conflicting lock, which the "store is in use" message needs. They are per
// process, so the file stays open for the life of the Store (closing any
// descriptor of it would drop the process's lock) and Store serialises its
// own goroutines with a mutex before it asks for this one. bbolt's own flock
// on swtoken.db, taken right after, remains the safety net.
//
// Where POSIX record locks are not available (lock_other.go) the lock is a
// no-op: bbolt's own file lock, taken with the same wait, serialises the
// processes, and the "in use" message cannot name the holder. A nil f (a
// store made before swtoken.lock existed, opened read-only) is a no-op too.
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

func (l *fileLock) close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

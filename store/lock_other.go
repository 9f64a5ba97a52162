//go:build !unix

package store

import "os"

// fileLock is a no-op where POSIX record locks are not available: bbolt's
// own file lock (taken with the same wait) serialises the processes, and
// the "in use" message cannot name the holder.
type fileLock struct{ f *os.File }

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

func (l *fileLock) tryLock(write bool) (bool, error) { return true, nil }
func (l *fileLock) unlock() error                    { return nil }
func (l *fileLock) holderPID(write bool) int         { return 0 }
func (l *fileLock) close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

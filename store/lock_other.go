//go:build !unix

package store

// No POSIX record locks here: see fileLock (lock.go).

func (l *fileLock) tryLock(write bool) (bool, error) { return true, nil }
func (l *fileLock) unlock() error                    { return nil }
func (l *fileLock) holderPID(write bool) int         { return 0 }

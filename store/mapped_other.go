//go:build !linux

package store

// releaseMapped is a no-op where madvise is not used (see mapped_linux.go).
func (t *Tx) releaseMapped() {}

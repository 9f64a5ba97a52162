//go:build linux

package store

import "syscall"

// releaseMapped drops the database pages this process has touched from its
// address space (madvise MADV_DONTNEED over bbolt's read-only, shared file
// mapping). The data does not change: bbolt writes through the file, never
// through the mapping, so a later read faults the same bytes back in from
// the page cache. A streaming walk over 100,000 tokens would otherwise keep
// every page it read resident and counted in the process's RSS (about
// 50 MB for a 100k store) although it needs one chunk at a time.
//
// It must run inside a transaction: a read transaction holds bbolt's mmap
// lock, and in a write transaction only the writer itself can remap (at
// commit), so the mapping cannot move underneath.
func (t *Tx) releaseMapped() {
	info := t.tx.DB().Info()
	size := t.tx.Size()
	if info == nil || info.Data == 0 || size <= 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, info.Data, uintptr(size), syscall.MADV_DONTNEED)
}

//go:build unix

package store

import (
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a path whose owner is not the effective user.
func checkOwner(path string, fi fs.FileInfo, wantDir bool) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return ownerError(path, wantDir, int(st.Uid), euid)
	}
	return nil
}

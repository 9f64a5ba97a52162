package jobs

import (
	"syscall"

	"github.com/swtoken/swtoken/model"
)

// nameMax is the longest file name the file system of dir takes.
func nameMax(dir string) int {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Namelen <= 0 {
		return model.MaxFileNameBytes
	}
	return int(st.Namelen)
}

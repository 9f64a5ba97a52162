//go:build !linux

package jobs

import "github.com/swtoken/swtoken/model"

// nameMax is the longest file name the file system of dir takes: 255 on
// the common ones (APFS, UFS, ZFS, NTFS).
func nameMax(string) int { return model.MaxFileNameBytes }

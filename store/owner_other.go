//go:build !unix

package store

import "io/fs"

// checkOwner has no owner uid to compare on this platform: the mode check
// (checkPrivate) is all there is.
func checkOwner(path string, fi fs.FileInfo, wantDir bool) error { return nil }

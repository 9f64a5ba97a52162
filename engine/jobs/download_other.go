//go:build !unix || solaris || aix

package jobs

import (
	"errors"
	"os"
)

func lockFile(*os.File) {}

func removeUnlocked(path string) (bool, error) {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

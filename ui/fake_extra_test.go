package ui

import (
	"fmt"

	"github.com/swtoken/swtoken/store"
)

// newDataDir is the fake as a new data directory: empty until an import
// adds to it, and then refusing the demo like the store does.
type newDataDir struct {
	*fakeBackend
	users int
}

func newNewDataDir() *newDataDir {
	be := newFakeBackend()
	be.empty = true
	return &newDataDir{fakeBackend: be}
}

func (f *newDataDir) ImportUsersCSV(path string, opts store.ImportOptions) (store.ImportResult, error) {
	res, err := f.fakeBackend.ImportUsersCSV(path, opts)
	if err == nil && res.Imported+res.Updated > 0 {
		f.mu.Lock()
		f.users += res.Imported
		f.empty = false
		f.mu.Unlock()
	}
	return res, err
}

func (f *newDataDir) LoadDemo() (string, error) {
	f.mu.Lock()
	empty, users := f.empty, f.users
	f.mu.Unlock()
	if !empty {
		return "", fmt.Errorf("the store is not empty (0 tokens, %d users)", users)
	}
	return f.fakeBackend.LoadDemo()
}

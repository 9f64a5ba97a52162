package inventory

import (
	"fmt"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// testNow is the fixed clock of every test.
var testNow = uitest.Now

// fakeBackend is an in-memory inventory.Backend that applies the model's
// rules (fake_inventory_test.go), with what the root and the home screen
// read (the tests open the screens from Home).
type fakeBackend struct {
	uitest.FakeStore
	profiles []model.Profile
	tokens   []model.Token
	jobs     []model.Job // oldest first

	// settings are the stored self-service settings (nil: the defaults).
	settings *model.Settings

	// The list screens' state (users, audit, imports): fake_inventory_test.go.
	inv fakeInventory
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{profiles: uitest.Profiles(), tokens: uitest.Tokens()}
}

func (f *fakeBackend) Jobs() ([]model.Job, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "jobs")
	return uitest.NewestFirst(f.jobs), nil
}

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) {
	f.Touch(func() {
		if change != nil {
			change(f)
		}
	})
}

// newDataDir is the fake as a new data directory: empty until an import
// adds to it, and then refusing the demo like the store does.
type newDataDir struct {
	*fakeBackend
	users int
}

func newNewDataDir() *newDataDir {
	be := newFakeBackend()
	be.Empty = true
	return &newDataDir{fakeBackend: be}
}

func (f *newDataDir) ImportUsersCSV(path string, opts store.ImportOptions) (store.ImportResult, error) {
	res, err := f.fakeBackend.ImportUsersCSV(path, opts)
	if err == nil && res.Imported+res.Updated > 0 {
		f.Mu.Lock()
		f.users += res.Imported
		f.Empty = false
		f.Mu.Unlock()
	}
	return res, err
}

func (f *newDataDir) LoadDemo() (string, error) {
	f.Mu.Lock()
	empty, users := f.Empty, f.users
	f.Mu.Unlock()
	if !empty {
		return "", fmt.Errorf("the store is not empty (0 tokens, %d users)", users)
	}
	return f.fakeBackend.LoadDemo()
}

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

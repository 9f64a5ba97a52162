package settings

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// fakeBackend is an in-memory settings.Backend that applies the model's
// rules, with what the root and the home screen read (the tests open the
// settings from Home).
type fakeBackend struct {
	uitest.FakeStore
	profiles []model.Profile

	// The self-service settings; nil until first read, then fakeSettings.
	settings   *model.Settings
	settingsOK int // successful SaveSettings calls
}

func newFakeBackend() *fakeBackend { return &fakeBackend{profiles: uitest.Profiles()} }

// Jobs: no job is unfinished.
func (f *fakeBackend) Jobs() ([]model.Job, error) { return nil, nil }

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) { f.Touch(func() { change(f) }) }

func (f *fakeBackend) Settings() (model.Settings, []model.Profile, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "settings")
	if f.settings == nil {
		s := fakeSettings(f.profiles)
		f.settings = &s
	}
	return copySettings(*f.settings), append([]model.Profile(nil), f.profiles...), nil
}

// ApplySettings applies the model's rules, all or nothing, like the
// store, and returns model.Diff; nothing changed writes nothing.
func (f *fakeBackend) ApplySettings(next model.Settings) ([]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "save settings")
	if f.settings != nil && next.Revision != f.settings.Revision {
		return nil, &store.ConflictError{What: store.SettingsWhat, Change: "changed", Op: "saved", By: "alice", From: "203.0.113.7", At: uitest.Now}
	}
	if err := next.Validate(f.profiles); err != nil {
		return nil, err
	}
	var old model.Settings
	if f.settings != nil {
		old = *f.settings
	}
	changes := model.Diff(old, next)
	if len(changes) == 0 {
		return nil, nil
	}
	s := copySettings(next)
	s.Revision++
	f.settings = &s
	f.settingsOK++
	return changes, nil
}

// SaveSettings is ApplySettings without the changes.
func (f *fakeBackend) SaveSettings(next model.Settings) error {
	_, err := f.ApplySettings(next)
	return err
}

// lapsedAndroid is the fake whose Staff Android confirmation lapsed: it
// was confirmed when its codes changed every 60 seconds; the profile has
// 30 now.
func lapsedAndroid() *fakeBackend {
	be := newFakeBackend()
	old := be.profiles[rowAndroid]
	old.Duration = 60
	set := fakeSettings(be.profiles)
	set.Entry("Staff Android").Confirmed = model.ConfirmFingerprint(old)
	be.settings = &set
	return be
}

package settings

import (
	"sync"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// fakeBackend is an in-memory settings.Backend that applies the model's
// rules, with what the root and the home screen read (the tests open the
// settings from Home).
type fakeBackend struct {
	mu       sync.Mutex
	empty    bool
	profiles []model.Profile
	// counter is the store's change counter; tests raise it (touch) for
	// a change by another process.
	counter uint64

	// The self-service settings; nil until first read, then fakeSettings.
	settings   *model.Settings
	settingsOK int // successful SaveSettings calls

	calls []string
}

func newFakeBackend() *fakeBackend {
	f := &fakeBackend{}
	f.profiles = []model.Profile{
		{Name: "Staff Android", Description: "SecurID software token for Android phones, 6-digit code every 30 seconds, PIN typed before the code.",
			DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryFile, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob},
		{Name: "Staff iPhone", Description: "SecurID software token for iPhone, 8-digit code every 60 seconds, PIN entered in the app.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
		{Name: "Windows desktop", Description: "Token for the Windows desktop app, tokencode only.",
			DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly},
		{Name: "iPhone quick setup (CTF)", Description: "iPhone token delivered as a CTF link.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
	}
	return f
}

// Jobs: no job is unfinished.
func (f *fakeBackend) Jobs() ([]model.Job, error) { return nil, nil }

// Events: no engine.
func (f *fakeBackend) Events() <-chan nav.JobEvent { return nil }

func (f *fakeBackend) IsEmpty() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.empty, nil
}

func (f *fakeBackend) LoadDemo() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.empty = false
	return "4 profiles, 8 users, 30 tokens", nil
}

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

func (f *fakeBackend) ChangeCounter() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "change counter")
	return f.counter, nil
}

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if change != nil {
		change(f)
	}
	f.counter++
}

func (f *fakeBackend) Settings() (model.Settings, []model.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "settings")
	if f.settings == nil {
		s := fakeSettings(f.profiles)
		f.settings = &s
	}
	return copySettings(*f.settings), append([]model.Profile(nil), f.profiles...), nil
}

// ApplySettings applies the model's rules, all or nothing, like the
// store, and returns model.Diff; nothing changed writes nothing.
func (f *fakeBackend) ApplySettings(next model.Settings) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "save settings")
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

package inventory

import (
	"fmt"
	"sync"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// testNow is the fixed clock of every test.
var testNow = uitest.Now

// fakeBackend is an in-memory inventory.Backend that applies the model's
// rules (fake_inventory_test.go), with what the root and the home screen
// read (the tests open the screens from Home).
type fakeBackend struct {
	mu       sync.Mutex
	empty    bool
	profiles []model.Profile
	tokens   []model.Token
	jobs     []model.Job // oldest first
	events   chan nav.JobEvent
	// counter is the store's change counter; tests raise it (touch) for
	// a change by another process.
	counter uint64

	// settings are the stored self-service settings (nil: the defaults).
	settings *model.Settings

	// The list screens' state (users, audit, imports): fake_inventory_test.go.
	inv fakeInventory

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
	users := []string{"asmith", "bgarcia", "cnguyen", "dmuller", "eokafor", "fkowalski", "gtanaka", "hjohansson"}
	for i := 0; i < 30; i++ {
		t := model.Token{
			Serial: fmt.Sprintf("%012d", 100_000_000_001+i), Kind: model.KindSoftware, Algorithm: model.AlgAES128,
			Birth: testNow.AddDate(-1, 0, 0), Death: testNow.AddDate(2, 0, 0),
		}
		switch {
		case i%10 == 9: // unassigned
		default:
			t.Assign(users[i%len(users)])
		}
		if i == 4 {
			t.Death = testNow.AddDate(0, 0, -3) // expired
		}
		if i == 6 || i == 7 {
			t.Distribution = model.Distribution{Count: 1, LastJob: "earlier"}
		}
		if i >= 27 {
			t.Algorithm = model.AlgSID64
		}
		f.tokens = append(f.tokens, t)
	}
	return f
}

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

func (f *fakeBackend) Jobs() ([]model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "jobs")
	out := make([]model.Job, 0, len(f.jobs))
	for i := len(f.jobs) - 1; i >= 0; i-- {
		out = append(out, f.jobs[i])
	}
	return out, nil
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

func (f *fakeBackend) Events() <-chan nav.JobEvent {
	if f.events == nil {
		return nil
	}
	return f.events
}

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

func (f *fakeBackend) Profiles() ([]model.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.Profile(nil), f.profiles...), nil
}

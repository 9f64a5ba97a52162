package uitest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// FakeStore is what every package's fake backend shares: an empty or
// filled store and its change counter, as the root and Home read them.
// A package's fake embeds it and guards its own state with Mu too.
type FakeStore struct {
	Mu    sync.Mutex
	Empty bool
	// Counter is the store's change counter; tests raise it (Touch) for a
	// change by another process.
	Counter uint64
	// JobEvents is what Events returns (nil: no engine).
	JobEvents chan nav.JobEvent
	// Calls are the backend calls, for assertions; a package's fake adds
	// its own with Mu held.
	Calls []string
	// Pending and Outbox are what HomeCounts answers (CountsErr: its
	// error).
	Pending, Outbox int
	CountsErr       error
}

// HomeCounts answers Home's pending requests and waiting messages.
func (f *FakeStore) HomeCounts() (pending, outbox int, err error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "home counts")
	return f.Pending, f.Outbox, f.CountsErr
}

func (f *FakeStore) IsEmpty() (bool, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.Empty, nil
}

func (f *FakeStore) LoadDemo() (string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Empty = false
	return "4 profiles, 8 users, 30 tokens", nil
}

func (f *FakeStore) ChangeCounter() (uint64, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "change counter")
	return f.Counter, nil
}

func (f *FakeStore) Events() <-chan nav.JobEvent { return f.JobEvents }

// Touch is a write by another process: change (if any) runs with Mu held,
// then the change counter rises.
func (f *FakeStore) Touch(change func()) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if change != nil {
		change()
	}
	f.Counter++
}

// CountCalls is how many of the calls were name.
func (f *FakeStore) CountCalls(name string) int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	n := 0
	for _, c := range f.Calls {
		if c == name {
			n++
		}
	}
	return n
}

// NewestFirst is jobs (oldest first) in the order the backend lists them.
func NewestFirst(jobs []model.Job) []model.Job {
	out := make([]model.Job, 0, len(jobs))
	for i := len(jobs) - 1; i >= 0; i-- {
		out = append(out, jobs[i])
	}
	return out
}

// Profiles are the demo's four software token profiles.
func Profiles() []model.Profile {
	return []model.Profile{
		{Name: "Staff Android", Description: "SecurID software token for Android phones, 6-digit code every 30 seconds, PIN typed before the code.",
			DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryFile, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob},
		{Name: "Staff iPhone", Description: "SecurID software token for iPhone, 8-digit code every 60 seconds, PIN entered in the app.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
		{Name: "Windows desktop", Description: "Token for the Windows desktop app, tokencode only.",
			DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryFile, TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly},
		{Name: "iPhone quick setup (CTF)", Description: "iPhone token delivered as a CTF link.",
			DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
	}
}

// Tokens are the demo's 30 software tokens at Now: assigned round the
// eight users but every tenth, one expired (index 4), two distributed
// before (6 and 7), the last three SID64.
func Tokens() []model.Token {
	users := []string{"asmith", "bgarcia", "cnguyen", "dmuller", "eokafor", "fkowalski", "gtanaka", "hjohansson"}
	var out []model.Token
	for i := 0; i < 30; i++ {
		t := model.Token{
			Serial: fmt.Sprintf("%012d", 100_000_000_001+i), Kind: model.KindSoftware, Algorithm: model.AlgAES128,
			Birth: Now.AddDate(-1, 0, 0), Death: Now.AddDate(2, 0, 0),
		}
		if i%10 != 9 { // every tenth is unassigned
			t.Assign(users[i%len(users)])
		}
		if i == 4 {
			t.Death = Now.AddDate(0, 0, -3) // expired
		}
		if i == 6 || i == 7 {
			t.Distribution = model.Distribution{Count: 1, LastJob: "earlier"}
		}
		if i >= 27 {
			t.Algorithm = model.AlgSID64
		}
		out = append(out, t)
	}
	return out
}

// WantCalled fails t unless the backend was called with call.
func (f *FakeStore) WantCalled(t testing.TB, call string) {
	t.Helper()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if !slices.Contains(f.Calls, call) {
		t.Fatalf("calls %v", f.Calls)
	}
}

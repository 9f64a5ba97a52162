package requests

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/hometest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// rootFake is the fake under the real root: the store's change counter
// and Home's reads, with the Requests screen's backend.
type rootFake struct {
	*uitest.FakeStore
	*fakeBackend
}

func (rootFake) Jobs() ([]model.Job, error) { return nil, nil }

// TestLiveRequestsShowOtherProcesses: a request made by another process
// (the CLI) shows at the root's next poll, with the open details kept.
func TestLiveRequestsShowOtherProcesses(t *testing.T) {
	be := rootFake{&uitest.FakeStore{}, fixture()}
	m := hometest.NewModel(t, be, func(env *kit.Env, p nav.Page, _ any) nav.Screen {
		if p != nav.PageRequests {
			t.Fatalf("opened page %d", p)
		}
		return New(env, be)
	}, 80, 24)
	uitest.Update(t, m, nav.OpenMsg{Page: nav.PageRequests})
	uitest.WantScreen(t, m, "Pending (3)")
	be.Touch(func() {
		be.reqs = append([]model.Request{req(7, "zoe", "Staff iPhone", model.RequestPending)}, be.reqs...)
	})
	uitest.Update(t, m, shell.PollStoreMsg{})
	uitest.WantScreen(t, m, "Pending (4)")
	uitest.WantScreen(t, m, "zoe")
}

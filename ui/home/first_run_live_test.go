package home

import (
	"testing"

	"github.com/swtoken/swtoken/ui/shell"
)

// poll is the root's once-a-second look at the change counter.
func poll(t *testing.T, m *Model) {
	t.Helper()
	update(t, m, shell.PollStoreMsg{})
}

// TestLiveFirstRunGivesWayWhenFilledElsewhere: the first-run offer is for
// an empty store; a demo loaded by another process takes the console home.
func TestLiveFirstRunGivesWayWhenFilledElsewhere(t *testing.T) {
	be := newFakeBackend()
	be.Empty = true
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "Welcome: this store is empty")
	be.touch(func(f *fakeBackend) { f.Empty = false })
	poll(t, m)
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("still on the first-run screen:\n%s", screenText(m))
	}
}

package home

import (
	"errors"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// Home reads the pending requests and the waiting messages in a Cmd when
// it opens, not in Update, and shows both.
func TestHomeShowsPendingRequestsAndOutbox(t *testing.T) {
	be := newFakeBackend()
	be.Pending, be.Outbox = 3, 1
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "3 requests pending approval, 1 message waiting in the outbox")
}

// Update never reads the counts itself: a key press returns the Cmd at
// most, and the counts message only sets what View shows.
func TestHomeReadsTheCountsOnlyInACmd(t *testing.T) {
	be := newFakeBackend()
	be.Pending = 2
	s := New(uitest.Env(), be)
	s.SetSize(80, 24)
	s.Update(navtest.Key("down"))
	if n := be.CountCalls("home counts"); n != 0 {
		t.Fatalf("Update read the counts %d time(s)", n)
	}
	cmd := s.Init()
	if cmd == nil {
		t.Fatal("Init returned no Cmd to read the counts")
	}
	msg := cmd()
	if n := be.CountCalls("home counts"); n != 1 {
		t.Fatalf("the Cmd read the counts %d time(s)", n)
	}
	s.Update(msg.(nav.AddressedMsg).Msg)
	if v := s.View(); !strings.Contains(v, "2 requests pending approval, 0 messages waiting in the outbox") {
		t.Fatalf("view without the counts:\n%s", v)
	}
}

// A change in the store (a request made or approved elsewhere, a message
// sent) refreshes the counts.
func TestHomeCountsFollowTheStore(t *testing.T) {
	be := newFakeBackend()
	be.Pending, be.Outbox = 1, 0
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "1 request pending approval, 0 messages waiting")
	be.touch(func(f *fakeBackend) { f.Pending, f.Outbox = 0, 2 })
	poll(t, m)
	wantScreen(t, m, "0 requests pending approval, 2 messages waiting in the outbox")
}

func TestHomeSaysWhenTheCountsCannotBeRead(t *testing.T) {
	be := newFakeBackend()
	be.CountsErr = errors.New("outbox: permission denied")
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "ERROR: the request and outbox counts could not be read: outbox: permission")
	wantScreen(t, m, "9  Requests")
}

// The Requests entry opens the Requests page, by its number too.
func TestHomeOpensRequests(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	press(t, m, "9")
	wantScreen(t, m, "> 9  Requests")
	press(t, m, "enter")
	if m.Top().Title() != "Requests" {
		t.Fatalf("item 9 opened %q", m.Top().Title())
	}
}

func TestGoldenHome(t *testing.T) {
	uitest.ForGoldenSizes(t, func(t *testing.T, w, h int) {
		be := newFakeBackend()
		be.Pending, be.Outbox = 12, 3
		m := newTestModel(t, be, w, h)
		uitest.Snap(t, m, "counts")
	})
}

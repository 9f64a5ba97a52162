package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/engine/qr/qrtest"

	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/selfservice"
	"github.com/swtoken/swtoken/ui/sshserve"
)

// twoRequestUsers are two demo users with an e-mail address and room for
// a new token.
func twoRequestUsers(t *testing.T, st *store.Store) (a, b model.User) {
	t.Helper()
	var found []model.User
	err := st.EachUser(func(u model.User) error {
		if len(found) == 2 || u.Email == "" {
			return nil
		}
		toks, err := st.TokensByUser(u.ID)
		if err == nil && len(toks) > 0 && len(toks) < model.MaxTokensPerUser {
			found = append(found, u)
		}
		return err
	})
	if err != nil || len(found) < 2 {
		t.Fatalf("two demo users who may request a token: %v, %v", found, err)
	}
	return found[0], found[1]
}

// offerCTF offers the demo's CTF profile for request, as the default,
// under automatic approval, so a request is fulfilled by the next pass.
func offerCTF(t *testing.T, st *store.Store) string {
	t.Helper()
	set, profiles, err := st.SettingsWithProfiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if p.DeliveryMethod == model.DeliveryCTF {
			set.Select(p)
			set.Entry(p.Name).Confirm(p)
			if err := set.SetDefault(p.Name); err != nil {
				t.Fatal(err)
			}
			set.ApprovalPolicy = model.ApprovalAutomatic
			if err := st.SaveSettings(set); err != nil {
				t.Fatal(err)
			}
			return p.Name
		}
	}
	t.Fatal("the demo has no CTF profile")
	return ""
}

// load is be.Load, failing the test on an error.
func load(t *testing.T, be selfservice.Backend) selfservice.Snapshot {
	t.Helper()
	snap, err := be.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return snap
}

// TestSelfServiceBackendShowsOnlyTheUsersOwnData: the backend of one
// user never returns another user's tokens or requests, and cannot show
// another user's token.
func TestSelfServiceBackendShowsOnlyTheUsersOwnData(t *testing.T) {
	st := uitest.DemoStore(t)
	a, b := twoRequestUsers(t, st)
	beA := NewSelfServiceBackend(st, a.ID, "192.0.2.1:50000")
	beB := NewSelfServiceBackend(st, b.ID, "192.0.2.2:50000")

	snap, err := beA.Load()
	if err != nil || snap.Me.ID != a.ID {
		t.Fatalf("Me: %+v, %v", snap.Me, err)
	}
	c := snap.Choices
	if len(c.Profiles) == 0 {
		t.Fatalf("choices %+v", c)
	}
	in := model.RequestInput{Profile: c.Profiles[0].Name, Reason: "mine", Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"}
	madeA, err := beA.MakeRequest(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Reason = "theirs"
	madeB, err := beB.MakeRequest(in)
	if err != nil {
		t.Fatal(err)
	}

	snap = load(t, beA)
	toks := snap.Tokens
	held, _ := st.TokensByUser(a.ID)
	if len(toks) != len(held) {
		t.Fatalf("MyTokens gave %d tokens, the user holds %d", len(toks), len(held))
	}
	for _, tk := range toks {
		got, err := st.Token(tk.Serial)
		if err != nil || got.AssignedUser != a.ID {
			t.Fatalf("MyTokens gave %s, assigned to %q (%v)", tk.Serial, got.AssignedUser, err)
		}
	}
	rs := snap.Requests
	if len(rs) != 1 || rs[0].ID != madeA.ID {
		t.Fatalf("MyRequests gave %+v, want only %s", rs, madeA.ID)
	}
	for _, r := range rs {
		if r.ID == madeB.ID {
			t.Fatalf("MyRequests of %s gave %s of %s", a.ID, madeB.ID, b.ID)
		}
	}
	if _, err := beA.ShowToken(madeB.ID); err == nil || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ShowToken of another user's request: %v, want not found", err)
	}
}

// TestSelfServiceBackendRequestIsSelfServiceFromTheClientAddress: the
// backend sets the user, the origin and the client address, and queues
// the "received" message to the user.
func TestSelfServiceBackendRequestIsSelfServiceFromTheClientAddress(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "198.51.100.7:40000")
	c := load(t, be).Choices
	made, err := be.MakeRequest(model.RequestInput{User: "someone-else", Origin: model.OriginConsole, LostOrBroken: false,
		Profile: c.Profiles[0].Name, Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"})
	if err != nil || made.Warning != "" {
		t.Fatalf("made %+v, %v", made, err)
	}
	r, err := st.Request(made.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.User != a.ID || r.Origin != model.OriginSelfService || r.ClientAddr != "198.51.100.7:40000" {
		t.Fatalf("stored user %q origin %q address %q", r.User, r.Origin, r.ClientAddr)
	}
	if got := outboxSubjects(t, st); len(got) != 1 || !strings.Contains(got[0], a.Email) {
		t.Fatalf("outbox after the request: %q", got)
	}
}

// TestSelfServiceBackendRefusalIsTheStoresRule: a rule's refusal comes
// back as the store's *model.RequestError.
func TestSelfServiceBackendRefusalIsTheStoresRule(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1")
	c := load(t, be).Choices
	_, err := be.MakeRequest(model.RequestInput{Profile: c.Profiles[0].Name})
	if model.RuleOf(err) != model.RulePasswordRequired {
		t.Fatalf("a request without the required password: %v", err)
	}
}

// TestSelfServiceBackendCommentsButNeverNotes: the user sees the
// approver's comment, never the private note.
func TestSelfServiceBackendCommentsButNeverNotes(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1")
	c := load(t, be).Choices
	made, err := be.MakeRequest(model.RequestInput{Profile: c.Profiles[0].Name, Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := st.Request(made.ID)
	if _, err := st.RejectRequest(store.RequestDecision{ID: made.ID, Revision: r.Revision, Comment: "Use your existing token.", Note: "PRIVATE-NOTE"}); err != nil {
		t.Fatal(err)
	}
	rs := load(t, be).Requests
	if len(rs) != 1 || rs[0].State != model.RequestRejected || len(rs[0].Comments) != 1 || rs[0].Comments[0].Text != "Use your existing token." {
		t.Fatalf("MyRequests gave %+v", rs)
	}
	if strings.Contains(strings.ToLower(fmtAll(rs)), "private-note") {
		t.Fatalf("the private note reached the user: %+v", rs)
	}
}

func fmtAll(rs []selfservice.Request) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.ID + r.Profile + r.Nickname)
		for _, c := range r.Comments {
			b.WriteString(c.Action + c.Text)
		}
	}
	return b.String()
}

// TestSelfServiceBackendShowsACTFTokenOnce: a fulfilled CTF request is
// offered for Show my token; the first ShowToken gives the link, the
// second is refused with when it was shown, and the request then says so.
func TestSelfServiceBackendShowsACTFTokenOnce(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	offerCTF(t, st)
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1")
	c := load(t, be).Choices
	made, err := be.MakeRequest(model.RequestInput{Profile: c.Default, Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"})
	if err != nil || made.State != model.RequestApproved {
		t.Fatalf("made %+v, %v", made, err)
	}
	if res, err := requests.Fulfil(context.Background(), st, requests.Options{}); err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("fulfil: %+v, %v", res, err)
	}
	rs := load(t, be).Requests
	if len(rs) != 1 || rs[0].State != model.RequestFulfilled || !rs[0].CTF || !rs[0].ShownAt.IsZero() || rs[0].MailedTo != "" {
		t.Fatalf("before Show: %+v", rs)
	}
	link, err := be.ShowToken(made.ID)
	if err != nil || !strings.Contains(link, "ctfData=") {
		t.Fatalf("ShowToken: %q, %v", link, err)
	}
	_, err = be.ShowToken(made.ID)
	var shown *store.AlreadyShownError
	if !errors.As(err, &shown) || !strings.Contains(err.Error(), shown.At.UTC().Format("2006-01-02")) {
		t.Fatalf("a second ShowToken: %v", err)
	}
	rs = load(t, be).Requests
	if rs[0].ShownAt.IsZero() || time.Since(rs[0].ShownAt) > time.Minute {
		t.Fatalf("after Show: shown at %v", rs[0].ShownAt)
	}
}

// TestSelfServiceBackendFileRequestSaysWhereItWasMailed: a fulfilled
// file request names the user's address and is not offered for Show.
func TestSelfServiceBackendFileRequestSaysWhereItWasMailed(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	set, _ := st.Settings()
	set.ApprovalPolicy = model.ApprovalAutomatic
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1")
	c := load(t, be).Choices
	if _, err := be.MakeRequest(model.RequestInput{Profile: c.Default, Password: "Correct-Horse-9", PasswordConfirm: "Correct-Horse-9"}); err != nil {
		t.Fatal(err)
	}
	if res, err := requests.Fulfil(context.Background(), st, requests.Options{}); err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("fulfil: %+v, %v", res, err)
	}
	rs := load(t, be).Requests
	if len(rs) != 1 || rs[0].CTF || rs[0].MailedTo != a.Email {
		t.Fatalf("a fulfilled file request: %+v", rs)
	}
}

// TestSelfServiceBackendReplaceableAreTheTokensInsideTheWindow: Choices
// names exactly the user's tokens that expire within the window.
func TestSelfServiceBackendReplaceableAreTheTokensInsideTheWindow(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1").(*selfServiceBackend)
	held, _ := st.TokensByUser(a.ID)
	set, _ := st.Settings()
	// The clock moves to one day inside the first token's window.
	be.now = func() time.Time { return held[0].Death.AddDate(0, 0, -set.ReplacementWindowDays+1) }
	c := load(t, be).Choices
	for _, tk := range held {
		want := tk.ExpiresWithin(be.now(), set.ReplacementWindowDays)
		got := false
		for _, s := range c.Replaceable {
			got = got || s == tk.Serial
		}
		if got != want {
			t.Fatalf("token %s replaceable %v, want %v (window %d days)", tk.Serial, got, want, set.ReplacementWindowDays)
		}
	}
	if len(c.Replaceable) == 0 {
		t.Fatal("no token inside the window")
	}
	if c.WindowDays != set.ReplacementWindowDays {
		t.Fatalf("window %d, want %d", c.WindowDays, set.ReplacementWindowDays)
	}
}

// TestSelfServiceConsoleOverARealStore drives the console over the real
// adapter at 80x24: a request made in its form under automatic approval
// is fulfilled, and Show my token draws a QR code of the real link that
// zbarimg reads; a second Show is refused.
func TestSelfServiceConsoleOverARealStore(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	offerCTF(t, st)
	m := selfservice.New(uitest.Env(), NewSelfServiceBackend(st, a.ID, "192.0.2.1:1"))
	var run func(cmd tea.Cmd)
	send := func(msg tea.Msg) {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		run(cmd)
	}
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- cmd() }()
		select {
		case msg := <-done:
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case nil, tea.QuitMsg:
			default:
				send(msg)
			}
		case <-time.After(200 * time.Millisecond): // the poll's tick
		}
	}
	screen := func() string { return ansi.Strip(m.View().Content) }
	press := func(keys ...string) {
		for _, k := range keys {
			send(uitest.KeyPress(k))
		}
	}
	typeText := func(s string) {
		for _, r := range s {
			send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	run(m.Init())
	send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(), "signed in as "+a.ID) {
		t.Fatalf("no header:\n%s", screen())
	}
	press("n", "tab", "tab")
	typeText("Correct-Horse-9")
	press("tab")
	typeText("Correct-Horse-9")
	press("enter")
	if !strings.Contains(screen(), "it is approved") {
		t.Fatalf("the request was not made:\n%s", screen())
	}
	if res, err := requests.Fulfil(context.Background(), st, requests.Options{}); err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("fulfil: %+v, %v", res, err)
	}
	send(selfservice.PollMsg{})
	if !strings.Contains(screen(), "Press s to show it") {
		t.Fatalf("the fulfilment did not show:\n%s", screen())
	}
	press("s", "y")
	var code []string
	for _, l := range strings.Split(screen(), "\n") {
		if strings.Contains(l, "█") && strings.Trim(l, "▀▄█ ") == "" {
			code = append(code, l)
		}
	}
	img, err := qr.FromHalfBlocks(strings.Join(code, "\n"))
	if err != nil {
		t.Fatalf("%v:\n%s", err, screen())
	}
	png, _ := qr.ImagePNG(img, 4)
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := qrtest.Read(zbar, file)
	if err != nil || !strings.Contains(got, "ctfData=") || !strings.Contains(strings.ReplaceAll(screen(), "\n", ""), got) {
		t.Fatalf("the QR code reads %q (%v); the screen:\n%s", got, err, screen())
	}
	press("esc", "s")
	if strings.Contains(screen(), "ctfData") || !strings.Contains(screen(), "shown only once") {
		t.Fatalf("a second Show was not refused:\n%s", screen())
	}
}

// countedCounter is st.ChangeCounter, counting its reads.
func countedCounter(st *store.Store) (read func() (uint64, error), reads *atomic.Int64) {
	reads = &atomic.Int64{}
	return func() (uint64, error) { reads.Add(1); return st.ChangeCounter() }, reads
}

// TestServeSessionsShareOneChangeCounterRead: the backends serve makes
// for its sessions take the change counter from one shared watcher: their
// Changes read nothing, one read per tick serves them all, and after a
// store change every session sees the new value from that one read.
func TestServeSessionsShareOneChangeCounterRead(t *testing.T) {
	st := uitest.DemoStore(t)
	a, b := twoRequestUsers(t, st)
	read, reads := countedCounter(st)
	ss := &selfServiceSessions{st: st, watch: newChangeWatcher(read, 0)} // ticked by hand
	var bes []selfservice.Backend
	for i, u := range []string{a.ID, b.ID, a.ID} {
		bes = append(bes, ss.backend(sshserve.Session{User: u, Addr: fmt.Sprintf("192.0.2.%d:50000", i+1)}))
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("three sessions started with %d reads of the counter, want 1", n)
	}
	before, err := st.ChangeCounter()
	if err != nil {
		t.Fatal(err)
	}
	changes := func(want uint64) {
		t.Helper()
		for i, be := range bes {
			for range 5 {
				if n, err := be.Changes(); err != nil || n != want {
					t.Fatalf("session %d: Changes %d, %v; want %d", i, n, err, want)
				}
			}
		}
	}
	changes(before)
	if err := st.Update(func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	changes(before) // not read again until the next tick
	if n := reads.Load(); n != 1 {
		t.Fatalf("15 Changes calls made %d reads of the counter, want the 1 of the start", n)
	}
	ss.watch.tick()
	changes(before + 1)
	if n := reads.Load(); n != 2 {
		t.Fatalf("one tick for three sessions made %d reads in all, want 2", n)
	}
}

// TestChangeWatcherReadsOnItsOwnOnceStarted: the watcher reads nothing
// until a session starts it, then reads on every tick by itself and
// keeps what it read. (That three sessions start it once is
// TestServeSessionsShareOneChangeCounterRead.)
func TestChangeWatcherReadsOnItsOwnOnceStarted(t *testing.T) {
	st := uitest.DemoStore(t)
	read, reads := countedCounter(st)
	w := newChangeWatcher(read, 5*time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if n := reads.Load(); n != 0 {
		t.Fatalf("a watcher no session started read %d times", n)
	}
	w.start()
	defer w.stop()
	deadline := time.Now().Add(5 * time.Second)
	for reads.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the started watcher read %d times in 5 s", reads.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := st.Update(func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want, _ := st.ChangeCounter()
	for {
		if n, err := w.Changes(); err == nil && n == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher did not see the change to %d", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSelfServiceBackendWithoutAWatcherReadsTheStore: a backend made with
// NewSelfServiceBackend (no serve watcher) sees a change at once.
func TestSelfServiceBackendWithoutAWatcherReadsTheStore(t *testing.T) {
	st := uitest.DemoStore(t)
	a, _ := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "192.0.2.1:1")
	before, err := be.Changes()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n, err := be.Changes(); err != nil || n != before+1 {
		t.Fatalf("Changes after a store change: %d, %v; want %d", n, err, before+1)
	}
}

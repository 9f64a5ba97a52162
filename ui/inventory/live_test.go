package inventory

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/shell"
)

// TestLiveTokensKeepFilterAndSelection: a token imported elsewhere shows in
// the Tokens list; the filter being typed, its focus and the selected
// token stay.
func TestLiveTokensKeepFilterAndSelection(t *testing.T) {
	be := newFakeBackend()
	m := openMenu(t, be, "5", 120, 40)
	press(t, m, "/")
	typeText(t, m, "asmith")
	press(t, m, "down")
	s := m.Top().(*tokensScreen)
	selected := func() string {
		it, _, ok := s.list.Selected()
		if !ok {
			return ""
		}
		return it.(*tokenRow).t.Serial
	}
	if got := selected(); got != "100000000009" {
		t.Fatalf("selected %s before the import", got)
	}

	be.touch(func(f *fakeBackend) {
		tok := model.Token{Serial: "100000000000", Kind: model.KindSoftware, Algorithm: model.AlgAES128,
			Birth: testNow.AddDate(-1, 0, 0), Death: testNow.AddDate(2, 0, 0)}
		tok.Assign("asmith")
		f.tokens = append([]model.Token{tok}, f.tokens...)
	})
	poll(t, m)
	wantScreen(t, m, "100000000000")
	wantScreen(t, m, "All (31)")
	if got := selected(); got != "100000000009" {
		t.Fatalf("selected %s after the reload, want 100000000009 still\n%s", got, screenText(m))
	}
	if s.list.FilterValue() != "asmith" || !s.list.FilterFocused() {
		t.Fatalf("filter %q (focused %v) after the reload", s.list.FilterValue(), s.list.FilterFocused())
	}
	// Typing goes on where it was.
	typeText(t, m, "x")
	if s.list.FilterValue() != "asmithx" {
		t.Fatalf("filter %q after typing on", s.list.FilterValue())
	}
}

// TestLiveHiddenScreenReloadsWhenOnTopAgain: the top screen reloads at the
// poll; the list under it reloads when the admin goes back to it.
func TestLiveHiddenScreenReloadsWhenOnTopAgain(t *testing.T) {
	be := newFakeBackend()
	m := openMenu(t, be, "5", 120, 40)
	press(t, m, "enter") // token 100000000001
	wantScreen(t, m, "Token 100000000001")
	before := be.CountCalls("tokens")

	be.touch(func(f *fakeBackend) { f.tokens[0].Distribution.Count = 7 })
	poll(t, m)
	if line, _ := lineWith(t, m, "Times distributed"); !strings.Contains(line, "7") {
		t.Fatalf("the token detail was not reloaded: %q", line)
	}
	if n := be.CountCalls("tokens"); n != before {
		t.Fatalf("the hidden Tokens list was read %d times while hidden", n-before)
	}
	press(t, m, "esc")
	if n := be.CountCalls("tokens"); n != before+1 {
		t.Fatalf("the Tokens list was read %d times on top again, want 1", n-before)
	}
	if line, _ := lineWith(t, m, "100000000001"); !strings.HasSuffix(strings.TrimSpace(line), "7") {
		t.Fatalf("the Tokens list shows the old count: %q", line)
	}
	wantScreen(t, m, "> 100000000001")
}

// TestLiveAuditKeepsFiltersAndSelection: new records show; the action
// filter stays on its value although a new action moves its index, and the
// selected record stays.
func TestLiveAuditKeepsFiltersAndSelection(t *testing.T) {
	be := newFakeBackend()
	m := openMenu(t, be, "8", 120, 40)
	press(t, m, "a") // the first action: assign
	wantScreen(t, m, "Action: assign")
	press(t, m, "down") // the older of the two assign records (#4)
	s := m.Top().(*auditScreen)
	seq := func() uint64 {
		it, _, ok := s.list.Selected()
		if !ok {
			return 0
		}
		return it.(*auditRow).r.Seq
	}
	if seq() != 4 {
		t.Fatalf("selected #%d", seq())
	}
	be.touch(func(f *fakeBackend) {
		f.appendAudit("activate", "token 100000000003", "by another admin")
		f.appendAudit("assign", "token 100000000003", "user cnguyen; token enabled")
	})
	poll(t, m)
	wantScreen(t, m, "Action: assign")
	wantScreen(t, m, "token 100000000003")
	if seq() != 4 {
		t.Fatalf("selected #%d after the reload, want #4 still\n%s", seq(), screenText(m))
	}
}

// TestLiveUsersAndProfilesFollowOtherAdmins: an assignment and a new
// profile made elsewhere show, with the selection kept.
func TestLiveUsersAndProfilesFollowOtherAdmins(t *testing.T) {
	be := newFakeBackend()
	m := openMenu(t, be, "6", 120, 40)
	row := func() string {
		line, _ := lineWith(t, m, "ijones")
		return strings.Join(strings.Fields(strings.TrimLeft(line, "> ")), " ")
	}
	if got := row(); got != "ijones Ivy Jones - ijones@example.com" {
		t.Fatalf("before: %q", got)
	}
	be.touch(func(f *fakeBackend) { f.tokens[9].Assign("ijones") })
	poll(t, m)
	if got := row(); got != "ijones Ivy Jones 1 ijones@example.com" {
		t.Fatalf("ijones's count did not follow the assignment: %q", got)
	}

	m = openMenu(t, be, "4", 120, 40)
	press(t, m, "down") // Staff iPhone
	wantScreen(t, m, "> Staff iPhone")
	be.touch(func(f *fakeBackend) {
		f.profiles = append([]model.Profile{model.NewProfile("Aardvark kiosks", model.DeviceWindows)}, f.profiles...)
	})
	poll(t, m)
	wantScreen(t, m, "Aardvark kiosks")
	wantScreen(t, m, "> Staff iPhone")
}

// TestLiveReloadsDoNotPileUp: changes while a reload is read give one more
// reload when it lands, not one each.
func TestLiveReloadsDoNotPileUp(t *testing.T) {
	be := newFakeBackend()
	m := openMenu(t, be, "5", 80, 24)
	before := be.CountCalls("tokens")
	be.touch(nil)
	_, cmd := m.Update(shell.PollStoreMsg{})
	_, reload := m.Update(cmd()) // read, not landed yet
	for range 3 {
		be.touch(nil)
		poll(t, m)
	}
	if n := be.CountCalls("tokens"); n != before {
		t.Fatalf("%d reloads started while one was under way", n-before)
	}
	run(t, m, reload)
	if n := be.CountCalls("tokens"); n != before+2 {
		t.Fatalf("%d reloads in all, want 2 (the first and one for the changes meanwhile)", n-before)
	}
}

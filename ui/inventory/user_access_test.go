package inventory

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// openUser opens the detail of user id from the Users screen at 80x24.
func openUser(t *testing.T, be *fakeBackend, id string) (*Model, *userDetail) {
	t.Helper()
	m := openMenu(t, be, "6", 80, 24)
	press(t, m, "/")
	typeText(t, m, id)
	press(t, m, "enter")
	d, ok := m.Top().(*userDetail)
	if !ok || d.u.ID != id {
		t.Fatalf("top is %T, not the detail of %s:\n%s", m.Top(), id, screenText(m))
	}
	return m, d
}

// calls are the fake's recorded calls that start with prefix.
func calls(be *fakeBackend, prefix string) []string {
	be.Mu.Lock()
	defer be.Mu.Unlock()
	var out []string
	for _, c := range be.Calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// lastAudit is the fake's newest audit record.
func lastAudit(be *fakeBackend) store.AuditRecord {
	be.Mu.Lock()
	defer be.Mu.Unlock()
	a := be.invLocked().audit
	return a[len(a)-1]
}

// TestUserDetailListsKeysAndTheLiveCode: the detail shows each key's
// fingerprint, type, date added and comment, and until when a live
// enrollment code works.
func TestUserDetailListsKeysAndTheLiveCode(t *testing.T) {
	be := listFixture()
	be.Mu.Lock()
	be.keysLocked()
	be.inv.codes["dmuller"] = testNow.Add(store.EnrollmentTTL)
	be.Mu.Unlock()
	m, _ := openUser(t, be, "dmuller")
	wantScreen(t, m, "SSH keys (2)  enrollment code live until 2026-10-03 14:05:09 UTC")
	row, next := lineWith(t, m, "SHA256:uNiVztk")
	for _, want := range []string{"ssh-ed25519", "2026-09-10", "dana@laptop"} {
		if !strings.Contains(row, want) {
			t.Errorf("key row %q lacks %q", row, want)
		}
	}
	if !strings.Contains(next, "SHA256:Q2lw") || !strings.Contains(next, "dana@phone") {
		t.Errorf("second key row is %q", next)
	}
	wantFlat(t, m, "Keys are added by the user in the Self-Service Console (or swtoken users keys add), not here.")

	m, _ = openUser(t, be, "ijones")
	wantScreen(t, m, "SSH keys (0)  no enrollment code is live")
}

// TestUserDetailRemoveKeyAsksNamingItsFingerprint: x asks about the
// selected key, named whole; y removes it (audited) and the list follows;
// s selects the next key first.
func TestUserDetailRemoveKeyAsksNamingItsFingerprint(t *testing.T) {
	be := listFixture()
	m, _ := openUser(t, be, "dmuller")
	press(t, m, "s", "x")
	wantFlat(t, m, "Remove SSH key "+fakeFP2+" of dmuller? It no longer logs in.")
	if got := calls(be, "remove key"); len(got) != 0 {
		t.Fatalf("asking removed already: %v", got)
	}
	press(t, m, "y")
	if got := calls(be, "remove key"); !slices.Equal(got, []string{"remove key dmuller " + fakeFP2}) {
		t.Fatalf("calls: %v", got)
	}
	if a := lastAudit(be); a.Action != "user key remove" || a.Object != "user dmuller" || !strings.Contains(a.Details, fakeFP2) {
		t.Fatalf("audit: %+v", a)
	}
	wantScreen(t, m, "SSH keys (1)")
	wantNoScreen(t, m, "dana@phone")
	wantFlat(t, m, "OK: SSH key "+fakeFP2+" of dmuller removed.")
}

// TestUserDetailRemoveKeyCancelKeepsIt: n and esc answer the question
// with no removal.
func TestUserDetailRemoveKeyCancelKeepsIt(t *testing.T) {
	be := listFixture()
	for _, no := range []string{"n", "esc"} {
		m, d := openUser(t, be, "dmuller")
		press(t, m, "x")
		wantScreen(t, m, "Remove SSH key")
		press(t, m, no)
		wantNoScreen(t, m, "Remove SSH key")
		if m.Top() != d {
			t.Fatalf("%s left the screen", no)
		}
		if got := calls(be, "remove key"); len(got) != 0 {
			t.Fatalf("%s removed: %v", no, got)
		}
		wantScreen(t, m, "SSH keys (2)")
	}
}

// TestUserDetailRemoveKeyWithoutKeysSaysSo: x on a user without keys
// explains and asks nothing.
func TestUserDetailRemoveKeyWithoutKeysSaysSo(t *testing.T) {
	m, _ := openUser(t, listFixture(), "ijones")
	press(t, m, "x")
	wantScreen(t, m, "NOTE: ijones has no SSH key to remove.")
	wantNoScreen(t, m, "Remove SSH key")
}

// TestUserDetailInviteShowsTheCodeOnceAndClearsIt: i asks first; y shows
// the code with its expiry and the ssh line in a dialog (never in the
// status line); closing it drops the code from the screen and the model,
// and the next question says a live code would be replaced.
func TestUserDetailInviteShowsTheCodeOnceAndClearsIt(t *testing.T) {
	be := listFixture()
	m, d := openUser(t, be, "dmuller")
	press(t, m, "i")
	wantFlat(t, m, "Issue an enrollment code for dmuller? It works once, for 72 hours.")
	if got := calls(be, "invite"); len(got) != 0 {
		t.Fatalf("asking issued already: %v", got)
	}
	press(t, m, "y")
	if got := calls(be, "invite"); !slices.Equal(got, []string{"invite dmuller"}) {
		t.Fatalf("calls: %v", got)
	}
	wantScreen(t, m, "Enrollment code for dmuller (shown only this once)")
	wantScreen(t, m, fakeInviteCode)
	wantFlat(t, m, "It works once, until 2026-10-03 14:05:09 UTC")
	wantScreen(t, m, "ssh -p 2222 dmuller@console.example.org")
	status, _ := lineWith(t, m, "OK:")
	if strings.Contains(status, fakeInviteCode) {
		t.Fatalf("the status line shows the code: %q", status)
	}

	press(t, m, "enter")
	wantNoScreen(t, m, fakeInviteCode)
	if d.invite != nil {
		t.Fatalf("the model still holds the invitation %+v", d.invite)
	}
	if m.Top() != d {
		t.Fatalf("closing the dialog left the screen")
	}
	wantScreen(t, m, "enrollment code live until 2026-10-03 14:05:09 UTC")

	press(t, m, "i")
	wantFlat(t, m, "Issue a new enrollment code for dmuller? It replaces the live one (until 2026-10-03 14:05:09 UTC), which then no longer works.")
	press(t, m, "n")
	if got := calls(be, "invite"); len(got) != 1 {
		t.Fatalf("n issued a code: %v", got)
	}
}

// TestUserDetailCodeDialogClosesWithEscAndClearSecrets: esc closes the
// dialog like enter; ClearSecrets (the root's, on leaving or quitting)
// drops a code still shown.
func TestUserDetailCodeDialogClosesWithEscAndClearSecrets(t *testing.T) {
	m, d := openUser(t, listFixture(), "dmuller")
	press(t, m, "i", "y", "esc")
	if m.Top() != d || d.invite != nil {
		t.Fatalf("esc: top %T, invitation %+v", m.Top(), d.invite)
	}
	wantNoScreen(t, m, fakeInviteCode)

	press(t, m, "i", "y")
	wantScreen(t, m, fakeInviteCode)
	inv := d.invite
	d.ClearSecrets()
	if d.invite != nil || inv.Code != "" {
		t.Fatalf("after ClearSecrets: %+v, %+v", d.invite, inv)
	}
	wantNoScreen(t, m, fakeInviteCode)

	press(t, m, "i", "y")
	inv = d.invite
	press(t, m, "ctrl+c", "y")
	if inv.Code != "" {
		t.Fatal("quitting kept the code")
	}
}

// TestUserDetailInviteByMail: m issues the code and mails it: no code on
// the screen, the status says where it went, the code is live.
func TestUserDetailInviteByMail(t *testing.T) {
	be := listFixture()
	m, d := openUser(t, be, "dmuller")
	press(t, m, "i")
	wantScreen(t, m, "m mail it to dmuller@example.com")
	press(t, m, "m")
	if got := calls(be, "mail invite"); !slices.Equal(got, []string{"mail invite dmuller"}) {
		t.Fatalf("calls: %v", calls(be, ""))
	}
	if got := calls(be, "invite"); len(got) != 0 {
		t.Fatalf("mailing also showed a code: %v", got)
	}
	if d.invite != nil {
		t.Fatalf("a mailed code opened the dialog: %+v", d.invite)
	}
	wantNoScreen(t, m, fakeInviteCode)
	wantFlat(t, m, "OK: The enrollment code of dmuller was put in the outbox for dmuller@example.com")
	wantScreen(t, m, "enrollment code live until")
}

// TestUserDetailMailDisabledWithoutEmail: for a user without an e-mail
// address the question says why the code cannot be mailed, and m does
// nothing but say so.
func TestUserDetailMailDisabledWithoutEmail(t *testing.T) {
	be := listFixture()
	m, d := openUser(t, be, "fkowalski")
	press(t, m, "i")
	wantScreen(t, m, "m mail it: not possible, fkowalski has no e-mail address")
	press(t, m, "m")
	if got := calls(be, "mail invite"); len(got) != 0 {
		t.Fatalf("m mailed: %v", got)
	}
	wantScreen(t, m, "fkowalski has no e-mail address: the code can only be shown.")
	if d.ask != askInvite {
		t.Fatal("m closed the question")
	}
	press(t, m, "y")
	wantScreen(t, m, fakeInviteCode)
}

// TestUserDetailKeyErrorsAreShown: a refused removal, a refused
// invitation and keys that cannot be read are shown on the screen and in
// the status line.
func TestUserDetailKeyErrorsAreShown(t *testing.T) {
	be := listFixture()
	be.inv.removeErr = errors.New("user dmuller has no key " + fakeFP1 + ": not found")
	m, d := openUser(t, be, "dmuller")
	press(t, m, "x", "y")
	wantFlat(t, m, "ERROR: user dmuller has no key "+fakeFP1+": not found")
	if d.working {
		t.Fatal("still working after the error")
	}

	be.inv.inviteErr = errors.New("store is read-only")
	press(t, m, "i", "y")
	wantScreen(t, m, "ERROR: store is read-only")
	if d.invite != nil {
		t.Fatal("a refused invitation opened the dialog")
	}

	be.inv.accessErr = errors.New("user key record damaged")
	m, _ = openUser(t, be, "dmuller")
	wantFlat(t, m, "cannot read the keys: user key record damaged")
	wantScreen(t, m, "Tokens (3 of at most 3)")
}

//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

// appearsWithin polls s's screen for re for at most limit and returns how
// long it took; it fails the test, with the screen, beyond limit.
func (s *tmuxSession) appearsWithin(re string, since time.Time, limit time.Duration) time.Duration {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	var scr string
	for {
		scr = s.screen()
		took := time.Since(since)
		if rx.MatchString(scr) {
			return took
		}
		if took > limit {
			s.t.Fatalf("/%s/ did not appear within %v (waited %v); screen:\n%s", re, limit, took.Round(time.Millisecond), scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestE2EServeAndAdminConsoleShareTheStore: `swtoken serve` and an
// admin's console run at once on the same data directory. A request the
// user makes over SSH (the OpenSSH client in tmux) appears in the admin's
// open Requests screen within 2 s; the admin approves it with a comment,
// and the user's open session, with no key pressed, shows the approval,
// the comment and then the fulfilment.
func TestE2EServeAndAdminConsoleShareTheStore(t *testing.T) {
	f := startServe(t)
	st := f.openStore(t)
	const user, pw, comment = "aandersen", "Admin-Horse-77", "Approved for the new laptop"
	f.registerUserKey(t, st, user, "alice")

	// One approval; SMTP to a server on the loopback, so the approved
	// request is fulfilled and mailed.
	srv := mailtest.Start(t, "plain", "", "")
	doc := settingsDoc(t, f.data)
	doc["smtp"] = map[string]any{"host": "127.0.0.1", "port": srv.Port, "security": "plain", "user": "", "password_file": "",
		"from": "tokens@example.com", "zip_token_file": false}
	doc["approval_policy"] = "one"
	applySettingsJSON(t, f.data, doc)

	admin := startConsole(t, f.dir, f.data, 120, 40)
	m := admin.waitFor(`(\d)\s+Requests`, 20*time.Second)
	admin.keys(m[1], "Enter")
	admin.waitFor(`Pending \(0\)`, 10*time.Second)

	u := f.startUserSSHPane(t, "alice", user)
	u.secret = pw
	u.keys("n")
	u.waitFor(`Profile:\s+.+, the default`, 5*time.Second)
	u.waitFor(`Password again:`, 5*time.Second)
	// Profile, Device serial, Nickname, Password, Password again.
	u.keys("Tab", "Tab")
	u.typ("work laptop")
	u.keys("Tab")
	u.typ(pw)
	u.keys("Tab")
	u.typ(pw)
	sent := time.Now()
	u.keys("Enter")
	id := u.waitFor(`Request (R-\d+) is made; it is pending`, 10*time.Second)[1]
	row := regexp.QuoteMeta(id) + `\s+` + regexp.QuoteMeta(user)
	appeared := admin.appearsWithin(row, sent, 2*time.Second)
	admin.waitFor(`Pending \(1\)`, 2*time.Second)
	t.Logf("request %s appeared in the admin's Requests screen %v after the user pressed Enter", id, appeared.Round(time.Millisecond))

	// The admin approves it with a comment to the user.
	admin.keys("Enter")
	admin.waitFor(`Request details`, 5*time.Second)
	admin.keys("a")
	admin.waitFor(`Comment to the user:`, 5*time.Second)
	admin.typ(comment)
	if scr := u.screen(); strings.Contains(scr, "approved") {
		t.Fatalf("the user's session shows an approval before the admin gave it:\n%s", scr)
	}
	admin.keys("Enter")
	approved := time.Now()
	admin.waitFor(`Request `+regexp.QuoteMeta(id)+` approved`, 10*time.Second)

	// The user's session, untouched since Enter, shows the approval with
	// the comment, then the fulfilment.
	took := u.appearsWithin(`approved: `+regexp.QuoteMeta(comment), approved, 10*time.Second)
	t.Logf("the approval and its comment reached the user's session in %v", took.Round(time.Millisecond))
	u.waitFor(regexp.QuoteMeta(id)+`\s+new token\s+(approved|fulfilled)`, 5*time.Second)
	done := u.appearsWithin(`Fulfilled with token \d{12}\. The token file was mailed\s+to\s+`+regexp.QuoteMeta(user+"@example.com"), approved, 60*time.Second)
	u.waitFor(regexp.QuoteMeta(id)+`\s+new token\s+fulfilled`, 5*time.Second)
	t.Logf("the fulfilment reached the user's session %v after the approval", done.Round(time.Millisecond))
	if scr := u.screen(); !strings.Contains(scr, "approved: "+comment) {
		t.Errorf("the comment is gone from the user's session after the fulfilment:\n%s", scr)
	}
	// The status "it is pending" of the user's own request goes after
	// its time: it does not stay under the fulfilled request.
	u.waitGone(`it is pending`, 10*time.Second)
	u.quitUserSSHPane()
}

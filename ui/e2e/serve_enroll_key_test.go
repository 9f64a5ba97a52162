//go:build e2e

package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2EServeEnrollmentCodeUserAddsTheirKeyAndLogsInWithItAfterwards:
// a user invited with an enrollment code logs in with it once, adds the
// public key they made with ssh-keygen in the console (typed into the
// pane as a terminal without bracketed paste would send it), quits, and
// from then on logs in with the key and no code; the used code does not
// get in.
func TestE2EServeEnrollmentCodeUserAddsTheirKeyAndLogsInWithItAfterwards(t *testing.T) {
	start := time.Now()
	f := startServe(t)
	st := f.openStore(t)
	const user = "akim"
	if ks, err := st.UserKeys(user); err != nil || len(ks) != 0 {
		t.Fatalf("%s has keys %v (%v): the test needs a user without one", user, ks, err)
	}
	out := cli(t, f.data, "users", "invite", user)
	m := regexp.MustCompile(`Enrollment code for user ` + user + ` \(shown only this once\):\n\n  (\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("users invite printed no code:\n%s", out)
	}
	code := m[1]
	key := f.keygen(t, user)
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(pub))

	s := f.sshCodeSession(t, user)
	s.waitFor(`\(akim@127\.0\.0\.1\) Enrollment code:`, 20*time.Second)
	s.secret = code
	s.typ(code)
	s.keys("Enter")
	s.waitFor(`Your SSH keys: none \(a to add one`, 20*time.Second)
	s.keys("a")
	s.waitFor(`Add an SSH key`, 10*time.Second)
	s.typ(line)
	s.keys("Enter")
	s.waitFor(`Your key is added: your next login can use it instead of an enrollment code`, 10*time.Second)
	s.waitFor(`Your SSH keys: 1 \(a to list them`, 10*time.Second)
	fp := regexp.MustCompile(`SHA256:\S+`).FindString(cli(t, f.data, "users", "keys", "list", user))
	if fp == "" {
		t.Fatalf("users keys list %s shows no key", user)
	}
	f.auditHas(t, "user key add", "user "+user, fp, "by the user over SSH from 127.0.0.1:")
	quitConsole(t, s)

	// The next login: the key, no code.
	s2 := f.sshKeySession(t, user, key)
	s2.waitFor(`signed in as `+user, 20*time.Second)
	f.auditHas(t, "ssh login", user, "method publickey; accepted")
	quitConsole(t, s2)

	// The code was used up by the first login.
	out, status := f.sshCode(t, user, code)
	if status != 255 || !strings.Contains(out, "Permission denied") {
		t.Fatalf("the used code: ssh status %d, output %q", status, out)
	}
	if strings.Contains(f.serveLog(), code) {
		t.Errorf("the server's log holds the code:\n%s", f.serveLog())
	}
	t.Logf("%.1f s", time.Since(start).Seconds())
}

package sshserve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestHostKeyIsMadeOnceOwnerOnlyAndALooserModeIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), HostKeyFile)
	s1, created, err := LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", fi.Mode().Perm())
	}
	s2, created, err := LoadOrCreateHostKey(path)
	if err != nil || created {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	if gossh.FingerprintSHA256(s1.PublicKey()) != gossh.FingerprintSHA256(s2.PublicKey()) {
		t.Error("the second start made another host key")
	}
	if s1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s", s1.PublicKey().Type())
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadOrCreateHostKey(path)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a group-readable host key: err=%v, want a refusal naming chmod 600", err)
	}
}

func TestRateLimitRefusesAnAddressAfterTenFailuresAndCoolsDown(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(0, 0, func() time.Time { return now })
	for i := 0; i < DefaultRateBurst; i++ {
		if !l.allow("192.0.2.1") {
			t.Fatalf("refused after %d failures", i)
		}
		l.fail("192.0.2.1")
	}
	if l.allow("192.0.2.1") {
		t.Fatal("allowed after 10 failures in a row")
	}
	if !l.allow("192.0.2.2") {
		t.Fatal("another address is limited too")
	}
	now = now.Add(DefaultRateRefill - time.Millisecond)
	if l.allow("192.0.2.1") {
		t.Fatal("allowed before a failure was forgiven")
	}
	now = now.Add(time.Millisecond)
	if !l.allow("192.0.2.1") {
		t.Fatal("one attempt is not allowed again after 6 s")
	}
	l.fail("192.0.2.1")
	if l.allow("192.0.2.1") {
		t.Fatal("allowed right after the next failure")
	}
	now = now.Add(time.Minute)
	for i := 0; i < DefaultRateBurst; i++ {
		if !l.allow("192.0.2.1") {
			t.Fatalf("a minute later: refused after %d failures", i)
		}
		l.fail("192.0.2.1")
	}
}

func TestRateLimitedAddressIsRefusedWithoutCheckingAndAuditedOnce(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.FailureDelay = time.Millisecond; c.RateRefill = time.Hour })
	for i := 0; i < DefaultRateBurst; i++ {
		if _, err := ts.dial("alice", code("WRONG")); err == nil {
			t.Fatal("a wrong code logged in")
		}
	}
	// Now even the right key is refused, and the code is not tried.
	if _, err := ts.dial("bob", gossh.PublicKeys(ts.alice), code("BOB-CODE")); err == nil {
		t.Fatal("a rate-limited address logged in")
	}
	if _, ok := ts.checker.codes["bob"]; !ok {
		t.Error("bob's code was used up by a rate-limited attempt")
	}
	if n := len(ts.audit.find("ssh refused", "what: rate limited", "address 127.0.0.1:")); n != 1 {
		t.Errorf("%d rate-limit records for one connection, want 1: %+v", n, ts.audit.all())
	}
	if n := len(ts.audit.find("ssh login", "refused")); n != DefaultRateBurst {
		t.Errorf("%d refused-login records, want %d", n, DefaultRateBurst)
	}
}

func TestFailedLoginsTakeTheSameTimeWhateverFailed(t *testing.T) {
	ts := startServer(t, nil)
	cases := []struct {
		name string
		user string
		auth gossh.AuthMethod
	}{
		{"unknown user, key", "mallory", gossh.PublicKeys(ts.other)},
		{"unknown user, code", "mallory", code("ALICE-CODE")},
		{"wrong key", "alice", gossh.PublicKeys(ts.other)},
		{"wrong code", "alice", code("NOT-THE-CODE")},
	}
	took := map[string]time.Duration{}
	for _, c := range cases {
		start := time.Now()
		if _, err := ts.dial(c.user, c.auth); err == nil {
			t.Fatalf("%s: logged in", c.name)
		}
		took[c.name] = time.Since(start)
	}
	var lo, hi time.Duration = time.Hour, 0
	for name, d := range took {
		if d < DefaultFailureDelay {
			t.Errorf("%s failed in %v, under the %v minimum", name, d, DefaultFailureDelay)
		}
		lo, hi = min(lo, d), max(hi, d)
	}
	if hi-lo > 150*time.Millisecond {
		t.Errorf("failures took from %v to %v: %v", lo, hi, took)
	}
	t.Logf("failure times: %v", took)
}

func TestEveryLoginAttemptIsAuditedWithTheAddress(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.FailureDelay = time.Millisecond })
	// An OpenSSH-like client offers two keys that are not alice's, then hers.
	c, err := ts.dial("alice", gossh.PublicKeys(ts.other, newSigner(t), ts.alice))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	refused := ts.audit.find("ssh login", "method publickey; refused")
	if len(refused) != 1 {
		t.Errorf("%d refused-key records for one connection, want 1: %+v", len(refused), ts.audit.all())
	}
	acc := ts.audit.waitAudit(t, "ssh login", "address 127.0.0.1:", "method publickey; accepted", "key "+gossh.FingerprintSHA256(ts.alice.PublicKey()))
	if acc.Object != "alice" {
		t.Errorf("accepted login's object %q", acc.Object)
	}
	if _, err := ts.dial("bob", code("BOB-CODE")); err != nil {
		t.Fatalf("bob's code: %v", err)
	}
	ts.audit.waitAudit(t, "ssh login", "method keyboard-interactive; accepted")
	if _, err := ts.dial("bob", code("BOB-CODE")); err == nil {
		t.Fatal("a used code logged in again")
	}
	ts.audit.waitAudit(t, "ssh login", "method keyboard-interactive; refused")
	if _, err := ts.dial("nobody", gossh.PublicKeys(ts.other)); err == nil {
		t.Fatal("an unknown user logged in")
	}
	if r := ts.audit.find("ssh login", "method publickey; refused"); len(r) != 2 || r[1].Object != "nobody" {
		t.Errorf("the unknown user's attempt: %+v", r)
	}
	for _, r := range ts.audit.all() {
		if strings.Contains(r.Details, "BOB-CODE") || strings.Contains(r.Details, "ALICE-CODE") {
			t.Errorf("a code in the audit: %+v", r)
		}
	}
	if strings.Contains(ts.log.String(), "BOB-CODE") {
		t.Error("a code in the log")
	}
	if !strings.Contains(ts.log.String(), "login accepted: bob from 127.0.0.1:") {
		t.Errorf("no log line for bob's login:\n%s", ts.log.String())
	}
}

func TestSessionEnvironmentKeepsOnlyTerminalVariables(t *testing.T) {
	env := sessionEnv("vt100", []string{"TEA_TRACE=/tmp/x", "NO_COLOR=yes", "TEA_DEBUG=1", "LANG=C.UTF-8", "PATH=/x"})
	got := strings.Join(env, " ")
	if got != "TERM=vt100 NO_COLOR=yes LANG=C.UTF-8" {
		t.Errorf("session env %q", got)
	}
	if !noColor(env) {
		t.Error("NO_COLOR=yes does not turn colours off")
	}
}

func TestOrdinaryLoginsOfferingOtherKeysFirstAreNotRateLimited(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.FailureDelay = time.Millisecond; c.RateRefill = time.Hour })
	extra := newSigner(t)
	for i := 0; i < 2*DefaultRateBurst; i++ {
		// As OpenSSH with an agent: two other keys before the right one.
		c, err := ts.dial("alice", gossh.PublicKeys(ts.other, extra, ts.alice))
		if err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
		c.Close()
	}
}

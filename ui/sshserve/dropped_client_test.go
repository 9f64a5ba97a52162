package sshserve

import (
	"testing"
	"time"
)

// TestADroppedClientFreesItsSessionAndItsEndIsAudited: a client whose
// link drops (the connection closes with the console open, no q) must not
// keep its place: its console ends, "ssh session end" is audited, and with
// one session allowed the next user gets the console instead of "too many
// sessions".
func TestADroppedClientFreesItsSessionAndItsEndIsAudited(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxSessions = 1 })
	client := ts.login(t)
	_, out, _ := ptySession(t, client)
	out.waitFor(t, "console of alice")
	if ts.Sessions() != 1 {
		t.Fatalf("%d sessions open, want 1", ts.Sessions())
	}
	client.Conn.Close() // the link drops: no q, no channel close
	ts.audit.waitAudit(t, "ssh session end", "address 127.0.0.1:")
	deadline := time.Now().Add(5 * time.Second)
	for ts.Sessions() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still open after the client dropped", ts.Sessions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, out2, _ := ptySession(t, ts.login(t))
	out2.waitFor(t, "console of alice")
	if got := ts.audit.find("ssh refused", "too many sessions"); len(got) != 0 {
		t.Fatalf("the next session was refused: %+v", got)
	}
}

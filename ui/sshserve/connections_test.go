package sshserve

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// banner reads the server's SSH version line from a raw TCP connection:
// "" when the server closed it first.
func banner(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return ""
	}
	return strings.TrimSpace(line)
}

// TestConnectionsBeyondTheLimitAreClosedBeforeTheHandshake: connections
// that never log in hold the server's memory for up to the handshake
// timeout each, so the server keeps at most MaxConnections open: the next
// one is closed at once, without the SSH banner, and logged (one line for
// a burst); when one closes, a new connection is served again.
func TestConnectionsBeyondTheLimitAreClosedBeforeTheHandshake(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxConnections = 2 })
	var open []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if b := banner(t, c); !strings.HasPrefix(b, "SSH-2.0-swtoken") {
			t.Fatalf("connection %d: banner %q", i+1, b)
		}
		open = append(open, c)
	}
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		if b := banner(t, c); b != "" {
			t.Fatalf("a connection over the limit got the banner %q", b)
		}
		c.Close()
	}
	if got := strings.Count(ts.log.String(), "too many connections (2 open)"); got != 1 {
		t.Fatalf("%d log lines for a burst of refused connections, want 1:\n%s", got, ts.log.String())
	}
	open[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		b := banner(t, c)
		c.Close()
		if strings.HasPrefix(b, "SSH-2.0-swtoken") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no connection served after one of the two closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A login works beside the one connection still open, once the
	// server has seen the probes above close.
	for {
		c, err := ts.dial("alice", gossh.PublicKeys(ts.alice))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no login beside one open connection: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMaxConnectionsDefaultsToTwiceTheSessions: room for every session and
// as many handshakes again.
func TestMaxConnectionsDefaultsToTwiceTheSessions(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxSessions = 7 })
	if ts.cfg.MaxConnections != 14 {
		t.Fatalf("MaxConnections %d, want 14", ts.cfg.MaxConnections)
	}
}

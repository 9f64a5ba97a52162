package sshserve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// ptySession opens a session with an 80x24 PTY and a shell (the console).
func ptySession(t *testing.T, c *gossh.Client) (*gossh.Session, *syncBuf, io.WriteCloser) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuf{}
	s.Stdout, s.Stderr = out, out
	in, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return s, out, in
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }
func (b *syncBuf) String() string              { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

func (b *syncBuf) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(b.String(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q not seen; output: %q", s, b.String())
}

func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	return 0
}

func TestConsoleRunsInAPtyAndItsEndIsAudited(t *testing.T) {
	ts := startServer(t, nil)
	s, out, in := ptySession(t, ts.login(t))
	out.waitFor(t, "console of alice")
	if _, err := in.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(t, s.Wait()); st != 0 {
		t.Errorf("exit status %d", st)
	}
	ts.audit.waitAudit(t, "ssh session end", "address 127.0.0.1:", "duration ")
	log := ts.log.String()
	for _, want := range []string{"session start: alice from 127.0.0.1:", "session end: alice from 127.0.0.1:"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestSessionWithoutPtyGetsOneLineAndStatusOne(t *testing.T) {
	ts := startServer(t, nil)
	s, err := ts.login(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	s.Stdout, s.Stderr = &stdout, &stderr
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(t, s.Wait()); st != 1 {
		t.Errorf("exit status %d, want 1", st)
	}
	if stderr.String() != MsgNoPty+"\n" || stdout.Len() != 0 {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	ts.audit.waitAudit(t, "ssh refused", "address 127.0.0.1:", "what: no pty")
}

func TestCommandIsRefusedWithOneLine(t *testing.T) {
	ts := startServer(t, nil)
	for _, cmd := range []string{"cat /etc/passwd", "scp -t /tmp", "echo 'unbalanced"} {
		s, err := ts.login(t).NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.CombinedOutput(cmd)
		if st := exitStatus(t, err); st != 1 {
			t.Errorf("%s: exit status %d", cmd, st)
		}
		if string(out) != MsgNoCommands+"\n" {
			t.Errorf("%s: output %q", cmd, out)
		}
	}
	ts.audit.waitAudit(t, "ssh refused", `what: exec "cat"`)
	ts.audit.waitAudit(t, "ssh refused", `what: exec "echo"`)
	r := ts.audit.waitAudit(t, "ssh refused", `what: exec "scp"`)
	if strings.Contains(r.Details, "/tmp") {
		t.Errorf("the command's arguments are in the audit: %q", r.Details)
	}
}

func TestSftpSubsystemIsRefused(t *testing.T) {
	ts := startServer(t, nil)
	s, err := ts.login(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Fatal("the sftp subsystem was granted")
	}
	ts.audit.waitAudit(t, "ssh refused", "what: subsystem sftp")
}

func TestPortForwardingIsRefusedBothWays(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t)
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if conn, err := c.Dial("tcp", target.Addr().String()); err == nil {
		conn.Close()
		t.Fatal("a direct-tcpip channel (ssh -L) was opened")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("a tcpip-forward (ssh -R) was granted")
	}
	if n := len(ts.audit.find("ssh refused", "what: port forwarding")); n != 1 {
		t.Errorf("%d port forwarding records for one connection, want 1", n)
	}
}

func TestAgentAndX11ForwardingAreRefused(t *testing.T) {
	ts := startServer(t, nil)
	s, err := ts.login(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.SendRequest("auth-agent-req@openssh.com", true, nil); err != nil || ok {
		t.Errorf("agent forwarding: ok=%v err=%v", ok, err)
	}
	x11 := gossh.Marshal(struct {
		Single bool
		Proto  string
		Cookie string
		Screen uint32
	}{false, "MIT-MAGIC-COOKIE-1", "00112233445566778899aabbccddeeff", 0})
	if ok, err := s.SendRequest("x11-req", true, x11); err != nil || ok {
		t.Errorf("x11 forwarding: ok=%v err=%v", ok, err)
	}
	ts.audit.waitAudit(t, "ssh refused", "what: agent forwarding")
	ts.audit.waitAudit(t, "ssh refused", "what: x11")
}

func TestSessionsBeyondTheLimitAreRefused(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxSessions = 1 })
	_, out, _ := ptySession(t, ts.login(t))
	out.waitFor(t, "console of alice")
	s2, out2, _ := ptySession(t, ts.login(t))
	if st := exitStatus(t, s2.Wait()); st != 1 {
		t.Errorf("the extra session's exit status %d", st)
	}
	if !strings.Contains(out2.String(), MsgTooMany) {
		t.Errorf("the extra session's output %q", out2.String())
	}
	ts.audit.waitAudit(t, "ssh refused", "what: too many sessions")
	if ts.Sessions() != 1 {
		t.Errorf("%d sessions open", ts.Sessions())
	}
}

func TestIdleSessionEnds(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.IdleTimeout = time.Second })
	s, out, in := ptySession(t, ts.login(t))
	out.waitFor(t, "console of alice")
	// A key keeps it open.
	time.Sleep(700 * time.Millisecond)
	in.Write([]byte("x"))
	time.Sleep(700 * time.Millisecond)
	if strings.Contains(out.String(), "no key pressed") {
		t.Fatal("ended although a key was pressed within the timeout")
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case err := <-done:
		if st := exitStatus(t, err); st != 0 {
			t.Errorf("exit status %d", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the idle session did not end")
	}
	if !strings.Contains(out.String(), "no key pressed for 1s: session closed") {
		t.Errorf("output %q", out.String())
	}
	ts.audit.waitAudit(t, "ssh session end")
}

func TestShutdownEndsSessionsAndStopsAccepting(t *testing.T) {
	ts := startServer(t, nil)
	s, out, _ := ptySession(t, ts.login(t))
	out.waitFor(t, "console of alice")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	_ = s.Wait()
	if !strings.Contains(out.String(), MsgStopping) {
		t.Errorf("output %q", out.String())
	}
	ts.audit.waitAudit(t, "ssh session end")
	if _, err := ts.dial("alice", gossh.PublicKeys(ts.alice)); err == nil {
		t.Error("a login after Shutdown")
	}
}

func TestDumbTerminalGetsOneLineAndNoConsole(t *testing.T) {
	ts := startServer(t, nil)
	s, err := ts.login(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuf{}
	s.Stdout, s.Stderr = out, out
	if err := s.RequestPty("dumb", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(t, s.Wait()); st != 1 {
		t.Errorf("exit status %d", st)
	}
	if got := out.String(); !strings.Contains(got, `TERM is "dumb"`) || strings.Contains(got, "console of") {
		t.Errorf("output %q", got)
	}
}

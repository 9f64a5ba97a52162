package sshserve

import (
	"net"
	"strings"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// connState is what the server remembers of one connection.
type connState struct {
	addr string // host:port
	host string // the rate limit's key

	mu          sync.Mutex
	keyRefused  bool   // a refused public key was audited (once per connection)
	keyCounted  bool   // ... and counted as a failure
	fingerprint string // of the key that was accepted
	refused     map[string]bool
}

type connKey struct{}

func (s *Server) connected(ctx ssh.Context, conn net.Conn) net.Conn {
	addr := conn.RemoteAddr().String()
	if n := s.conns.Add(1); n > int64(s.cfg.MaxConnections) {
		// Closed by the library when nil is returned, and then not
		// counted as closed: give the count back here.
		s.conns.Add(-1)
		s.tooManyConnections(addr)
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ctx.SetValue(connKey{}, &connState{addr: addr, host: host, refused: map[string]bool{}})
	return conn
}

func stateOf(ctx ssh.Context) *connState {
	if cs, ok := ctx.Value(connKey{}).(*connState); ok {
		return cs
	}
	// Not reached: ConnCallback runs first.
	addr := ctx.RemoteAddr().String()
	host, _, _ := net.SplitHostPort(addr)
	return &connState{addr: addr, host: host, refused: map[string]bool{}}
}

func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: MaxAuthTries,
		// Called after each attempt; a public key query that would be
		// accepted is not an attempt, so err == nil is a login.
		AuthLogCallback: func(_ gossh.ConnMetadata, method string, err error) {
			if err == nil && method != "none" {
				s.loggedIn(ctx, method)
			}
		},
	}
}

// pad sleeps until at least FailureDelay has passed since start.
func (s *Server) pad(start time.Time) {
	if d := s.cfg.FailureDelay - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}

// rateLimited refuses an attempt from a limited address without checking
// it; audited once per connection.
func (s *Server) rateLimited(ctx ssh.Context, cs *connState, start time.Time) bool {
	if s.limiter.allow(cs.host) {
		return false
	}
	s.refuse(ctx, "rate limited")
	s.pad(start)
	return true
}

func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	start := time.Now()
	cs := stateOf(ctx)
	if s.rateLimited(ctx, cs, start) {
		return false
	}
	user := ctx.User()
	ok, err := s.cfg.Checker.KeyAuthorized(user, key.Marshal())
	if err != nil {
		s.logf("checking the key of %s from %s: %v", printable(user), cs.addr, err)
		ok = false
	}
	fp := gossh.FingerprintSHA256(key)
	if ok {
		cs.mu.Lock()
		cs.fingerprint = fp
		cs.mu.Unlock()
		return true
	}
	// OpenSSH offers every key it has, one after the other: the first
	// refusal of a connection is audited and counted, the others are not.
	cs.mu.Lock()
	first := !cs.keyRefused
	cs.keyRefused = true
	cs.keyCounted = cs.keyCounted || first
	cs.mu.Unlock()
	if first {
		s.limiter.fail(cs.host)
		s.audit("ssh login", printable(user), "address "+cs.addr+"; method publickey; refused; key "+fp)
		s.logf("login refused: %s from %s (publickey %s)", printable(user), cs.addr, fp)
	}
	s.pad(start)
	return false
}

// EnrollmentPrompt is the keyboard-interactive prompt.
const EnrollmentPrompt = "Enrollment code: "

func (s *Server) keyboardInteractive(ctx ssh.Context, challenge gossh.KeyboardInteractiveChallenge) bool {
	cs := stateOf(ctx)
	if s.rateLimited(ctx, cs, time.Now()) {
		return false
	}
	user := ctx.User()
	answers, err := challenge("", "", []string{EnrollmentPrompt}, []bool{false})
	start := time.Now()
	if err != nil || len(answers) != 1 {
		// The client gave up at the prompt: no code was tried.
		return false
	}
	if s.rateLimited(ctx, cs, start) {
		return false
	}
	code := strings.TrimSpace(answers[0])
	ok := false
	if code != "" {
		ok, err = s.cfg.Checker.RedeemCode(user, code, s.cfg.Now())
		if err != nil {
			s.logf("checking the enrollment code of %s from %s: %v", printable(user), cs.addr, err)
			ok = false
		}
	}
	if ok {
		return true
	}
	s.limiter.fail(cs.host)
	s.audit("ssh login", printable(user), "address "+cs.addr+"; method keyboard-interactive; refused")
	s.logf("login refused: %s from %s (keyboard-interactive)", printable(user), cs.addr)
	s.pad(start)
	return false
}

// loggedIn audits a successful login.
func (s *Server) loggedIn(ctx ssh.Context, method string) {
	cs := stateOf(ctx)
	user := printable(ctx.User())
	details := "address " + cs.addr + "; method " + method + "; accepted"
	cs.mu.Lock()
	fp := cs.fingerprint
	counted := cs.keyCounted
	cs.keyCounted = false
	cs.mu.Unlock()
	if method == "publickey" && fp != "" {
		details += "; key " + fp
	}
	if counted {
		// Keys refused before the one that logged in are no attack.
		s.limiter.refund(cs.host)
	}
	s.audit("ssh login", user, details)
	how := method
	if method == "publickey" && fp != "" {
		how += " " + fp
	}
	s.logf("login accepted: %s from %s (%s)", user, cs.addr, how)
}

// refuse audits and logs a refusal, once per connection and kind.
func (s *Server) refuse(ctx ssh.Context, what string) {
	cs := stateOf(ctx)
	kind, _, _ := strings.Cut(what, " \"")
	cs.mu.Lock()
	seen := cs.refused[kind]
	cs.refused[kind] = true
	cs.mu.Unlock()
	if seen {
		return
	}
	user := printable(ctx.User())
	s.audit("ssh refused", user, "address "+cs.addr+"; what: "+what)
	s.logf("refused: %s from %s: %s", user, cs.addr, what)
}

// tooManyConnections logs a connection closed over MaxConnections, at
// most one line every 10 s with how many were closed since the last one,
// so that a flood of connections does not flood the log too. It is not
// audited: no user is known before the handshake.
func (s *Server) tooManyConnections(addr string) {
	s.connLogMu.Lock()
	s.connDropped++
	now := s.cfg.Now()
	if !s.connLogged.IsZero() && now.Sub(s.connLogged) < 10*time.Second {
		s.connLogMu.Unlock()
		return
	}
	n := s.connDropped
	s.connDropped = 0
	s.connLogged = now
	s.connLogMu.Unlock()
	s.logf("too many connections (%d open): closed %d, the last from %s", s.cfg.MaxConnections, n, addr)
}

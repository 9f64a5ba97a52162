// Package sshserve is the SSH server of swtoken serve: it authenticates
// users (a registered public key or a one-time enrollment code), refuses
// everything but an interactive console in a PTY (no exec, shell command,
// subsystem, port, agent or X11 forwarding), limits sessions and failed
// logins, ends idle sessions, audits every attempt and refusal, and runs one
// Bubble Tea program per session. It knows nothing of the store: the
// caller gives it a Checker, an Auditor and the console's model factory.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
)

// Defaults of the Config fields left zero.
const (
	DefaultMaxSessions  = 100
	DefaultIdleTimeout  = 10 * time.Minute
	DefaultFailureDelay = 300 * time.Millisecond
	// MaxAuthTries bounds the authentication attempts of one connection
	// (OpenSSH's sshd default is 6 too).
	MaxAuthTries = 6
)

// Checker decides logins. The store implements it (UserKeyAuthorized,
// RedeemEnrollment); both answer false, not an error, for an unknown user.
type Checker interface {
	// KeyAuthorized says whether the public key (ssh.PublicKey.Marshal
	// form) is registered for user.
	KeyAuthorized(user string, wire []byte) (bool, error)
	// RedeemCode uses user's one-time enrollment code: true when it was
	// right (it is then used up).
	RedeemCode(user, code string, now time.Time) (bool, error)
}

// Auditor records audit events (store.Store.AppendAudit).
type Auditor interface {
	AppendAudit(action, object, details string) error
}

// Session is what the console's model is made from: the authenticated
// user, the client's address, the PTY and the session's environment
// (only TERM, NO_COLOR, COLORTERM and the locale variables the client sent).
type Session struct {
	User    string
	Addr    string
	Pty     ssh.Pty
	Environ []string
}

// Getenv reads the session's environment.
func (s Session) Getenv(key string) string {
	for _, kv := range s.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// ModelFactory makes the console of one session.
type ModelFactory func(s Session) tea.Model

// Config configures a Server. HostKey, Checker, Audit and NewModel are
// required.
type Config struct {
	HostKey  gossh.Signer
	Checker  Checker
	Audit    Auditor
	NewModel ModelFactory
	// Log receives one line per event; nil discards them.
	Log io.Writer
	// MaxSessions is the most sessions at once (DefaultMaxSessions).
	MaxSessions int
	// MaxConnections is the most connections open at once, logged in or
	// not (2 x MaxSessions): connections that never log in (a scanner, a
	// flood of handshakes) cannot take the server's memory, and a
	// connection beyond it is closed before the SSH handshake.
	MaxConnections int
	// IdleTimeout ends a session when no key was pressed for this long
	// (DefaultIdleTimeout).
	IdleTimeout time.Duration
	// FailureDelay is the least time a failed login attempt takes, so
	// that an unknown user, a wrong key and a wrong code take the same
	// (DefaultFailureDelay).
	FailureDelay time.Duration
	// RateBurst and RateRefill: see DefaultRateBurst.
	RateBurst  int
	RateRefill time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Server is a running (or ready) SSH server.
type Server struct {
	cfg     Config
	srv     *ssh.Server
	limiter *limiter

	logMu sync.Mutex

	mu       sync.Mutex
	ln       net.Listener
	live     map[*liveSession]struct{}
	stopping bool
	sessions sync.WaitGroup
	count    atomic.Int64

	conns       atomic.Int64 // open connections, logged in or not
	connLogMu   sync.Mutex
	connLogged  time.Time // the last "too many connections" line
	connDropped int       // connections closed since that line
}

// New makes a server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.HostKey == nil || cfg.Checker == nil || cfg.Audit == nil || cfg.NewModel == nil {
		return nil, errors.New("sshserve: HostKey, Checker, Audit and NewModel are required")
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 2 * cfg.MaxSessions
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.FailureDelay <= 0 {
		cfg.FailureDelay = DefaultFailureDelay
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// wish's Bubble Tea middleware logs a program's exit error through
	// charm's default logger, in its own format, on stderr: the server
	// logs its own lines instead.
	charmlog.SetOutput(io.Discard)
	s := &Server{cfg: cfg, live: map[*liveSession]struct{}{}}
	s.limiter = newLimiter(cfg.RateBurst, cfg.RateRefill, cfg.Now)
	// The PTY is emulated (the library's default, as soft-serve's): the
	// console reads the client's raw keys from the channel and writes its
	// frames to it. No OS pseudo-terminal per session: less memory, and
	// no race between the library closing the PTY and the console
	// reading it when a client drops.
	srv, err := wish.NewServer(
		wish.WithMiddleware(s.gate),
		func(srv *ssh.Server) error {
			srv.HostSigners = []ssh.Signer{cfg.HostKey}
			srv.Version = "swtoken"
			srv.PublicKeyHandler = s.publicKey
			srv.KeyboardInteractiveHandler = s.keyboardInteractive
			srv.PasswordHandler = nil
			srv.ConnCallback = s.connected
			srv.ConnectionCloseCallback = func(net.Conn) { s.conns.Add(-1) }
			srv.ServerConfigCallback = s.serverConfig
			srv.SessionRequestCallback = s.sessionRequest
			srv.HandshakeTimeout = 30 * time.Second
			// The connection's own idle limit ends connections that
			// open no session (ssh -N); a session's is its keys'.
			srv.IdleTimeout = cfg.IdleTimeout + cfg.IdleTimeout/10 + time.Second
			srv.LocalPortForwardingCallback = nil
			srv.ReversePortForwardingCallback = nil
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{
				"session":                        s.sessionChannel,
				"direct-tcpip":                   s.refuseChannel,
				"direct-streamlocal@openssh.com": s.refuseChannel,
			}
			srv.RequestHandlers = map[string]ssh.RequestHandler{
				"tcpip-forward":                          s.refuseForward,
				"cancel-tcpip-forward":                   s.refuseForward,
				"streamlocal-forward@openssh.com":        s.refuseForward,
				"cancel-streamlocal-forward@openssh.com": s.refuseForward,
			}
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	return s, nil
}

// Fingerprint is the host key's SHA256 fingerprint.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.cfg.HostKey.PublicKey()) }

// Serve accepts connections on ln until Shutdown; it returns nil after
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	s.logf("listening on %s (host key %s)", ln.Addr(), s.Fingerprint())
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	s.mu.Lock()
	stopping := s.stopping
	s.mu.Unlock()
	if stopping {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, ends every session (its console
// quits, restoring the user's terminal, and says why), waits for them until
// ctx ends, then closes all connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	ln := s.ln
	live := make([]*liveSession, 0, len(s.live))
	for ls := range s.live {
		live = append(live, ls)
	}
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, ls := range live {
		ls.end(endStopping)
	}
	done := make(chan struct{})
	go func() { s.sessions.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("sessions still open when the server stopped: %w", ctx.Err())
	}
	if cerr := s.srv.Close(); cerr != nil && err == nil && !errors.Is(cerr, ssh.ErrServerClosed) && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// Sessions is the number of sessions open now.
func (s *Server) Sessions() int { return int(s.count.Load()) }

// logf writes one log line: the UTC time and the event. Callers pass
// user names and addresses through printable().
func (s *Server) logf(format string, a ...any) {
	line := time.Now().UTC().Format(time.RFC3339) + " " + fmt.Sprintf(format, a...) + "\n"
	s.logMu.Lock()
	defer s.logMu.Unlock()
	io.WriteString(s.cfg.Log, line)
}

// audit writes an audit record; a failure is logged (the login or refusal
// stands: the audit trail is not a gate).
func (s *Server) audit(action, user, details string) {
	var err error
	switch action {
	case "ssh login":
		err = s.cfg.Audit.AppendAudit("ssh login", user, details)
	case "ssh refused":
		err = s.cfg.Audit.AppendAudit("ssh refused", user, details)
	case "ssh session end":
		err = s.cfg.Audit.AppendAudit("ssh session end", user, details)
	default:
		err = fmt.Errorf("unknown audit action %q", action)
	}
	if err != nil {
		s.logf("audit failed (%s %s): %v", action, user, err)
	}
}

// printable makes a client-chosen string (a user name, a command) safe
// for a log line or audit record: escaped and at most 64 characters.
func printable(v string) string {
	const max = 64
	if len(v) > max {
		v = v[:max] + "..."
	}
	return model.Printable(v)
}

// Logf writes one log line in the server's format (for the background
// runner of the same process).
func (s *Server) Logf(format string, a ...any) { s.logf(format, a...) }

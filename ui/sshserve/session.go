package sshserve

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"
)

// The one-line messages a refused session gets (then exit status 1).
const (
	MsgNoPty        = "swtoken: this console needs a terminal: use ssh -t"
	MsgNoCommands   = "swtoken: this server runs no commands, only the console: connect with ssh -t and no command"
	MsgTooMany      = "swtoken: too many sessions open: try again later"
	MsgDumbTerm     = "swtoken: this console needs a terminal that can position the cursor, and TERM is %q: connect from a real terminal or set TERM (e.g. TERM=xterm-256color)"
	MsgIdle         = "swtoken: no key pressed for %v: session closed"
	MsgStopping     = "swtoken: the server is stopping: session closed"
	agentRequest    = "auth-agent-req@openssh.com"
	x11Request      = "x11-req"
	whatNoPty       = "no pty"
	whatTooMany     = "too many sessions"
	whatPortForward = "port forwarding"
)

// sessionChannel opens session channels with the agent and X11 forwarding
// requests taken out (refused and audited) before the library sees them:
// it would grant agent forwarding.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: nc, s: s, ctx: ctx}, ctx)
}

type filteredChannel struct {
	gossh.NewChannel
	s   *Server
	ctx ssh.Context
}

func (f filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for r := range reqs {
			switch r.Type {
			case agentRequest:
				f.s.refuse(f.ctx, "agent forwarding")
			case x11Request:
				f.s.refuse(f.ctx, "x11")
			default:
				out <- r
				continue
			}
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
	}()
	return ch, out, nil
}

func (s *Server) refuseChannel(_ *ssh.Server, _ *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	s.refuse(ctx, whatPortForward)
	_ = nc.Reject(gossh.Prohibited, "port forwarding is not allowed")
}

func (s *Server) refuseForward(ctx ssh.Context, _ *ssh.Server, _ *gossh.Request) (bool, []byte) {
	s.refuse(ctx, whatPortForward)
	return false, nil
}

// sessionRequest refuses subsystems (sftp, and scp, which OpenSSH 9 runs
// over sftp); exec and shell go to the gate, which can say why.
func (s *Server) sessionRequest(sess ssh.Session, requestType string) bool {
	if requestType == "subsystem" {
		s.refuse(sess.Context(), "subsystem "+printable(sess.Subsystem()))
		return false
	}
	return true
}

// lineTo writes one line to the client's terminal (or its stderr without
// a PTY).
func lineTo(sess ssh.Session, msg string) {
	if _, _, ok := sess.Pty(); ok {
		fmt.Fprint(sess, msg+"\r\n")
		return
	}
	fmt.Fprintln(sess.Stderr(), msg)
}

// gate lets only a console in a PTY through, within the session limit.
func (s *Server) gate(_ ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx := sess.Context()
		cs := stateOf(ctx)
		user := sess.User()
		// The raw command, not Command(): that is empty for a command it
		// cannot split (an unbalanced quote).
		if cmd := strings.Fields(sess.RawCommand()); len(cmd) > 0 {
			// Only the command's name: its arguments may hold anything.
			s.refuse(ctx, fmt.Sprintf("exec %q", printable(cmd[0])))
			lineTo(sess, MsgNoCommands)
			_ = sess.Exit(1)
			return
		}
		pty, _, ok := sess.Pty()
		if !ok {
			s.refuse(ctx, whatNoPty)
			lineTo(sess, MsgNoPty)
			_ = sess.Exit(1)
			return
		}
		if t := strings.TrimSpace(pty.Term); t == "" || strings.EqualFold(t, "dumb") {
			// Not a refusal of the rules (nothing is audited): the
			// console cannot draw there.
			s.logf("session not started: %s from %s: TERM %q", printable(user), cs.addr, printable(pty.Term))
			lineTo(sess, fmt.Sprintf(MsgDumbTerm, printable(pty.Term)))
			_ = sess.Exit(1)
			return
		}
		ls := &liveSession{sess: sess}
		if !s.admit(ls) {
			s.refuse(ctx, whatTooMany)
			lineTo(sess, MsgTooMany)
			_ = sess.Exit(1)
			return
		}
		defer s.leave(ls)
		start := time.Now()
		s.logf("session start: %s from %s (%dx%d %s)", printable(user), cs.addr, pty.Window.Width, pty.Window.Height, printable(pty.Term))

		env := sessionEnv(pty.Term, sess.Environ())
		m := s.cfg.NewModel(Session{User: user, Addr: cs.addr, Pty: pty, Environ: env})
		p := tea.NewProgram(m, s.programOptions(sess, pty, env, ls)...)
		ls.setProgram(p)
		stopWatch := s.watchIdle(ls)
		bm.MiddlewareWithProgramHandler(func(ssh.Session) *tea.Program { return p })(func(ssh.Session) {})(sess)
		stopWatch()

		switch ls.reason() {
		case endIdle:
			lineTo(sess, fmt.Sprintf(MsgIdle, s.cfg.IdleTimeout))
		case endStopping:
			lineTo(sess, MsgStopping)
		}
		d := time.Since(start).Round(time.Second)
		s.audit("ssh session end", printable(user), fmt.Sprintf("address %s; duration %v", cs.addr, d))
		s.logf("session end: %s from %s after %v%s", printable(user), cs.addr, d, ls.reason().suffix())
		_ = sess.Exit(0)
	}
}

// admit counts a session in unless the server is full or stopping.
func (s *Server) admit(ls *liveSession) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping || len(s.live) >= s.cfg.MaxSessions {
		return false
	}
	s.live[ls] = struct{}{}
	s.sessions.Add(1)
	s.count.Add(1)
	return true
}

func (s *Server) leave(ls *liveSession) {
	s.mu.Lock()
	delete(s.live, ls)
	s.mu.Unlock()
	s.count.Add(-1)
	s.sessions.Done()
}

// sessionEnv is the environment the console sees: the PTY's TERM, and of
// what the client sent only what decides colours and glyphs (never
// TEA_TRACE, TEA_DEBUG or anything else).
func sessionEnv(term string, sent []string) []string {
	env := []string{"TERM=" + term}
	for _, kv := range sent {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "NO_COLOR", "COLORTERM", "LANG", "LC_ALL", "LC_CTYPE":
			env = append(env, kv)
		}
	}
	return env
}

func (s *Server) programOptions(sess ssh.Session, pty ssh.Pty, env []string, ls *liveSession) []tea.ProgramOption {
	opts := []tea.ProgramOption{
		tea.WithEnvironment(env),
		tea.WithWindowSize(pty.Window.Width, pty.Window.Height),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.KeyPressMsg, tea.KeyReleaseMsg, tea.PasteMsg, tea.MouseClickMsg, tea.MouseWheelMsg, tea.WindowSizeMsg:
				ls.touch()
			case tea.SuspendMsg:
				// No job control over SSH (as wish's own filter).
				return tea.ResumeMsg{}
			}
			return msg
		}),
	}
	if sess.EmulatedPty() || pty.Slave == nil {
		opts = append(opts, tea.WithInput(sess), tea.WithOutput(sess), tea.WithColorProfile(colorprofile.Env(env)))
	} else {
		opts = append(opts, tea.WithInput(pty.Slave), tea.WithOutput(pty.Slave))
	}
	if noColor(env) {
		// no-color.org: any non-empty value (colorprofile wants a bool).
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	return opts
}

func noColor(env []string) bool {
	return Session{Environ: env}.Getenv("NO_COLOR") != ""
}

// watchIdle ends ls when no key was pressed for IdleTimeout.
func (s *Server) watchIdle(ls *liveSession) (stop func()) {
	ls.touch()
	every := s.cfg.IdleTimeout / 4
	if every > time.Second {
		every = time.Second
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if time.Since(ls.lastInput()) >= s.cfg.IdleTimeout {
					ls.end(endIdle)
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

type endReason int

const (
	endByUser endReason = iota
	endIdle
	endStopping
)

func (r endReason) suffix() string {
	switch r {
	case endIdle:
		return " (idle)"
	case endStopping:
		return " (server stopping)"
	}
	return ""
}

// liveSession is one console being served.
type liveSession struct {
	sess  ssh.Session
	input atomic.Int64 // unix nanoseconds of the last key

	mu      sync.Mutex
	program *tea.Program
	why     endReason
	pending bool // end was asked before the program existed
}

func (ls *liveSession) touch()               { ls.input.Store(time.Now().UnixNano()) }
func (ls *liveSession) lastInput() time.Time { return time.Unix(0, ls.input.Load()) }

func (ls *liveSession) setProgram(p *tea.Program) {
	ls.mu.Lock()
	ls.program = p
	pending := ls.pending
	ls.mu.Unlock()
	if pending {
		go p.Quit()
	}
}

// end quits the console (the first reason given stays).
func (ls *liveSession) end(why endReason) {
	ls.mu.Lock()
	if ls.why == endByUser {
		ls.why = why
	}
	p := ls.program
	if p == nil {
		ls.pending = true
	}
	ls.mu.Unlock()
	if p != nil {
		// Quit waits for the program's loop; never block the caller on it.
		go p.Quit()
	}
}

func (ls *liveSession) reason() endReason {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.why
}

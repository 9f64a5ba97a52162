package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/sshserve"
)

func init() {
	register("serve", command{
		summary: "serve the Self-Service Console over SSH; the same process runs queued jobs, fulfils approved requests and sends mail",
		usage:   "serve [--listen 127.0.0.1:2222] [--max-sessions 100] [--idle-timeout 10m]",
		run:     runServe,
	})
}

// SelfServiceConsole makes the console of each SSH session on st. main
// sets it (the console lives in package ui, above this one); unset, the
// sessions get a stand-in that says so.
var SelfServiceConsole func(st *store.Store) sshserve.ModelFactory

// serveStopWait bounds the wait for the sessions and the job in hand when
// serve is stopped.
const serveStopWait = 10 * time.Second

func runServe(g Globals, args []string, stdio IO) error {
	fs := newFlags("serve")
	listen := fs.String("listen", "127.0.0.1:2222", "")
	maxSessions := fs.Int("max-sessions", sshserve.DefaultMaxSessions, "")
	idle := fs.Duration("idle-timeout", sshserve.DefaultIdleTimeout, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: serve takes only flags", pos[0])
	}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return usagef("--listen %q is not HOST:PORT (for example 127.0.0.1:2222 or :2222)", *listen)
	}
	if *maxSessions < 1 || *maxSessions > 10000 {
		return usagef("--max-sessions %d: give 1 to 10000", *maxSessions)
	}
	if *idle < time.Second || *idle > 24*time.Hour {
		return usagef("--idle-timeout %v: give 1s to 24h", *idle)
	}
	// Bubble Tea's TEA_TRACE would log every key of every session.
	os.Unsetenv("TEA_TRACE")

	// A server over a new, empty store would let nobody in: a mistyped
	// --data-dir is reported instead.
	dir, err := store.ResolveDataDir(g.DataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFileName)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no store in %s yet: import users (swtoken import users) or load the demo (swtoken demo) first, or check --data-dir", dir)
	}
	st, err := openStore(g, readWrite, "serve")
	if err != nil {
		return err
	}
	defer st.Close()
	keyPath := filepath.Join(st.DataDir(), sshserve.HostKeyFile)
	hostKey, created, err := sshserve.LoadOrCreateHostKey(keyPath)
	if err != nil {
		return err
	}
	factory := standInConsole
	if SelfServiceConsole != nil {
		factory = SelfServiceConsole(st)
	}
	srv, err := sshserve.New(sshserve.Config{
		HostKey:     hostKey,
		Checker:     storeChecker{st},
		Audit:       st,
		NewModel:    factory,
		Log:         stdio.Stderr,
		MaxSessions: *maxSessions,
		IdleTimeout: *idle,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	made := ""
	if created {
		made = ", made now"
	}
	srv.Logf("host key %s (%s%s)", srv.Fingerprint(), keyPath, made)

	// The same process runs the queued jobs and, whenever it has none,
	// fulfils approved requests and sends mail (as the console does).
	fulfiller := requests.NewRunner(st, requests.Options{Mail: true})
	eng := jobs.New(st, jobs.Options{Idle: func(ctx context.Context) {
		res, err := fulfiller.Pass(ctx)
		logFulfilment(srv, res)
		if err != nil && ctx.Err() == nil {
			srv.Logf("fulfilling approved requests: %s", model.Printable(err.Error()))
		}
	}})
	events, unsubscribe := eng.Subscribe()
	defer unsubscribe()
	go logJobs(srv, events)
	engCtx, stopEngine := context.WithCancel(context.Background())
	defer stopEngine()
	eng.Start(engCtx)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case sig := <-sigs:
		srv.Logf("stopping (%v): no new connections; ending %s", sig, model.Plural(srv.Sessions(), "session"))
	case serveErr = <-served:
		srv.Logf("the server stopped: %v", serveErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveStopWait)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Logf("%v", err)
	}
	// The job in hand stops and is queued again (as for jobs run).
	stopEngine()
	select {
	case <-eng.Done():
	case <-ctx.Done():
		srv.Logf("the runner did not stop within %v", serveStopWait)
	}
	srv.Logf("stopped")
	if serveErr != nil {
		return serveErr
	}
	return nil
}

// storeChecker decides SSH logins with the store.
type storeChecker struct{ st *store.Store }

func (c storeChecker) KeyAuthorized(user string, wire []byte) (bool, error) {
	return c.st.UserKeyAuthorized(user, wire)
}

func (c storeChecker) RedeemCode(user, code string, now time.Time) (bool, error) {
	r, err := c.st.RedeemEnrollment(user, code, now)
	return err == nil && r == store.EnrollAccepted, err
}

// logJobs logs each job's start and end (not its progress).
func logJobs(srv *sshserve.Server, events <-chan jobs.Event) {
	last := map[uint64]model.JobState{}
	for ev := range events {
		if s, ok := last[ev.Seq]; ok && s == ev.State {
			continue
		}
		last[ev.Seq] = ev.State
		switch {
		case ev.State == model.JobCompleted:
			srv.Logf("job #%d %q completed: %s", ev.Seq, model.Printable(ev.Name), model.Plural(ev.Total, "token file"))
		case ev.State.Terminal():
			srv.Logf("job #%d %q ended %s: %s", ev.Seq, model.Printable(ev.Name), ev.State, model.Printable(ev.Reason))
			delete(last, ev.Seq)
		default:
			srv.Logf("job #%d %q %s (%s)", ev.Seq, model.Printable(ev.Name), ev.State, model.Plural(ev.Total, "token"))
		}
	}
}

// logFulfilment logs what a pass over the approved requests did, nothing
// when it did nothing.
func logFulfilment(srv *sshserve.Server, res requests.Result) {
	for _, r := range res.Fulfilled {
		srv.Logf("request %s fulfilled: token %s for %s", r.ID(), r.Serial, model.Printable(r.User))
	}
	for _, r := range res.Failed {
		srv.Logf("request %s failed: %s", r.ID(), model.Printable(r.StateReason))
	}
	if n := len(res.Notices.Queued); n > 0 {
		srv.Logf("%s (received, rejected) to the outbox", model.Plural(n, "request notice"))
	}
	for _, d := range res.Notices.Dropped {
		srv.Logf("notice dropped: %s", model.Printable(d))
	}
	if n := len(res.Mailed.Queued); n > 0 {
		srv.Logf("%s to the outbox", model.Plural(n, "token message"))
	}
	for _, p := range res.Mailed.Problems {
		srv.Logf("not mailed: %s", model.Printable(p))
	}
	if s := res.Sent; s.Sent+s.Retry+s.Failed > 0 {
		srv.Logf("e-mail: %d sent, %d to retry, %d failed", s.Sent, s.Retry, s.Failed)
	}
}

// standInConsole is the session's console when this binary was built
// without the Self-Service Console.
func standInConsole(s sshserve.Session) tea.Model { return standIn{} }

type standIn struct{}

func (standIn) Init() tea.Cmd { return nil }
func (m standIn) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return m, tea.Quit
	}
	return m, nil
}
func (standIn) View() tea.View {
	return tea.NewView("This swtoken was built without the Self-Service Console. Press q to leave.")
}

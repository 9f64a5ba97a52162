package sshserve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"
)

// fakeChecker stands in for the store: registered keys and one-time codes.
type fakeChecker struct {
	mu    sync.Mutex
	keys  map[string][]byte // user -> key wire
	codes map[string]string // user -> unused code
}

func (f *fakeChecker) KeyAuthorized(user string, wire []byte) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.keys[user]
	return ok && string(k) == string(wire), nil
}

func (f *fakeChecker) RedeemCode(user, code string, _ time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.codes[user]
	if !ok || c != code {
		return false, nil
	}
	delete(f.codes, user)
	return true, nil
}

type auditRec struct{ Action, Object, Details string }

type fakeAudit struct {
	mu   sync.Mutex
	recs []auditRec
}

func (f *fakeAudit) AppendAudit(action, object, details string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs = append(f.recs, auditRec{action, object, details})
	return nil
}

func (f *fakeAudit) all() []auditRec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]auditRec(nil), f.recs...)
}

// find returns the records of action whose details contain all of parts.
func (f *fakeAudit) find(action string, parts ...string) []auditRec {
	var out []auditRec
	for _, r := range f.all() {
		if r.Action != action {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(r.Details, p) {
				ok = false
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// waitAudit waits up to 3 s for a record.
func (f *fakeAudit) waitAudit(t *testing.T, action string, parts ...string) auditRec {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if rs := f.find(action, parts...); len(rs) > 0 {
			return rs[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no audit record %q with %q; records: %+v", action, parts, f.all())
	return auditRec{}
}

// standIn is a trivial console: it shows who is logged in and quits on q.
type standIn struct{ user string }

func (m standIn) Init() tea.Cmd { return nil }
func (m standIn) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "q" {
		return m, tea.Quit
	}
	return m, nil
}
func (m standIn) View() tea.View { return tea.NewView("console of " + m.user) }

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type testServer struct {
	*Server
	addr    string
	checker *fakeChecker
	audit   *fakeAudit
	log     *lockedBuf
	alice   gossh.Signer // registered for alice
	other   gossh.Signer // registered for nobody
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startServer runs a server on a free loopback port with alice (key
// alice, code "ALICE-CODE") and bob (code "BOB-CODE").
func startServer(t *testing.T, tweak func(*Config)) *testServer {
	t.Helper()
	host, _, err := LoadOrCreateHostKey(filepath.Join(t.TempDir(), HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{audit: &fakeAudit{}, log: &lockedBuf{}, alice: newSigner(t), other: newSigner(t)}
	ts.checker = &fakeChecker{
		keys:  map[string][]byte{"alice": ts.alice.PublicKey().Marshal()},
		codes: map[string]string{"alice": "ALICE-CODE", "bob": "BOB-CODE"},
	}
	cfg := Config{
		HostKey: host, Checker: ts.checker, Audit: ts.audit, Log: ts.log,
		NewModel: func(s Session) tea.Model { return standIn{user: s.User} },
	}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

func (ts *testServer) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	})
}

// login logs alice in with her key.
func (ts *testServer) login(t *testing.T) *gossh.Client {
	t.Helper()
	c, err := ts.dial("alice", gossh.PublicKeys(ts.alice))
	if err != nil {
		t.Fatalf("alice's login: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func code(answer string) gossh.AuthMethod {
	return gossh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
		out := make([]string, len(qs))
		for i := range qs {
			out[i] = answer
		}
		return out, nil
	})
}

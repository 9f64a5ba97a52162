package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/sshserve"
)

type keyOf struct{ user, wire string }

func (k keyOf) KeyAuthorized(user string, wire []byte) (bool, error) {
	return user == k.user && string(wire) == k.wire, nil
}
func (keyOf) RedeemCode(string, string, time.Time) (bool, error) { return false, nil }

type noAudit struct{}

func (noAudit) AppendAudit(string, string, string) error { return nil }

type screenBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screenBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *screenBuf) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// sgrColour matches a foreground or background colour in an SGR sequence.
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

// TestSelfServiceConsoleOverSSHFollowsTheClientsNoColor: a session shows
// the user's own console; with NO_COLOR sent by the client it has no
// colour, whatever the server's environment.
func TestSelfServiceConsoleOverSSHFollowsTheClientsNoColor(t *testing.T) {
	st := uitest.DemoStore(t)
	user := ""
	if err := st.EachUser(func(u model.User) error {
		if user == "" {
			user = u.ID
		}
		return nil
	}); err != nil || user == "" {
		t.Fatalf("a demo user: %v", err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	host, _, err := sshserve.LoadOrCreateHostKey(filepath.Join(t.TempDir(), sshserve.HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sshserve.New(sshserve.Config{HostKey: host, Checker: keyOf{user, string(signer.PublicKey().Marshal())},
		Audit: noAudit{}, NewModel: SelfServiceConsole(st)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	screen := func(noColor bool) string {
		c, err := gossh.Dial("tcp", ln.Addr().String(), &gossh.ClientConfig{User: user,
			Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out := &screenBuf{}
		s.Stdout = out
		if noColor {
			if err := s.Setenv("NO_COLOR", "1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Shell(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(out.String(), "signed in as "+user) {
			if time.Now().After(deadline) {
				t.Fatalf("no console for %s: %q", user, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		return out.String()
	}
	if plain := screen(true); sgrColour.MatchString(plain) {
		t.Errorf("colour with NO_COLOR: %q", sgrColour.FindString(plain))
	}
	if coloured := screen(false); !sgrColour.MatchString(coloured) {
		t.Errorf("no colour at all without NO_COLOR (is the check broken?)")
	}
}

//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// startUserSSHPane runs the OpenSSH client in a new tmux session of 80x24,
// logged in to the fixture's `swtoken serve` as user with the key named
// key, and waits for the user's console to show who is signed in:
//
//	ssh -tt -F /dev/null -o UserKnownHostsFile=... -o StrictHostKeyChecking=accept-new
//	    -o IdentitiesOnly=yes -p PORT -i KEY USER@127.0.0.1
//
// The client's exit status is written to dir/exit-<name>. The session is
// ended at the end of the test.
func (f *serveFixture) startUserSSHPane(t *testing.T, key, user string) *tmuxSession {
	t.Helper()
	// No NO_COLOR or locale is sent (-F /dev/null: no SendEnv), as from a
	// bare client.
	return f.startUserSSHPaneWith(t, key, user, nil)
}

// startUserSSHPaneWith is startUserSSHPane with environment variables
// for the client (TERM=vt100, NO_COLOR=1) and more ssh options
// (-o SendEnv=NO_COLOR).
func (f *serveFixture) startUserSSHPaneWith(t *testing.T, key, user string, env []string, sshArgs ...string) *tmuxSession {
	t.Helper()
	args := append(append(f.sshOpts(key), sshArgs...), "-p", f.port, user+"@127.0.0.1")
	s := startSSH(t, f.dir, 80, 24, env, args...)
	s.waitFor(`signed in as `+user, 15*time.Second)
	return s
}

// startSSH runs the OpenSSH client, "ssh -tt" and args, with the
// environment variables env, in a new tmux session of cols x rows in
// dir. Its exit status is written to dir/exit-<name>.
func startSSH(t *testing.T, dir string, cols, rows int, env []string, args ...string) *tmuxSession {
	t.Helper()
	binary(t) // tmux is required (and the binary built) first
	s := newTmuxSession(t, dir)
	words := append(append(append([]string{"exec", "env", "-u", "TMUX"}, env...), "ssh", "-tt"), args...)
	s.start(cols, rows, strings.Join(quoteAll(words), " "))
	return s
}

// quitUserSSHPane leaves the user's console with q; the client must exit 0.
func (s *tmuxSession) quitUserSSHPane() {
	s.t.Helper()
	s.keys("q")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		s.t.Fatalf("ssh exited %d after q; screen:\n%s", st, s.screen())
	}
}

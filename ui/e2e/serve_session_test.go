//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	sessionSeq++
	s := &tmuxSession{t: t, sock: fmt.Sprintf("swt-e2e-%d-%d", os.Getpid(), sessionSeq), name: fmt.Sprintf("s%d", sessionSeq), dir: f.dir}
	args := append([]string{"ssh", "-tt"}, f.sshOpts(key)...)
	args = append(args, sshArgs...)
	args = append(args, "-p", f.port, user+"@127.0.0.1")
	cmd := "exec env -u TMUX " + strings.Join(quoteAll(append(env, args...)), " ")
	wrapper := fmt.Sprintf("sh -c %s; echo $? > %s", shq(cmd), shq(filepath.Join(f.dir, "exit-"+s.name)))
	s.tmux("-f", "/dev/null", "start-server", ";",
		"set-option", "-g", "remain-on-exit", "on", ";",
		"set-option", "-g", "escape-time", "0", ";",
		"new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", "-c", f.dir, wrapper)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	s.waitFor(`signed in as `+user, 15*time.Second)
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

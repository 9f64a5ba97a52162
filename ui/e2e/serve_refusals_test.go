//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// serveFixture is `swtoken serve` on a free loopback port over the demo
// store, with OpenSSH client keys made by ssh-keygen.
type serveFixture struct {
	dir, data, port, knownHosts string
	keys                        map[string]string // name -> private key file
	log                         *os.File
}

// freePort returns a loopback port nobody listens on (for a moment).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func (f *serveFixture) keygen(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(f.dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	f.keys[name] = path
	return path
}

// startServe seeds the store and starts the server; it is stopped with
// SIGTERM at the end of the test, which must make it exit 0.
func startServe(t *testing.T) *serveFixture {
	t.Helper()
	bin := binary(t)
	stokentest.Require(t, "ssh")
	f := &serveFixture{dir: t.TempDir(), keys: map[string]string{}}
	f.data = filepath.Join(f.dir, "data")
	f.knownHosts = filepath.Join(f.dir, "known_hosts")
	cli(t, f.data, "demo")
	f.keygen(t, "alice")
	f.keygen(t, "stranger")
	f.port = freePort(t)
	log, err := os.Create(filepath.Join(f.dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	f.log = log
	cmd := exec.Command(bin, "--data-dir", f.data, "serve", "--listen", "127.0.0.1:"+f.port)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("swtoken serve after SIGTERM: %v (want exit 0)\n%s", err, f.serveLog())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("swtoken serve did not stop within 15 s of SIGTERM")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.serveLog(), "listening on") {
		if time.Now().After(deadline) {
			t.Fatalf("swtoken serve did not start:\n%s", f.serveLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f
}

func (f *serveFixture) serveLog() string {
	b, _ := os.ReadFile(f.log.Name())
	return string(b)
}

// openStore opens the served store from the test (the store takes its
// lock per transaction, so it is shared with the server).
func (f *serveFixture) openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: f.data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (f *serveFixture) sshOpts(key string) []string {
	opts := []string{"-F", "/dev/null", "-o", "UserKnownHostsFile=" + f.knownHosts, "-o", "StrictHostKeyChecking=accept-new",
		"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10"}
	if key != "" {
		opts = append(opts, "-o", "BatchMode=yes", "-i", f.keys[key])
	}
	return opts
}

// run runs an OpenSSH client program with a 20 s limit; it returns the
// combined output and the exit status.
func run(t *testing.T, env []string, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: askpass, never a prompt
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out\n%s", name, args, out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out), 0
}

// ssh runs the OpenSSH client with key (as user) and extra arguments.
func (f *serveFixture) ssh(t *testing.T, key, user string, extra ...string) (string, int) {
	t.Helper()
	args := append(f.sshOpts(key), "-p", f.port)
	args = append(args, extra...)
	args = append(args, user+"@127.0.0.1")
	return run(t, nil, "ssh", args...)
}

// sshCommand is ssh with a remote command after the destination.
func (f *serveFixture) sshCommand(t *testing.T, key, user string, command ...string) (string, int) {
	t.Helper()
	args := append(f.sshOpts(key), "-p", f.port, user+"@127.0.0.1")
	return run(t, nil, "ssh", append(args, command...)...)
}

// sshCode logs in with keyboard-interactive only, answering the prompt
// with code through SSH_ASKPASS.
func (f *serveFixture) sshCode(t *testing.T, user, code string) (string, int) {
	t.Helper()
	askpass := filepath.Join(f.dir, "askpass-"+user)
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\nprintf '%s\\n' "+shq(code)+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	args := append(f.sshOpts(""), "-p", f.port, "-o", "PreferredAuthentications=keyboard-interactive",
		"-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-T", user+"@127.0.0.1")
	return run(t, []string{"SSH_ASKPASS=" + askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"}, "ssh", args...)
}

// auditHas waits for an audit record of action whose line holds all of
// parts (swtoken audit's own output, as an admin reads it).
func (f *serveFixture) auditHas(t *testing.T, action string, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var out string
	for time.Now().Before(deadline) {
		out = cli(t, f.data, "audit", "--action", action)
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(sc.Text(), p)
			}
			if ok {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %q audit record with %q:\n%s", action, parts, out)
}

// state is what a refusal must not change: users' keys and codes, the
// requests and the tokens.
func (f *serveFixture) state(t *testing.T, st *store.Store, users ...string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		ks, err := st.UserKeys(u)
		if err != nil {
			t.Fatal(err)
		}
		live, exp, err := st.EnrollmentStatus(u, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d keys; code live %v until %v\n", u, len(ks), live, exp)
		for _, k := range ks {
			fmt.Fprintf(&b, "  %s\n", k.Fingerprint)
		}
	}
	b.WriteString(cli(t, f.data, "requests", "list", "--json"))
	b.WriteString(cli(t, f.data, "tokens", "list", "--json"))
	return b.String()
}

func TestE2EServeRefusalsWithTheOpenSSHClient(t *testing.T) {
	f := startServe(t)
	st := f.openStore(t)
	const alice, used, expired = "aandersen", "adubois", "afischer"
	pub, err := os.ReadFile(f.keys["alice"] + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	k, err := model.ParseSSHKey(strings.TrimSpace(string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUserKey(alice, k); err != nil {
		t.Fatal(err)
	}
	inv, err := st.InviteUser(used, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := st.RedeemEnrollment(used, inv.Code, time.Now()); err != nil || r != store.EnrollAccepted {
		t.Fatalf("using the code: %v %v", r, err)
	}
	old, err := st.InviteUser(expired, time.Now().Add(-store.EnrollmentTTL-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	before := f.state(t, st, alice, used, expired)

	// The registered key works (the reference for the refusals below):
	// without a PTY it gets the one-line refusal, after a login.
	out, status := f.ssh(t, "alice", alice, "-T")
	if status != 1 || !strings.Contains(out, "swtoken: this console needs a terminal: use ssh -t") {
		t.Fatalf("ssh -T: status %d, output %q", status, out)
	}
	f.auditHas(t, "ssh login", alice, "address 127.0.0.1:", "method publickey; accepted")
	f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", "what: no pty")

	t.Run("unknown user", func(t *testing.T) {
		out, status := f.ssh(t, "alice", "nosuchuser", "-tt")
		if status != 255 || !strings.Contains(out, "Permission denied") {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh login", "nosuchuser", "address 127.0.0.1:", "method publickey; refused")
	})
	t.Run("wrong key", func(t *testing.T) {
		out, status := f.ssh(t, "stranger", alice, "-tt")
		if status != 255 || !strings.Contains(out, "Permission denied") {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh login", alice, "address 127.0.0.1:", "method publickey; refused")
	})
	t.Run("used code", func(t *testing.T) {
		out, status := f.sshCode(t, used, inv.Code)
		if status != 255 || !strings.Contains(out, "Permission denied") {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh login", used, "address 127.0.0.1:", "method keyboard-interactive; refused")
	})
	t.Run("expired code", func(t *testing.T) {
		out, status := f.sshCode(t, expired, old.Code)
		if status != 255 || !strings.Contains(out, "Permission denied") {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh login", expired, "address 127.0.0.1:", "method keyboard-interactive; refused")
	})
	t.Run("command", func(t *testing.T) {
		out, status := f.sshCommand(t, "alice", alice, "cat", "/etc/passwd")
		if status != 1 || strings.TrimSpace(out) != "swtoken: this server runs no commands, only the console: connect with ssh -t and no command" {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", `what: exec "cat"`)
	})
	t.Run("local port forwarding", func(t *testing.T) {
		target, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		local := freePort(t)
		args := append(f.sshOpts("alice"), "-p", f.port, "-N", "-L", "127.0.0.1:"+local+":"+target.Addr().String(), alice+"@127.0.0.1")
		cmd := exec.Command("ssh", args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		var conn net.Conn
		for i := 0; i < 100; i++ {
			if conn, err = net.Dial("tcp", "127.0.0.1:"+local); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if conn == nil {
			t.Fatalf("ssh -L never listened: %v", err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if n, _ := io.ReadAll(conn); len(n) != 0 {
			t.Errorf("data through a refused forward: %q", n)
		}
		conn.Close()
		f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", "what: port forwarding")
	})
	t.Run("remote port forwarding", func(t *testing.T) {
		out, status := f.ssh(t, "alice", alice, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:9")
		if status != 255 || !strings.Contains(out, "remote port forwarding failed") {
			t.Fatalf("status %d, output %q", status, out)
		}
		// The -L connection's record and this one's.
		if n := strings.Count(cli(t, f.data, "audit", "--action", "ssh refused"), "what: port forwarding"); n != 2 {
			t.Errorf("%d port forwarding records, want 2", n)
		}
	})
	t.Run("agent forwarding", func(t *testing.T) {
		sock := filepath.Join(f.dir, "agent.sock")
		agent := exec.Command("ssh-agent", "-D", "-a", sock)
		if err := agent.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { agent.Process.Kill(); agent.Wait() }()
		for i := 0; i < 50; i++ {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		args := append(f.sshOpts("alice"), "-p", f.port, "-A", "-T", alice+"@127.0.0.1")
		out, status := run(t, []string{"SSH_AUTH_SOCK=" + sock}, "ssh", args...)
		if status != 1 {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", "what: agent forwarding")
	})
	t.Run("sftp", func(t *testing.T) {
		args := append(f.sshOpts("alice"), "-P", f.port, "-b", "/dev/null", alice+"@127.0.0.1")
		out, status := run(t, nil, "sftp", args...)
		if status == 0 || !strings.Contains(out, "subsystem request failed") {
			t.Fatalf("status %d, output %q", status, out)
		}
		f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", "what: subsystem sftp")
	})
	t.Run("scp", func(t *testing.T) {
		file := filepath.Join(f.dir, "upload.txt")
		os.WriteFile(file, []byte("x\n"), 0o600)
		// OpenSSH 9 copies over sftp; -O is the old scp protocol (an exec).
		target := filepath.Join(f.dir, "scp-upload")
		args := append(f.sshOpts("alice"), "-P", f.port, file, alice+"@127.0.0.1:"+target)
		if out, status := run(t, nil, "scp", args...); status == 0 {
			t.Fatalf("scp: status 0, output %q", out)
		}
		argsO := append([]string{"-O"}, args...)
		if out, status := run(t, nil, "scp", argsO...); status == 0 {
			t.Fatalf("scp -O: status 0, output %q", out)
		}
		f.auditHas(t, "ssh refused", alice, "address 127.0.0.1:", `what: exec "scp"`)
		if _, err := os.Stat(target); err == nil {
			t.Error("scp wrote a file")
		}
	})

	if after := f.state(t, st, alice, used, expired); after != before {
		t.Errorf("the refusals changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	log := f.serveLog()
	for _, secret := range []string{inv.Code, old.Code, strings.Fields(string(pub))[1]} {
		if strings.Contains(log, secret) {
			t.Errorf("the server's log holds a code or key blob:\n%s", log)
		}
	}
	t.Logf("the server's log:\n%s", log)
	if n := strings.Count(log, "login refused:"); n < 4 {
		t.Errorf("%d refused logins logged, want at least 4:\n%s", n, log)
	}
}

//go:build e2e

// End-to-end tests: the built binary in a real pty, driven through tmux as a
// new admin would drive it (tui-conventions §7). Run them with
//
//	go test -count=1 -v -tags e2e -run E2E ./...
//
// With CI=true a missing tmux or stoken is a failure; elsewhere the tests
// skip.
package ui

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/ui/kit"

	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary built for the e2e tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds swtoken once for all e2e tests.
func binary(t *testing.T) string {
	t.Helper()
	stokentest.Require(t, "tmux")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "swtoken-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "swtoken")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = ".." // the module root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// shq quotes s for sh.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// tmuxSession is one console in a private tmux server.
type tmuxSession struct {
	t      *testing.T
	sock   string
	name   string
	dir    string // working directory and scratch space
	secret string // must never appear on screen
}

var sessionSeq int

// startConsole runs "swtoken --data-dir data" in a new tmux session of
// cols x rows with the given environment, in dir. Its exit status is
// written to dir/exit-<name>, its pid to dir/pid-<name>.
func startConsole(t *testing.T, dir, data string, cols, rows int, env ...string) *tmuxSession {
	t.Helper()
	bin := binary(t)
	sessionSeq++
	s := &tmuxSession{t: t, sock: fmt.Sprintf("swt-e2e-%d-%d", os.Getpid(), sessionSeq), name: fmt.Sprintf("s%d", sessionSeq), dir: dir}
	// env -u TMUX: inside tmux, colorprofile may upgrade the profile, and
	// the test must see what the admin's terminal would.
	cmd := fmt.Sprintf("echo $$ > %s; exec env -u TMUX -u NO_COLOR -u TEA_TRACE %s %s --data-dir %s; ",
		shq(filepath.Join(dir, "pid-"+s.name)), strings.Join(quoteAll(env), " "), shq(bin), shq(data))
	// exec replaces the shell, so the pid file names swtoken itself; a
	// wrapper records the exit status.
	wrapper := fmt.Sprintf("sh -c %s; echo $? > %s", shq(cmd), shq(filepath.Join(dir, "exit-"+s.name)))
	s.tmux("-f", "/dev/null", "start-server", ";",
		"set-option", "-g", "remain-on-exit", "on", ";",
		"set-option", "-g", "escape-time", "0", ";",
		"new-session", "-d", "-s", s.name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), "-c", dir, wrapper)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	return s
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = shq(x)
	}
	return out
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is the visible pane; it fails the test if the secret shows.
func (s *tmuxSession) screen() string {
	s.t.Helper()
	out := s.tmux("capture-pane", "-p", "-t", s.name)
	if s.secret != "" && strings.Contains(out, s.secret) {
		s.t.Fatalf("the password is on the screen:\n%s", out)
	}
	return out
}

func (s *tmuxSession) screenEsc() string { return s.tmux("capture-pane", "-p", "-e", "-t", s.name) }

func (s *tmuxSession) history() string { return s.tmux("capture-pane", "-p", "-S", "-", "-t", s.name) }

func (s *tmuxSession) keys(k ...string) {
	s.t.Helper()
	for _, key := range k {
		s.tmux("send-keys", "-t", s.name, key)
	}
}

func (s *tmuxSession) typ(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", s.name, "-l", "--", text)
}

// waitFor polls the screen until re matches, and returns the match.
func (s *tmuxSession) waitFor(re string, timeout time.Duration) []string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		last = s.screen()
		if m := rx.FindStringSubmatch(last); m != nil {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("waited %s for /%s/; screen:\n%s", timeout, re, last)
	return nil
}

// exitStatus waits for the console to exit and returns its status.
func (s *tmuxSession) exitStatus(timeout time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(s.dir, "exit-"+s.name)); err == nil && len(b) > 0 {
			n, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err == nil {
				return n
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("the console did not exit within %s; screen:\n%s", timeout, s.screen())
	return -1
}

func (s *tmuxSession) pid() int {
	s.t.Helper()
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(filepath.Join(s.dir, "pid-"+s.name)); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return n
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("no pid file")
	return 0
}

// cli runs a swtoken subcommand.
func cli(t *testing.T, data string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"--data-dir", data}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("swtoken %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// runStoken runs stoken the only safe way: batch mode, no rc file, no
// stdin and a timeout, so a prompt can never hang the test.
func runStoken(t *testing.T, args ...string) string {
	t.Helper()
	stokentest.Require(t, "stoken")
	out, errOut, err := stokentest.Run(args...)
	if err != nil {
		t.Fatalf("stoken %v: %v\n%s%s", args[0], err, out, errOut)
	}
	return out
}

// checkZip extracts one token file from the ZIP and has stoken read it with
// its password (user ID + suffix); it then asks swtoken whether stoken's
// tokencode matches the stored seed. It returns the number of token files.
func checkZip(t *testing.T, zipPath, data, pwSuffix string) int {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var first *zip.File
	n := 0
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".sdtid") {
			n++
			if first == nil {
				first = f
			}
		}
	}
	if first == nil {
		t.Fatal("no token file in the ZIP")
	}
	rc, err := first.Open()
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), filepath.Base(first.Name))
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	// <user-id>_<serial>.sdtid
	base := strings.TrimSuffix(filepath.Base(first.Name), ".sdtid")
	i := strings.LastIndex(base, "_")
	user, serial := base[:i], base[i+1:]
	pw := user + pwSuffix
	show := runStoken(t, "show", "--file="+file, "--password="+pw)
	if !strings.Contains(show, serial) {
		t.Fatalf("stoken show does not name serial %s:\n%s", serial, show)
	}
	// PINPad-style profiles fold the PIN in; 0000 is folded as nothing.
	code := strings.TrimSpace(runStoken(t, "tokencode", "--file="+file, "--password="+pw, "--pin=0000"))
	out := cli(t, data, "verify", serial, code, "--pin", "0000")
	if !strings.Contains(out, "match") {
		t.Fatalf("swtoken verify %s %s: %s", serial, code, out)
	}
	return n
}

// TestE2EWizardToDownload is the new admin's path: load the demo, run the
// whole wizard, wait for Completed, download, unzip, check a file with
// stoken. The password is never on screen.
func TestE2EWizardToDownload(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	const pw = "E2e-Pw7x"
	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.secret = pw
	s.waitFor(`Welcome: this store is empty`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`Demo inventory loaded`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`\(1/8\) Job Name`, 5*time.Second)
	s.keys("C-u")
	s.typ("E2E batch")
	s.keys("Enter")
	s.waitFor(`\(2/8\) Software Token Profile`, 5*time.Second)
	s.typ("iph")
	s.waitFor(`> Staff iPhone`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(3/8\) DeviceSerialNumber`, 5*time.Second)
	s.waitFor(`class binding`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(4/8\) Nickname`, 5*time.Second)
	s.typ("Work phone")
	s.keys("Enter")
	s.waitFor(`\(5/8\) Password protection`, 5*time.Second)
	s.keys("Down", "Down", "Down")
	s.waitFor(`> \(\*\) 4 User ID followed by Password`, 5*time.Second)
	s.keys("Enter")
	s.typ(pw)
	s.keys("Enter")
	s.typ(pw)
	s.waitFor(`Confirm:  \*{8}`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(6/8\) Token selection criteria`, 5*time.Second)
	s.typ("100000000001")
	s.keys("Tab")
	s.typ("100000000040")
	s.waitFor(`Eligible: \d+ tokens`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`\(7/8\) Summary`, 10*time.Second)
	scr := s.screen()
	if !strings.Contains(scr, "admin password: (set)") {
		t.Fatalf("summary lacks the password mode:\n%s", scr)
	}
	if m := regexp.MustCompile(`Type (\d+) to confirm`).FindStringSubmatch(scr); m != nil {
		s.typ(m[1])
	}
	s.keys("Enter")
	s.waitFor(`\(8/8\) Submit Job`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`#1 +E2E batch +(Queued|Running|Completed)`, 10*time.Second)
	s.waitFor(`#1 +E2E batch +Completed`, 30*time.Second)
	s.keys("d")
	s.waitFor(`Save to: \./E2E batch\.zip`, 5*time.Second)
	s.keys("Enter")
	saved := s.waitFor(`Saved: (/\S.*\.zip)`, 10*time.Second)[1]
	want := filepath.Join(dir, "E2E batch.zip")
	if saved != want {
		t.Fatalf("saved to %q, want %q", saved, want)
	}
	fi, err := os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("download: %v, mode %v", err, fi.Mode())
	}
	s.keys("Enter", "C-c")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}
	if strings.Contains(s.history(), pw) {
		t.Fatal("the password is in the pane history")
	}
	if n := checkZip(t, want, data, pw); n == 0 {
		t.Fatal("empty ZIP")
	}
}

// TestE2ENoColorMarkers: with NO_COLOR=1 TERM=vt100 the selected row and
// the current step are still visible, as text.
func TestE2ENoColorMarkers(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	s := startConsole(t, dir, data, 80, 24, "TERM=vt100", "NO_COLOR=1", "LANG=C")
	s.waitFor(`> 1  Distribute Software Tokens`, 10*time.Second)
	s.keys("Down")
	s.waitFor(`> 2  Jobs`, 5*time.Second)
	s.keys("Up", "Enter")
	s.waitFor(`\(1/8\) Job Name +\[>\]1 \[ \]2`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(2/8\) Software Token Profile +\[x\]1 \[>\]2`, 5*time.Second)
	s.waitFor(`> Staff Android`, 5*time.Second)
	if seq := colourSGR(s.screenEsc()); seq != "" {
		t.Fatalf("colour sequence %q under NO_COLOR:\n%s", seq, s.screenEsc())
	}
	// The selected row is also in reverse video (kept by NO_COLOR).
	if !strings.Contains(s.screenEsc(), "\x1b[7m> Staff Android") {
		t.Fatalf("selected row not in reverse video:\n%q", s.screenEsc())
	}
	// LANG=C: ASCII only.
	for _, r := range s.screen() {
		if r > 127 {
			t.Fatalf("non-ASCII %q under LANG=C:\n%s", r, s.screen())
		}
	}
	s.keys("C-c")
	s.waitFor(`Quit swtoken\?`, 5*time.Second)
	s.keys("y")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}
}

// TestE2EResizeTooSmall: 50x12 shows the too-small screen; back to 80x24
// restores the screen.
func TestE2EResizeTooSmall(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s.keys("Down")
	s.waitFor(`> 2  Jobs`, 5*time.Second)
	s.tmux("resize-window", "-t", s.name, "-x", "50", "-y", "12")
	s.waitFor(`Terminal too small: need 80x24, have 50x12`, 5*time.Second)
	s.tmux("resize-window", "-t", s.name, "-x", "80", "-y", "24")
	s.waitFor(`> 2  Jobs`, 5*time.Second)
	if strings.Contains(s.screen(), "too small") {
		t.Fatal("too-small screen left over")
	}
	s.keys("q")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}
}

// TestE2ERefusesWithoutAUsableTerminal: TERM=dumb is refused with advice
// and status 2.
func TestE2ERefusesWithoutAUsableTerminal(t *testing.T) {
	dir := t.TempDir()
	s := startConsole(t, dir, filepath.Join(dir, "data"), 80, 24, "TERM=dumb")
	if st := s.exitStatus(10 * time.Second); st != 2 {
		t.Fatalf("exit status %d, want 2", st)
	}
	if h := s.history(); !strings.Contains(h, `TERM is "dumb"`) || !strings.Contains(h, "ssh -t") {
		t.Fatalf("no TERM message with ssh -t advice:\n%s", h)
	}
	// TERM unset: the same.
	s = startConsole(t, dir, filepath.Join(dir, "data"), 80, 24, "-u", "TERM")
	if st := s.exitStatus(10 * time.Second); st != 2 {
		t.Fatalf("TERM unset: exit status %d, want 2", st)
	}
	if h := s.history(); !strings.Contains(h, `TERM is ""`) {
		t.Fatalf("TERM unset: no message:\n%s", h)
	}
	// Without a terminal at all (a pipe), the message advises ssh -t.
	cmd := exec.Command(binary(t), "--data-dir", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "TERM=xterm")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "ssh -t") {
		t.Fatalf("no tty: %v\n%s", err, out)
	}
}

// TestE2ESecondConsoleOpensBesideTheFirst: a second admin's console opens
// on a store that a first console has open (product.md section 10), and
// both quit normally.
func TestE2ESecondConsoleOpensBesideTheFirst(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	first := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	first.waitFor(`Distribute Software Tokens`, 10*time.Second)
	second := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	second.waitFor(`Distribute Software Tokens`, 10*time.Second)
	for _, s := range []*tmuxSession{second, first} {
		s.keys("q")
		if st := s.exitStatus(10 * time.Second); st != 0 {
			t.Fatalf("console exit status %d:\n%s", st, s.history())
		}
	}
}

// TestE2EHangupFinishesTheJob: killing the tmux session (SIGHUP) during a
// 20,000-token job ends the UI; the engine finishes the job, closes the
// store and exits. A new console then shows the job Completed, and its
// files verify against the store.
func TestE2EHangupFinishesTheJob(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// 27,000 tokens give about 20,500 eligible AES-128 tokens.
	cli(t, data, "demo", "--users", "27000", "--tokens", "27000")
	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`\(1/8\) Job Name`, 5*time.Second)
	s.keys("C-u")
	s.typ("Hangup job")
	s.keys("Enter")
	s.waitFor(`\(2/8\)`, 5*time.Second)
	s.typ("iph")
	s.waitFor(`> Staff iPhone`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(3/8\)`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(4/8\)`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(5/8\)`, 5*time.Second)
	s.keys("Down", "Down") // User ID
	s.waitFor(`> \(\*\) 3 User ID`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(6/8\)`, 5*time.Second)
	// All eligible tokens, AES-128 only.
	s.keys("Tab", "Tab", "Space", "Tab", "Tab", "Tab", "Space")
	s.waitFor(`Algorithm: +< AES-128 >`, 5*time.Second)
	n := s.waitFor(`Eligible: (\d+) tokens`, 20*time.Second)[1]
	if c, _ := strconv.Atoi(n); c < 20000 {
		t.Fatalf("only %s eligible tokens", n)
	}
	s.keys("Enter")
	s.waitFor(`\(7/8\) Summary`, 20*time.Second)
	s.typ(s.waitFor(`Type (\d+) to confirm`, 5*time.Second)[1])
	s.keys("Enter")
	s.waitFor(`\(8/8\)`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`#1 +Hangup job +Running`, 20*time.Second)
	s.waitFor(`[1-9][0-9,]* of `+kit.Commas(atoi(n)), 20*time.Second)
	pid := s.pid()

	// The SSH link drops.
	s.tmux("kill-session", "-t", s.name)
	deadline := time.Now().Add(40 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("swtoken (pid %d) still running 40 s after the hangup", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A new console shows the job Completed.
	s2 := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s2.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s2.keys("2", "Enter")
	s2.waitFor(`1 In Progress \(0\)`, 5*time.Second)
	s2.keys("2")
	s2.waitFor(`#1 +Hangup job +Completed`, 5*time.Second)
	s2.waitFor(kit.Commas(atoi(n))+` tokens, ended`, 5*time.Second)
	s2.keys("q")
	if st := s2.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("second console exit status %d", st)
	}
	out := filepath.Join(dir, "hangup.zip")
	cli(t, data, "jobs", "download", "Hangup job", "--out", out)
	if got := checkZip(t, out, data, ""); strconv.Itoa(got) != n {
		t.Fatalf("the ZIP holds %d token files, want %s", got, n)
	}
}

// colourSGR returns the first SGR sequence that sets a colour (30-38,
// 40-48, 90-97, 100-107), or "". Resets to the default colours (39, 49)
// and attributes (bold, reverse) are allowed under NO_COLOR.
func colourSGR(s string) string {
	for _, m := range regexp.MustCompile("\x1b\\[([0-9;]*)m").FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			if n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 97 || n >= 100 && n <= 107 {
				return m[0]
			}
		}
	}
	return ""
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

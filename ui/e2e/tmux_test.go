//go:build e2e

// End-to-end tests: the built binary in a real pty, driven through tmux as a
// new admin would drive it (tui-conventions §7). Run them with
//
//	go test -count=1 -v -tags e2e -run E2E ./...
//
// With CI=true a missing tmux or stoken is a failure; elsewhere the tests
// skip.
package e2e

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
		cmd.Dir = "../.." // the module root
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

// newTmuxSession names a new tmux session (its own server socket) with
// dir as its working directory and scratch space.
func newTmuxSession(t *testing.T, dir string) *tmuxSession {
	sessionSeq++
	return &tmuxSession{t: t, sock: fmt.Sprintf("swt-e2e-%d-%d", os.Getpid(), sessionSeq), name: fmt.Sprintf("s%d", sessionSeq), dir: dir}
}

// start runs the shell command cmd in the session, in a window of cols x
// rows that stays after cmd ends; cmd's exit status is written to
// dir/exit-<name> (exitStatus reads it). The session's tmux server is
// killed at the end of the test.
func (s *tmuxSession) start(cols, rows int, cmd string) {
	s.t.Helper()
	wrapper := fmt.Sprintf("sh -c %s; echo $? > %s", shq(cmd), shq(filepath.Join(s.dir, "exit-"+s.name)))
	s.tmux("-f", "/dev/null", "start-server", ";",
		"set-option", "-g", "remain-on-exit", "on", ";",
		"set-option", "-g", "escape-time", "0", ";",
		"new-session", "-d", "-s", s.name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), "-c", s.dir, wrapper)
	s.t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
}

// startConsole runs "swtoken --data-dir data" in a new tmux session of
// cols x rows with the given environment, in dir. Its exit status is
// written to dir/exit-<name>, its pid to dir/pid-<name>.
func startConsole(t *testing.T, dir, data string, cols, rows int, env ...string) *tmuxSession {
	t.Helper()
	bin := binary(t)
	s := newTmuxSession(t, dir)
	// env -u TMUX: inside tmux, colorprofile may upgrade the profile, and
	// the test must see what the admin's terminal would. exec replaces
	// the shell, so the pid file names swtoken itself.
	s.start(cols, rows, fmt.Sprintf("echo $$ > %s; exec env -u TMUX -u NO_COLOR -u TEA_TRACE %s %s --data-dir %s; ",
		shq(filepath.Join(dir, "pid-"+s.name)), strings.Join(quoteAll(env), " "), shq(bin), shq(data)))
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
	var m []string
	s.pollScreen(timeout, "for /"+re+"/", func(scr string) bool {
		m = rx.FindStringSubmatch(scr)
		return m != nil
	})
	return m
}

// waitGone polls the screen until re no longer matches.
func (s *tmuxSession) waitGone(re string, timeout time.Duration) {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	s.pollScreen(timeout, "for /"+re+"/ to go", func(scr string) bool { return !rx.MatchString(scr) })
}

// pollScreen reads the screen until done says so, or fails the test
// after timeout saying what it waited for.
func (s *tmuxSession) pollScreen(timeout time.Duration, what string, done func(screen string) bool) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		last = s.screen()
		if done(last) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("waited %s %s; screen:\n%s", timeout, what, last)
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

// chooseUserIDFollowedByPassword picks mode 4 on the wizard's password
// step, types pw and its confirmation, and goes on.
func (s *tmuxSession) chooseUserIDFollowedByPassword(pw string) {
	s.t.Helper()
	s.keys("Down", "Down", "Down")
	s.waitFor(`> \(\*\) 4 User ID followed by Password`, 5*time.Second)
	s.keys("Enter")
	s.typ(pw)
	s.keys("Enter")
	s.typ(pw)
	s.waitFor(`Confirm:  \*{8}`, 5*time.Second)
	s.keys("Enter")
}

// download saves the selected job's ZIP from the Jobs screen under the
// offered name, job+".zip" in dir, and returns its path.
func (s *tmuxSession) download(dir, job string) string {
	s.t.Helper()
	s.keys("d")
	s.waitFor(`Save to: \./`+regexp.QuoteMeta(job+".zip"), 5*time.Second)
	s.keys("Enter")
	saved := s.waitFor(`Saved: (/\S.*\.zip)`, 10*time.Second)[1]
	want := filepath.Join(dir, job+".zip")
	if saved != want {
		s.t.Fatalf("saved to %q, want %q", saved, want)
	}
	return want
}

// quitAfterDownload closes the download's message and quits; the console
// must exit 0, and the password pw must be nowhere in the pane's history.
func (s *tmuxSession) quitAfterDownload(pw string) {
	s.t.Helper()
	s.keys("Enter", "C-c")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		s.t.Fatalf("exit status %d", st)
	}
	if strings.Contains(s.history(), pw) {
		s.t.Fatal("the password is in the pane history")
	}
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

// settingsJSON is what "settings show --json" prints, as far as the tests
// read it.
type settingsJSON struct {
	Profiles []struct {
		Profile        string `json:"profile"`
		Selected       bool   `json:"selected"`
		Default        bool   `json:"default"`
		DisplayName    string `json:"display_name"`
		ImageLocation  string `json:"image_location"`
		Confirmed      bool   `json:"confirmed"`
		ConfirmStatus  string `json:"confirm_status"`
		AppDownloadURL string `json:"app_download_url"`
		HelpDocURL     string `json:"help_doc_url"`
	} `json:"profiles"`
	UserMustProvidePassword bool `json:"user_must_provide_password"`
	ReplacementWindowDays   int  `json:"replacement_window_days"`
}

// showSettings runs "settings show --json" on data: the settings, and the
// JSON for messages.
func showSettings(t *testing.T, data string) (settingsJSON, string) {
	t.Helper()
	var s settingsJSON
	out := cli(t, data, "settings", "show", "--json")
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("settings show --json: %v\n%s", err, out)
	}
	return s, out
}

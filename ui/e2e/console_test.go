//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/ui/kit"
)

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
	s.chooseUserIDFollowedByPassword(pw)
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
	want := s.download(dir, "E2E batch")
	fi, err := os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("download: %v, mode %v", err, fi.Mode())
	}
	s.quitAfterDownload(pw)
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
	// The demo's CTF profile sorts first (profiles are in name order).
	s.waitFor(`> iPhone quick setup \(CTF\)`, 5*time.Second)
	if seq := colourSGR(s.screenEsc()); seq != "" {
		t.Fatalf("colour sequence %q under NO_COLOR:\n%s", seq, s.screenEsc())
	}
	// The selected row is also in reverse video (kept by NO_COLOR).
	if !strings.Contains(s.screenEsc(), "\x1b[7m> iPhone quick setup (CTF)") {
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
	s.waitFor(`Eligible: (\d+) tokens`, 20*time.Second)
	s.keys("Enter")
	s.waitFor(`\(7/8\) Summary`, 20*time.Second)
	// The count to type is the summary's (the criteria step's count may
	// still be the one from before the algorithm filter settled).
	n := s.waitFor(`Type (\d+) to confirm`, 5*time.Second)[1]
	if c, _ := strconv.Atoi(n); c < 20000 {
		t.Fatalf("only %s eligible tokens", n)
	}
	s.typ(n)
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

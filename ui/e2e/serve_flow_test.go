//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/engine/qr/qrtest"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/store"
)

// The first acceptance item of issue 14: a user requests a CTF token over
// SSH with the OpenSSH client in tmux, under automatic approval; serve
// fulfils it; Show my token draws the QR code once, which, captured from
// the pane, zbarimg reads back to the link shown, which stoken accepts
// with the user's password, and whose tokencode swtoken verify matches.

// flowPassword is the token-file password the user types (twice).
const flowPassword = "Flow-Horse-42"

// ctfProfile is the demo's CTF profile (a v2 iPhone link), and the display
// name the settings give it for users.
const ctfProfile, ctfDisplay = "iPhone quick setup (CTF)", "iPhone by link"

// offerCTFProfile applies settings under which the CTF profile is offered
// (selected, confirmed, the default, the device serial not editable),
// requests are approved automatically and a token-file password is
// required. It returns the profile's device class GUID (what stoken needs
// as the device ID).
func offerCTFProfile(t *testing.T, data string) string {
	t.Helper()
	doc := settingsDoc(t, data)
	for _, p := range doc["profiles"].([]any) {
		p.(map[string]any)["default"] = false
	}
	e := settingsRow(t, doc, ctfProfile)
	e["selected"], e["default"], e["confirmed"], e["allow_user_edit"] = true, true, true, false
	e["display_name"] = ctfDisplay
	e["description"] = "A link for the SecurID app on your iPhone."
	doc["approval_policy"] = "automatic"
	doc["user_must_provide_password"] = true
	applySettingsJSON(t, data, doc)
	s, out := showSettings(t, data)
	for _, p := range s.Profiles {
		if p.Profile == ctfProfile && (!p.Selected || !p.Default || !p.Confirmed) {
			t.Fatalf("the CTF profile is not offered after settings apply:\n%s", out)
		}
	}

	var profiles []struct {
		Name string `json:"name"`
		GUID string `json:"device_class_guid"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "profiles", "list", "--json")), &profiles); err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if p.Name == ctfProfile {
			return p.GUID
		}
	}
	t.Fatalf("profiles list has no %q", ctfProfile)
	return ""
}

// sshKeySession opens the console as user with the private key file key:
// the OpenSSH client at 80x24 in tmux.
func (f *serveFixture) sshKeySession(t *testing.T, user, key string) *tmuxSession {
	t.Helper()
	return startSSH(t, f.dir, 80, 24, nil, append(f.sshOpts(""), "-p", f.port, "-i", key, user+"@127.0.0.1")...)
}

// sshCodeSession opens the console as user with keyboard-interactive
// only: the enrollment code is typed at the prompt in the pane.
func (f *serveFixture) sshCodeSession(t *testing.T, user string) *tmuxSession {
	t.Helper()
	return startSSH(t, f.dir, 80, 24, nil, append(f.sshOpts(""),
		"-o", "PreferredAuthentications=keyboard-interactive", "-o", "PubkeyAuthentication=no",
		"-p", f.port, user+"@127.0.0.1")...)
}

// halfBlockLine matches a line of a QR code in half blocks (as captured:
// trailing spaces dropped).
var halfBlockLine = regexp.MustCompile(`^[▀▄█ ]*[▀▄█][▀▄█ ]*$`)

// readQRScreen splits a capture of the QR screen into the QR code's lines
// and the link printed under it (wrapped at the pane's width, joined
// back).
func readQRScreen(t *testing.T, screen string) (code, link string) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	var qrLines []string
	for ; i < len(lines) && halfBlockLine.MatchString(strings.TrimRight(lines[i], " ")); i++ {
		qrLines = append(qrLines, strings.TrimRight(lines[i], " "))
	}
	if len(qrLines) < 10 {
		t.Fatalf("no QR code in half blocks at the top of the screen (%d lines):\n%s", len(qrLines), screen)
	}
	var b strings.Builder
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " ")
		if l == "" || strings.Contains(l, " ") {
			break
		}
		b.WriteString(l)
	}
	return strings.Join(qrLines, "\n") + "\n", b.String()
}

// decodeHalfBlocks renders the captured half blocks to a PNG and has
// zbarimg read it.
func decodeHalfBlocks(t *testing.T, zbar, code string) string {
	t.Helper()
	img, err := qr.FromHalfBlocks(code)
	if err != nil {
		t.Fatalf("the captured QR code: %v\n%s", err, code)
	}
	png, err := qr.ImagePNG(img, 4)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "captured-qr.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := qrtest.Read(zbar, file)
	if err != nil || got == "" {
		t.Fatalf("zbarimg cannot read the QR code captured from the pane (%v, %q):\n%s", err, got, code)
	}
	return got
}

// cliStatus runs a swtoken subcommand and returns its combined output and
// exit status (cli fails the test on a non-zero status).
func cliStatus(t *testing.T, data string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"--data-dir", data}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("swtoken %v: %v", args, err)
	}
	return string(out), 0
}

// checkLinkWithStoken has stoken read link with the password and device
// ID devid (it must name serial), takes its tokencode (PIN 0000, folded
// as nothing) and asks swtoken verify: that code must match, and a wrong
// one must not.
func checkLinkWithStoken(t *testing.T, data, link, password, devid, serial string) {
	t.Helper()
	show := runStoken(t, "show", "--token="+link, "--password="+password, "--devid="+devid)
	if !strings.Contains(show, serial) {
		t.Fatalf("stoken show does not name serial %s:\n%s", serial, show)
	}
	code := strings.TrimSpace(runStoken(t, "tokencode", "--token="+link, "--password="+password, "--devid="+devid, "--pin=0000"))
	if !regexp.MustCompile(`^\d{8}$`).MatchString(code) {
		t.Fatalf("stoken tokencode printed %q, want 8 digits", code)
	}
	if out, status := cliStatus(t, data, "verify", serial, code, "--pin", "0000"); status != 0 || !strings.Contains(out, "match") {
		t.Fatalf("swtoken verify %s %s: status %d: %s", serial, code, status, out)
	}
	wrong := []byte(code)
	wrong[0] = '0' + (wrong[0]-'0'+5)%10
	wrong[7] = '0' + (wrong[7]-'0'+3)%10
	if out, status := cliStatus(t, data, "verify", serial, string(wrong), "--pin", "0000"); status != 1 || !strings.Contains(out, "no match") {
		t.Fatalf("swtoken verify %s with a wrong code %s: status %d: %s (want 1, no match)", serial, wrong, status, out)
	}
	// The wrong password is refused by stoken.
	if out, errOut, err := stokentest.Run("show", "--token="+link, "--password=not-"+password, "--devid="+devid); err == nil {
		t.Fatalf("stoken accepted the link with a wrong password:\n%s%s", out, errOut)
	}
}

// requestAndShow drives an open console: it requests a new token with the
// CTF profile (the default) and the password twice, waits for serve to
// fulfil it under automatic approval, shows it after the confirmation,
// reads the QR code from the pane and leaves the QR screen. It returns
// the request ID, the token's serial and the link read from the code.
func requestAndShow(t *testing.T, s *tmuxSession, user string) (id, serial, link string) {
	t.Helper()
	start := time.Now()
	s.waitFor(`signed in as `+regexp.QuoteMeta(user), 20*time.Second)
	s.keys("n")
	s.waitFor(`Request a new token`, 5*time.Second)
	s.waitFor(`Profile:\s+`+regexp.QuoteMeta(ctfDisplay)+` \(\d+ of \d+\), the default`, 5*time.Second)
	s.keys("Tab")
	s.waitFor(`> Nickname:`, 5*time.Second)
	s.typ("flow phone")
	s.keys("Tab")
	s.waitFor(`> Password:`, 5*time.Second)
	s.typ(flowPassword)
	s.keys("Tab")
	s.waitFor(`> Password again:`, 5*time.Second)
	s.typ(flowPassword)
	s.keys("Tab")
	s.waitFor(`> Reason:`, 5*time.Second)
	s.typ("my new phone")
	s.waitFor(`Password again:\s+\*{13}`, 5*time.Second)
	s.keys("Enter")
	m := s.waitFor(`Request (R-\d+) is made; it is (\w+)`, 10*time.Second)
	id = m[1]
	if m[2] != "approved" && m[2] != "fulfilled" {
		t.Fatalf("request %s is %s after automatic approval", id, m[2])
	}
	// serve fulfils it; the open session shows it within a few seconds.
	serial = s.waitFor(regexp.QuoteMeta(id)+`: new token, nickname flow phone\.\s+Fulfilled with token (\d+)\.`, 30*time.Second)[1]
	s.waitFor(regexp.QuoteMeta(id)+`\s+new token\s+fulfilled`, 5*time.Second)
	s.waitFor(`Press s to show it \(once\)`, 5*time.Second)
	t.Logf("%s fulfilled with token %s %.1f s after the console opened", id, serial, time.Since(start).Seconds())

	s.keys("s")
	s.waitFor(`Show the token of request `+regexp.QuoteMeta(id)+` now\? It is shown once`, 5*time.Second)
	s.keys("y")
	s.waitFor(`ctfData=`, 10*time.Second)
	screen := s.screen()
	code, shown := readQRScreen(t, screen)
	link = decodeHalfBlocks(t, qrtest.Zbarimg(t), code)
	if link != shown {
		t.Fatalf("the QR code reads %q, the screen shows the link %q", link, shown)
	}
	if !strings.HasPrefix(link, "com.rsa.securid.iphone://ctf?ctfData=") && !strings.HasPrefix(link, "http://127.0.0.1/securid/ctf?ctfData=") {
		t.Fatalf("the QR code reads %q, not a v2 CTF link", link)
	}
	s.keys("Enter")
	s.waitFor(`The token of `+regexp.QuoteMeta(id)+` was shown; it cannot be shown again\.`, 5*time.Second)
	if scr := s.screen(); strings.Contains(scr, "ctfData=") || strings.Contains(scr, "█") {
		t.Fatalf("the link or the code is still on the screen after leaving it:\n%s", scr)
	}
	return id, serial, link
}

// showIsRefused presses s on the shown request of an open console: the
// console refuses, and nothing is shown.
func showIsRefused(t *testing.T, s *tmuxSession, id string) {
	t.Helper()
	s.waitFor(`(?s)`+regexp.QuoteMeta(id)+`: new token.*It was shown on .*and\s+cannot\s+be\s+shown\s+again\.`, 10*time.Second)
	s.keys("s")
	s.waitFor(`The token of `+regexp.QuoteMeta(id)+` was shown on .*; it is shown only once\.`, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if scr := s.screen(); strings.Contains(scr, "ctfData=") || strings.Contains(scr, "Show the token of request") {
		t.Fatalf("a second Show went on:\n%s", scr)
	}
}

// shownOnce checks the store side of "once": the store refuses a second
// ShowToken, and the audit has one "request token shown" record for id.
func shownOnce(t *testing.T, f *serveFixture, st *store.Store, id, user string) {
	t.Helper()
	_, err := st.ShowToken(id, user, time.Now())
	var already *store.AlreadyShownError
	if !errors.As(err, &already) || !errors.Is(err, store.ErrAlreadyShown) {
		t.Fatalf("a second ShowToken of %s: %v, want already shown", id, err)
	}
	audit := cli(t, f.data, "audit", "--action", "request token shown")
	if n := strings.Count(audit, "request "+id); n != 1 {
		t.Fatalf("%d \"request token shown\" records for %s, want 1:\n%s", n, id, audit)
	}
}

// quitConsole quits the console with q; ssh must exit 0.
func quitConsole(t *testing.T, s *tmuxSession) {
	t.Helper()
	s.keys("q")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("ssh exit status %d after q; screen:\n%s", st, s.screen())
	}
}

func TestE2EServeKeyUserRequestsAndShowsACTFToken(t *testing.T) {
	start := time.Now()
	f := startServe(t)
	st := f.openStore(t)
	const user = "ahaddad"
	devid := offerCTFProfile(t, f.data)
	key := f.keygen(t, user)
	if out := cli(t, f.data, "users", "keys", "add", user, key+".pub"); !strings.Contains(out, "SHA256:") {
		t.Fatalf("users keys add printed no fingerprint:\n%s", out)
	}

	s := f.sshKeySession(t, user, key)
	s.secret = flowPassword
	id, serial, link := requestAndShow(t, s, user)
	f.auditHas(t, "ssh login", user, "method publickey; accepted")
	checkLinkWithStoken(t, f.data, link, flowPassword, devid, serial)
	quitConsole(t, s)
	f.auditHas(t, "ssh session end", user, "address 127.0.0.1:")

	// A new session: the request says it was shown, and Show is refused.
	s2 := f.sshKeySession(t, user, key)
	s2.waitFor(`signed in as `+user, 20*time.Second)
	showIsRefused(t, s2, id)
	quitConsole(t, s2)
	shownOnce(t, f, st, id, user)
	if strings.Contains(f.serveLog(), flowPassword) || strings.Contains(f.serveLog(), link) {
		t.Errorf("the server's log holds the password or the link:\n%s", f.serveLog())
	}
	t.Logf("%.1f s", time.Since(start).Seconds())
}

func TestE2EServeEnrollmentCodeUserRequestsAndShowsACTFTokenOnce(t *testing.T) {
	start := time.Now()
	f := startServe(t)
	st := f.openStore(t)
	const user = "akim"
	devid := offerCTFProfile(t, f.data)
	if ks, err := st.UserKeys(user); err != nil || len(ks) != 0 {
		t.Fatalf("%s has keys %v (%v): the test needs a user without one", user, ks, err)
	}
	out := cli(t, f.data, "users", "invite", user)
	m := regexp.MustCompile(`Enrollment code for user ` + user + ` \(shown only this once\):\n\n  (\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("users invite printed no code:\n%s", out)
	}
	code := m[1]

	s := f.sshCodeSession(t, user)
	s.waitFor(`\(akim@127\.0\.0\.1\) Enrollment code:`, 20*time.Second)
	s.secret = code // from here on the code must not show (it is typed unechoed)
	s.typ(code)
	s.keys("Enter")
	s.secret = flowPassword
	id, serial, link := requestAndShow(t, s, user)
	f.auditHas(t, "ssh login", user, "method keyboard-interactive; accepted")
	checkLinkWithStoken(t, f.data, link, flowPassword, devid, serial)
	// A second Show in the same session is refused.
	showIsRefused(t, s, id)
	quitConsole(t, s)
	if strings.Contains(s.history(), code) {
		t.Fatal("the enrollment code is in the pane's history")
	}
	shownOnce(t, f, st, id, user)

	// The code was used: it no longer gets in, and the refusal is audited.
	if live, _, err := st.EnrollmentStatus(user, time.Now()); err != nil || live {
		t.Fatalf("the code is still live after its use (%v)", err)
	}
	refusals := func() int {
		n := 0
		for _, l := range strings.Split(cli(t, f.data, "audit", "--action", "ssh login"), "\n") {
			if strings.Contains(l, user) && strings.Contains(l, "method keyboard-interactive; refused") {
				n++
			}
		}
		return n
	}
	before := refusals()
	out, status := f.sshCode(t, user, code)
	if status != 255 || !strings.Contains(out, "Permission denied") {
		t.Fatalf("the used code: ssh status %d, output %q", status, out)
	}
	f.auditHas(t, "ssh login", user, "address 127.0.0.1:", "method keyboard-interactive; refused")
	if after := refusals(); after != before+1 {
		t.Fatalf("%d refused keyboard-interactive logins of %s audited after the used code, %d before: want one more", after, user, before)
	}
	if strings.Contains(f.serveLog(), code) || strings.Contains(f.serveLog(), flowPassword) {
		t.Errorf("the server's log holds the code or the password:\n%s", f.serveLog())
	}
	t.Logf("%.1f s", time.Since(start).Seconds())
}

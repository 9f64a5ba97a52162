//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// registerUserKey registers the fixture's public key named key for user.
func (f *serveFixture) registerUserKey(t *testing.T, st *store.Store, user, key string) {
	t.Helper()
	pub, err := os.ReadFile(f.keys[key] + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	k, err := model.ParseSSHKey(strings.TrimSpace(string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUserKey(user, k); err != nil {
		t.Fatal(err)
	}
}

// settingsDoc is "settings show --json" as a document to edit and apply.
func settingsDoc(t *testing.T, data string) map[string]any {
	t.Helper()
	_, out := showSettings(t, data)
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// settingsRow is the document's row of profile (it fails the test when
// there is none).
func settingsRow(t *testing.T, doc map[string]any, profile string) map[string]any {
	t.Helper()
	for _, r := range doc["profiles"].([]any) {
		row := r.(map[string]any)
		if row["profile"] == profile {
			return row
		}
	}
	t.Fatalf("the settings have no row for %q", profile)
	return nil
}

// userWithExpiringToken is a demo user with an e-mail address, fewer than
// three tokens and no request, who holds a token that expires in 2 to 25
// days: the user, the token and its days left.
func userWithExpiringToken(t *testing.T, data string) (user, serial string, days int) {
	t.Helper()
	var users []struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
		Tokens int    `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "users", "list", "--json")), &users); err != nil {
		t.Fatal(err)
	}
	var toks []struct {
		Serial   string `json:"serial"`
		DaysLeft int    `json:"days_left"`
		Expired  bool   `json:"expired"`
		User     string `json:"assigned_user"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "tokens", "list", "--json")), &toks); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == "" || u.Tokens >= model.MaxTokensPerUser {
			continue
		}
		for _, tk := range toks {
			if tk.User == u.UserID && !tk.Expired && tk.DaysLeft >= 2 && tk.DaysLeft <= 25 {
				if reqs := cli(t, data, "requests", "list", "--user", u.UserID, "--json"); strings.TrimSpace(reqs) != "[]" {
					continue
				}
				return u.UserID, tk.Serial, tk.DaysLeft
			}
		}
	}
	t.Fatal("the demo has no user with a token expiring in 2 to 25 days, fewer than 3 tokens and no request")
	return "", "", 0
}

// formProfiles presses → on the request form's Profile field until the
// first profile comes round again, and returns what each shows: its
// display name as the key, the Profile line and whether the Device serial
// field was there.
func formProfiles(s *tmuxSession) (names []string, line map[string]string, device map[string]bool) {
	s.t.Helper()
	rx := regexp.MustCompile(`Profile:\s+(.+?) \((\d+) of (\d+)\)(, the default)?`)
	line, device = map[string]string{}, map[string]bool{}
	m := s.waitFor(rx.String(), 5*time.Second)
	total := atoi(m[3])
	for i := 0; i < total; i++ {
		scr := s.screen()
		m := rx.FindStringSubmatch(scr)
		if m == nil {
			s.t.Fatalf("no Profile line; screen:\n%s", scr)
		}
		names = append(names, m[1])
		line[m[1]] = m[0]
		device[m[1]] = strings.Contains(scr, "Device serial:")
		next := atoi(m[2])%total + 1
		s.keys("Right")
		s.waitFor(fmt.Sprintf(`Profile:\s+.+? \(%d of %d\)`, next, total), 5*time.Second)
	}
	return names, line, device
}

// TestE2EServeSettingsDecideWhatTheUserCanDo: the self-service settings
// decide, session by session, what a user sees over SSH with the OpenSSH
// client: exactly the profiles offered (not one left unselected, not one
// whose confirmation lapsed), the default preselected, the device serial
// field only where the profile's entry allows editing (and the device ID
// typed reaches the request), the password fields only when required (a
// request without them is then refused), and the replacement offer with
// its "expires in N days" hint only inside the replacement window. One
// `swtoken serve` serves both settings states: a session reads the
// settings when it loads.
func TestE2EServeSettingsDecideWhatTheUserCanDo(t *testing.T) {
	start := time.Now()
	f := startServe(t)
	st := f.openStore(t)
	user, serial, days := userWithExpiringToken(t, f.data)
	f.registerUserKey(t, st, user, "alice")

	// State A: Staff Android and Staff iPhone offered, Staff iPhone the
	// default with the device ID editable; Windows desktop selected and
	// confirmed, then its profile edited so that the confirmation lapses;
	// the CTF profile not selected; a password required; a 30-day window.
	doc := settingsDoc(t, f.data)
	android := settingsRow(t, doc, "Staff Android")
	android["selected"], android["confirmed"], android["default"], android["allow_user_edit"] = true, true, false, false
	iphone := settingsRow(t, doc, "Staff iPhone")
	iphone["selected"], iphone["confirmed"], iphone["default"], iphone["allow_user_edit"] = true, true, true, true
	iphone["display_name"] = "iPhone (recommended)"
	windows := settingsRow(t, doc, "Windows desktop")
	windows["selected"], windows["confirmed"], windows["default"] = true, true, false
	windows["display_name"] = "Windows laptop"
	ctf := settingsRow(t, doc, "iPhone quick setup (CTF)")
	ctf["selected"], ctf["default"] = false, false
	doc["user_must_provide_password"] = true
	doc["replacement_window_days"] = 30
	doc["approval_policy"] = "one"
	applySettingsJSON(t, f.data, doc)
	cli(t, f.data, "profiles", "edit", "Windows desktop", "--duration", "60")
	set, out := showSettings(t, f.data)
	for _, p := range set.Profiles {
		if p.Profile == "Windows desktop" && (!p.Selected || !strings.Contains(p.ConfirmStatus, "lapsed")) {
			t.Fatalf("Windows desktop is not selected with a lapsed confirmation:\n%s", out)
		}
	}

	s := f.startUserSSHPane(t, "alice", user)
	// The token inside the window, with the hint.
	s.waitFor(regexp.QuoteMeta(serial)+`\s`, 5*time.Second)
	s.waitFor(fmt.Sprintf(`expires in %d days: you may request a replacement \(r\)`, days), 5*time.Second)

	s.keys("n")
	s.waitFor(`Request a new token`, 5*time.Second)
	// The default is preselected: the form opens on it.
	s.waitFor(`Profile:\s+iPhone \(recommended\) \(2 of 2\), the default`, 5*time.Second)
	names, lines, device := formProfiles(s)
	if got := strings.Join(names, " | "); got != "iPhone (recommended) | Staff Android" {
		t.Errorf("the form offers %q, want exactly iPhone (recommended) and Staff Android", got)
	}
	if strings.Contains(lines["Staff Android"], "the default") {
		t.Errorf("Staff Android is marked the default: %q", lines["Staff Android"])
	}
	if !device["iPhone (recommended)"] || device["Staff Android"] {
		t.Errorf("Device serial field shown: %v; want it for iPhone (recommended) only", device)
	}
	scr := s.screen()
	for _, absent := range []string{"Windows", "quick setup"} {
		if strings.Contains(scr, absent) {
			t.Errorf("the form names %q, which is not offered:\n%s", absent, scr)
		}
	}
	if !strings.Contains(scr, "Password:") || !strings.Contains(scr, "Password again:") {
		t.Errorf("no password fields although a password is required:\n%s", scr)
	}

	// A request without the password is refused, and nothing is made.
	const devID, pw = "3197467A7766FA2F", "Rules-Horse-42"
	s.secret = pw
	s.keys("Tab")
	s.typ(devID)
	s.keys("Tab")
	s.typ("rules phone")
	s.keys("Enter")
	s.waitFor(`ERROR: Refused: .*[Pp]assword`, 5*time.Second)
	if reqs := cli(t, f.data, "requests", "list", "--user", user, "--json"); strings.TrimSpace(reqs) != "[]" {
		t.Fatalf("a refused request was made:\n%s", reqs)
	}
	// With it, the request is made with the device ID typed.
	s.keys("Tab")
	s.typ(pw)
	s.keys("Tab")
	s.typ(pw)
	s.keys("Enter")
	id := s.waitFor(`Request (R-\d+) is made; it is pending`, 10*time.Second)[1]
	var req struct {
		Profile       string `json:"profile"`
		BindingKind   string `json:"binding_kind"`
		Binding       string `json:"binding"`
		PasswordGiven bool   `json:"password_given"`
		Origin        string `json:"origin"`
	}
	out = cli(t, f.data, "requests", "show", id, "--json")
	if err := json.Unmarshal([]byte(out), &req); err != nil {
		t.Fatalf("requests show --json: %v\n%s", err, out)
	}
	if req.Profile != "Staff iPhone" || req.BindingKind != "device" || !strings.EqualFold(req.Binding, devID) || !req.PasswordGiven {
		t.Errorf("request %s: %+v; want Staff iPhone bound to device %s with a password", id, req, devID)
	}

	// The replacement form offers the token inside the window.
	s.keys("r")
	s.waitFor(`Token to replace:\s+`+regexp.QuoteMeta(serial)+`.*expires \d{4}-\d\d-\d\d`, 5*time.Second)
	s.keys("Escape")
	s.waitGone(`Token to replace:`, 5*time.Second)
	s.quitUserSSHPane()

	// State B: the window shrinks to one day less than the token has
	// left; no password; Staff Android the default; no device ID editable;
	// Windows desktop no longer selected (a lapsed row cannot stay
	// selected).
	doc = settingsDoc(t, f.data)
	settingsRow(t, doc, "Staff Android")["default"] = true
	iphone = settingsRow(t, doc, "Staff iPhone")
	iphone["default"], iphone["allow_user_edit"] = false, false
	settingsRow(t, doc, "Windows desktop")["selected"] = false
	doc["user_must_provide_password"] = false
	doc["replacement_window_days"] = days - 1
	applySettingsJSON(t, f.data, doc)

	s = f.startUserSSHPane(t, "alice", user)
	s.waitFor(regexp.QuoteMeta(serial)+`\s`, 5*time.Second)
	s.waitFor(regexp.QuoteMeta(id)+`\s+new token\s+pending`, 5*time.Second)
	if scr := s.screen(); strings.Contains(scr, "expires in") || strings.Contains(scr, "replacement (r)") {
		t.Errorf("the token is offered for replacement outside the %d-day window:\n%s", days-1, scr)
	}
	s.keys("r")
	s.waitFor(fmt.Sprintf(`None of your tokens expires within %d days`, days-1), 5*time.Second)
	if strings.Contains(s.screen(), "Token to replace:") {
		t.Error("the replacement form opened outside the window")
	}

	s.keys("n")
	s.waitFor(`Profile:\s+Staff Android \(1 of 2\), the default`, 5*time.Second)
	names, _, device = formProfiles(s)
	if got := strings.Join(names, " | "); got != "Staff Android | iPhone (recommended)" {
		t.Errorf("the form offers %q, want exactly Staff Android and iPhone (recommended)", got)
	}
	if device["Staff Android"] || device["iPhone (recommended)"] {
		t.Errorf("Device serial field shown: %v; want it for none", device)
	}
	if scr := s.screen(); strings.Contains(scr, "Password") {
		t.Errorf("password fields although none is required:\n%s", scr)
	}
	s.keys("Escape")
	s.waitGone(`Request a new token`, 5*time.Second)
	s.quitUserSSHPane()
	t.Logf("two settings states through two SSH sessions in %v", time.Since(start).Round(100*time.Millisecond))
}

//go:build e2e

package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2ESettingsManageAuthenticators is a new admin's path through
// Self-Service Settings > Manage Authenticators at 80x24, on the demo
// store (Staff iPhone the default, Staff Android offered, both confirmed):
// offer Windows desktop instead of Staff iPhone, give Windows desktop a
// download link, make Staff Android the default, confirm both, be asked
// before leaving with unsaved changes, save, quit and reopen. The result
// is checked on screen and through "settings show --json".
func TestE2ESettingsManageAuthenticators(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	const winURL = "https://dl.example.com/win"
	const wait = 5 * time.Second

	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s.keys("3", "Enter")
	s.waitFor(`Software Token Profiles Available for Request`, wait)
	// Rows in name order: iPhone quick setup (CTF), Staff Android, Staff
	// iPhone, Windows desktop.
	s.waitFor(`> \[ \] iPhone quick setup \(CTF\)`, wait)

	// Unselect Staff Android and Staff iPhone (the default).
	s.keys("Down")
	s.waitFor(`> \[x\] Staff Android`, wait)
	s.keys("Space")
	s.waitFor(`> \[ \] Staff Android`, wait)
	s.keys("Down")
	s.waitFor(`> \[x\] Staff iPhone +default +confirmed`, wait)
	s.keys("Space")
	s.waitFor(`> \[ \] Staff iPhone`, wait)
	s.waitFor(`UNSAVED CHANGES`, wait)

	// Select Windows desktop: filled in from the profile, the default as
	// the only selected profile, not confirmed yet.
	s.keys("Down")
	s.waitFor(`> \[ \] Windows desktop`, wait)
	s.keys("Space")
	s.waitFor(`> \[x\] Windows desktop +default +NOT CONFIRMED`, wait)
	s.waitFor(`Windows desktop: selected, the default`, wait)
	s.waitFor(`Image Location: +images/windows\.png`, wait)

	// Select Staff Android again and make it the default in its details.
	s.keys("Up", "Up")
	s.waitFor(`> \[ \] Staff Android`, wait)
	s.keys("Space")
	s.waitFor(`> \[x\] Staff Android {10,}confirmed`, wait)
	s.keys("Enter")
	s.waitFor(`> Display Name: +Staff Android`, wait)
	for i := 0; i < 6; i++ {
		s.keys("Tab")
	}
	s.waitFor(`> \( \) Make this the default option`, wait)
	s.keys("Space")
	s.waitFor(`> \(\*\) Make this the default option`, wait)
	s.keys("C-t")
	s.waitFor(`\[x\] Confirmed: the four settings above are right`, wait)
	for i := 0; i < 7; i++ {
		s.keys("BTab")
	}
	s.waitFor(`> \[x\] Staff Android +default +confirmed`, wait)

	// Windows desktop: a download link, then confirm.
	s.keys("Down", "Down")
	s.waitFor(`> \[x\] Windows desktop +NOT CONFIRMED`, wait)
	s.keys("Enter")
	s.waitFor(`> Display Name: +Windows desktop`, wait)
	for i := 0; i < 4; i++ {
		s.keys("Tab")
	}
	s.waitFor(`> Application Installation Download URL:`, wait)
	s.typ(winURL)
	s.waitFor(`Download URL: `+regexp.QuoteMeta(winURL), wait)
	s.keys("Tab", "Tab") // to the default option; ctrl+t confirms from any detail
	s.waitFor(`> \( \) Make this the default option`, wait)
	s.keys("C-t")
	s.waitFor(`> \( \) Make this the default option`, wait)
	s.waitFor(`\[x\] Confirmed: the four settings above are right`, wait)

	// esc goes back to the list; leaving with unsaved changes asks
	// first; n stays.
	s.keys("Escape")
	s.waitFor(`> \[x\] Windows desktop +confirmed`, wait)
	s.keys("Escape")
	s.waitFor(`Leave without saving\? Your unsaved changes will be lost\.`, wait)
	s.keys("n")
	s.waitGone(`Leave without saving`, wait)
	s.waitFor(`UNSAVED CHANGES`, wait)

	// Save (ctrl+o), then esc leaves without a question.
	s.keys("C-o")
	s.waitFor(`OK: Self-service settings saved`, wait)
	s.waitGone(`UNSAVED CHANGES`, wait)
	s.keys("Escape")
	s.waitFor(`Distribute Software Tokens`, wait)
	s.keys("q")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}

	// Reopened, everything is there.
	s2 := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s2.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s2.keys("3", "Enter")
	s2.waitFor(`Software Token Profiles Available for Request`, wait)
	s2.waitFor(`> \[ \] iPhone quick setup \(CTF\)`, wait)
	scr := s2.screen()
	for _, re := range []string{
		`\[x\] Staff Android +default +confirmed`,
		`\[ \] Staff iPhone\s*\n`,
		`\[x\] Windows desktop {10,}confirmed`,
	} {
		if !regexp.MustCompile(re).MatchString(scr) {
			t.Fatalf("after reopening, no /%s/:\n%s", re, scr)
		}
	}
	if strings.Contains(scr, "UNSAVED CHANGES") {
		t.Fatalf("unsaved changes right after opening:\n%s", scr)
	}
	s2.keys("Down", "Down", "Down")
	s2.waitFor(`> \[x\] Windows desktop`, wait)
	s2.waitFor(`Windows desktop: selected\n`, wait)
	s2.waitFor(`Application Installation Download URL: `+regexp.QuoteMeta(winURL), wait)
	s2.waitFor(`Device Help Document URL: +\(blank: left out of the e-mail\)`, wait)
	s2.keys("Up", "Up")
	s2.waitFor(`Staff Android: selected, the default`, wait)
	s2.keys("Escape") // no changes: leaves at once
	s2.waitFor(`Distribute Software Tokens`, wait)
	s2.keys("q")
	if st := s2.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("second console exit status %d", st)
	}

	// The command line reads the same store.
	got, out := showSettings(t, data)
	type want struct {
		selected, def, confirmed  bool
		display, image, app, help string
	}
	wants := map[string]want{
		"iPhone quick setup (CTF)": {},
		"Staff Android": {selected: true, def: true, confirmed: true, display: "Staff Android",
			image: "images/android.png", app: "https://apps.example.com/securid/android"},
		"Staff iPhone": {display: "iPhone (recommended)", image: "images/iphone.png", confirmed: true,
			app: "https://apps.example.com/securid/ios", help: "https://help.example.com/tokens/iphone"},
		"Windows desktop": {selected: true, confirmed: true, display: "Windows desktop",
			image: "images/windows.png", app: winURL},
	}
	if len(got.Profiles) != len(wants) {
		t.Fatalf("%d profiles in the JSON, want %d:\n%s", len(got.Profiles), len(wants), out)
	}
	for _, p := range got.Profiles {
		w, ok := wants[p.Profile]
		if !ok {
			t.Fatalf("unexpected profile %q", p.Profile)
		}
		if p.Selected != w.selected || p.Default != w.def || p.DisplayName != w.display || p.ImageLocation != w.image ||
			p.AppDownloadURL != w.app || p.HelpDocURL != w.help {
			t.Fatalf("%s: got %+v, want %+v", p.Profile, p, w)
		}
		if w.selected && (!p.Confirmed || p.ConfirmStatus != "confirmed") {
			t.Fatalf("%s: not confirmed: %+v", p.Profile, p)
		}
	}
	if !got.UserMustProvidePassword || got.ReplacementWindowDays != 30 {
		t.Fatalf("password %v, window %d", got.UserMustProvidePassword, got.ReplacementWindowDays)
	}
	// The save is in the audit trail.
	if a := cli(t, data, "audit"); !strings.Contains(a, "settings save") {
		t.Fatalf("no settings save in the audit trail:\n%s", a)
	}
}

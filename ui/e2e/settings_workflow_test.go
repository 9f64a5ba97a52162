//go:build e2e

package e2e

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestE2ESettingsWorkflowOne is seed workflow 1 as a new admin does it in
// the console at 80x24, on the demo store: open Settings, select two
// profiles (iPhone quick setup (CTF) and Windows desktop), give one a
// download link and the other a new display name, confirm each, make the
// CTF profile the default, turn the password rule off, set the
// replacement window to 45 days and save. "settings show --json" then
// has every one of those values.
func TestE2ESettingsWorkflowOne(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	const ctfURL = "https://dl.example.com/ctf"
	const winName = "Windows PC"
	const wait = 5 * time.Second

	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)
	s.keys("3", "Enter")
	s.waitFor(`> \[ \] iPhone quick setup \(CTF\)`, wait)

	// iPhone quick setup (CTF): select, link, default, confirm.
	s.keys("Space")
	s.waitFor(`> \[x\] iPhone quick setup \(CTF\) +NOT CONFIRMED, NOT OFFERED`, wait)
	s.keys("Enter")
	s.waitFor(`> Display Name:`, wait)
	for i := 0; i < 4; i++ {
		s.keys("Tab")
	}
	s.waitFor(`> Application Installation Download URL:`, wait)
	s.typ(ctfURL)
	s.waitFor(`Download URL: `+regexp.QuoteMeta(ctfURL), wait)
	s.keys("Tab", "Tab")
	s.waitFor(`> \( \) Make this the default option`, wait)
	s.keys("Space")
	s.waitFor(`> \(\*\) Make this the default option`, wait)
	s.keys("C-t")
	s.waitFor(`\[x\] Confirmed: the four settings above are right`, wait)
	s.keys("Escape") // back to the list, on the same profile
	s.waitFor(`> \[x\] iPhone quick setup \(CTF\) +default +confirmed`, wait)

	// Windows desktop: select, a new display name, confirm.
	s.keys("Down", "Down", "Down")
	s.waitFor(`> \[ \] Windows desktop`, wait)
	s.keys("Space", "Enter")
	s.waitFor(`> Display Name: +Windows desktop`, wait)
	s.keys("C-u")
	s.typ(winName)
	s.waitFor(`> Display Name: +`+winName, wait)
	s.keys("C-t")
	s.keys("Escape")
	s.waitFor(`> \[x\] Windows desktop +confirmed`, wait)

	// The password rule and the replacement window, below the details.
	for i := 0; i < 9; i++ {
		s.keys("Tab")
	}
	s.waitFor(`> \[x\] The user needs to provide the password`, wait)
	s.keys("Space")
	s.waitFor(`> \[ \] The user needs to provide the password`, wait)
	s.keys("Tab")
	s.waitFor(`> Replacement window:`, wait)
	s.keys("C-u")
	s.typ("45")
	s.waitFor(`> Replacement window: 45 `, wait)

	// Save (ctrl+o): the screen says what changed.
	s.keys("C-o")
	s.waitFor(`OK: Self-service settings saved: \d+ changes`, wait)
	s.waitFor(`Saved:`, wait)
	s.keys("Escape") // to the list, on the profile last edited
	s.waitFor(`> \[x\] Windows desktop +confirmed`, wait)
	s.keys("Escape") // saved: leaves without a question
	s.waitFor(`Distribute Software Tokens`, wait)
	s.keys("q")
	if st := s.exitStatus(10 * time.Second); st != 0 {
		t.Fatalf("exit status %d", st)
	}

	got, out := showSettings(t, data)
	if got.UserMustProvidePassword || got.ReplacementWindowDays != 45 {
		t.Fatalf("password rule %v, replacement window %d; want false, 45\n%s", got.UserMustProvidePassword, got.ReplacementWindowDays, out)
	}
	found := 0
	for _, p := range got.Profiles {
		switch p.Profile {
		case "iPhone quick setup (CTF)":
			found++
			if !p.Selected || !p.Default || p.ConfirmStatus != "confirmed" || p.AppDownloadURL != ctfURL {
				t.Fatalf("CTF profile: %+v", p)
			}
		case "Windows desktop":
			found++
			if !p.Selected || p.Default || p.ConfirmStatus != "confirmed" || p.DisplayName != winName {
				t.Fatalf("Windows desktop: %+v", p)
			}
		default:
			if p.Default {
				t.Fatalf("%s is still a default: %+v", p.Profile, p)
			}
		}
	}
	if found != 2 {
		t.Fatalf("%d of the 2 profiles in the JSON:\n%s", found, out)
	}
}

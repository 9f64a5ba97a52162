//go:build e2e

package e2e

import (
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// phrase is a regexp for text that may wrap: its words in order, separated
// by any white space (line breaks and the indent of a hanging line).
func phrase(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `\s+`)
}

// TestE2ETwoConsolesSaveTheSettings: two consoles (two tmux sessions, two
// processes, told apart in the audit trail by their SSH client address) open
// Self-Service Settings on one data directory. A changes the replacement
// window and saves; B changes the token file password rule and saves: B's
// save is refused naming A's OS user and address, B reloads and sees A's
// window, makes its change again and saves. Both changes are in the store
// ("settings show --json").
func TestE2ETwoConsolesSaveTheSettings(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	const wait = 5 * time.Second
	const addrA, addrB = "203.0.113.7", "198.51.100.23"
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}

	show := func() settingsJSON {
		t.Helper()
		s, _ := showSettings(t, data)
		return s
	}
	before := show()
	if before.ReplacementWindowDays == 14 {
		t.Fatal("the demo's window is already 14 days")
	}
	pwBox := func(on bool) string {
		if on {
			return `\[x\]`
		}
		return `\[ \]`
	}

	a := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8", "SSH_CONNECTION="+addrA+" 40001 192.0.2.10 22")
	b := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8", "SSH_CONNECTION="+addrB+" 40002 192.0.2.10 22")
	for _, s := range []*tmuxSession{a, b} {
		s.waitFor(`Distribute Software Tokens`, 10*time.Second)
		s.keys("3", "Enter")
		s.waitFor(`Software Token Profiles Available for Request`, wait)
		// The first row (iPhone quick setup (CTF)) is not offered, so tab
		// goes from the list to the password rule.
		s.waitFor(`> \[ \] iPhone quick setup \(CTF\)`, wait)
		s.keys("Tab")
		s.waitFor(`> `+pwBox(before.UserMustProvidePassword)+` The user needs to provide the password`, wait)
	}

	// A: replacement window 14 days, saved.
	a.keys("Tab")
	a.waitFor(`> Replacement window:`, wait)
	a.keys("C-e", "C-u")
	a.typ("14")
	a.waitFor(`> Replacement window: 14 `, wait)
	a.keys("C-s")
	a.waitFor(`OK: Self-service settings saved`, wait)

	// B: the password rule, saved over A's save: refused, naming A.
	b.keys("Space")
	b.waitFor(`> `+pwBox(!before.UserMustProvidePassword)+` The user needs`, wait)
	b.waitFor(`UNSAVED CHANGES`, wait)
	b.keys("C-s")
	b.waitFor(phrase("ERROR: the self-service settings were changed by "+me.Username+" (from "+addrA+") at")+
		`\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+`+phrase("after you loaded them; nothing was saved: reload them and make your change again"), wait)
	b.waitFor(phrase("Reload the current settings? Your unsaved changes are lost."), wait)
	if got := show(); got.UserMustProvidePassword != before.UserMustProvidePassword || got.ReplacementWindowDays != 14 {
		t.Fatalf("after the refused save the store holds %+v", got)
	}

	// B reloads: A's window, B's change gone; made again, it saves.
	b.keys("r")
	b.waitFor(`Reloaded: these are the self-service settings as stored now`, wait)
	b.waitFor(`Replacement window: 14 `, wait)
	b.waitFor(`> `+pwBox(before.UserMustProvidePassword)+` The user needs`, wait)
	b.waitGone(`UNSAVED CHANGES|were changed by`, wait)
	b.keys("Space")
	b.waitFor(`> `+pwBox(!before.UserMustProvidePassword)+` The user needs`, wait)
	b.keys("C-s")
	b.waitFor(`OK: Self-service settings saved`, wait)

	// Nothing is lost.
	if got := show(); got.UserMustProvidePassword == before.UserMustProvidePassword || got.ReplacementWindowDays != 14 {
		t.Fatalf("the store holds %+v; want the window 14 (A) and the password rule %v (B)", got, !before.UserMustProvidePassword)
	}
	// Both saves are in the audit trail, each from its console's address.
	audit := cli(t, data, "audit", "--json")
	for _, addr := range []string{addrA, addrB} {
		if !regexp.MustCompile(`"ssh_client":\s*"` + regexp.QuoteMeta(addr) + `"`).MatchString(audit) {
			t.Fatalf("no audit record from %s:\n%s", addr, audit)
		}
	}

	for _, s := range []*tmuxSession{a, b} {
		s.keys("Escape") // from the field back to the list
		s.waitFor(`> \[[x ]\] (Staff|Windows|iPhone)`, wait)
		s.keys("Escape")
		s.waitFor(`Distribute Software Tokens`, wait)
		s.keys("q")
		if st := s.exitStatus(10 * time.Second); st != 0 {
			t.Fatalf("exit status %d", st)
		}
	}
}

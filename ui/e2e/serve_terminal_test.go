//go:build e2e

package e2e

import (
	"testing"
	"time"
)

// TestE2EServeWorksOnAVT100WithNoColor: product.md section 13 says the
// Self-Service Console works with the OpenSSH client as users have it, at
// 80x24, with NO_COLOR and vt100. The client runs with TERM=vt100 and
// sends NO_COLOR (SendEnv): the console draws no colour at all, only
// ASCII (no locale is sent), the field with focus is still marked as
// text, and the request form opens and closes. The same
// session without NO_COLOR, on an xterm-256color, does draw colour, so
// the first check cannot pass merely because nothing is ever coloured.
func TestE2EServeWorksOnAVT100WithNoColor(t *testing.T) {
	f := startServe(t)
	st := f.openStore(t)
	const user = "aandersen"
	f.registerUserKey(t, st, user, "alice")

	plain := f.startUserSSHPaneWith(t, "alice", user, []string{"TERM=vt100", "NO_COLOR=1"}, "-o", "SendEnv=NO_COLOR")
	plain.waitFor(`Your tokens`, 10*time.Second)
	screen := plain.screenEsc()
	if seq := colourSGR(screen); seq != "" {
		t.Fatalf("colour sequence %q under NO_COLOR on a vt100:\n%q", seq, screen)
	}
	for _, r := range plain.screen() {
		if r > 127 {
			t.Fatalf("non-ASCII %q without a locale:\n%s", r, plain.screen())
		}
	}
	plain.keys("n")
	plain.waitFor(`Request a new token`, 5*time.Second)
	// The field with focus is marked as text ("> "), not by colour.
	plain.waitFor(`> Profile: `, 5*time.Second)
	if seq := colourSGR(plain.screenEsc()); seq != "" {
		t.Fatalf("colour sequence %q in the form under NO_COLOR:\n%q", seq, plain.screenEsc())
	}
	plain.keys("Escape")
	plain.waitFor(`Your tokens`, 5*time.Second)
	plain.quitUserSSHPane()

	coloured := f.startUserSSHPaneWith(t, "alice", user, []string{"TERM=xterm-256color"})
	coloured.waitFor(`Your tokens`, 10*time.Second)
	if colourSGR(coloured.screenEsc()) == "" {
		t.Fatalf("no colour on an xterm-256color without NO_COLOR:\n%q", coloured.screenEsc())
	}
	coloured.quitUserSSHPane()
	f.auditHas(t, "ssh session end", user, "address 127.0.0.1:")
}

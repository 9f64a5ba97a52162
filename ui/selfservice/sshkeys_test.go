package selfservice

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
)

// rsa4096Line is the public key line of a fresh 4096-bit RSA key (about
// 750 characters with its comment).
func rsa4096Line(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " alice@workstation"
}

func fingerprint(t *testing.T, line string) string {
	t.Helper()
	k, err := model.ParseSSHKey(line)
	if err != nil {
		t.Fatal(err)
	}
	return k.Fingerprint
}

// wantAdded checks that line went to AddMyKey, the screen is back on the
// main screen saying the next login can use the key, and the reload
// lists it.
func (h *harness) wantAdded(line string) {
	h.t.Helper()
	if n := len(h.be.keyAdds); n == 0 || h.be.keyAdds[n-1] != line {
		h.t.Fatalf("AddMyKey got %q, want the line %q", h.be.keyAdds, line)
	}
	if h.m.mode != modeMain || h.m.keys != nil {
		h.t.Fatalf("the keys screen stayed open:\n%s", h.view())
	}
	h.want(keyAddedStatus)
	h.want("your next login can use it instead of an enrollment code")
}

func TestAKeyPastedAsABracketedPasteIsAddedAndTheListReloaded(t *testing.T) {
	h := newHarness(t, fixture(), 120, 40)
	line := keyLine(2, "alice@phone")
	h.press("a")
	h.want("Add an SSH key")
	h.send(tea.PasteMsg{Content: line + "\n"})
	h.press("enter")
	h.wantAdded(line)
	h.want(fingerprint(t, line) + " ssh-ed25519 added 2026-09-30 alice@phone")
	h.want(fingerprint(t, keyLine(1, "")))
}

func TestAKeyTypedKeyByKeyIsAdded(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	line := keyLine(2, "q? a j k n r s")
	h.press("a")
	h.typeText(line)
	if h.quit || h.m.help {
		t.Fatal("a key typed into the field ran a command")
	}
	h.press("enter")
	h.wantAdded(line)
	h.want("Your SSH keys: 2 (a to list them or add one)")
}

func TestALongRSAKeyLineIsTakenWholeTypedOrPasted(t *testing.T) {
	line := rsa4096Line(t)
	if len(line) < 700 {
		t.Fatalf("the RSA line is %d characters, want a long one", len(line))
	}
	t.Run("pasted", func(t *testing.T) {
		h := newHarness(t, fixture(), 80, 24)
		h.press("a")
		h.send(tea.PasteMsg{Content: line + "\r\n"})
		h.press("enter")
		h.wantAdded(line)
	})
	t.Run("typed", func(t *testing.T) {
		h := newHarness(t, fixture(), 80, 24)
		h.press("a")
		h.typeText(line)
		h.press("enter")
		h.wantAdded(line)
	})
}

func TestABadKeyLineShowsParseSSHKeysErrorAndKeepsTheText(t *testing.T) {
	bad := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@laptop"
	_, perr := model.ParseSSHKey(bad)
	if perr == nil {
		t.Fatal("the bad line parses")
	}
	be := fixture()
	h := newHarness(t, be, 120, 40)
	h.press("a")
	h.send(tea.PasteMsg{Content: bad})
	h.press("enter")
	h.want("ERROR: " + perr.Error())
	if h.m.mode != modeKeys || h.m.keys.in.Value() != bad {
		t.Fatalf("the keys screen lost the text (mode %d):\n%s", h.m.mode, h.view())
	}
	if len(be.keys) != 1 || h.m.status == keyAddedStatus {
		t.Fatalf("a bad line added a key: %+v", be.keys)
	}
	// The user fixes the line: the error goes with the first edit, and
	// the fixed line is added.
	h.press("ctrl+u")
	h.wantNot("ERROR:")
	good := keyLine(3, "fixed")
	h.send(tea.PasteMsg{Content: good})
	h.press("enter")
	h.wantAdded(good)
}

func TestAPasteOfSeveralLinesIsRefusedAndChangesNothing(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("a")
	h.typeText("ssh-")
	h.send(tea.PasteMsg{Content: keyLine(2, "one") + "\n" + keyLine(3, "two") + "\n"})
	h.want("ERROR: the text has several lines; give one key per line")
	if v := h.m.keys.in.Value(); v != "ssh-" {
		t.Fatalf("the field holds %q after a refused paste", v)
	}
	if len(be.keyAdds) != 0 {
		t.Fatalf("AddMyKey was called: %q", be.keyAdds)
	}
}

func TestAKeyRefusedByTheBackendShowsItsReasonAndKeepsTheText(t *testing.T) {
	be := fixture()
	be.keyErr = errors.New("the key SHA256:x is registered for another user: a key names one user")
	h := newHarness(t, be, 80, 24)
	line := keyLine(9, "bob@laptop")
	h.press("a")
	h.send(tea.PasteMsg{Content: line})
	h.press("enter")
	h.want("ERROR: the key SHA256:x is registered for another user")
	if h.m.mode != modeKeys || h.m.keys.in.Value() != line || len(be.keys) != 1 {
		t.Fatalf("mode %d, text %q, keys %d", h.m.mode, h.m.keys.in.Value(), len(be.keys))
	}
}

func TestEscLeavesTheKeysScreenWithoutAddingAndNoRemoveIsOffered(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("a")
	h.want("You cannot remove a key here: ask an administrator.")
	for _, b := range h.m.Bindings() {
		if strings.Contains(b.Key.Help().Desc, "remove") {
			t.Fatalf("the keys screen offers %q", b.Key.Help().Desc)
		}
	}
	h.send(tea.PasteMsg{Content: keyLine(2, "")})
	h.press("esc")
	if h.m.mode != modeMain || len(be.keyAdds) != 0 {
		t.Fatalf("esc: mode %d, adds %q", h.m.mode, be.keyAdds)
	}
	h.press("a")
	if v := h.m.keys.in.Value(); v != "" {
		t.Fatalf("the form reopened with %q", v)
	}
}

func TestTheMainScreenListsTheKeysWhereThereIsRoomAndCountsThemAt80x24(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 120, 40)
	h.want("Your SSH keys " + fingerprint(t, keyLine(1, "")) + " ssh-ed25519 added 2026-09-10 alice@laptop")
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.want("Your SSH keys: 1 (a to list them or add one)")
	h.wantNot(fingerprint(t, keyLine(1, "")))

	be.keys = nil
	h = newHarness(t, be, 80, 24)
	h.want("Your SSH keys: none (a to add one, to log in without a code)")
	h = newHarness(t, be, 120, 40)
	h.want("None: you log in with an enrollment code. Press a to add your public key.")
}

func TestManyKeysOnTheMainScreenEndWithHowManyMore(t *testing.T) {
	be := fixture()
	for i := range 6 {
		be.keys = append(be.keys, fixtureKey(byte(10+i), "more", be.keys[0].Added))
	}
	h := newHarness(t, be, 120, 40)
	h.want("and 4 more (a to list them all)")
	h.press("a")
	for _, k := range be.keys {
		h.want(k.Fingerprint)
	}
}

func TestTheHelpSaysUsersCannotRemoveKeys(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("?")
	h.want("you cannot remove a key here: an administrator does that (swtoken users keys remove)")
}

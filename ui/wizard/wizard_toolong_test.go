package wizard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// tooLongBackend is the fake with 30 tokens in 100000000001-030: the first
// 5 are AES-128 (room for a user ID and the test password), the other 25
// SID-64, whose limit of 8 characters the password alone breaks in mode
// "User ID followed by Password". Every token has its own user; the one at
// longUserAt (if >= 0) has a 64-character user ID.
func tooLongBackend(longUserAt int) *fakeBackend {
	be := newFakeBackend()
	be.tokens = nil
	for i := range 30 {
		tok := model.Token{
			Serial: fmt.Sprintf("%012d", 100_000_000_001+i), Kind: model.KindSoftware, Algorithm: model.AlgSID64,
			Birth: testNow.AddDate(-1, 0, 0), Death: testNow.AddDate(2, 0, 0),
		}
		if i < 5 {
			tok.Algorithm = model.AlgAES128
		}
		user := fmt.Sprintf("user%02d", i+1)
		if i == longUserAt {
			user = longUserID
		}
		tok.Assign(user)
		be.tokens = append(be.tokens, tok)
	}
	return be
}

// longUserID is a user ID of the maximum length, 64 characters.
var longUserID = "long.user." + strings.Repeat("x", 54)

// tooLongSerials are the serials tooLongBackend makes too long.
func tooLongSerials() []string {
	var s []string
	for i := 5; i < 30; i++ {
		s = append(s, fmt.Sprintf("%012d", 100_000_000_001+i))
	}
	return s
}

// toTooLongSummary walks the wizard to the summary for serials 1-30 in
// mode "User ID followed by Password".
func toTooLongSummary(t *testing.T, m *Model) {
	t.Helper()
	walk(t, m, model.PasswordUserIDAndAdmin, stepCriteria)
	typeRange(t, m, "100000000001", "100000000030")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
}

// onScreenLine is whether a line of the screen starts with serial
// followed by user (the too-long list's row).
func onScreenLine(m *Model, serial, user string) bool {
	for _, l := range strings.Split(screenText(m), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == serial && f[1] == user {
			return true
		}
	}
	return false
}

// TestWizardSummaryListsEveryTooLongToken: with more tokens over the
// password limit than fit at 80x24, the summary lists every one of them
// (serial and user) in a list that scrolls with the keyboard down to the
// last one; submit stays refused.
func TestWizardSummaryListsEveryTooLongToken(t *testing.T) {
	t.Run("80x24", func(t *testing.T) {
		m := openWizard(t, tooLongBackend(-1), 80, 24)
		toTooLongSummary(t, m)
		serials := tooLongSerials()
		wantScreen(t, m, "Left out:           25 password too long")
		wantScreen(t, m, "ERROR: cannot submit: 25 tokens would get a password over their limit,")
		wantScreen(t, m, "below. Press ctrl+o to leave them out, or go back (esc)")
		wantScreen(t, m, "User (password too long)  rows 1-")
		wantScreen(t, m, "of 25")
		wantScreen(t, m, "tab selection")
		wantNoScreen(t, m, "more")
		wantNoScreen(t, m, testPassword)
		if !onScreenLine(m, serials[0], "user06") {
			t.Fatalf("first too-long token not listed:\n%s", screenText(m))
		}
		if onScreenLine(m, serials[24], "user30") {
			t.Fatalf("the last of 25 fits at 80x24 before scrolling; the test proves nothing:\n%s", screenText(m))
		}
		snap(t, m, "top")

		// Scroll down one row at a time: every token comes on screen, the
		// last one included.
		seen := map[string]bool{}
		for range 40 {
			for i, s := range serials {
				if onScreenLine(m, s, fmt.Sprintf("user%02d", i+6)) {
					seen[s] = true
				}
			}
			if seen[serials[len(serials)-1]] {
				break
			}
			press(t, m, "down")
		}
		if len(seen) != len(serials) {
			t.Fatalf("saw %d of %d too-long tokens while scrolling:\n%s", len(seen), len(serials), screenText(m))
		}
		wantScreen(t, m, "of 25")
		wantScreen(t, m, "-25 of 25")
		wantScreen(t, m, "ERROR: cannot submit: 25 tokens")
		snap(t, m, "end")

		// Submit is refused.
		press(t, m, "enter")
		wantStep(t, m, stepSummary)

		// tab shows the selection (5 AES-128 tokens) and back.
		press(t, m, "tab")
		wantScreen(t, m, "Times distributed  rows 1-5 of 5")
		wantScreen(t, m, "tab too long")
		if !onScreenLine(m, "100000000001", "user01") {
			t.Fatalf("selection not listed:\n%s", screenText(m))
		}
		press(t, m, "tab")
		wantScreen(t, m, "User (password too long)  rows 1-")
		if !onScreenLine(m, serials[0], "user06") {
			t.Fatalf("too-long list not back at the top:\n%s", screenText(m))
		}
		// Page down reaches the end as well.
		press(t, m, "pgdown", "pgdown", "pgdown")
		if !onScreenLine(m, serials[24], "user30") {
			t.Fatalf("pgdn does not reach the last token:\n%s", screenText(m))
		}
	})

	// A 64-character user ID where the sidebar leaves less room: it wraps
	// onto a second line rather than being cut.
	t.Run("long user ID wraps", func(t *testing.T) {
		m := openWizard(t, tooLongBackend(29), 100, 30)
		toTooLongSummary(t, m)
		press(t, m, "pgdown", "pgdown", "pgdown")
		wantScreen(t, m, "rows 25-25 of 25")
		screen := screenText(m)
		var joined string
		for _, l := range strings.Split(screen, "\n") {
			if i := strings.Index(l, "| "); i >= 0 {
				l = l[i+2:]
			}
			if strings.HasPrefix(l, "100000000030") || (joined != "" && strings.HasPrefix(l, "               ") && strings.TrimSpace(l) != "") {
				joined += strings.TrimSpace(strings.TrimPrefix(l, "100000000030"))
			}
		}
		if joined != longUserID {
			t.Fatalf("long user ID shown as %q, want %q:\n%s", joined, longUserID, screen)
		}
	})
}

package ui

import (
	"testing"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/store"
)

// ---- 1. Jobs the console did not start ----

// ---- 2. Notes do not outlive their screen ----

func TestStatusNoteIsClearedWhenEscLeavesTheScreen(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 80, 24)
	press(t, m, "enter", "a") // the first token is assigned
	wantScreen(t, m, "NOTE: Token 100000000001 is assigned to asmith; unassign it first (u).")
	press(t, m, "esc")
	if _, ok := m.Top().(*tokensScreen); !ok {
		t.Fatalf("top is %T", m.Top())
	}
	wantNoScreen(t, m, "unassign it first")
	press(t, m, "esc")
	press(t, m, "6", "enter")
	wantNoScreen(t, m, "NOTE:")
}

// TestStatusNoteAfterTheNavigationStillShows: a note from a Cmd that ends
// after esc left the screen shows; so does the note of an action that pops
// its screen itself (the user picker).
func TestStatusNoteAfterTheNavigationStillShows(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 80, 24)
	press(t, m, "enter")
	_, cmd := m.Update(keyPress("a")) // the note's Cmd, not run yet
	press(t, m, "esc")
	run(t, m, cmd)
	wantScreen(t, m, "NOTE: Token 100000000001 is assigned to asmith")

	m = openMenu(t, be, "5", 80, 24)
	press(t, m, "2", "enter", "a")
	typeText(t, m, "ijones")
	press(t, m, "enter")
	if _, ok := m.Top().(*tokenDetail); !ok {
		t.Fatalf("top is %T", m.Top())
	}
	wantScreen(t, m, "OK: Token 100000000010 assigned to ijones.")
}

// ---- 3. Password-protected token files ----

// lockedFiles rejects "locked" files as the reader does: "password
// required" without a password, "wrong password" with another one.
type lockedFiles struct{ *fakeBackend }

func (f *lockedFiles) ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error) {
	if password != "" {
		return f.fakeBackend.ImportTokenFiles(paths, password, opts)
	}
	var res store.ImportResult
	for _, p := range paths {
		reason := (&sdtid.Error{Kind: sdtid.KindPasswordRequired, Token: -1,
			Detail: "the file is password protected (a damaged Secret, or both MACs damaged, looks the same)"}).Error()
		res.Rejected = append(res.Rejected, store.Rejection{Item: p, Reason: reason})
	}
	return store.ImportResult{Rejected: res.Rejected}, &store.ImportRejectedError{What: "tokens", Total: len(paths), Rejected: len(paths)}
}

func TestImportSaysWhereThePasswordGoes(t *testing.T) {
	be := &lockedFiles{listFixture()}
	m := newTestModel(t, be, 80, 24)
	press(t, m, "7", "enter", "tab")
	typeText(t, m, "/in/locked.sdtid")
	press(t, m, "enter")
	wantScreen(t, m, "REFUSED:")
	wantScreen(t, m, "password required")
	wantFlat(t, m, "NOTE: A file is password protected: type its password in the Password field and import again.")

	press(t, m, "enter", "tab")
	typeText(t, m, "wrong")
	press(t, m, "enter")
	wantScreen(t, m, "wrong password")
	wantFlat(t, m, "NOTE: The password in the Password field does not open a file: type the right one and import again.")

	// Other rejections get no password hint.
	press(t, m, "enter", "shift+tab")
	clearField(t, m)
	typeText(t, m, "/in/bad.sdtid")
	press(t, m, "tab")
	typeText(t, m, "x")
	press(t, m, "enter")
	wantScreen(t, m, "malformed XML")
	wantNoScreen(t, m, "Password field")
}

// ---- 4. Wizard hints ----

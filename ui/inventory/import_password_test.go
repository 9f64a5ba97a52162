package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/store"
)

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

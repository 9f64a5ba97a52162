package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/store"
)

// TestAuditLogShowsControlCharactersEscaped: an audit record whose object
// (a file name) and details hold an escape sequence, a right-to-left
// override and a newline shows them as \x1b, \u202e and \n in the Audit
// Log's list and in the record, at 80x24.
func TestAuditLogShowsControlCharactersEscaped(t *testing.T) {
	be := listFixture()
	be.appendAudit("import tokens", "token files /in/"+forged+".sdtid", "imported 1; "+forged)
	m := openMenu(t, be, "8", 80, 24)
	wantNoRawControls(t, m)
	wantScreen(t, m, `imported 1;…`) // the details are cut at 80 columns

	press(t, m, "enter")
	wantScreen(t, m, "Audit record #9")
	wantFlat(t, m, `/in/x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD.sdtid`)
	wantNoRawControls(t, m)
	wantFlat(t, m, `imported 1; x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD`)

	// The admin filter still selects the record's admin.
	press(t, m, "esc", "o")
	wantScreen(t, m, "Admin: admin")
	wantScreen(t, m, `imported 1;…`)
}

// TestImportResultShowsControlCharactersEscaped: the import result's
// rejection lines show a file name's and a reason's control characters
// escaped.
func TestImportResultShowsControlCharactersEscaped(t *testing.T) {
	m := newTestModel(t, &forgedRejection{listFixture()}, 80, 24)
	press(t, m, "7", "enter", "tab")
	typeText(t, m, "/in/dir")
	press(t, m, "enter")
	wantScreen(t, m, "REFUSED:")
	wantNoRawControls(t, m)
	wantFlat(t, m, `/in/dir/x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD.sdtid: malformed XML: x\x1b[31mred`)
}

// forgedRejection rejects every file with a name and a reason holding
// control characters, as a directory's *.sdtid file names and a reader's
// reason quoting the file can.
type forgedRejection struct{ *fakeBackend }

func (f *forgedRejection) ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error) {
	rej := []store.Rejection{{Item: "/in/dir/" + forged + ".sdtid", Reason: "malformed XML: " + forged}}
	return store.ImportResult{Rejected: rej}, &store.ImportRejectedError{What: "tokens", Total: 1, Rejected: 1}
}

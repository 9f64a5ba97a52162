package ui

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/ui/nav"

	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// forged is outside text that tries to act on the terminal: recolour it,
// clear it, reverse the text after it and start a forged line.
const forged = "x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD"

// wantNoRawControls fails when the console's raw frame (what goes to the
// terminal, styling included) holds the forged text's control sequences,
// or a line that starts with the forged text.
func wantNoRawControls(t *testing.T, m *Model) {
	t.Helper()
	raw := m.Render()
	for _, bad := range []string{"\x1b[31m", "\x1b[2J", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the frame holds a raw %q:\n%q", bad, raw)
		}
	}
	lines := strings.Split(ansi.Strip(raw), "\n")
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "FAKE RECORD") {
			t.Errorf("a forged line reached the screen:\n%s", ansi.Strip(raw))
		}
	}
	if len(lines) != 24 {
		t.Errorf("the frame is %d lines, want 24", len(lines))
	}
}

// TestAuditLogShowsControlCharactersEscaped: an audit record whose object
// (a file name) and details hold an escape sequence, a right-to-left
// override and a newline shows them as \x1b, \u202e and \n in the Audit
// Log's list and in the record, at 80x24.
func TestAuditLogShowsControlCharactersEscaped(t *testing.T) {
	be := listFixture()
	be.appendAudit("import tokens", "token files /in/"+forged+".sdtid", "imported 1; "+forged)
	m := openMenu(t, be, "8", 80, 24)
	wantNoRawControls(t, m)
	wantScreen(t, m, `imported 1; x\x`) // the rest is cut at 80 columns

	press(t, m, "enter")
	wantScreen(t, m, "Audit record #9")
	wantFlat(t, m, `/in/x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD.sdtid`)
	wantNoRawControls(t, m)
	wantFlat(t, m, `imported 1; x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD`)

	// The admin filter still selects the record's admin.
	press(t, m, "esc", "o")
	wantScreen(t, m, "Admin: admin")
	wantScreen(t, m, `imported 1; x\x`)
}

// forgedRejection rejects every file with a name and a reason holding
// control characters, as a directory's *.sdtid file names and a reader's
// reason quoting the file can.
type forgedRejection struct{ *fakeBackend }

func (f *forgedRejection) ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error) {
	rej := []store.Rejection{{Item: "/in/dir/" + forged + ".sdtid", Reason: "malformed XML: " + forged}}
	return store.ImportResult{Rejected: rej}, &store.ImportRejectedError{What: "tokens", Total: 1, Rejected: 1}
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

// TestJobReasonShowsControlCharactersEscaped: a failed job's reason (an
// error text that may quote a path) shows escaped in the jobs list, the
// job's details and the status line announcing the failure.
func TestJobReasonShowsControlCharactersEscaped(t *testing.T) {
	be := listFixture()
	be.jobs = append(be.jobs, model.Job{Seq: 2, Name: "Q4 rollout", Spec: model.JobSpec{Name: "Q4 rollout", Profile: "Staff iPhone"},
		State: model.JobFailed, Reason: "cannot write /out/" + forged, Ended: testNow})
	m := openMenu(t, be, "2", 80, 24)
	press(t, m, "3")
	wantNoRawControls(t, m)
	wantFlat(t, m, `cannot write /out/x\x1b[31mred`)
	press(t, m, "enter")
	wantNoRawControls(t, m)
	wantFlat(t, m, `cannot write /out/x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD`)

	update(t, m, nav.JobEventMsg(JobEvent{Seq: 3, Name: "Q5", State: model.JobFailed, Reason: "disk full at /out/" + forged}))
	wantNoRawControls(t, m)
	wantScreen(t, m, `ERROR: Job #3 "Q5" failed: disk full at /out/x\x1b[31mred`)
}

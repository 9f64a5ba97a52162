package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// noRawControls fails when out holds an escape, a carriage return or
// another control character other than the line ends the command writes
// itself, or a bidirectional override.
func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\r", "\x07", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s holds a raw %q:\n%q", what, bad, out)
		}
	}
}

// TestAuditTextShowsControlCharactersEscaped: an audit record whose details
// hold an escape sequence and a newline followed by a fake record is one
// line in `swtoken audit`, with the characters shown as \x1b and \n; --json
// keeps the exact text (JSON escapes it).
func TestAuditTextShowsControlCharactersEscaped(t *testing.T) {
	dir := dataDir(t)
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	details := "user \x1b[31mred\x1b[0m\nFAKE RECORD     2  2025-01-01T00:00:00Z  root  assign  token 1"
	if err := st.AppendAudit("assign", "token 123456789012\u202e", details); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out := mustRun(t, dir, "audit")
	noRawControls(t, "audit", out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[1] != "1 record" {
		t.Fatalf("want one record line and the count, got %d lines:\n%s", len(lines), out)
	}
	for _, want := range []string{`token 123456789012\u202e: user \x1b[31mred\x1b[0m\nFAKE RECORD`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("record line lacks %q:\n%s", want, lines[0])
		}
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	if len(recs) != 1 || recs[0].Details != details {
		t.Fatalf("--json must keep the exact details: %+v", recs)
	}
}

// TestImportRejectionShowsControlCharactersEscaped: a token file whose name
// holds a newline and an escape sequence is rejected on one line that shows
// them escaped; a CSV whose content and name hold them likewise, also in
// the audit record's text and in an error naming the file.
func TestImportRejectionShowsControlCharactersEscaped(t *testing.T) {
	dir := dataDir(t)
	tmp := t.TempDir()
	name := filepath.Join(tmp, "x\nrejected: FAKE\x1b[31m.sdtid")
	if err := os.WriteFile(name, []byte("not a token file"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, dir, "", "import", "tokens", name, "--password-file", writeFile(t, "pw", "x\n"))
	if code != ExitFailure {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	noRawControls(t, "import tokens stdout", out)
	noRawControls(t, "import tokens stderr", errOut)
	want := "rejected: " + tmp + `/x\nrejected: FAKE\x1b[31m.sdtid: `
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], want) {
		t.Fatalf("want the counts and one rejection line starting %q, got:\n%s", want, out)
	}

	// A CSV named with controls, with a user ID holding an escape: the
	// rejection, and with --partial the audit record, show them escaped.
	csvName := filepath.Join(tmp, "users\n\x1b[2J.csv")
	if err := os.WriteFile(csvName, []byte("user_id,first_name,last_name\nok1,A,B\nbad\x1b[31m,C,D\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, dir, "", "import", "users", csvName, "--partial")
	if code != ExitFailure {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	noRawControls(t, "import users stdout", out)
	noRawControls(t, "import users stderr", errOut)
	if !strings.Contains(out, `\x1b[31m`) || strings.Count(out, "\n") != 2 {
		t.Fatalf("want the counts and one rejection line showing \\x1b, got:\n%s", out)
	}
	if strings.Count(errOut, "\n") != 1 {
		t.Fatalf("want one error line, got:\n%s", errOut)
	}
	audit := mustRun(t, dir, "audit")
	noRawControls(t, "audit", audit)
	if !strings.Contains(audit, `users\n\x1b[2J.csv`) {
		t.Fatalf("audit lacks the escaped file name:\n%s", audit)
	}

	// A file that cannot be opened: the error names it escaped too.
	_, _, errOut = runCmd(t, dir, "", "import", "users", filepath.Join(tmp, "none\x1b[31m\n.csv"))
	noRawControls(t, "missing CSV stderr", errOut)
	if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `none\x1b[31m\n.csv`) {
		t.Fatalf("want one error line naming the file escaped, got:\n%q", errOut)
	}
}

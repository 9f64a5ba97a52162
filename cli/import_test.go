package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func vec(name string) string { return filepath.Join(vectors, name) }

func TestImportTokens(t *testing.T) {
	dir := dataDir(t)
	out := mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid"), vec("f02-6d-30s-nopin-nopw.sdtid"))
	if out != "imported 2, skipped 0, rejected 0\n" {
		t.Fatalf("%q", out)
	}
	// Again: skipped, not rejected; --overwrite replaces.
	if out = mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid")); out != "imported 0, skipped 1, rejected 0\n" {
		t.Fatalf("%q", out)
	}
	if out = mustRun(t, dir, "import", "tokens", "--overwrite", vec("f01-8d-60s-addpin-nopw.sdtid")); out != "imported 0, updated 1, skipped 0, rejected 0\n" {
		t.Fatalf("%q", out)
	}

	// A protected file without a password and no terminal: rejected with
	// the reader's reason and a hint; nothing else is imported either.
	f03 := vec("f03-8d-30s-addpin-pw.sdtid")
	out = expectFail(t, dir, ExitFailure, "1 rejected, so nothing was imported", "import", "tokens", vec("f05-8d-60s-nopin-devid.sdtid"), f03)
	if !strings.Contains(out, "imported 0, skipped 0, rejected 1\n") || !strings.Contains(out, "rejected: "+f03+": password required") || !strings.Contains(out, "--password-file") {
		t.Fatalf("%s", out)
	}
	// The password from standard input.
	code, out, errOut := runCmd(t, dir, "Tr0ub4dor&3\n", "import", "tokens", f03, "--password-file", "-")
	if code != ExitOK || out != "imported 1, skipped 0, rejected 0\n" {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
	// A wrong password from a file is named, and never echoed.
	code, out, errOut = runCmd(t, dir, "", "import", "tokens", vec("f04-6d-60s-addpin-pw-devid.sdtid"), "--password-file", writeFile(t, "pw", "hunter2\n"))
	if code != ExitFailure || !strings.Contains(out, "wrong password") || strings.Contains(out+errOut, "hunter2") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}

	// Damaged and missing files, with --partial: the good one goes in.
	out = expectFail(t, dir, ExitFailure, "2 rejected; the valid tokens were imported", "import", "tokens", "--partial",
		vec("tamper/truncated.sdtid"), vec("f07-custom-batch-nopw.sdtid"), "/nonexistent/x.sdtid")
	for _, want := range []string{"imported 1, skipped 0, rejected 2", "tamper/truncated.sdtid: malformed XML at line 41", "/nonexistent/x.sdtid: no such file or directory"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Two TKN with one serial: the second is a duplicate.
	out = expectFail(t, dir, ExitFailure, "nothing was imported", "import", "tokens", vec("tamper/two-tkn.sdtid"), "--overwrite")
	if !strings.Contains(out, "token 2 of 2 (serial 123456789012): serial 123456789012 appears more than once") {
		t.Fatalf("%s", out)
	}

	tokens := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json"))
	if len(tokens) != 4 {
		t.Fatalf("%d tokens stored", len(tokens))
	}
	for _, tok := range tokens {
		if tok.Enabled || tok.AssignedUser != "" {
			t.Fatalf("imported token %+v", tok)
		}
	}

	expectFail(t, dir, ExitUsage, "at least one token FILE", "import", "tokens")
	expectFail(t, dir, ExitUsage, "expected tokens or users", "import")
	expectFail(t, dir, ExitUsage, "unknown import kind", "import", "profiles")
	code, _, errOut = runCmd(t, dir, "", "import", "tokens", f03, "--password", "hunter2")
	if code != ExitUsage || strings.Contains(errOut, "hunter2") {
		t.Fatalf("--password must be a usage error without echo: %d %q", code, errOut)
	}
}

func TestImportUsers(t *testing.T) {
	dir := dataDir(t)
	good := writeFile(t, "users.csv", "\ufeffuser_id,first_name,last_name,email\njdoe,John,Doe,john@example.com\nasmith,Alice,Smith,\n")
	if out := mustRun(t, dir, "import", "users", good); out != "imported 2, skipped 0, rejected 0\n" {
		t.Fatalf("%q", out)
	}
	if out := mustRun(t, dir, "import", "users", good); out != "imported 0, skipped 2, rejected 0\n" {
		t.Fatalf("%q", out)
	}
	changed := writeFile(t, "users.csv", "user_id,first_name,last_name\njdoe,Johnny,Doe\nbob,Bob,Builder\n")
	if out := mustRun(t, dir, "import", "users", changed, "--update"); out != "imported 1, updated 1, skipped 0, rejected 0\n" {
		t.Fatalf("%q", out)
	}

	bad := writeFile(t, "bad.csv", "user_id,first_name,last_name\ncarol,Carol,King\ndave,Dave\ncarol,C,K\n")
	out := expectFail(t, dir, ExitFailure, "2 rejected, so nothing was imported", "import", "users", bad)
	for _, want := range []string{"rejected: line 3, column last_name: missing", "rejected: line 4, column user_id: user ID \"carol\" duplicates line 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	expectFail(t, dir, ExitFailure, "2 rejected; the valid users were imported", "import", "users", bad, "--partial")

	header := writeFile(t, "h.csv", "login,first,last\njdoe,J,D\n")
	expectFail(t, dir, ExitFailure, "it must be user_id,first_name,last_name[,email]", "import", "users", header)
	latin1 := writeFile(t, "l.csv", "user_id,first_name,last_name\nsoren,S\xf8ren,Kierkegaard\n")
	expectFail(t, dir, ExitFailure, "line 2: column first_name is not valid UTF-8", "import", "users", latin1)

	// Standard input.
	code, out, errOut := runCmd(t, dir, "user_id,first_name,last_name\nerin,Erin,Hart\n", "import", "users", "-")
	if code != ExitOK || out != "imported 1, skipped 0, rejected 0\n" {
		t.Fatalf("stdin: %d %q %q", code, out, errOut)
	}
	users := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	if len(users) != 5 { // asmith, bob, carol, erin, jdoe
		t.Fatalf("%+v", users)
	}
	expectFail(t, dir, ExitFailure, "no such file", "import", "users", "/nonexistent.csv")
	expectFail(t, dir, ExitUsage, "exactly one FILE.csv", "import", "users")
}

func TestAssignAndUnassign(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "import", "users", writeFile(t, "u.csv", "user_id,first_name,last_name\njdoe,John,Doe\nasmith,Alice,Smith\n"))
	mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid"), vec("f02-6d-30s-nopin-nopw.sdtid"), vec("f05-8d-60s-nopin-devid.sdtid"))

	if out := mustRun(t, dir, "assign", "--serial", "123456789012", "--user", "jdoe"); out != "assigned 123456789012 to jdoe\n" {
		t.Fatalf("%q", out)
	}
	expectFail(t, dir, ExitFailure, "already assigned to jdoe", "assign", "--serial", "123456789012", "--user", "asmith")
	expectFail(t, dir, ExitFailure, "not found", "assign", "--serial", "999", "--user", "jdoe")
	expectFail(t, dir, ExitFailure, "did you mean \"jdoe\"", "assign", "--serial", "987654321098", "--user", "JDOE")

	// --auto gives asmith (who holds none) one token; jdoe keeps one.
	out := mustRun(t, dir, "assign", "--auto")
	if out != "assigned 135792468013 to asmith\nassigned 1 token\n" {
		t.Fatalf("%q", out)
	}
	if out = mustRun(t, dir, "assign", "--auto", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("%q", out)
	}
	toks := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json"))
	if toks[0].AssignedUser != "jdoe" || !toks[0].Enabled || toks[1].AssignedUser != "asmith" || toks[2].AssignedUser != "" {
		t.Fatalf("%+v", toks)
	}

	if out = mustRun(t, dir, "unassign", "--serial", "123456789012"); out != "unassigned 123456789012 from jdoe\n" {
		t.Fatalf("%q", out)
	}
	expectFail(t, dir, ExitFailure, "is not assigned to any user", "unassign", "--serial", "123456789012")

	expectFail(t, dir, ExitUsage, "give --serial and --user, or --auto", "assign", "--serial", "1")
	expectFail(t, dir, ExitUsage, "not both", "assign", "--auto", "--user", "jdoe")
	expectFail(t, dir, ExitUsage, "give --serial", "unassign")

	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.Action)
	}
	if got := strings.Join(actions, ","); got != "unassign,auto-assign,assign,import tokens,import users" {
		t.Fatalf("audit actions %s", got)
	}
}

func TestAuditCommand(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "import", "users", writeFile(t, "u.csv", "user_id,first_name,last_name\nmarker-user-q7,Q,Seven\n"))
	mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid"))
	mustRun(t, dir, "assign", "--serial", "123456789012", "--user", "marker-user-q7")

	text := mustRun(t, dir, "audit")
	if !strings.Contains(text, "assign") || !strings.HasSuffix(text, "3 records\n") {
		t.Fatalf("%s", text)
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json", "--action", "assign"))
	if len(recs) != 1 || recs[0].Object != "token 123456789012" || recs[0].Seq != 3 || recs[0].OSUser == "" {
		t.Fatalf("%+v", recs)
	}
	if recs = decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json", "--limit", "2")); len(recs) != 2 || recs[0].Seq != 3 {
		t.Fatalf("%+v", recs)
	}
	if out := mustRun(t, dir, "audit", "verify"); !strings.Contains(out, "intact: 3 records") {
		t.Fatalf("%q", out)
	}
	expectFail(t, dir, ExitUsage, "--limit must be 0 or more", "audit", "--limit", "-1")

	// Edit a record in the database file behind the store's back: the
	// record's MAC no longer matches.
	db := filepath.Join(dir, "swtoken.db")
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes := strings.Count(string(data), "user marker-user-q7"); bytes != 1 {
		t.Fatalf("found the audit details %d times", bytes)
	}
	data = []byte(strings.Replace(string(data), "user marker-user-q7", "user marker-user-q8", 1))
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	expectFail(t, dir, ExitFailure, "the audit trail is broken at record 3: record 3 was modified", "audit", "verify")
}

func TestProfilesCommands(t *testing.T) {
	dir := dataDir(t)
	out := mustRun(t, dir, "profiles", "add", "--name", "Staff iPhone", "--device-type", "iphone", "--length", "6", "--duration", "30",
		"--auth", "fob", "--description", "For staff")
	if out != "added profile \"Staff iPhone\" (iPhone, File-based (SDTID), 6 digits, 30 s, Fob-style)\n" {
		t.Fatalf("%q", out)
	}
	mustRun(t, dir, "profiles", "add", "--name", "Lab device", "--device-type", "Other", "--other-guid", "12345678-1234-1234-1234-123456789abc", "--delivery", "qr")
	expectFail(t, dir, ExitFailure, "staff iphone", "profiles", "add", "--name", "staff iphone", "--device-type", "Android")
	expectFail(t, dir, ExitFailure, "\"Pager\" is not a device type", "profiles", "add", "--name", "P", "--device-type", "Pager")
	expectFail(t, dir, ExitFailure, "must be 6 or 8 digits (got 7)", "profiles", "add", "--name", "P", "--device-type", "Android", "--length", "7")
	expectFail(t, dir, ExitUsage, "--name and --device-type are required", "profiles", "add", "--name", "P")

	list := decodeJSON[[]profileJSON](t, mustRun(t, dir, "profiles", "list", "--json"))
	if len(list) != 2 {
		t.Fatalf("%+v", list)
	}
	var iphone profileJSON
	for _, p := range list {
		if p.Name == "Staff iPhone" {
			iphone = p
		}
	}
	if iphone.DeviceClassGUID != "556f1985-33dd-442c-9155-3a0e994f21b1" || !iphone.FileBased || iphone.TokencodeLength != 6 ||
		iphone.DurationSeconds != 30 || iphone.AuthType != "Fob-style" || iphone.AddPIN || iphone.Revision != 1 || iphone.Description != "For staff" {
		t.Fatalf("%+v", iphone)
	}

	out = mustRun(t, dir, "profiles", "edit", "staff iphone", "--length", "8", "--rename", "Staff iPhone 8")
	if !strings.Contains(out, "saved profile \"Staff iPhone 8\" (revision 2)") || !strings.Contains(out, "never changes token files already handed out") {
		t.Fatalf("%q", out)
	}
	expectFail(t, dir, ExitFailure, "locked", "profiles", "edit", "Staff iPhone 8", "--device-type", "Android")
	expectFail(t, dir, ExitFailure, "not found", "profiles", "edit", "nope", "--length", "6")
	expectFail(t, dir, ExitUsage, "nothing to change", "profiles", "edit", "Staff iPhone 8")
	expectFail(t, dir, ExitUsage, "--rename", "profiles", "edit", "Staff iPhone 8", "--name", "X")

	text := mustRun(t, dir, "profiles", "list")
	if !strings.Contains(text, "Staff iPhone 8") || !strings.HasSuffix(text, "2 profiles\n") {
		t.Fatalf("%s", text)
	}
	if out = mustRun(t, dir, "profiles", "delete", "Lab device"); out != "deleted profile \"Lab device\"\n" {
		t.Fatalf("%q", out)
	}
	expectFail(t, dir, ExitFailure, "not found", "profiles", "delete", "Lab device")
	expectFail(t, dir, ExitUsage, "expected list, add, edit or delete", "profiles")

	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	if len(recs) != 4 || recs[0].Action != "profile delete" || recs[1].Action != "profile edit" {
		t.Fatalf("%+v", recs)
	}
}

func TestProfileInSelfServiceCannotBeDeleted(t *testing.T) {
	dir := demoDir(t)
	expectFail(t, dir, ExitFailure, "self-service settings", "profiles", "delete", "Staff iPhone")
	mustRun(t, dir, "profiles", "delete", "Windows desktop")
}

func TestSettingsShow(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "profiles", "add", "--name", "Solo", "--device-type", "macOS")
	empty := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	if len(empty.Profiles) != 1 || empty.Profiles[0].Selected || empty.ReplacementWindowDays != 30 || empty.Profiles[0].ConfirmStatus != "not confirmed" {
		t.Fatalf("%+v", empty)
	}

	dir = demoDir(t)
	s := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	selected, defaults := 0, 0
	for _, e := range s.Profiles {
		if e.Selected {
			selected++
			if !e.Confirmed || e.ConfirmStatus != "confirmed" || e.DisplayName == "" {
				t.Fatalf("%+v", e)
			}
		}
		if e.Default {
			defaults++
		}
	}
	if len(s.Profiles) != 4 || selected != 2 || defaults != 1 || !s.UserMustProvidePassword {
		t.Fatalf("%+v", s)
	}
	text := mustRun(t, dir, "settings", "show")
	for _, want := range []string{"[x] Staff iPhone  (default)", "[ ] Windows desktop", "Help document URL: (left out of the e-mail)", "replacement from 30 days"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	// Editing a confirmed field makes the confirmation lapse, visibly.
	mustRun(t, dir, "profiles", "edit", "Staff Android", "--length", "8")
	text = mustRun(t, dir, "settings", "show")
	if !strings.Contains(text, "confirmation lapsed") {
		t.Fatalf("%s", text)
	}
	preview := mustRun(t, dir, "settings", "show", "--preview")
	if !strings.Contains(preview, "Approval e-mail: iPhone (recommended)") || !strings.Contains(preview, "(default)") {
		t.Fatalf("%s", preview)
	}
	expectFail(t, dir, ExitUsage, "exclude each other", "settings", "show", "--json", "--preview")
}

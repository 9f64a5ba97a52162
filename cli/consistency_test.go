package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The rules these tests hold every command to: bad command-line input
// (an unknown command, a malformed serial, a reversed range, an unknown
// audit action, a flag that does not apply) is a usage error, exit 2, and
// is refused before the store is opened; --help prints the command's usage
// on standard output and exits 0.

// noStoreDir is a data directory that does not exist; usage errors must be
// found without creating it.
func noStoreDir(t *testing.T) string {
	t.Helper()
	return dataDir(t)
}

func assertNoStore(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a refused command created the data directory %s", dir)
	}
}

func TestHelpForAnUnknownCommandIsAUsageError(t *testing.T) {
	code, out, errOut := runCLI(t, "", "help", "bogus")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "bogus"`) || out != "" {
		t.Fatalf("help bogus: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "help", "tokens")
	if code != ExitOK || !strings.HasPrefix(out, "usage: "+commands["tokens"].usage) {
		t.Fatalf("help tokens: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCLI(t, "", "help")
	if code != ExitOK || !strings.Contains(out, "Exit status") {
		t.Fatalf("help: exit %d, stdout %q", code, out)
	}
}

// subcommands are the subcommands of each registered command; every
// registered command must be listed (an empty list: no subcommands).
var subcommands = map[string][]string{
	"assign":     nil,
	"unassign":   nil,
	"audit":      {"verify"},
	"check":      nil,
	"ctf":        {"inspect"},
	"demo":       nil,
	"distribute": nil,
	"import":     {"tokens", "users"},
	"jobs":       {"list", "show", "download", "delete-output", "cancel", "run"},
	"mail":       {"outbox", "send", "test"},
	"profiles":   {"list", "add", "edit", "delete"},
	"requests":   {"add", "list", "show", "approve", "reject", "defer", "cancel"},
	"sdtid":      {"inspect"},
	"serve":      nil,
	"settings":   {"show", "apply"},
	"tokens":     {"list", "enable", "disable", "auto"},
	"users":      {"list", "keys", "invite"},
	"verify":     nil,
}

func TestHelpFlagOnEveryCommandAndSubcommand(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		subs, ok := subcommands[name]
		if !ok {
			t.Errorf("command %q is not in this test's subcommands table", name)
			continue
		}
		c := commands[name]
		invocations := [][]string{{name}}
		for _, s := range subs {
			invocations = append(invocations, []string{name, s})
		}
		for _, inv := range invocations {
			for _, h := range []string{"--help", "-h"} {
				dir := noStoreDir(t)
				args := append(slices.Clone(inv), h)
				code, out, errOut := runCmd(t, dir, "", args...)
				if code != ExitOK || !strings.HasPrefix(out, "usage: "+c.usage+"\n") || !strings.Contains(out, c.summary) || errOut != "" {
					t.Errorf("swtoken %s: exit %d (want 0)\nstdout %q\nstderr %q\n(want the usage on stdout)", strings.Join(args, " "), code, out, errOut)
				}
				assertNoStore(t, dir)
			}
		}
	}
}

func TestReversedRangeIsAUsageError(t *testing.T) {
	dir := noStoreDir(t)
	expectFail(t, dir, ExitUsage, "from must not be greater than to (5 > 3)", "tokens", "list", "--from", "5", "--to", "3")
	dist := []string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none"}
	expectFail(t, dir, ExitUsage, "from must not be greater than to (5 > 3)", append(slices.Clone(dist), "--from", "5", "--to", "3")...)
	// Numeric, not textual: 9 < 10.
	expectFail(t, dir, ExitUsage, "from must not be greater than to (100 > 99)", "tokens", "list", "--from", "100", "--to", "99")
	// Half a range, or a range with --all, is bad input too.
	expectFail(t, dir, ExitUsage, "--from S and --to S go together", append(slices.Clone(dist), "--from", "5")...)
	expectFail(t, dir, ExitUsage, "--from S and --to S go together", append(slices.Clone(dist), "--to", "5")...)
	expectFail(t, dir, ExitUsage, "not both", append(slices.Clone(dist), "--all", "--from", "1", "--to", "5")...)
	assertNoStore(t, dir)

	// A range in order still works, also an equal one.
	demo := demoDir(t)
	mustRun(t, demo, "tokens", "list", "--from", "3", "--to", "3")
}

func TestMalformedSerialIsAUsageErrorEverywhere(t *testing.T) {
	dist := []string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none"}
	cases := [][]string{
		{"assign", "--serial", "abc", "--user", "x"},
		{"assign", "--serial", "1234567890123", "--user", "x"},
		{"assign", "--serial", " 123", "--user", "x"},
		{"unassign", "--serial", "abc"},
		{"verify", "abc", "123456"},
		{"verify", "12-34", "123456"},
		{"tokens", "enable", "abc"},
		{"tokens", "disable", "abc"},
		{"tokens", "auto", "abc"},
		{"tokens", "list", "--from", "abc"},
		{"tokens", "list", "--to", "abc"},
		{"tokens", "list", "--from", " 5", "--to", "9"},
		append(slices.Clone(dist), "--from", "abc", "--to", "5"),
		append(slices.Clone(dist), "--from", "1", "--to", "x5"),
	}
	// Refused before the store is opened, with or without a store.
	dir, demo := noStoreDir(t), demoDir(t)
	for _, d := range []string{dir, demo} {
		for _, args := range cases {
			expectFail(t, d, ExitUsage, "is not a serial: a serial is 1-12 digits", args...)
		}
	}
	assertNoStore(t, dir)

	// A well-formed serial that no token has is a failure, not bad input.
	users := decodeJSON[[]userJSON](t, mustRun(t, demo, "users", "list", "--json"))
	for _, args := range [][]string{
		{"assign", "--serial", "999999999999", "--user", users[0].UserID},
		{"unassign", "--serial", "999999999999"},
		{"verify", "999999999999", "12345678"},
		{"tokens", "enable", "999999999999"},
		{"tokens", "disable", "999999999999"},
		{"tokens", "auto", "999999999999"},
	} {
		expectFail(t, demo, ExitFailure, "not found", args...)
	}
}

func TestAuditUnknownActionIsAUsageError(t *testing.T) {
	dir := noStoreDir(t)
	code, out, errOut := runCmd(t, dir, "", "audit", "--action", "bogus")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `--action "bogus" is not an audit action`) ||
		!strings.Contains(errOut, "assign, auto-assign, demo load, import tokens") {
		t.Fatalf("audit --action bogus: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	assertNoStore(t, dir)

	demo := demoDir(t)
	if out := mustRun(t, demo, "audit", "--action", "demo load"); !strings.HasSuffix(out, "1 record\n") {
		t.Fatalf("audit --action 'demo load':\n%s", out)
	}
	// A known action that has no record yet is a valid, empty answer.
	if out := mustRun(t, demo, "audit", "--action", "job cancel"); out != "0 records\n" {
		t.Fatalf("audit --action 'job cancel': %q", out)
	}
	expectFail(t, demo, ExitUsage, "is not an audit action", "audit", "--action", "Assign")
	expectFail(t, demo, ExitUsage, "is not an audit action", "audit", "--action", "import")
}

// TestAuditActionsAreWhatTheStoreWrites reads the Go sources of store/ and
// engine/ for the actions they pass to AppendAudit, and checks that
// knownAuditActions is exactly that set. Most calls pass a literal; the few that
// pass a variable are known here by their form and their values are read
// from where they are chosen. A new form fails the test until it is taught.
func TestAuditActionsAreWhatTheStoreWrites(t *testing.T) {
	var files []string
	// ui/sshserve (swtoken serve, issue 14) writes the ssh actions; until
	// it is in the tree they are expected from it, not found.
	fromServe := []string{"ssh login", "ssh refused", "ssh session end"}
	if _, err := os.Stat("../ui/sshserve"); err == nil {
		fromServe = nil
	}
	for _, root := range []string{"../store", "../engine", "../ui/sshserve"} {
		if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	src := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src[f] = string(data)
	}

	var (
		call      = regexp.MustCompile(`\.AppendAudit\(([^,]+),`)
		literal   = regexp.MustCompile(`^"([^"\\]+)"$`)
		returned  = regexp.MustCompile(`return "([a-z][a-z -]*)", `)
		assigned  = regexp.MustCompile(`\baction :?= "([a-z][a-z -]*)"`)
		imported  = regexp.MustCompile(`\bfinishImport\(tx, "([a-z]+)"`)
		bulkLoads = regexp.MustCompile(`\.LoadBulk\([^,]+, "([^"]+)"`)
		requests  = regexp.MustCompile(`\.changeRequest\(d, "([a-z][a-z -]*)"`)
	)
	written := map[string]string{} // action -> where
	add := func(action, where string) {
		if _, ok := written[action]; !ok {
			written[action] = where
		}
	}
	for f, s := range src {
		if strings.HasSuffix(f, "store/audit.go") {
			// The definition of AppendAudit and its Store wrapper.
			s = strings.ReplaceAll(s, "tx.AppendAudit(action, object, details)", "")
		}
		for _, m := range call.FindAllStringSubmatch(s, -1) {
			arg := strings.TrimSpace(m[1])
			if lit := literal.FindStringSubmatch(arg); lit != nil {
				add(lit[1], f)
				continue
			}
			switch arg {
			case "action":
				// changeJob and changeEnabled: their callers return the
				// action, or set it in a variable, in the same file.
				for _, r := range returned.FindAllStringSubmatch(s, -1) {
					add(r[1], f)
				}
				for _, r := range assigned.FindAllStringSubmatch(s, -1) {
					add(r[1], f)
				}
				// changeRequest: its callers name the action.
				for _, r := range requests.FindAllStringSubmatch(s, -1) {
					add(r[1], f)
				}
			case `"import "+what`:
				for _, r := range imported.FindAllStringSubmatch(s, -1) {
					add("import "+r[1], f)
				}
			case "auditAction":
				// LoadBulk's callers choose it, anywhere in store/ or engine/.
				for g, gs := range src {
					for _, r := range bulkLoads.FindAllStringSubmatch(gs, -1) {
						add(r[1], g)
					}
				}
			default:
				t.Errorf("%s: AppendAudit(%s, ...): this test does not know where that action comes from; teach it", f, arg)
			}
		}
	}
	if len(written) < 10 {
		t.Fatalf("found only %d audit actions in the sources (%v): is the scan broken?", len(written), written)
	}
	for action, where := range written {
		if !slices.Contains(knownAuditActions, action) {
			t.Errorf("%s writes audit action %q, which knownAuditActions (audit.go) lacks", where, action)
		}
	}
	for _, action := range knownAuditActions {
		if _, ok := written[action]; !ok && !slices.Contains(fromServe, action) {
			t.Errorf("knownAuditActions lists %q, which nothing in store/, engine/ or ui/sshserve writes", action)
		}
	}
	if !slices.IsSorted(knownAuditActions) {
		t.Error("knownAuditActions is not sorted")
	}
}

func TestOtherGUIDOnlyForDeviceTypeOther(t *testing.T) {
	const guid = "11111111-1111-1111-1111-111111111111"
	dir := demoDir(t)
	before := mustRun(t, dir, "profiles", "list", "--json")

	expectFail(t, dir, ExitUsage, "--other-guid only applies to the Other device type",
		"profiles", "add", "--name", "P2", "--device-type", "iPhone", "--other-guid", guid)
	if after := mustRun(t, dir, "profiles", "list", "--json"); after != before {
		t.Fatalf("a refused add changed the profiles:\n%s", after)
	}

	mustRun(t, dir, "profiles", "add", "--name", "P2", "--device-type", "iPhone")
	p2 := mustRun(t, dir, "profiles", "list", "--json")
	expectFail(t, dir, ExitUsage, "--other-guid only applies to the Other device type (this profile's device type is iPhone)",
		"profiles", "edit", "P2", "--other-guid", guid)
	expectFail(t, dir, ExitUsage, "--other-guid only applies to the Other device type",
		"profiles", "edit", "P2", "--device-type", "Android", "--other-guid", guid)
	if after := mustRun(t, dir, "profiles", "list", "--json"); after != p2 {
		t.Fatalf("a refused edit changed the profiles:\n%s", after)
	}

	// With device type Other it is taken. (Once the profile exists its
	// device class is locked: the store says so, exit 1.)
	mustRun(t, dir, "profiles", "add", "--name", "P3", "--device-type", "Other", "--other-guid", guid)
	got := map[string]string{}
	for _, p := range decodeJSON[[]profileJSON](t, mustRun(t, dir, "profiles", "list", "--json")) {
		got[p.Name] = p.DeviceClassGUID
	}
	if got["P3"] != guid {
		t.Fatalf("class GUIDs: %v", got)
	}
	expectFail(t, dir, ExitFailure, "the device class is locked", "profiles", "edit", "P3", "--other-guid", "22222222-2222-2222-2222-222222222222")
	// With another device type and --other-guid, the usage error comes
	// first.
	expectFail(t, dir, ExitUsage, "--other-guid only applies to the Other device type",
		"profiles", "edit", "P3", "--device-type", "Windows", "--other-guid", guid)
}

func TestPartialImportSaysWhatHappened(t *testing.T) {
	dir := dataDir(t)
	good := writeFile(t, "u.csv", "user_id,first_name,last_name\njdoe,John,Doe\nasmith,Alice,Smith\n")
	mustRun(t, dir, "import", "users", good)
	// The two valid lines exist already (skipped), two lines are rejected.
	again := writeFile(t, "u2.csv", "user_id,first_name,last_name\njdoe,John,Doe\nasmith,Alice,Smith\nbob,Bob\ncarol\n")
	out := expectFail(t, dir, ExitFailure, "2 rejected; nothing was imported (2 users skipped: already in the store; --update replaces them)",
		"import", "users", again, "--partial")
	if !strings.HasPrefix(out, "imported 0, skipped 2, rejected 2\n") {
		t.Fatalf("stdout %q", out)
	}
	_, _, errOut := runCmd(t, dir, "", "import", "users", again, "--partial")
	if strings.Contains(errOut, "were imported") {
		t.Fatalf("stderr claims an import: %q", errOut)
	}
	// Something imported and something skipped: both said.
	mixed := writeFile(t, "u3.csv", "user_id,first_name,last_name\njdoe,John,Doe\nerin,Erin,Hart\nbob,Bob\n")
	expectFail(t, dir, ExitFailure, "1 rejected; the valid users were imported (1 user skipped: already in the store; --update replaces them)",
		"import", "users", mixed, "--partial")

	// Tokens: the valid file is in the store already, the other is rejected.
	f01 := vec("f01-8d-60s-addpin-nopw.sdtid")
	empty := writeFile(t, "empty.sdtid", "")
	mustRun(t, dir, "import", "tokens", f01)
	out = expectFail(t, dir, ExitFailure, "1 rejected; nothing was imported (1 token skipped: already in the store; --overwrite replaces them)",
		"import", "tokens", f01, empty, "--partial")
	if !strings.HasPrefix(out, "imported 0, skipped 1, rejected 1\n") {
		t.Fatalf("stdout %q", out)
	}
	// Nothing valid at all.
	expectFail(t, dir, ExitFailure, "1 rejected; nothing was imported", "import", "tokens", empty, "--partial")
	// And the unchanged wording when the valid ones went in.
	expectFail(t, dir, ExitFailure, "1 rejected; the valid tokens were imported\n",
		"import", "tokens", vec("f02-6d-30s-nopin-nopw.sdtid"), empty, "--partial")
}

func TestPasswordFileReadableByOthersIsRefused(t *testing.T) {
	f03 := filepath.Join(vectors, "f03-8d-30s-addpin-pw.sdtid")
	const pw = "Tr0ub4dor&3"
	open := writeFile(t, "pw", pw+"\n")
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "run `chmod 600 " + open + "`"
	check := func(code int, out, errOut string, args []string) {
		t.Helper()
		if code != ExitFailure || !strings.Contains(errOut, "password file "+open+" is accessible by group or others (mode 0644)") ||
			!strings.Contains(errOut, want) || strings.Contains(out+errOut, pw) {
			t.Errorf("swtoken %s: exit %d\nstdout %q\nstderr %q\n(want exit 1 and %q)", strings.Join(args, " "), code, out, errOut, want)
		}
	}
	args := []string{"sdtid", "inspect", f03, "--password-file", open}
	code, out, errOut := runCLI(t, "", args...)
	check(code, out, errOut, args)

	dir := dataDir(t)
	args = []string{"import", "tokens", f03, "--password-file", open}
	code, out, errOut = runCmd(t, dir, "", args...)
	check(code, out, errOut, args)
	assertNoStore(t, dir)

	demo := demoDir(t)
	args = []string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "password",
		"--password-file", open, "--from", "100000000001", "--to", "100000000002", "--yes"}
	code, out, errOut = runCmd(t, demo, "", args...)
	check(code, out, errOut, args)
	if n := strings.Count(mustRun(t, demo, "jobs", "list", "--json"), `"seq"`); n != 0 {
		t.Fatalf("%d jobs after the refusal", n)
	}

	// Group-writable counts too; the fix is the same.
	if err := os.Chmod(open, 0o620); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", f03, "--password-file", open)
	if code != ExitFailure || !strings.Contains(errOut, want) {
		t.Errorf("mode 0620: exit %d, stderr %q", code, errOut)
	}

	// Mode 0600 and 0400, and standard input, are taken.
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(open, mode); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runCLI(t, "", "sdtid", "inspect", f03, "--password-file", open); code != ExitOK {
			t.Errorf("mode %04o: exit %d, stderr %q", mode, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, pw+"\n", "sdtid", "inspect", f03, "--password-file", "-"); code != ExitOK {
		t.Errorf("standard input: exit %d, stderr %q", code, errOut)
	}

	// A path that needs quoting is quoted in the fix.
	odd := filepath.Join(t.TempDir(), "my pw")
	if err := os.WriteFile(odd, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(odd, 0o640); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", f03, "--password-file", odd)
	if code != ExitFailure || !strings.Contains(errOut, "run `chmod 600 '"+odd+"'`") {
		t.Errorf("quoted path: exit %d, stderr %q", code, errOut)
	}
}

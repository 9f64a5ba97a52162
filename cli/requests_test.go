package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requestsState is what a refused request command must leave as it was:
// every request as requests list --json prints it, and the audit trail.
type requestsState struct {
	requests string
	audits   int
}

func readRequestsState(t *testing.T, dir string) requestsState {
	t.Helper()
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	return requestsState{requests: mustRun(t, dir, "requests", "list", "--json"), audits: len(recs)}
}

// requestPasswordFile is a password file (mode 0600) holding pw.
func requestPasswordFile(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// demoRequestFacts picks demo users and tokens for the creation rules.
type demoRequestFacts struct {
	holder     string // a user holding a token far from its expiry (and fewer than 3)
	full       string // another user, given 3 tokens by the test
	other      string // a third user, holding fewer than 3 tokens
	farSerial  string // that token
	unassigned []string
	users      []userJSON
}

func readDemoRequestFacts(t *testing.T, dir string) demoRequestFacts {
	t.Helper()
	var f demoRequestFacts
	f.users = decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	held := map[string]int{}
	for _, u := range f.users {
		held[u.UserID] = u.Tokens
	}
	for _, tok := range decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json")) {
		switch {
		case tok.Expired:
		case tok.AssignedUser == "":
			f.unassigned = append(f.unassigned, tok.Serial)
		case tok.DaysLeft > 60 && f.holder == "" && held[tok.AssignedUser] < 3:
			f.holder, f.farSerial = tok.AssignedUser, tok.Serial
		}
	}
	for _, u := range f.users {
		switch {
		case u.UserID == f.holder:
		case f.full == "":
			f.full = u.UserID
		case f.other == "" && u.Tokens < 3:
			f.other = u.UserID
		}
	}
	if f.holder == "" || f.other == "" || len(f.unassigned) < 3 {
		t.Fatalf("the demo has no user with a token far from expiry, or too few unassigned tokens: %+v", f)
	}
	return f
}

func TestRequestsAddRefusesEachCreationRuleWithItsReasonAndChangesNothing(t *testing.T) {
	dir := demoDir(t)
	f := readDemoRequestFacts(t, dir)
	pw := requestPasswordFile(t, "Correct-Horse-9")

	// A user without an e-mail address.
	csv := writeFile(t, "users.csv", "user_id,first_name,last_name,email\nnomail,No,Mail,\n")
	mustRun(t, dir, "import", "users", csv)
	// A user holding the most tokens (3).
	full := f.full
	for i := 0; len(decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json", "--user", full))) < 3; i++ {
		mustRun(t, dir, "assign", "--serial", f.unassigned[i], "--user", full)
	}
	// An open new-token request for the holder.
	mustRun(t, dir, "requests", "add", "--user", f.holder, "--profile", "Staff iPhone", "--password-file", pw)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a profile not offered", []string{"--user", f.other, "--profile", "Windows desktop", "--password-file", pw},
			`profile "Windows desktop" is not available for request`},
		{"the password required but missing", []string{"--user", f.other, "--profile", "Staff iPhone"},
			"Password: is required: the self-service settings say the user provides the token file password"},
		{"a replacement outside the window", []string{"--user", f.holder, "--profile", "Staff iPhone", "--replace", f.farSerial, "--password-file", pw},
			fmt.Sprintf("token %s can be replaced only within 30 days of its expiry", f.farSerial)},
		{"a second open request of the same kind", []string{"--user", f.holder, "--profile", "Staff Android", "--password-file", pw},
			fmt.Sprintf("user %q already has an open new request, R-1 (pending)", f.holder)},
		{"a user without e-mail", []string{"--user", "nomail", "--profile", "Staff iPhone", "--password-file", pw},
			`user "nomail" has no e-mail address`},
		{"a fourth token", []string{"--user", full, "--profile", "Staff iPhone", "--password-file", pw},
			fmt.Sprintf("user %q holds 3 tokens, the most a user may hold (3)", full)},
		{"no such user", []string{"--user", "nobody-here", "--password-file", pw}, `no user "nobody-here"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readRequestsState(t, dir)
			code, out, errOut := runCmd(t, dir, "", append([]string{"requests", "add"}, c.args...)...)
			if code != ExitFailure || !strings.Contains(errOut, c.want) || out != "" {
				t.Fatalf("exit %d (want 1)\nstdout %q\nstderr %q\n(want %q)", code, out, errOut, c.want)
			}
			if strings.Contains(errOut, "Correct-Horse-9") {
				t.Errorf("the password is in the error: %s", errOut)
			}
			if after := readRequestsState(t, dir); after != before {
				t.Errorf("a refused request changed the store:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}

	// The same facts pass where the rule does not apply: a lost token is
	// replaced outside the window.
	out := mustRun(t, dir, "requests", "add", "--user", f.holder, "--profile", "Staff iPhone", "--replace", f.farSerial, "--lost", "--password-file", pw)
	if !strings.Contains(out, "request R-2 created for "+f.holder+": replacement of token "+f.farSerial+" (lost or broken)") {
		t.Fatalf("lost replacement: %s", out)
	}
}

func TestRequestsTwoApprovalPolicyRefusesTheSameAdminTwice(t *testing.T) {
	dir := demoDir(t)
	if code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { s.ApprovalPolicy = "two" }); code != ExitOK {
		t.Fatalf("settings apply: exit %d\n%s%s", code, out, errOut)
	}
	users := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	pw := requestPasswordFile(t, "Correct-Horse-9")
	if out := mustRun(t, dir, "requests", "add", "--user", users[0].UserID, "--password-file", pw); !strings.Contains(out, "state pending (needs 2 approvals)") {
		t.Fatalf("add: %s", out)
	}
	out := mustRun(t, dir, "requests", "approve", "R-1", "--comment", "ok", "--note", "called the manager")
	if !strings.Contains(out, "approved R-1: state pending (approval 1 of 2 given; 1 more approval by a different admin needed)") {
		t.Fatalf("first approval: %s", out)
	}
	before := readRequestsState(t, dir)
	code, out, errOut := runCmd(t, dir, "", "requests", "approve", "R-1")
	if code != ExitFailure || out != "" || !strings.Contains(errOut, "already approved request R-1") ||
		!strings.Contains(errOut, "a second approval must come from another admin") {
		t.Fatalf("second approval by the same OS user: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if after := readRequestsState(t, dir); after != before {
		t.Errorf("the refused approval changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	r := decodeJSON[requestJSON](t, mustRun(t, dir, "requests", "show", "R-1", "--json"))
	if r.State != "pending" || r.ApprovalsGiven != 1 || r.ApprovalsNeeded != 2 || r.Approvals[0].Note != "called the manager" {
		t.Errorf("after the refused approval: %+v", r)
	}
}

func TestRequestsListAndShowJSONHaveStableFieldsAndNoPassword(t *testing.T) {
	dir := demoDir(t)
	users := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	pw := requestPasswordFile(t, "Correct-Horse-9")
	u0, u1 := users[0].UserID, users[1].UserID
	mustRun(t, dir, "requests", "add", "--user", u0, "--profile", "staff android", "--nickname", "phone", "--reason", "new phone", "--password-file", pw)
	code, _, errOut := runCmd(t, dir, "Correct-Horse-9\n", "requests", "add", "--user", u1, "--password-file", "-")
	if code != ExitOK {
		t.Fatalf("add with the password on standard input: %s", errOut)
	}
	mustRun(t, dir, "requests", "reject", "R-2", "--comment", "use your old phone", "--note", "asked twice")
	mustRun(t, dir, "requests", "defer", "R-1", "--comment", "soon")

	list := decodeJSON[[]requestJSON](t, mustRun(t, dir, "requests", "list", "--json"))
	if len(list) != 2 || list[0].ID != "R-1" || list[1].ID != "R-2" {
		t.Fatalf("list: %+v", list)
	}
	r := list[0]
	if r.User != u0 || r.Kind != "new" || r.Profile != "Staff Android" || r.BindingKind != "class" || r.Binding == "" ||
		r.Nickname != "phone" || !r.PasswordGiven || r.Reason != "new phone" || r.Origin != "cli" || r.State != "pending" ||
		r.ApprovalsGiven != 0 || r.ApprovalsNeeded != 1 || r.Created == nil || r.CreatedBy == "" || r.Revision != 2 ||
		len(r.Deferrals) != 1 || r.Deferrals[0].Comment != "soon" || len(r.History) != 2 || r.History[1].Action != "deferred" {
		t.Errorf("R-1: %+v", r)
	}
	rej := list[1]
	if rej.State != "rejected" || rej.StateReason != "use your old phone" || rej.History[1].Note != "asked twice" || rej.History[1].Actor == "" {
		t.Errorf("R-2: %+v", rej)
	}
	if one := decodeJSON[[]requestJSON](t, mustRun(t, dir, "requests", "list", "--json", "--state", "rejected")); len(one) != 1 || one[0].ID != "R-2" {
		t.Errorf("--state rejected: %+v", one)
	}
	if one := decodeJSON[[]requestJSON](t, mustRun(t, dir, "requests", "list", "--json", "--user", u0)); len(one) != 1 || one[0].ID != "R-1" {
		t.Errorf("--user %s: %+v", u0, one)
	}
	show := decodeJSON[requestJSON](t, mustRun(t, dir, "requests", "show", "r-2", "--json"))
	if fmt.Sprint(show) != fmt.Sprint(rej) {
		t.Errorf("show differs from list:\n%+v\n%+v", show, rej)
	}

	text := mustRun(t, dir, "requests", "show", "R-2")
	for _, want := range []string{"Request:             R-2", "Password:            given", "State:               rejected",
		"comment to the user: use your old phone", "private note: asked twice", "Approvals:           0 of 1 (One approval)"} {
		if !strings.Contains(text, want) {
			t.Errorf("show lacks %q:\n%s", want, text)
		}
	}
	table := mustRun(t, dir, "requests", "list")
	if !strings.Contains(table, "APPROVALS") || !strings.Contains(table, "0/1") || !strings.HasSuffix(table, "2 requests\n") {
		t.Errorf("list:\n%s", table)
	}
	audit := mustRun(t, dir, "audit", "--json")
	for _, s := range []string{text, table, audit, mustRun(t, dir, "requests", "list", "--json")} {
		if strings.Contains(s, "Correct-Horse-9") {
			t.Fatalf("the password is printed:\n%s", s)
		}
	}
}

func TestRequestsUsageErrorsChangeNothing(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"requests", "reject", "R-1"}, "reject needs --comment"},
		{[]string{"requests", "reject", "R-1", "--comment", "  "}, "reject needs --comment"},
		{[]string{"requests", "approve", "X-1"}, `"X-1" is not a request ID`},
		{[]string{"requests", "show"}, "expected exactly one request ID for show"},
		{[]string{"requests", "cancel", "R-1", "--note", "n"}, "flag provided but not defined: -note"},
		{[]string{"requests", "list", "--state", "done"}, `"done" is not a request state`},
		{[]string{"requests", "add"}, "give --user"},
		{[]string{"requests", "add", "--user", "u", "--lost"}, "--lost goes with --replace SERIAL"},
		{[]string{"requests", "add", "--user", "u", "--replace", "abc"}, "is not a serial"},
		{[]string{"requests", "bogus"}, `unknown subcommand "bogus"`},
	}
	dir := noStoreDir(t)
	for _, c := range cases {
		expectFail(t, dir, ExitUsage, c.want, c.args...)
	}
	assertNoStore(t, dir)

	demo := demoDir(t)
	users := decodeJSON[[]userJSON](t, mustRun(t, demo, "users", "list", "--json"))
	mustRun(t, demo, "requests", "add", "--user", users[0].UserID, "--password-file", requestPasswordFile(t, "Correct-Horse-9"))
	before := readRequestsState(t, demo)
	expectFail(t, demo, ExitUsage, "reject needs --comment", "requests", "reject", "R-1")
	if after := readRequestsState(t, demo); after != before {
		t.Errorf("a reject without a comment changed the store")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	expectFail(t, demo, ExitFailure, "is empty: put the token-file password on its first line", "requests", "add", "--user", users[1].UserID, "--password-file", empty)
	if after := readRequestsState(t, demo); after != before {
		t.Errorf("a request with an empty password file changed the store")
	}
	expectFail(t, demo, ExitFailure, "no request R-9 (see swtoken requests list)", "requests", "approve", "R-9")
	out := mustRun(t, demo, "requests", "cancel", "R-1", "--comment", "made by mistake")
	if !strings.Contains(out, "canceled R-1: state canceled") {
		t.Errorf("cancel: %s", out)
	}
	expectFail(t, demo, ExitFailure, "request R-1 is canceled", "requests", "approve", "R-1")
}

// `jobs run` is a process that runs jobs, so it also fulfils the approved
// requests and says so; the request ends Fulfilled with a token of the
// user's.
func TestJobsRunFulfilsApprovedRequests(t *testing.T) {
	dir := demoDir(t)
	if code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { s.ApprovalPolicy = "automatic" }); code != ExitOK {
		t.Fatalf("settings apply: exit %d\n%s%s", code, out, errOut)
	}
	f := readDemoRequestFacts(t, dir)
	pw := requestPasswordFile(t, "Correct-Horse-9")
	mustRun(t, dir, "requests", "add", "--user", f.other, "--password-file", pw)
	if r := decodeJSON[requestJSON](t, mustRun(t, dir, "requests", "show", "R-1", "--json")); r.State != "approved" {
		t.Fatalf("under the automatic policy the request is %s", r.State)
	}
	out := mustRun(t, dir, "jobs", "run")
	if !strings.Contains(out, "Request R-1 fulfilled: token ") {
		t.Fatalf("jobs run said:\n%s", out)
	}
	r := decodeJSON[requestJSON](t, mustRun(t, dir, "requests", "show", "R-1", "--json"))
	if r.State != "fulfilled" {
		t.Fatalf("after jobs run the request is %s", r.State)
	}
	if strings.Contains(out, "Correct-Horse-9") {
		t.Fatal("jobs run printed the request's password")
	}
	if again := mustRun(t, dir, "jobs", "run"); strings.Contains(again, "fulfilled") {
		t.Fatalf("a second run fulfilled again:\n%s", again)
	}
}

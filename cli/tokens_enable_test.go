package cli

import (
	"strconv"
	"strings"
	"testing"
)

// tokenBySerial returns one token from tokens list --json.
func tokenBySerial(t *testing.T, dir, serial string) tokenJSON {
	t.Helper()
	toks := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--from", serial, "--to", serial, "--json"))
	if len(toks) != 1 {
		t.Fatalf("tokens list for %s: %d tokens", serial, len(toks))
	}
	return toks[0]
}

// auditActions returns the newest n audit actions with their objects.
func auditActions(t *testing.T, dir string, n int) []string {
	t.Helper()
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	var out []string
	for i := 0; i < n && i < len(recs); i++ {
		out = append(out, recs[i].Action+"|"+recs[i].Object)
	}
	return out
}

func TestTokensEnableDisable(t *testing.T) {
	dir := demoDir(t)
	all := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json"))
	// An assigned, enabled, unexpired software token that distribution
	// would take, and an unassigned one.
	var held, free tokenJSON
	for _, tok := range all {
		switch {
		case held.Serial == "" && tok.AssignedUser != "" && tok.Enabled && !tok.Expired && tok.Kind == "software":
			held = tok
		case free.Serial == "" && tok.AssignedUser == "":
			free = tok
		}
	}
	if held.Serial == "" || free.Serial == "" || held.EnabledSetByAdmin || free.Enabled {
		t.Fatalf("demo fixture: held %+v free %+v", held, free)
	}
	// The dry run covers every token (a selection with no eligible token
	// at all is refused, also in a dry run).
	last := all[len(all)-1].Serial
	dryRun := func() (selected, disabled int, out string) {
		out = mustRun(t, dir, "distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none",
			"--from", all[0].Serial, "--to", last, "--dry-run")
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			switch {
			case len(f) >= 2 && f[0] == "Tokens:":
				selected, _ = strconv.Atoi(f[1])
			case len(f) == 2 && f[0] == "disabled:":
				disabled, _ = strconv.Atoi(f[1])
			}
		}
		return selected, disabled, out
	}
	sel0, dis0, out := dryRun()
	if sel0 == 0 {
		t.Fatalf("dry run before disable:\n%s", out)
	}

	out = mustRun(t, dir, "tokens", "disable", held.Serial)
	if !strings.Contains(out, "token "+held.Serial+" disabled (set by the admin") {
		t.Fatalf("disable said %q", out)
	}
	if tok := tokenBySerial(t, dir, held.Serial); tok.Enabled || !tok.EnabledSetByAdmin || tok.AssignedUser != held.AssignedUser {
		t.Fatalf("after disable: %+v", tok)
	}
	if got := auditActions(t, dir, 1); got[0] != "token disable|token "+held.Serial {
		t.Fatalf("audit %q", got)
	}
	// A disabled token is left out of a distribution, with the reason.
	if sel, dis, out := dryRun(); sel != sel0-1 || dis != dis0+1 || !strings.Contains(out, "  disabled:  ") {
		t.Fatalf("dry run after disable: %d selected, %d disabled (before %d, %d):\n%s", sel, dis, sel0, dis0, out)
	}

	// Again: nothing changes, and the audit trail says nothing.
	out = mustRun(t, dir, "tokens", "disable", held.Serial)
	if !strings.Contains(out, "already disabled; nothing changed") {
		t.Fatalf("second disable said %q", out)
	}
	if got := auditActions(t, dir, 1); got[0] != "token disable|token "+held.Serial {
		t.Fatalf("a no-op wrote audit %q", got)
	}

	// The admin's choice survives unassign and assign.
	mustRun(t, dir, "unassign", "--serial", held.Serial)
	mustRun(t, dir, "assign", "--serial", held.Serial, "--user", held.AssignedUser)
	if tok := tokenBySerial(t, dir, held.Serial); tok.Enabled {
		t.Fatalf("assign re-enabled an admin-disabled token: %+v", tok)
	}

	// enable, then auto: back to following the assignment.
	mustRun(t, dir, "tokens", "enable", held.Serial)
	if tok := tokenBySerial(t, dir, held.Serial); !tok.Enabled || !tok.EnabledSetByAdmin {
		t.Fatalf("after enable: %+v", tok)
	}
	if sel, dis, out := dryRun(); sel != sel0 || dis != dis0 {
		t.Fatalf("dry run after enable: %d selected, %d disabled:\n%s", sel, dis, out)
	}
	out = mustRun(t, dir, "tokens", "auto", free.Serial)
	if !strings.Contains(out, "already follows its assignment: disabled (unassigned); nothing changed") {
		t.Fatalf("auto on a following token said %q", out)
	}
	mustRun(t, dir, "tokens", "enable", free.Serial)
	if tok := tokenBySerial(t, dir, free.Serial); !tok.Enabled || !tok.EnabledSetByAdmin {
		t.Fatalf("unassigned token after enable: %+v", tok)
	}
	out = mustRun(t, dir, "tokens", "auto", free.Serial)
	if !strings.Contains(out, "follows its assignment again: disabled (unassigned)") {
		t.Fatalf("auto said %q", out)
	}
	if tok := tokenBySerial(t, dir, free.Serial); tok.Enabled || tok.EnabledSetByAdmin {
		t.Fatalf("after auto: %+v", tok)
	}
	want := []string{"token follow assignment|token " + free.Serial, "token enable|token " + free.Serial, "token enable|token " + held.Serial}
	if got := auditActions(t, dir, 3); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("audit %q, want %q", got, want)
	}
	mustRun(t, dir, "audit", "verify") // exit 0: the chain is intact

	// Failures: an unknown serial (exit 1, naming it), usage errors (2).
	expectFail(t, dir, ExitFailure, "token 999999999999: not found", "tokens", "enable", "999999999999")
	expectFail(t, dir, ExitFailure, "token 999999999999: not found", "tokens", "auto", "999999999999")
	expectFail(t, dir, ExitUsage, "tokens disable needs the token's serial", "tokens", "disable")
	expectFail(t, dir, ExitUsage, "tokens enable needs the token's serial", "tokens", "enable")
	expectFail(t, dir, ExitUsage, `unexpected argument "2"`, "tokens", "enable", "1", "2")
	expectFail(t, dir, ExitUsage, `"12ab" is not a serial`, "tokens", "disable", "12ab")
	expectFail(t, dir, ExitUsage, `unknown subcommand "toggle"`, "tokens", "toggle", held.Serial)
}

func TestTokensListMalformedRangeIsAUsageError(t *testing.T) {
	dir := demoDir(t)
	expectFail(t, dir, ExitUsage, `--from "abc" is not a serial: a serial is 1-12 digits`, "tokens", "list", "--from", "abc")
	expectFail(t, dir, ExitUsage, `--to "1234567890123" is not a serial`, "tokens", "list", "--to", "1234567890123")
	expectFail(t, dir, ExitUsage, `--from "" is not a serial`, "tokens", "list", "--from", "", "--to", "5")
	// A reversed range is bad command-line input too (consistency_test.go).
	expectFail(t, dir, ExitUsage, "from must not be greater than to", "tokens", "list", "--from", "9", "--to", "1")
}

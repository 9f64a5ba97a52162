package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestDistributeDryRunListsTheTokens: a dry run prints, after the summary,
// every token it would distribute: serial, user and times distributed, in
// serial order; the same tokens as the JSON document.
func TestDistributeDryRunListsTheTokens(t *testing.T) {
	dir := demoDir(t)
	args := []string{"distribute", "--job", "Dry", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000012", "--dry-run"}
	out := mustRun(t, dir, args...)
	plan := decodeJSON[planJSON](t, mustRun(t, dir, append(args, "--json")...))
	if len(plan.Tokens) == 0 || len(plan.Tokens) != plan.Counts.Tokens {
		t.Fatalf("JSON: %d tokens, counts say %d", len(plan.Tokens), plan.Counts.Tokens)
	}
	i := strings.Index(out, "\nSerial ")
	if i < 0 || !strings.Contains(out[i:], "Times distributed") {
		t.Fatalf("no token list:\n%s", out)
	}
	lines := strings.Split(out[i+1:], "\n")[1:]
	for j, tok := range plan.Tokens {
		f := strings.Fields(lines[j])
		if len(f) != 3 || f[0] != tok.Serial || f[1] != tok.User || f[2] != fmt.Sprint(tok.TimesDistributed) {
			t.Fatalf("line %d = %q, want %s %s %d\n%s", j+1, lines[j], tok.Serial, tok.User, tok.TimesDistributed, out)
		}
	}
	if !strings.HasSuffix(out, "Dry run: nothing was submitted.\n") {
		t.Fatalf("output ends:\n%s", out)
	}
	if out := mustRun(t, dir, "jobs", "list", "--json"); strings.Contains(out, `"seq"`) {
		t.Fatal("a dry run submitted a job")
	}
}

// TestDistributeDryRunJSONIsTheWholePlan: --dry-run --json prints one
// stable document: the job, profile, binding (resolved by the planner),
// counts, every token left out with its reason, and the tokens.
func TestDistributeDryRunJSONIsTheWholePlan(t *testing.T) {
	dir := demoDir(t)
	all := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json"))
	plan := decodeJSON[planJSON](t, mustRun(t, dir, "distribute", "--job", "Dry", "--profile", "staff iphone",
		"--password-mode", "none", "--from", all[0].Serial, "--to", all[len(all)-1].Serial, "--dry-run", "--json"))
	if plan.Job != "Dry" || plan.Profile != "Staff iPhone" || plan.BindingKind != "class" || plan.Binding != model.DeviceIPhone.GUID() ||
		plan.PasswordMode != "none" || plan.Criteria.From != all[0].Serial || plan.CriteriaText == "" || plan.Refused != "" {
		t.Fatalf("plan: %+v", plan)
	}
	if plan.Counts.Tokens+plan.Counts.LeftOut != len(all) || len(plan.LeftOut) != plan.Counts.LeftOut || plan.Counts.LeftOut == 0 {
		t.Fatalf("%d tokens, counts %+v, %d left out listed", len(all), plan.Counts, len(plan.LeftOut))
	}
	byReason := map[string]int{}
	for _, l := range plan.LeftOut {
		byReason[l.Reason]++
		if l.Blocks {
			t.Fatalf("%s blocks in mode none", l.Serial)
		}
	}
	for r, n := range plan.Counts.ByReason {
		if byReason[r] != n {
			t.Fatalf("reason %q: %d listed, %d counted", r, byReason[r], n)
		}
	}
	if plan.First != plan.Tokens[0].Serial || plan.Last != plan.Tokens[len(plan.Tokens)-1].Serial {
		t.Fatalf("first %s last %s, tokens %v", plan.First, plan.Last, plan.Tokens)
	}

	dev := decodeJSON[planJSON](t, mustRun(t, dir, "distribute", "--job", "Dry", "--profile", "Staff iPhone", "--device-id", "PHONE-7",
		"--password-mode", "none", "--from", "100000000001", "--to", "100000000005", "--dry-run", "--json"))
	if dev.BindingKind != "device" || dev.Binding != "PHONE-7" {
		t.Fatalf("device binding: %s %s", dev.BindingKind, dev.Binding)
	}
}

// TestDistributeSkipTooLongLeavesThemOut: tokens whose password would be
// too long stop the job, with a message naming their count and
// --skip-too-long; with the flag the summary says how many are left out,
// the job runs without them and the audit records it.
func TestDistributeSkipTooLongLeavesThemOut(t *testing.T) {
	dir := demoDir(t)
	pw := writeFile(t, "pw", "ppppppppppppppppp\n") // 17: user IDs over 7 characters make it too long
	args := []string{"distribute", "--job", "Skip", "--profile", "Staff iPhone", "--password-mode", "userid+password",
		"--password-file", pw, "--from", "100000000001", "--to", "100000000030"}
	plan := decodeJSON[planJSON](t, mustRun(t, dir, append(args, "--skip-too-long", "--dry-run", "--json")...))
	n := plan.Counts.ByReason["password too long"]
	if n == 0 || plan.Counts.Tokens == 0 || !plan.SkipTooLong {
		t.Fatalf("the test needs tokens too long and tokens not: %+v", plan.Counts)
	}
	expectFail(t, dir, ExitFailure, "run again with --skip-too-long", append(args, "--yes")...)
	_, _, errOut := runCmd(t, dir, "", append(args, "--yes")...)
	if !strings.Contains(errOut, fmt.Sprintf("%d tokens would get a password outside their limit", n)) ||
		!strings.Contains(errOut, fmt.Sprintf("to submit the job without these %d tokens, run again with --skip-too-long", n)) {
		t.Fatalf("refusal: %s", errOut)
	}
	dry := mustRun(t, dir, append(args, "--skip-too-long", "--dry-run")...)
	if !strings.Contains(dry, fmt.Sprintf("Skipped:             %d left out: password too long", n)) {
		t.Fatalf("dry run with --skip-too-long:\n%s", dry)
	}
	out := mustRun(t, dir, append(args, "--skip-too-long", "--yes")...)
	if !strings.Contains(out, "completed: "+model.Plural(plan.Counts.Tokens, "token file")) {
		t.Fatalf("run with --skip-too-long:\n%s", out)
	}
	if audit := mustRun(t, dir, "audit", "--json"); !strings.Contains(audit, fmt.Sprintf("%d left out: password too long", n)) {
		t.Fatalf("the audit does not record the tokens left out:\n%s", audit)
	}
}

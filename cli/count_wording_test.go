package cli

import (
	"fmt"
	"strings"
	"testing"
)

// TestCountsInMessagesAgreeWithTheirNouns: one redistributed token of many
// reads "1 of the N tokens was distributed before", never "were"; a single
// token file "1 token file".
func TestCountsInMessagesAgreeWithTheirNouns(t *testing.T) {
	dir := demoDir(t)
	first := decodeJSON[planJSON](t, mustRun(t, dir, "distribute", "--job", "One", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010", "--dry-run", "--json")).Tokens[0].Serial
	out := mustRun(t, dir, "distribute", "--job", "One", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", first, "--to", first)
	if !strings.Contains(out, "completed: 1 token file written") {
		t.Fatalf("one-token job:\n%s", out)
	}
	plan := decodeJSON[planJSON](t, mustRun(t, dir, "distribute", "--job", "Many", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010", "--dry-run", "--json"))
	want := fmt.Sprintf("1 of the %d tokens was distributed before.", plan.Counts.Tokens)
	if plan.Counts.Redistributed != 1 || len(plan.Warnings) == 0 || !strings.HasPrefix(plan.Warnings[0], want) {
		t.Fatalf("warnings %q, want %q", plan.Warnings, want)
	}
	text := mustRun(t, dir, "distribute", "--job", "Many", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010", "--dry-run")
	if !strings.Contains(text, "WARNING: "+want) || strings.Contains(text, "tokens were") {
		t.Fatalf("dry run:\n%s", text)
	}
	_, _, errOut := runCmd(t, dir, "", "distribute", "--job", "Many", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010")
	if !strings.Contains(errOut, "it redistributes 1 token whose current file stops working") {
		t.Fatalf("unconfirmed redistribution: %s", errOut)
	}
}

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDownloadOfAWhollySupersededZIPNeedsForce: when later jobs
// distributed every token of a job again, none of its files works: the
// download is refused without --force (exit 1, saying so and naming
// --force) and writes nothing; with --force it downloads and warns. A ZIP
// with some files superseded downloads with the warning alone.
func TestDownloadOfAWhollySupersededZIPNeedsForce(t *testing.T) {
	dir := demoDir(t)
	job := func(name, to string) {
		mustRun(t, dir, "distribute", "--job", name, "--profile", "Staff iPhone", "--password-mode", "none",
			"--from", "100000000001", "--to", to, "--yes")
	}
	job("Old", "100000000003")
	job("New", "100000000003")
	out := t.TempDir()
	target := filepath.Join(out, "old.zip")
	expectFail(t, dir, ExitFailure, `every file in job "Old"'s ZIP is superseded`, "jobs", "download", "Old", "--out", target)
	_, _, errOut := runCmd(t, dir, "", "jobs", "download", "Old", "--out", target)
	if !strings.Contains(errOut, "run again with --force") {
		t.Fatalf("the refusal does not name --force: %s", errOut)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("the refused download wrote %s: %v", target, err)
	}
	n := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Old", "--json")).Total
	if n < 2 {
		t.Fatalf("the test needs a job of 2 tokens or more, Old has %d", n)
	}
	got := mustRun(t, dir, "jobs", "download", "Old", "--out", target, "--force")
	if !strings.Contains(got, "Wrote "+target) || !strings.Contains(got, fmt.Sprintf("WARNING: %d of the %d files in this ZIP no longer work:", n, n)) {
		t.Fatalf("download --force:\n%s", got)
	}

	// One of New's files superseded: no --force needed, a warning.
	job("Newer", "100000000001")
	got = mustRun(t, dir, "jobs", "download", "New", "--out", filepath.Join(out, "new.zip"))
	if !strings.Contains(got, fmt.Sprintf("WARNING: 1 of the %d files in this ZIP no longer works:", n)) {
		t.Fatalf("download of a partly superseded ZIP:\n%s", got)
	}
}

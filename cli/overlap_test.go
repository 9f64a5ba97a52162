package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlappingJobsAndSupersededDownloads is the audit's case: two jobs
// queued over the same tokens. The second is refused while the first has
// not ended (its dry run counts the tokens as "in an unfinished job");
// after the first completes, the second redistributes them (with --yes),
// and downloading the first job's ZIP warns that its files no longer work.
func TestOverlappingJobsAndSupersededDownloads(t *testing.T) {
	dir := demoDir(t)
	base := []string{"--profile", "Staff iPhone", "--password-mode", "none", "--from", "100000000026", "--to", "100000000030"}
	distribute := func(name string, extra ...string) []string {
		return append(append([]string{"distribute", "--job", name}, base...), extra...)
	}
	mustRun(t, dir, distribute("Overlap A", "--never-distributed", "--queue")...)
	out := expectFail(t, dir, ExitFailure, "no eligible tokens match the criteria (left out: 3 in an unfinished job)",
		distribute("Overlap B", "--never-distributed", "--dry-run")...)
	if !strings.Contains(out, "in an unfinished job: 3") {
		t.Fatalf("dry run while A is queued:\n%s", out)
	}
	expectFail(t, dir, ExitFailure, "in an unfinished job", distribute("Overlap B", "--never-distributed", "--queue")...)

	mustRun(t, dir, "jobs", "run")
	// A is done: B redistributes its tokens, with the confirmation.
	expectFail(t, dir, ExitFailure, "redistributes", distribute("Overlap B")...)
	mustRun(t, dir, distribute("Overlap B", "--yes")...)

	a := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Overlap A", "--json"))
	if a.SupersededFiles == nil || *a.SupersededFiles != a.Total || a.Total == 0 {
		t.Fatalf("A: %+v", a)
	}
	if a.File == nil || a.File.Digits != 8 || a.File.IntervalSeconds != 60 {
		t.Fatalf("A's frozen file settings: %+v", a.File)
	}
	text := mustRun(t, dir, "jobs", "show", "Overlap A")
	if !strings.Contains(text, "WARNING: ") || !strings.Contains(text, `later jobs ("Overlap B")`) {
		t.Fatalf("jobs show A:\n%s", text)
	}
	// Every file of A is superseded: the download needs --force.
	got := mustRun(t, dir, "jobs", "download", "Overlap A", "--force", "--out", filepath.Join(t.TempDir(), "a.zip"))
	if !strings.Contains(got, "WARNING: ") || !strings.Contains(got, "in this ZIP no longer work") {
		t.Fatalf("download of A:\n%s", got)
	}
	got = mustRun(t, dir, "jobs", "download", "Overlap B", "--out", filepath.Join(t.TempDir(), "b.zip"))
	if strings.Contains(got, "WARNING") {
		t.Fatalf("download of B warns:\n%s", got)
	}
	if b := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Overlap B", "--json")); b.SupersededFiles == nil || *b.SupersededFiles != 0 {
		t.Fatalf("B: %+v", b)
	}
}

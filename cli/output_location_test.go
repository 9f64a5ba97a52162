package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store/storetest"
)

// TestCopiedAndRestoredDataDirectoriesUseTheirOwnOutput copies a data
// directory with cp -a, and restores an old-format backup whose job names
// its ZIP by an absolute path in the original directory: jobs show names,
// and jobs delete-output and download act on, each directory's own ZIP.
func TestCopiedAndRestoredDataDirectoriesUseTheirOwnOutput(t *testing.T) {
	orig := demoDir(t)
	mustRun(t, orig, "distribute", "--job", "Rollout 1", "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000010", "--yes")
	j := decodeJSON[jobJSON](t, mustRun(t, orig, "jobs", "show", "Rollout 1", "--json"))
	zipIn := func(dir string) string { return filepath.Join(dir, "outputs", "1.zip") }
	if j.Seq != 1 || j.Output != zipIn(orig) {
		t.Fatalf("jobs show --json: seq %d, output %q; want %q", j.Seq, j.Output, zipIn(orig))
	}
	exists := func(path string, want bool) {
		t.Helper()
		if _, err := os.Stat(path); (err == nil) != want {
			t.Fatalf("%s: exists = %v, want %v", path, err == nil, want)
		}
	}
	copyOf := func(name string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), name)
		if out, err := exec.Command("cp", "-a", orig, dir).CombinedOutput(); err != nil {
			t.Fatalf("cp -a: %v\n%s", err, out)
		}
		return dir
	}

	// A copy names and deletes its own ZIP.
	cp := copyOf("copy")
	if got := decodeJSON[jobJSON](t, mustRun(t, cp, "jobs", "show", "Rollout 1", "--json")); got.Output != zipIn(cp) {
		t.Fatalf("jobs show --json in the copy: output %q, want %q", got.Output, zipIn(cp))
	}
	if out := mustRun(t, cp, "jobs", "show", "Rollout 1"); !strings.Contains(out, "Output:              "+zipIn(cp)+" (") {
		t.Fatalf("jobs show in the copy does not name the copy's ZIP:\n%s", out)
	}
	mustRun(t, cp, "jobs", "delete-output", "Rollout 1")
	exists(zipIn(cp), false)
	exists(zipIn(orig), true)
	mustRun(t, orig, "jobs", "download", "Rollout 1", "--out", filepath.Join(t.TempDir(), "orig.zip"))

	// A restored old-format store: the upgrade at the first
	// command (even a read-only one, jobs show) makes its job name the
	// restored directory's ZIP.
	restored := copyOf("restored")
	storetest.WriteAbsoluteOutputs(t, restored, orig)
	if got := decodeJSON[jobJSON](t, mustRun(t, restored, "jobs", "show", "Rollout 1", "--json")); got.Output != zipIn(restored) {
		t.Fatalf("jobs show --json in the restored store: output %q, want %q", got.Output, zipIn(restored))
	}
	mustRun(t, restored, "jobs", "delete-output", "Rollout 1")
	exists(zipIn(restored), false)
	exists(zipIn(orig), true)
	mustRun(t, orig, "jobs", "download", "Rollout 1", "--out", filepath.Join(t.TempDir(), "orig-again.zip"))
}

// TestDamagedOutputPathIsShownAndRefused: a job record naming a file
// outside the data directory is shown as unusable (no path in the JSON
// output field, the reason in output_error), and delete-output refuses it
// and deletes nothing.
func TestDamagedOutputPathIsShownAndRefused(t *testing.T) {
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Rollout 1", "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000010", "--yes")
	outside := filepath.Join(t.TempDir(), "elsewhere.zip")
	if err := os.WriteFile(outside, []byte("not swtoken's"), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.RewriteJobOutputs(t, dir, 2, func(uint64, string) string { return outside })
	j := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Rollout 1", "--json"))
	if j.Output != "" || !strings.Contains(j.OutputError, "is absolute") {
		t.Fatalf("jobs show --json: output %q, output_error %q", j.Output, j.OutputError)
	}
	if out := mustRun(t, dir, "jobs", "show", "Rollout 1"); !strings.Contains(out, "Output:              unusable: job \"Rollout 1\": the job record is damaged") {
		t.Fatalf("jobs show:\n%s", out)
	}
	expectFail(t, dir, ExitFailure, "is absolute", "jobs", "delete-output", "Rollout 1")
	expectFail(t, dir, ExitFailure, "is absolute", "jobs", "download", "Rollout 1", "--out", filepath.Join(t.TempDir(), "x.zip"))
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("the file outside the data directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "outputs", "1.zip")); err != nil {
		t.Fatalf("the job's own ZIP: %v", err)
	}
}

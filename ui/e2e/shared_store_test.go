//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cliResult runs a swtoken subcommand and returns its exit status and
// output, without failing the test.
func cliResult(t *testing.T, data string, args ...string) (int, string, time.Duration) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"--data-dir", data}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out), time.Since(start)
	}
	if err != nil {
		t.Fatalf("swtoken %v: %v", args, err)
	}
	return 0, string(out), time.Since(start)
}

// jobState reads one job's state with jobs show --json.
func jobState(t *testing.T, data, name string) (state string, done, total int) {
	t.Helper()
	var j struct {
		State string `json:"state"`
		Done  int    `json:"done"`
		Total int    `json:"total"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "jobs", "show", name, "--json")), &j); err != nil {
		t.Fatal(err)
	}
	return j.State, j.Done, j.Total
}

// readmeRound runs the README's commands against a store that a console
// has open (in the state named by phase): none may find the store in use
// (exit 3), each does its work. n makes the names of this round unique.
func readmeRound(t *testing.T, dir, data, phase string, n int, busyJob bool) {
	dryRun := 0
	if busyJob {
		// Every AES-128 token of the range is in the running or the
		// queued job: the dry run says so (exit 1), as it must.
		dryRun = 1
	}
	t.Helper()
	csv := filepath.Join(dir, fmt.Sprintf("users-%d.csv", n))
	os.WriteFile(csv, []byte(fmt.Sprintf("user_id,first_name,last_name\nround%d,Round,Number%d\n", n, n)), 0o600)
	profile := fmt.Sprintf("Round %d profile", n)
	// SID-64 tokens are never in the AES-128 job of the busy phase.
	var toks []struct {
		Serial       string `json:"serial"`
		Algorithm    string `json:"algorithm"`
		AssignedUser string `json:"assigned_user"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "tokens", "list", "--json")), &toks); err != nil {
		t.Fatal(err)
	}
	free := ""
	for _, tok := range toks {
		if tok.AssignedUser == "" && tok.Algorithm == "SID-64" {
			free = tok.Serial
			break
		}
	}
	if free == "" {
		t.Fatal("no unassigned SID-64 token")
	}
	type c struct {
		args []string
		want int
	}
	commands := []c{
		{[]string{"tokens", "list", "--from", "100000000001", "--to", "100000000050"}, 0},
		{[]string{"users", "list", "--json"}, 0},
		{[]string{"settings", "show", "--json"}, 0},
		{[]string{"settings", "show", "--preview"}, 0},
		{[]string{"profiles", "list"}, 0},
		{[]string{"jobs", "list"}, 0},
		{[]string{"audit", "--limit", "5"}, 0},
		{[]string{"audit", "verify"}, 0},
		{[]string{"check"}, 0},
		{[]string{"import", "users", csv}, 0},
		{[]string{"assign", "--serial", free, "--user", fmt.Sprintf("round%d", n)}, 0},
		{[]string{"tokens", "disable", free}, 0},
		{[]string{"tokens", "auto", free}, 0},
		{[]string{"unassign", "--serial", free}, 0},
		{[]string{"profiles", "add", "--name", profile, "--device-type", "android"}, 0},
		{[]string{"profiles", "edit", profile, "--description", "edited while a console is open"}, 0},
		{[]string{"profiles", "delete", profile}, 0},
		{[]string{"verify", free, "000000"}, 1}, // a wrong code: exit 1, "no match"
		{[]string{"distribute", "--job", fmt.Sprintf("Dry %d", n), "--profile", "Staff iPhone", "--password-mode", "none", "--from", "100000000001", "--to", "100000000100", "--dry-run"}, dryRun},
	}
	for _, cmd := range commands {
		code, out, took := cliResult(t, data, cmd.args...)
		if code == 3 || code != cmd.want {
			t.Errorf("%s: swtoken %s: exit %d (want %d) after %v\n%s", phase, strings.Join(cmd.args, " "), code, cmd.want, took.Round(time.Millisecond), out)
		}
	}
}

// TestE2ECommandsWorkBesideAConsole: with a console open in tmux (idle on
// Home; in the wizard; running a 20,000-token job), every CLI command of
// the README works; `jobs run` from another process waits its turn and
// runs the next job; each job runs once.
func TestE2ECommandsWorkBesideAConsole(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// The first 27,000 of 30,000 tokens give about 20,500 eligible AES-128
	// tokens; the rest make a second job.
	cli(t, data, "demo", "--users", "30000", "--tokens", "30000")
	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.waitFor(`Distribute Software Tokens`, 10*time.Second)

	readmeRound(t, dir, data, "console idle", 1, false)

	s.keys("Enter")
	s.waitFor(`\(1/8\) Job Name`, 5*time.Second)
	s.typ("typing in the wizard")
	readmeRound(t, dir, data, "console in the wizard", 2, false)
	s.waitFor(`typing in the wizard`, 2*time.Second) // the wizard kept its input
	s.keys("Escape")
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(s.screen(), "y yes") || strings.Contains(s.screen(), "y quit") || strings.Contains(s.screen(), "lost") {
		s.keys("y")
	}
	s.waitFor(`Self-Service Settings`, 5*time.Second) // Home's menu

	// A big job queued from the CLI: the open console's runner claims it.
	cli(t, data, "distribute", "--job", "Big", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000027000", "--algorithm", "aes-128", "--queue", "--yes")
	deadline := time.Now().Add(10 * time.Second)
	for {
		state, _, total := jobState(t, data, "Big")
		if total < 20000 {
			t.Fatalf("the big job has %d tokens", total)
		}
		if state == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console did not claim the queued job: %s", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A second job, for `jobs run` in another process: it waits while the
	// console runs Big, then runs it (or finds that the console took it).
	cli(t, data, "distribute", "--job", "Next", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000027001", "--to", "100000030000", "--algorithm", "aes-128", "--queue", "--yes")
	runDone := make(chan string, 1)
	go func() {
		code, out, took := cliResult(t, data, "jobs", "run")
		runDone <- fmt.Sprintf("exit %d after %v: %s", code, took.Round(time.Millisecond), out)
	}()
	readmeRound(t, dir, data, "console running a 20,000-token job", 3, true)
	if state, _, _ := jobState(t, data, "Big"); state != "running" && state != "completed" {
		t.Fatalf("Big is %s", state)
	}
	var runOut string
	select {
	case runOut = <-runDone:
	case <-time.After(5 * time.Minute):
		t.Fatal("jobs run did not end")
	}
	// It waited while the console ran Big, then either ran Next or found
	// that the console had taken it.
	if !strings.HasPrefix(runOut, "exit 0") ||
		!strings.Contains(runOut, `Job "Next" completed`) && !strings.Contains(runOut, "another runner (a console or swtoken jobs run) ran them while this one waited its turn") {
		t.Fatalf("jobs run: %s", runOut)
	}
	for _, name := range []string{"Big", "Next"} {
		for deadline := time.Now().Add(3 * time.Minute); ; {
			state, _, _ := jobState(t, data, name)
			if state == "completed" {
				break
			}
			if state != "running" && state != "queued" || time.Now().After(deadline) {
				t.Fatalf("job %s: %s", name, state)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Each ran once: one start and one completion each.
	var recs []struct {
		Action string `json:"action"`
		Object string `json:"object"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "audit", "--json")), &recs); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Big", "Next"} {
		starts, ends := 0, 0
		for _, r := range recs {
			if r.Object == "job "+name {
				switch r.Action {
				case "job start":
					starts++
				case "job completion":
					ends++
				}
			}
		}
		if starts != 1 || ends != 1 {
			t.Errorf("job %s: %d starts, %d completions", name, starts, ends)
		}
	}
	t.Logf("jobs run: %s", runOut)
	// With the console still open: the output commands of the README.
	zipPath := filepath.Join(dir, "big.zip")
	for _, cmd := range [][]string{
		{"jobs", "show", "Big"},
		{"jobs", "download", "Big", "--out", zipPath},
		{"jobs", "delete-output", "Next"},
		{"sdtid", "inspect", filepath.Join("..", "..", "testdata", "vectors", "f01-8d-60s-addpin-nopw.sdtid")},
		{"assign", "--auto"},
	} {
		if code, out, took := cliResult(t, data, cmd...); code != 0 {
			t.Errorf("console open, jobs done: swtoken %s: exit %d after %v\n%s", strings.Join(cmd, " "), code, took.Round(time.Millisecond), out)
		}
	}
	if fi, err := os.Stat(zipPath); err != nil || fi.Size() == 0 {
		t.Errorf("the downloaded ZIP: %v", err)
	}
	s.keys("q")
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(s.screen(), "Quit swtoken?") {
		s.keys("y")
	}
	if st := s.exitStatus(20 * time.Second); st != 0 {
		t.Fatalf("console exit status %d", st)
	}
}

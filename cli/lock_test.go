package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/store/storetest"
)

// The test binary doubles as a child process (the bbolt lock is per
// process, so "a second swtoken" must be a second process). A child is the
// same binary run with -test.run=^TestCLIChildProcess$ and cliChildEnv set:
//
//	run   runs the command line (cli.Run) with the JSON-encoded arguments in
//	      cliArgsEnv and exits with its status, like the swtoken binary;
//	hold  opens the store in cliArgsEnv[0] with the activity cliArgsEnv[1],
//	      takes it as a long write transaction would, prints "ready" and
//	      holds it until stdin closes;
//	open  opens the store like a console and keeps it open (idle, holding
//	      nothing) until stdin closes.
const (
	cliChildEnv = "SWTOKEN_CLI_TEST_CHILD"
	cliArgsEnv  = "SWTOKEN_CLI_TEST_ARGS"
)

// TestCLIChildProcess is not a test: it is the entry point of the child
// processes above, and returns at once in a normal test run.
func TestCLIChildProcess(t *testing.T) {
	mode := os.Getenv(cliChildEnv)
	if mode == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(cliArgsEnv)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "child: bad arguments:", err)
		os.Exit(100)
	}
	switch mode {
	case "run":
		slowChildOutput()
		os.Exit(Run(args, IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, nil))
	case "hold", "open":
		st, err := store.Open(store.Options{DataDir: args[0], Activity: args[1]})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: hold:", err)
			os.Exit(101)
		}
		wait := func() error {
			fmt.Println("ready")
			_, err := io.Copy(io.Discard, os.Stdin)
			return err
		}
		if mode == "hold" {
			err = st.Hold(true, wait)
		} else {
			err = wait()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(104)
		}
		if err := st.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "child: close:", err)
			os.Exit(102)
		}
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "child: unknown mode", mode)
	os.Exit(103)
}

// childCmd prepares a child process of the given mode.
func childCmd(t *testing.T, mode string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := json.Marshal(args)
	cmd := exec.Command(exe, "-test.run=^TestCLIChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), cliChildEnv+"="+mode, cliArgsEnv+"="+string(enc))
	return cmd
}

// holdStore starts a child that holds the store as a long write
// transaction would, and returns its pid and a function that releases it
// (also run at cleanup).
func holdStore(t *testing.T, dir, activity string) (int, func()) {
	return startChild(t, "hold", dir, activity)
}

// openStoreIdle starts a child that keeps the store open like an idle
// console, holding nothing.
func openStoreIdle(t *testing.T, dir, activity string) (int, func()) {
	return startChild(t, "open", dir, activity)
}

func startChild(t *testing.T, mode, dir, activity string) (int, func()) {
	t.Helper()
	cmd := childCmd(t, mode, dir, activity)
	cmd.Stderr = os.Stderr
	release := storetest.StartReady(t, cmd, 20*time.Second)
	return cmd.Process.Pid, release
}

// runChild runs the command line in a child process and returns its exit
// status, output and wall time. It is safe to call from several goroutines.
func runChild(t *testing.T, args ...string) (code int, stdout, stderr string, elapsed time.Duration) {
	t.Helper()
	return runChildEnv(t, nil, args...)
}

// runChildEnv is runChild with extra environment variables.
func runChildEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string, elapsed time.Duration) {
	t.Helper()
	cmd := childCmd(t, "run", args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	elapsed = time.Since(start)
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Errorf("run %v: %v", args, err) // not Fatal: runChild may run in its own goroutine
		return -1, out.String(), errOut.String(), elapsed
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String(), elapsed
}

// treeSnapshot records every file and directory under root: mode, size,
// modification time and content hash.
func treeSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	return storetest.Snapshot(t, root, true)
}

// contentSnapshot is treeSnapshot without the directories' modification
// times (storetest.Snapshot says why).
func contentSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	return storetest.Snapshot(t, root, false)
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	storetest.SameSnapshot(t, what, before, after)
}

// osUser is the user name the store records for this process (as
// store.currentActor finds it).
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if env := os.Getenv("USER"); env != "" {
		return env
	}
	return "uid " + strconv.Itoa(os.Getuid())
}

var inUseRe = regexp.MustCompile(`swtoken: store is in use by pid (\d+) \(user (.+)\) since (.+?): (.+) \(waited (\S+); --lock-wait or \$SWTOKEN_LOCK_WAIT waits longer\)\n$`)

// readmeCommands are the README's commands that read or change the store,
// runnable one after the other on a demo store (5 users, 5 tokens).
func readmeCommands(t *testing.T, dir string) [][]string {
	t.Helper()
	toks := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json"))
	users := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	csv := writeFile(t, "more.csv", "user_id,first_name,last_name\nnewcomer,New,Comer\n")
	free, taken := "", ""
	for _, tok := range toks {
		if tok.AssignedUser == "" && free == "" {
			free = tok.Serial
		} else if tok.AssignedUser != "" && taken == "" {
			taken = tok.Serial
		}
	}
	if free == "" || taken == "" {
		t.Fatalf("the demo store needs an assigned and an unassigned token: %+v", toks)
	}
	return [][]string{
		{"tokens", "list"},
		{"users", "list", "--json"},
		{"audit", "verify"},
		{"check"},
		{"settings", "show", "--json"},
		{"profiles", "list"},
		{"jobs", "list"},
		{"assign", "--serial", free, "--user", users[len(users)-1].UserID},
		{"unassign", "--serial", taken},
		{"import", "users", csv},
		{"import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid")},
		{"demo"},
	}
}

// TestCommandsWaitTheLockWaitThenExit3: while another process is inside a
// long transaction, swtoken commands wait for the store at most their lock
// wait (--lock-wait, $SWTOKEN_LOCK_WAIT), then fail with exit status 3 and
// a message naming the holder's pid, user, time and activity, and change
// nothing: every file of the data directory is the same, byte for byte,
// before and after.
func TestCommandsWaitTheLockWaitThenExit3(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "demo", "--users", "5", "--tokens", "5")
	commands := readmeCommands(t, dir)
	me := osUser()

	const activity = "console: Distribute Software Tokens, job Rollout Q3, 3 of 10"
	holder, release := holdStore(t, dir, activity)
	time.Sleep(300 * time.Millisecond) // the holder's record is written after 100 ms
	before := treeSnapshot(t, dir)
	// The commands run side by side, as separate processes: each must
	// give up after its own lock wait.
	type result struct {
		code        int
		out, errOut string
		elapsed     time.Duration
	}
	results := make([]result, len(commands))
	var wg sync.WaitGroup
	for i, args := range commands {
		wg.Go(func() {
			r := &results[i]
			global := []string{"--data-dir", dir, "--lock-wait", "600ms"}
			if i%2 == 1 {
				global = []string{"--data-dir", dir} // and SWTOKEN_LOCK_WAIT below
			}
			r.code, r.out, r.errOut, r.elapsed = runChildEnv(t, []string{"SWTOKEN_LOCK_WAIT=0.6"}, append(global, args...)...)
		})
	}
	wg.Wait()
	for i, args := range commands {
		name := strings.Join(args[:min(2, len(args))], " ")
		code, out, errOut, elapsed := results[i].code, results[i].out, results[i].errOut, results[i].elapsed
		if code != ExitInUse {
			t.Errorf("%s: exit %d, want %d\nstdout %q\nstderr %q", name, code, ExitInUse, out, errOut)
			continue
		}
		if elapsed < 600*time.Millisecond || elapsed >= 3*time.Second {
			t.Errorf("%s: failed after %v, want the lock wait (600 ms) and little more", name, elapsed)
		}
		if out != "" {
			t.Errorf("%s: printed %q on stdout", name, out)
		}
		m := inUseRe.FindStringSubmatch(errOut)
		if m == nil {
			t.Errorf("%s: stderr %q does not name the holder", name, errOut)
			continue
		}
		since, err := time.Parse("2006-01-02 15:04:05 MST", m[3])
		if m[1] != strconv.Itoa(holder) || m[2] != me || m[4] != activity || err != nil || time.Since(since) > time.Minute {
			t.Errorf("%s: holder pid %s user %q since %s activity %q; want pid %d user %q activity %q", name, m[1], m[2], m[3], m[4], holder, me, activity)
		}
		t.Logf("%s: exit 3 after %v", name, elapsed.Round(time.Millisecond))
	}
	sameTree(t, "while held", before, treeSnapshot(t, dir))

	// A command that starts during the hold and may wait long enough
	// gets the store when the hold ends.
	done := make(chan int, 1)
	go func() {
		code, _, _, _ := runChild(t, "--data-dir", dir, "--lock-wait", "20s", "tokens", "list")
		done <- code
	}()
	time.Sleep(500 * time.Millisecond)
	release()
	if code := <-done; code != ExitOK {
		t.Errorf("a command waiting through the hold: exit %d", code)
	}
	// Released, the commands work: the failure was the lock.
	for _, args := range commands {
		if code, out, errOut, _ := runChild(t, append([]string{"--data-dir", dir}, args...)...); code != ExitOK && !(args[0] == "demo" && code == ExitFailure) && !(args[0] == "import" && args[1] == "tokens") {
			t.Errorf("after release: %v: exit %d, %q, %q", args, code, out, errOut)
		}
	}
}

// TestCommandsWorkWhileAConsoleIsOpen: a store that another process keeps
// open, holding nothing (a console idle on Home or in the wizard), keeps
// no command out (product.md section 10).
func TestCommandsWorkWhileAConsoleIsOpen(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "demo", "--users", "5", "--tokens", "5")
	commands := readmeCommands(t, dir)
	_, release := openStoreIdle(t, dir, "console: idle")
	defer release()
	for _, args := range commands {
		code, out, errOut, elapsed := runChild(t, append([]string{"--data-dir", dir, "--lock-wait", "1s"}, args...)...)
		wantCode := ExitOK
		switch args[0] {
		case "demo":
			wantCode = ExitFailure // the store is not empty: refused on its merits, not the lock
		case "import":
			if args[1] == "tokens" {
				wantCode = -2 // the vector may be a duplicate or new; either is fine, only not 3
			}
		}
		if code == ExitInUse || (wantCode >= 0 && code != wantCode) {
			t.Errorf("%v: exit %d (want %d) after %v\nstdout %q\nstderr %q", args, code, wantCode, elapsed, out, errOut)
		}
	}
}

// TestLockWaitIsValidated: a malformed or out-of-range lock wait is a
// usage error that touches nothing.
func TestLockWaitIsValidated(t *testing.T) {
	dir := dataDir(t)
	for _, c := range []struct{ flag, env, want string }{
		{"soon", "", `--lock-wait "soon" is not a duration`},
		{"-1s", "", "out of range"},
		{"2h", "", "out of range"},
		{"", "x", `$SWTOKEN_LOCK_WAIT "x" is not a duration`},
	} {
		args := []string{"--data-dir", dir}
		if c.flag != "" {
			args = append(args, "--lock-wait", c.flag)
		}
		args = append(args, "tokens", "list")
		code, _, errOut, _ := runChildEnv(t, []string{"SWTOKEN_LOCK_WAIT=" + c.env}, args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%+v: exit %d, stderr %q", c, code, errOut)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("a usage error created the data directory")
	}
	for _, ok := range []string{"750ms", "2", "0", "1m"} {
		if d, err := resolveLockWait(ok); err != nil || d <= 0 {
			t.Errorf("%q: %v %v", ok, d, err)
		}
	}
}

// TestGroupReadableStoreIsRefused: a store file, key or directory that
// group or others can read makes every command fail with the chmod that
// fixes it, and changes nothing; after the fix the command works.
func TestGroupReadableStoreIsRefused(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "demo", "--users", "2", "--tokens", "2")
	for _, c := range []struct {
		path string
		mode os.FileMode
		fix  string
	}{
		{filepath.Join(dir, store.DBFileName), 0o640, "chmod 600 " + filepath.Join(dir, store.DBFileName)},
		{filepath.Join(dir, store.KeyFileName), 0o644, "chmod 600 " + filepath.Join(dir, store.KeyFileName)},
		{dir, 0o750, "chmod 700 " + dir},
		{filepath.Join(dir, store.OutputsDirName), 0o755, "chmod 700 " + filepath.Join(dir, store.OutputsDirName)},
	} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
		before := treeSnapshot(t, dir)
		for _, args := range [][]string{{"tokens", "list"}, {"assign", "--auto"}} {
			code, out, errOut := runCmd(t, dir, "", args...)
			if code != ExitFailure || !strings.Contains(errOut, "accessible by group or others") || !strings.Contains(errOut, "run `"+c.fix+"`") {
				t.Errorf("%s mode %04o, %s: exit %d\nstdout %q\nstderr %q", c.path, c.mode, args[0], code, out, errOut)
			}
		}
		sameTree(t, fmt.Sprintf("%s mode %04o", c.path, c.mode), before, treeSnapshot(t, dir))
		if err := os.Chmod(c.path, c.mode&^0o077); err != nil {
			t.Fatal(err)
		}
		mustRun(t, dir, "tokens", "list")
	}
}

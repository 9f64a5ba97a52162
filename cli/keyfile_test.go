package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store"
)

// TestMain keeps a $SWTOKEN_KEY_FILE of the developer's shell out of the
// tests: every test's store must make and use its own key.
func TestMain(m *testing.M) {
	os.Unsetenv("SWTOKEN_KEY_FILE")
	os.Exit(m.Run())
}

// runKey runs the command line on the data directory dir with --key-file
// key.
func runKey(t *testing.T, dir, key string, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(t, dir, "", append([]string{"--key-file", key}, args...)...)
}

func mustMode0600(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %04o, want 0600", path, fi.Mode().Perm())
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s exists (or cannot be checked: %v); it must not", path, err)
	}
}

func TestKeyFileElsewhere(t *testing.T) {
	dir := dataDir(t)
	key := filepath.Join(t.TempDir(), "store.key")
	defaultKey := filepath.Join(dir, store.KeyFileName)

	if code, out, errOut := runKey(t, dir, key, "demo", "--users", "5", "--tokens", "10"); code != ExitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	mustMode0600(t, key)
	mustNotExist(t, defaultKey)

	code, out, errOut := runKey(t, dir, key, "tokens", "list", "--json")
	if code != ExitOK {
		t.Fatalf("tokens list: exit %d\n%s", code, errOut)
	}
	if toks := decodeJSON[[]tokenJSON](t, out); len(toks) != 10 {
		t.Fatalf("tokens list: %d tokens, want 10", len(toks))
	}
	// The audit MAC key is derived from the store key: a chain that
	// verifies proves it is the key the demo sealed with.
	if code, out, errOut := runKey(t, dir, key, "audit", "verify"); code != ExitOK || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: exit %d\n%s\n%s", code, out, errOut)
	}

	// Without --key-file the default path holds no key: a clear error,
	// exit 1, and no new key that could not open the seeds.
	code, out, errOut = runCmd(t, dir, "", "tokens", "list")
	if code != ExitFailure || out != "" {
		t.Fatalf("tokens list without --key-file: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"store key file is missing", defaultKey, "--key-file", "SWTOKEN_KEY_FILE", "backup"} {
		if !strings.Contains(errOut, want) {
			t.Fatalf("tokens list without --key-file: stderr %q lacks %q", errOut, want)
		}
	}
	expectFail(t, dir, ExitFailure, "a new key would make it unreadable",
		"profiles", "add", "--name", "P", "--device-type", "Android")
	mustNotExist(t, defaultKey)

	// The key is still the only one, and still works.
	mustMode0600(t, key)
	if code, _, errOut := runKey(t, dir, key, "users", "list"); code != ExitOK {
		t.Fatalf("users list: exit %d\n%s", code, errOut)
	}
}

func TestKeyFileFromEnvironment(t *testing.T) {
	dir := dataDir(t)
	key := filepath.Join(t.TempDir(), "env.key")
	t.Setenv("SWTOKEN_KEY_FILE", key)
	mustRun(t, dir, "demo", "--users", "2", "--tokens", "3")
	mustMode0600(t, key)
	mustNotExist(t, filepath.Join(dir, store.KeyFileName))
	mustRun(t, dir, "tokens", "list")

	// --key-file wins over the environment.
	other := filepath.Join(t.TempDir(), "other.key")
	expectFail(t, dir, ExitFailure, other, "--key-file", other, "tokens", "list")
}

func TestKeyFileRules(t *testing.T) {
	dir := dataDir(t)
	key := filepath.Join(t.TempDir(), "store.key")
	mustRun(t, dir, "--key-file", key, "profiles", "add", "--name", "P", "--device-type", "Android")
	mustMode0600(t, key)

	// A key others can read is refused, naming it and the fix.
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	expectFail(t, dir, ExitFailure, "run `chmod 600 "+key+"`", "--key-file", key, "profiles", "list")
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}

	// Another store's key is refused.
	otherDir, otherKey := dataDir(t), filepath.Join(t.TempDir(), "other.key")
	mustRun(t, otherDir, "--key-file", otherKey, "profiles", "add", "--name", "Q", "--device-type", "Android")
	expectFail(t, dir, ExitFailure, "does not belong", "--key-file", otherKey, "profiles", "list")

	// A key file in a directory that does not exist: said before anything
	// is created.
	fresh := dataDir(t)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "store.key")
	expectFail(t, fresh, ExitFailure, "does not exist", "--key-file", missing, "demo", "--users", "1", "--tokens", "1")
	mustNotExist(t, fresh)
	mustNotExist(t, missing)

	mustRun(t, dir, "--key-file", key, "profiles", "list")
}

func TestKeyFileReachesTheConsole(t *testing.T) {
	var gotDir, gotKey string
	console := func(dataDir, keyFile string, _ time.Duration) int {
		gotDir, gotKey = dataDir, keyFile
		return ExitOK
	}
	run := func(args ...string) (int, string) {
		t.Helper()
		gotDir, gotKey = "unset", "unset"
		var out, errOut bytes.Buffer
		code := Run(args, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, console)
		return code, errOut.String()
	}
	dir, keys := dataDir(t), t.TempDir()
	key, envKey := filepath.Join(keys, "store.key"), filepath.Join(keys, "env.key")
	if code, errOut := run("--data-dir", dir, "--key-file", key); code != ExitOK || gotDir != dir || gotKey != key {
		t.Fatalf("exit %d %s: console got %q, %q", code, errOut, gotDir, gotKey)
	}
	if code, _ := run("--data-dir", dir); code != ExitOK || gotKey != "" {
		t.Fatalf("exit %d: console got key %q, want the default", code, gotKey)
	}
	t.Setenv("SWTOKEN_KEY_FILE", envKey)
	if code, _ := run("--data-dir", dir); code != ExitOK || gotKey != envKey {
		t.Fatalf("exit %d: console got key %q, want $SWTOKEN_KEY_FILE", code, gotKey)
	}
	missing := filepath.Join(keys, "no-such-dir", "store.key")
	if code, errOut := run("--data-dir", dir, "--key-file", missing); code != ExitFailure || gotKey != "unset" || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("key in a missing directory: exit %d, console ran: %v, stderr %q", code, gotKey != "unset", errOut)
	}
}

func TestHelpListsKeyFile(t *testing.T) {
	code, out, _ := runCLI(t, "", "--help")
	for _, want := range []string{"[--key-file F]", "$SWTOKEN_KEY_FILE", "swtoken.key", "apart from database backups"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Fatalf("--help: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
}

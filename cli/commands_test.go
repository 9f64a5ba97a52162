package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// runCmd runs the command line in-process on the data directory dir.
func runCmd(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(append([]string{"--data-dir", dir}, args...), IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}, nil)
	return code, out.String(), errOut.String()
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out, errOut := runCmd(t, dir, "", args...)
	if code != ExitOK {
		t.Fatalf("swtoken %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// expectFail runs a command that must exit with code and mention want on
// standard error.
func expectFail(t *testing.T, dir string, code int, want string, args ...string) string {
	t.Helper()
	got, out, errOut := runCmd(t, dir, "", args...)
	if got != code || !strings.Contains(errOut, want) {
		t.Fatalf("swtoken %s: exit %d (want %d)\nstdout: %s\nstderr: %s\n(want %q on stderr)", strings.Join(args, " "), got, code, out, errOut, want)
	}
	return out
}

func dataDir(t *testing.T) string { return filepath.Join(t.TempDir(), "data") }

// demoDir is a data directory with a small demo inventory.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := dataDir(t)
	mustRun(t, dir, "demo", "--users", "20", "--tokens", "50")
	return dir
}

func decodeJSON[T any](t *testing.T, data string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode JSON: %v\n%s", err, data)
	}
	return v
}

func TestDemoCommand(t *testing.T) {
	dir := dataDir(t)
	out := mustRun(t, dir, "demo")
	for _, want := range []string{"profiles: 4 (2 offered", "users:    200", "tokens:   500 (480 AES-128, 20 SID-64)",
		"400 assigned, 25 expiring within 30 days, 5 expired, 30 distributed before"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The demo is a ready installation: its signing key exists, so the
	// first job does not pay for making it.
	st, err := store.Open(store.Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SigningKey(); err != nil {
		t.Errorf("no signing key after demo: %v", err)
	}
	st.Close()
	expectFail(t, dir, ExitFailure, "the store is not empty (500 tokens, 200 users, 4 profiles); the demo inventory loads only into an empty store", "demo")
	expectFail(t, dataDir(t), ExitUsage, "--users must be 0 to", "demo", "--users", "-5")
	expectFail(t, dataDir(t), ExitUsage, "unexpected argument", "demo", "now")
}

func TestTokensList(t *testing.T) {
	dir := demoDir(t)
	out := mustRun(t, dir, "tokens", "list", "--json")
	if strings.Contains(strings.ToLower(out), "seed") {
		t.Fatal("the token JSON mentions a seed")
	}
	all := decodeJSON[[]tokenJSON](t, out)
	if len(all) != 50 {
		t.Fatalf("%d tokens", len(all))
	}
	assigned, expired := 0, 0
	for _, tok := range all {
		if tok.AssignedUser != "" {
			assigned++
		}
		if tok.Expired {
			expired++
		}
	}
	if assigned != 40 || expired != 1 {
		t.Fatalf("assigned %d, expired %d", assigned, expired)
	}

	// A range, inclusive and numeric; one open end.
	rng := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--from", all[3].Serial, "--to", all[7].Serial, "--json"))
	if len(rng) != 5 || rng[0].Serial != all[3].Serial || rng[4].Serial != all[7].Serial {
		t.Fatalf("range: %+v", rng)
	}
	if tail := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--from", all[45].Serial, "--json")); len(tail) != 5 {
		t.Fatalf("open range: %d", len(tail))
	}
	un := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--unassigned", "--json"))
	if len(un) != 10 {
		t.Fatalf("unassigned: %d", len(un))
	}
	exp := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--expiring-days", "30", "--json"))
	for _, tok := range exp {
		if tok.Expired || tok.DaysLeft > 30 {
			t.Fatalf("expiring: %+v", tok)
		}
	}
	if len(exp) < 2 {
		t.Fatalf("expiring: %d", len(exp))
	}
	user := all[0].AssignedUser
	for _, tok := range all {
		if user == "" {
			user = tok.AssignedUser
		}
	}
	mine := decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--user", user, "--json"))
	if len(mine) == 0 || len(mine) > 3 {
		t.Fatalf("user %s: %d tokens", user, len(mine))
	}
	if none := mustRun(t, dir, "tokens", "list", "--from", "1", "--to", "2", "--json"); none != "[]\n" {
		t.Fatalf("empty list: %q", none)
	}

	text := mustRun(t, dir, "tokens", "list")
	if !strings.HasPrefix(text, "SERIAL") || !strings.HasSuffix(text, "50 tokens\n") || !strings.Contains(text, all[0].Serial) {
		t.Fatalf("text list:\n%s", text)
	}
	expectFail(t, dir, ExitUsage, "from must not be greater than to", "tokens", "list", "--from", "9", "--to", "1")
	expectFail(t, dir, ExitUsage, "expected the subcommand list", "tokens")
	expectFail(t, dir, ExitUsage, "--expiring-days must be 0 or more", "tokens", "list", "--expiring-days", "-1")
}

func TestUsersList(t *testing.T) {
	dir := demoDir(t)
	users := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	held := 0
	for _, u := range users {
		held += u.Tokens
		if u.Tokens > 3 {
			t.Fatalf("%+v", u)
		}
	}
	if len(users) != 20 || held != 40 {
		t.Fatalf("%d users holding %d tokens", len(users), held)
	}
	text := mustRun(t, dir, "users", "list")
	if !strings.HasPrefix(text, "USER ID") || !strings.HasSuffix(text, "20 users\n") {
		t.Fatalf("text:\n%s", text)
	}
}

func TestListCommandsNeedAStore(t *testing.T) {
	dir := dataDir(t)
	for _, args := range [][]string{{"tokens", "list"}, {"users", "list"}, {"profiles", "list"}, {"settings", "show"}, {"audit"}, {"audit", "verify"}, {"check"}} {
		expectFail(t, dir, ExitFailure, "there is no store in "+dir, args...)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("a list command created the data directory")
	}
}

package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model/modeltest"
	"golang.org/x/crypto/ssh"
)

// newKeyLine is a fresh ed25519 public key line and its fingerprint.
func newKeyLine(t *testing.T, comment string) (line, fp string) {
	t.Helper()
	line, k, _ := modeltest.SSHKey(t, comment)
	return line, k.Fingerprint
}

// firstUser is a user of the demo store.
func firstUser(t *testing.T, dir string) (string, string) {
	t.Helper()
	us := decodeJSON[[]userJSON](t, mustRun(t, dir, "users", "list", "--json"))
	return us[0].UserID, us[1].UserID
}

func auditCount(t *testing.T, dir string) int {
	t.Helper()
	return len(decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json")))
}

func TestUsersKeysAddListRemove(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	k1, fp1 := newKeyLine(t, "alice@laptop")
	k2, fp2 := newKeyLine(t, "")
	file := writeFile(t, "keys", "# alice's keys\n\n"+k1+"\n  "+k2+"  \n")
	out := mustRun(t, dir, "users", "keys", "add", alice, file)
	if !strings.Contains(out, "added 2 keys for user "+alice) || !strings.Contains(out, fp1) || !strings.Contains(out, fp2) {
		t.Fatalf("add:\n%s", out)
	}
	list := decodeJSON[[]userKeyJSON](t, mustRun(t, dir, "users", "keys", "list", alice, "--json"))
	if len(list) != 2 {
		t.Fatalf("list %+v", list)
	}
	byFP := map[string]userKeyJSON{}
	for _, k := range list {
		byFP[k.Fingerprint] = k
	}
	if k := byFP[fp1]; k.Type != "ssh-ed25519" || k.Comment != "alice@laptop" || k.AddedBy != osUser() || k.Added.IsZero() {
		t.Fatalf("key 1 %+v", k)
	}
	text := mustRun(t, dir, "users", "keys", "list", alice)
	if !strings.Contains(text, "FINGERPRINT") || !strings.Contains(text, fp2) || !strings.Contains(text, "2 keys") {
		t.Fatalf("list:\n%s", text)
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--action", "user key add", "--json"))
	if len(recs) != 2 {
		t.Fatalf("audit %+v", recs)
	}
	out = mustRun(t, dir, "users", "keys", "remove", alice, fp1)
	if !strings.Contains(out, "removed key "+fp1) {
		t.Fatalf("remove: %s", out)
	}
	if list := decodeJSON[[]userKeyJSON](t, mustRun(t, dir, "users", "keys", "list", alice, "--json")); len(list) != 1 || list[0].Fingerprint != fp2 {
		t.Fatalf("after remove %+v", list)
	}
	expectFail(t, dir, ExitFailure, "has no key "+fp1, "users", "keys", "remove", alice, fp1)
	mustRun(t, dir, "check")
}

func TestUsersKeysAddReadsStandardInput(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	k, fp := newKeyLine(t, "")
	code, out, errOut := runCmd(t, dir, k+"\n", "users", "keys", "add", alice, "-")
	if code != ExitOK || !strings.Contains(out, fp) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	k2, fp2 := newKeyLine(t, "")
	code, out, errOut = runCmd(t, dir, k2+"\n", "users", "keys", "add", alice)
	if code != ExitOK || !strings.Contains(out, fp2) {
		t.Fatalf("without a file: exit %d\n%s%s", code, out, errOut)
	}
}

// TestUsersKeysAddIsAllOrNothingNamingEachBadLine: one bad line (each
// kind of problem) and nothing is added, every bad line named.
func TestUsersKeysAddIsAllOrNothingNamingEachBadLine(t *testing.T) {
	dir := demoDir(t)
	alice, bob := firstUser(t, dir)
	good, _ := newKeyLine(t, "")
	taken, _ := newKeyLine(t, "")
	mustRun(t, dir, "users", "keys", "add", alice, writeFile(t, "taken", taken+"\n"))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	spub, _ := ssh.NewPublicKey(&small.PublicKey)
	weak := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spub)))
	cases := []struct{ name, content, want string }{
		{"not a key", good + "\nhello\n", "line 2: not an SSH public key"},
		{"options", "# c\n" + `command="/bin/sh" ` + good + "\n", "line 2: the line has options"},
		{"DSA", good + "\n\nssh-dss AAAAB3NzaC1kc3M= old\n", "line 3: DSA keys"},
		{"weak RSA", weak + "\n", "line 1: the RSA key has 1024 bits"},
		{"same key twice", good + "\n" + good + "\n", "line 2: the same key as line 1"},
		{"another user's key", good + "\n" + taken + "\n", "line 2: key SHA256:"},
		{"only comments", "# nothing\n\n", "holds no public key"},
	}
	before := auditCount(t, dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectFail(t, dir, ExitFailure, c.want, "users", "keys", "add", bob, writeFile(t, "k", c.content))
		})
	}
	// Two bad lines are both named.
	_, _, errOut := runCmd(t, dir, "", "users", "keys", "add", bob, writeFile(t, "k", "x y\n"+good+"\nssh-dss AAAA\n"))
	if !strings.Contains(errOut, "line 1: not an SSH public key") || !strings.Contains(errOut, "line 3: DSA") {
		t.Fatalf("the second bad line is not named: %s", errOut)
	}
	if list := decodeJSON[[]userKeyJSON](t, mustRun(t, dir, "users", "keys", "list", bob, "--json")); len(list) != 0 {
		t.Fatalf("bob has keys after refusals: %+v", list)
	}
	if got := auditCount(t, dir); got != before {
		t.Fatalf("refusals were audited: %d -> %d", before, got)
	}
}

func TestUsersKeysUsageAndUnknownUser(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	k, fp := newKeyLine(t, "")
	file := writeFile(t, "k", k+"\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "keys"}, "expected users keys add, list or remove"},
		{[]string{"users", "keys", "grant", alice}, `unknown subcommand users keys "grant"`},
		{[]string{"users", "keys", "add"}, "needs the user ID"},
		{[]string{"users", "keys", "add", alice, file, "extra"}, `unexpected argument "extra"`},
		{[]string{"users", "keys", "list"}, "needs the user ID"},
		{[]string{"users", "keys", "remove", alice}, "needs the user ID and the key's fingerprint"},
		{[]string{"users", "keys", "remove", alice, "SHA256:"}, "is not a key fingerprint"},
		{[]string{"users", "keys", "list", alice, "--yaml"}, "flag provided but not defined"},
	} {
		expectFail(t, dir, ExitUsage, c.want, c.args...)
	}
	expectFail(t, dir, ExitFailure, `user "nobody"`, "users", "keys", "add", "nobody", file)
	expectFail(t, dir, ExitFailure, `user "nobody"`, "users", "keys", "list", "nobody")
	expectFail(t, dir, ExitFailure, `user "nobody"`, "users", "keys", "remove", "nobody", fp)
	expectFail(t, dir, ExitFailure, "no such file", "users", "keys", "add", alice, file+".missing")
}

func TestImportUsersRegistersTheSSHKeysColumn(t *testing.T) {
	dir := demoDir(t)
	k1, fp1 := newKeyLine(t, "")
	k2, fp2 := newKeyLine(t, "")
	csv := writeFile(t, "u.csv", "user_id,first_name,last_name,email,ssh_keys\nnewcomer,New,Comer,new@example.com,\""+k1+";"+k2+"\"\n")
	out := mustRun(t, dir, "import", "users", csv)
	if !strings.Contains(out, "imported 1,") || !strings.Contains(out, "added 2 SSH keys") {
		t.Fatalf("import:\n%s", out)
	}
	list := mustRun(t, dir, "users", "keys", "list", "newcomer")
	if !strings.Contains(list, fp1) || !strings.Contains(list, fp2) {
		t.Fatalf("keys:\n%s", list)
	}
	bad := writeFile(t, "bad.csv", "user_id,first_name,last_name,email,ssh_keys\nother,O,T,,not a key\n")
	code, out, _ := runCmd(t, dir, "", "import", "users", bad)
	if code != ExitFailure || !strings.Contains(out, "rejected: line 2, column ssh_keys: key 1: not an SSH public key") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

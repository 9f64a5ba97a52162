package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

var enrollmentCodeRe = regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)

// redeem tries a code on the store of dir, as serve does.
func redeem(t *testing.T, dir, user, code string) store.EnrollResult {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.RedeemEnrollment(user, code, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// noCodeInAudit fails when an audit record holds the code.
func noCodeInAudit(t *testing.T, dir, code string) {
	t.Helper()
	all := mustRun(t, dir, "audit", "--json")
	if strings.Contains(all, code) || strings.Contains(all, strings.ReplaceAll(code, "-", "")) {
		t.Fatal("the audit trail holds the enrollment code")
	}
}

func TestUsersInvitePrintsTheCodeOnceWithTheSSHLine(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	out := mustRun(t, dir, "users", "invite", alice, "--address", "tokens.example.com:2022")
	code := enrollmentCodeRe.FindString(out)
	if code == "" {
		t.Fatalf("no code in:\n%s", out)
	}
	for _, want := range []string{"ssh -p 2022 " + alice + "@tokens.example.com", "works once, until", "five wrong tries"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--action", "user invite", "--json"))
	if len(recs) != 1 {
		t.Fatalf("audit %+v", recs)
	}
	noCodeInAudit(t, dir, code)
	if list := mustRun(t, dir, "users", "keys", "list", alice); !strings.Contains(list, "An enrollment code is waiting") {
		t.Fatalf("keys list does not say a code waits:\n%s", list)
	}
	if res := redeem(t, dir, alice, strings.ToLower(code)); res != store.EnrollAccepted {
		t.Fatal("the printed code was refused")
	}
	if res := redeem(t, dir, alice, code); res != store.EnrollRefused {
		t.Fatal("the printed code worked twice")
	}
}

func TestUsersInviteDefaultAddressIsTheHostnameAndPort2222(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	out := mustRun(t, dir, "users", "invite", alice)
	if !strings.Contains(out, "ssh -p 2222 "+alice+"@"+host) {
		t.Fatalf("no default ssh line:\n%s", out)
	}
	// Port 22 needs no -p; a user ID a shell would split is quoted.
	if got := sshCommandFor("o'brien x", "h", "22"); got != `ssh 'o'\''brien x@h'` {
		t.Fatalf("quoted: %s", got)
	}
}

func TestUsersInviteMailSendsTheCodeOnlyByMail(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	out := mustRun(t, dir, "users", "invite", alice, "--mail", "--address", "tokens.example.com")
	if enrollmentCodeRe.MatchString(out) || !strings.Contains(out, "was mailed to") {
		t.Fatalf("the output:\n%s", out)
	}
	ob := decodeJSON[outboxListJSON](t, mustRun(t, dir, "mail", "outbox", "--json"))
	if len(ob.Messages) != 1 || enrollmentCodeRe.MatchString(ob.Messages[0].Subject) {
		t.Fatalf("outbox %+v", ob)
	}
	var code string
	filepath.WalkDir(filepath.Join(dir, "outbox"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			if c := enrollmentCodeRe.FindString(string(data)); c != "" {
				code = c
				if !strings.Contains(string(data), "ssh -p 2222 "+alice+"@tokens.example.com") {
					t.Errorf("the message lacks the ssh line:\n%s", data)
				}
			}
		}
		return nil
	})
	if code == "" {
		t.Fatal("no code in the outbox message")
	}
	noCodeInAudit(t, dir, code)
	if recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--action", "mail queue", "--json")); len(recs) != 1 {
		t.Fatalf("mail queue audit %+v", recs)
	}
	if res := redeem(t, dir, alice, code); res != store.EnrollAccepted {
		t.Fatal("the mailed code was refused")
	}
}

func TestUsersInviteMailWithoutAnAddressChangesNothing(t *testing.T) {
	dir := demoDir(t)
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportUsers([]model.User{{ID: "nomail", FirstName: "No", LastName: "Mail"}}, "u.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	before := auditCount(t, dir)
	expectFail(t, dir, ExitFailure, "no e-mail address", "users", "invite", "nomail", "--mail")
	if got := auditCount(t, dir); got != before {
		t.Fatal("a refused invitation was audited")
	}
	if out := mustRun(t, dir, "users", "keys", "list", "nomail"); strings.Contains(out, "enrollment code") {
		t.Fatalf("a refused invitation left a code:\n%s", out)
	}
	ob := decodeJSON[outboxListJSON](t, mustRun(t, dir, "mail", "outbox", "--json"))
	if len(ob.Messages) != 0 {
		t.Fatalf("outbox %+v", ob)
	}
}

func TestUsersInviteUsageAndUnknownUser(t *testing.T) {
	dir := demoDir(t)
	alice, _ := firstUser(t, dir)
	before := auditCount(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "invite"}, "needs the user ID"},
		{[]string{"users", "invite", alice, "bob"}, `unexpected argument "bob"`},
		{[]string{"users", "invite", alice, "--address", "host:99999"}, "port must be a number"},
		{[]string{"users", "invite", alice, "--address", "host:ssh"}, "port must be a number"},
		{[]string{"users", "invite", alice, "--address", ":2222"}, "give the host name"},
		{[]string{"users", "invite", alice, "--address", "a@b:22"}, "give the host name"},
	} {
		expectFail(t, dir, ExitUsage, c.want, c.args...)
	}
	expectFail(t, dir, ExitFailure, `user "nobody"`, "users", "invite", "nobody")
	expectFail(t, dir, ExitFailure, `user "nobody"`, "users", "invite", "nobody", "--mail")
	if got := auditCount(t, dir); got != before {
		t.Fatal("refusals were audited")
	}
}

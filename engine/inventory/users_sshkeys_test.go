package inventory

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/model/modeltest"
	"github.com/swtoken/swtoken/store"
)

// csvKey is a fresh ed25519 public key line.
func csvKey(t *testing.T, comment string) (string, model.SSHKey) {
	t.Helper()
	line, k, _ := modeltest.SSHKey(t, comment)
	return line, k
}

func fingerprints(t *testing.T, st *store.Store, user string) []string {
	t.Helper()
	ks, err := st.UserKeys(user)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range ks {
		out = append(out, k.Fingerprint)
	}
	return out
}

func TestImportUsersCSVRegistersTheSSHKeysColumn(t *testing.T) {
	st := openStore(t)
	a1, k1 := csvKey(t, "jdoe@laptop")
	a2, k2 := csvKey(t, "jdoe@phone")
	b1, k3 := csvKey(t, "")
	csv := "user_id,first_name,last_name,email,ssh_keys\n" +
		"jdoe,John,Doe,jd@example.com,\"" + a1 + " ; " + a2 + "\"\n" +
		"asmith,Alice,Smith,,\n" +
		"bob,Bob,Builder,bob@example.com," + b1 + "\n"
	res, err := ImportUsersCSV(st, strings.NewReader(csv), "users.csv", store.ImportOptions{})
	if err != nil || res.Imported != 3 || res.KeysAdded != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	if got := fingerprints(t, st, "jdoe"); len(got) != 2 || !(got[0] == k1.Fingerprint || got[1] == k1.Fingerprint) || !(got[0] == k2.Fingerprint || got[1] == k2.Fingerprint) {
		t.Fatalf("jdoe's keys %v", got)
	}
	if got := fingerprints(t, st, "bob"); len(got) != 1 || got[0] != k3.Fingerprint {
		t.Fatalf("bob's keys %v", got)
	}
	if got := fingerprints(t, st, "asmith"); len(got) != 0 {
		t.Fatalf("asmith's keys %v", got)
	}
	// The same file again adds nothing and changes nothing.
	res, err = ImportUsersCSV(st, strings.NewReader(csv), "users.csv", store.ImportOptions{})
	if err != nil || res.Skipped != 3 || res.KeysAdded != 0 {
		t.Fatalf("again: %+v, %v", res, err)
	}
	// Without the e-mail column, ssh_keys may be the fourth.
	c1, _ := csvKey(t, "")
	res, err = ImportUsersCSV(st, strings.NewReader("user_id,first_name,last_name,ssh_keys\ncarol,Carol,King,"+c1+"\n"), "c.csv", store.ImportOptions{})
	if err != nil || res.Imported != 1 || res.KeysAdded != 1 {
		t.Fatalf("ssh_keys as the fourth column: %+v, %v", res, err)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestImportUsersCSVRejectsABadKeyNamingTheLineAndColumn(t *testing.T) {
	st := openStore(t)
	good, _ := csvKey(t, "")
	other, _ := csvKey(t, "")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	spub, _ := ssh.NewPublicKey(&small.PublicKey)
	weak := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spub)))
	csv := "user_id,first_name,last_name,email,ssh_keys\n" + // 1
		"jdoe,John,Doe,," + good + "\n" + // 2
		"bob,Bob,Builder,,\"" + other + ";not a key\"\n" + // 3
		"carol,Carol,King,," + weak + "\n" + // 4
		"dave,Dave,Grohl,,\"no-pty " + other + "\"\n" + // 5
		"eve,Eve,Adams,," + good + "\n" // 6: jdoe's key
	res, err := ImportUsersCSV(st, strings.NewReader(csv), "bad.csv", store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) {
		t.Fatalf("a bad key: %+v %v", res, err)
	}
	want := []struct{ item, reason string }{
		{"line 3, column ssh_keys", "key 2: not an SSH public key"},
		{"line 4, column ssh_keys", "1024 bits"},
		{"line 5, column ssh_keys", "options"},
		{"line 6, column ssh_keys", "also on line 2"},
	}
	if len(res.Rejected) != len(want) {
		t.Fatalf("rejections %+v", res.Rejected)
	}
	for i, w := range want {
		if r := res.Rejected[i]; r.Item != w.item || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("rejection %d: %+v, want %s: ...%s...", i, r, w.item, w.reason)
		}
	}
	if n, _ := st.CountUsers(); n != 0 {
		t.Fatalf("a refused import stored %d users", n)
	}
	// --partial imports the good lines with their keys.
	res, err = ImportUsersCSV(st, strings.NewReader(csv), "bad.csv", store.ImportOptions{Partial: true})
	if err != nil || res.Imported != 1 || res.KeysAdded != 1 || len(res.Rejected) != 4 {
		t.Fatalf("partial: %+v %v", res, err)
	}
}

func TestImportUsersCSVRejectsAKeyOfAnotherUser(t *testing.T) {
	st := openStore(t)
	line, k := csvKey(t, "")
	if _, err := ImportUsersCSV(st, strings.NewReader("user_id,first_name,last_name\njdoe,John,Doe\n"), "a.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUserKey("jdoe", k); err != nil {
		t.Fatal(err)
	}
	csv := "user_id,first_name,last_name,email,ssh_keys\nbob,Bob,Builder,," + line + "\n"
	res, err := ImportUsersCSV(st, strings.NewReader(csv), "b.csv", store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) || len(res.Rejected) != 1 || res.Rejected[0].Item != "line 2, column ssh_keys" ||
		!strings.Contains(res.Rejected[0].Reason, "registered for another user") {
		t.Fatalf("another user's key: %+v %v", res, err)
	}
	if _, err := st.User("bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob imported: %v", err)
	}
}

func TestParseUsersCSVHeaderWithSSHKeys(t *testing.T) {
	for _, h := range []string{"user_id,first_name,last_name,ssh_keys,email", "user_id,first_name,last_name,email,email", "user_id,first_name,last_name,keys"} {
		_, _, err := ParseUsersCSV(strings.NewReader(h + "\n"))
		var ce *CSVError
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "ssh_keys") {
			t.Errorf("header %q: %v", h, err)
		}
	}
}

package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/model/modeltest"
)

// testSSHKey makes a fresh ed25519 public key: its parsed form and wire bytes.
func testSSHKey(t testing.TB, comment string) (model.SSHKey, []byte) {
	t.Helper()
	_, k, wire := modeltest.SSHKey(t, comment)
	return k, wire
}

func keyStore(t *testing.T) *Store {
	t.Helper()
	s, _ := newStore(t)
	s.now = func() time.Time { return day(2030, 12, 1) }
	s.osUser = "helpdesk"
	seedStore(t, s, []string{"alice", "bob"}, nil)
	return s
}

func TestUserKeysReadAsEmptyWithoutTheBucket(t *testing.T) {
	s := keyStore(t)
	ks, err := s.UserKeys("alice")
	if err != nil || len(ks) != 0 {
		t.Fatalf("keys %v %v", ks, err)
	}
	_, wire := testSSHKey(t, "")
	if ok, err := s.UserKeyAuthorized("alice", wire); ok || err != nil {
		t.Fatalf("authorized %v %v", ok, err)
	}
	if _, err := s.UserKeys("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestAddUserKeyAuthorizesItForThatUserOnlyAudited(t *testing.T) {
	s := keyStore(t)
	k, wire := testSSHKey(t, "alice@laptop")
	mark := auditMark(t, s)
	uk, err := s.AddUserKey("alice", k)
	if err != nil {
		t.Fatal(err)
	}
	if uk.Fingerprint != k.Fingerprint || uk.AddedBy != "helpdesk" || !uk.Added.Equal(day(2030, 12, 1)) || uk.Comment != "alice@laptop" {
		t.Fatalf("added %+v", uk)
	}
	recs := wantAudit(t, s, mark, "user key add|user alice")
	if !strings.Contains(recs[0].Details, k.Fingerprint) || strings.Contains(recs[0].Details, strings.Fields(k.Line)[1]) {
		t.Fatalf("audit details %q: want the fingerprint, not the key", recs[0].Details)
	}
	if ok, err := s.UserKeyAuthorized("alice", wire); !ok || err != nil {
		t.Fatalf("alice's key: %v %v", ok, err)
	}
	if ok, err := s.UserKeyAuthorized("bob", wire); ok || err != nil {
		t.Fatalf("alice's key for bob: %v %v", ok, err)
	}
	if ok, err := s.UserKeyAuthorized("nobody", wire); ok || err != nil {
		t.Fatalf("alice's key for an unknown user: %v %v", ok, err)
	}
	if ok, err := s.UserKeyAuthorized("alice", []byte("junk")); ok || err != nil {
		t.Fatalf("junk wire: %v %v", ok, err)
	}
	ks, err := s.UserKeys("alice")
	if err != nil || len(ks) != 1 || ks[0] != uk {
		t.Fatalf("keys %+v %v", ks, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestAddUserKeyRefusesUnknownUserAndAKeyRegisteredAlready(t *testing.T) {
	s := keyStore(t)
	k, _ := testSSHKey(t, "")
	if _, err := s.AddUserKey("alice", k); err != nil {
		t.Fatal(err)
	}
	mark := auditMark(t, s)
	if _, err := s.AddUserKey("nobody", k); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := s.AddUserKey("alice", k); !errors.Is(err, ErrKeyRegistered) || !strings.Contains(err.Error(), "for user alice") {
		t.Fatalf("the same key twice: %v", err)
	}
	if _, err := s.AddUserKey("bob", k); !errors.Is(err, ErrKeyRegistered) || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("alice's key for bob: %v", err)
	}
	bad := k
	bad.Line = "ssh-dss AAAA"
	if _, err := s.AddUserKey("bob", bad); err == nil {
		t.Fatal("a bad key line stored")
	}
	wantAudit(t, s, mark)
	if ks, _ := s.UserKeys("bob"); len(ks) != 0 {
		t.Fatalf("bob has keys %+v", ks)
	}
}

func TestAddUserKeyFromRecordsTheUserAsAdderAndHowInTheAudit(t *testing.T) {
	s := keyStore(t)
	k, wire := testSSHKey(t, "alice@laptop")
	mark := auditMark(t, s)
	uk, err := s.AddUserKeyFrom("alice", k, "by the user over SSH from 192.0.2.7:50122")
	if err != nil {
		t.Fatal(err)
	}
	if uk.AddedBy != "alice" || uk.Fingerprint != k.Fingerprint {
		t.Fatalf("added %+v", uk)
	}
	recs := wantAudit(t, s, mark, "user key add|user alice")
	if want := k.Type + " " + k.Fingerprint + "; by the user over SSH from 192.0.2.7:50122"; recs[0].Details != want {
		t.Fatalf("audit details %q, want %q", recs[0].Details, want)
	}
	if ok, err := s.UserKeyAuthorized("alice", wire); !ok || err != nil {
		t.Fatalf("alice's key: %v %v", ok, err)
	}
	// The rules are AddUserKey's: another user's key is refused without
	// naming its holder, and nothing is audited.
	mark = auditMark(t, s)
	_, err = s.AddUserKeyFrom("bob", k, "by the user over SSH from 192.0.2.8:1")
	if !errors.Is(err, ErrKeyRegistered) || strings.Contains(err.Error(), "alice") {
		t.Fatalf("alice's key for bob: %v", err)
	}
	wantAudit(t, s, mark)
}

func TestAddUserKeysIsAllOrNothing(t *testing.T) {
	s := keyStore(t)
	a, _ := testSSHKey(t, "a")
	b, _ := testSSHKey(t, "b")
	mark := auditMark(t, s)
	if _, err := s.AddUserKeys("alice", []model.SSHKey{a, b, a}); !errors.Is(err, ErrKeyRegistered) || !strings.Contains(err.Error(), "key 3 of 3") {
		t.Fatalf("a key twice in one batch: %v", err)
	}
	wantAudit(t, s, mark)
	if ks, _ := s.UserKeys("alice"); len(ks) != 0 {
		t.Fatalf("a refused batch stored %+v", ks)
	}
	if ks, err := s.AddUserKeys("alice", []model.SSHKey{a, b}); err != nil || len(ks) != 2 {
		t.Fatalf("%v %v", ks, err)
	}
	wantAudit(t, s, mark, "user key add|user alice", "user key add|user alice")
	if _, err := s.AddUsersKeys([]UserKeyGrant{{"bob", mustKey(t)}, {"bob", a}}); err == nil {
		t.Fatal("a grant of alice's key to bob accepted")
	} else {
		var ge *KeyGrantError
		if !errors.As(err, &ge) || ge.Index != 1 {
			t.Fatalf("grant error %v", err)
		}
	}
	if ks, _ := s.UserKeys("bob"); len(ks) != 0 {
		t.Fatalf("a refused grant batch stored %+v", ks)
	}
	// A key registered for the same user already is left as it is.
	c := mustKey(t)
	if n, err := s.AddUsersKeys([]UserKeyGrant{{"alice", a}, {"bob", c}}); err != nil || n != 1 {
		t.Fatalf("grants with alice's own key again: %d %v", n, err)
	}
	owners, err := s.KeyOwners([]string{a.Fingerprint, c.Fingerprint, "SHA256:none"})
	if err != nil || len(owners) != 2 || owners[a.Fingerprint] != "alice" || owners[c.Fingerprint] != "bob" {
		t.Fatalf("owners %v %v", owners, err)
	}
}

func mustKey(t *testing.T) model.SSHKey {
	k, _ := testSSHKey(t, "")
	return k
}

func TestRemoveUserKeyEndsItsAuthorization(t *testing.T) {
	s := keyStore(t)
	k, wire := testSSHKey(t, "")
	if _, err := s.AddUserKey("alice", k); err != nil {
		t.Fatal(err)
	}
	mark := auditMark(t, s)
	if err := s.RemoveUserKey("bob", k.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob removing alice's key: %v", err)
	}
	if err := s.RemoveUserKey("nobody", k.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	wantAudit(t, s, mark)
	// The bare base64 fingerprint is accepted too.
	if err := s.RemoveUserKey("alice", strings.TrimPrefix(k.Fingerprint, "SHA256:")); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, mark, "user key remove|user alice")
	if ok, _ := s.UserKeyAuthorized("alice", wire); ok {
		t.Fatal("a removed key still authorized")
	}
	// Now the key is free for another user.
	if _, err := s.AddUserKey("bob", k); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

package ui

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/model/modeltest"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// newKeyLine is the public key line of a fresh ed25519 key, and its wire
// form (what a client offers at login).
func newKeyLine(t *testing.T, comment string) (string, []byte) {
	t.Helper()
	line, _, wire := modeltest.SSHKey(t, comment)
	return line, wire
}

// TestSelfServiceBackendAddsAKeyForTheBoundUserOnlyAuditedWithTheAddress:
// the key goes to the session's user, who may log in with it (and nobody
// else may), and the audit says the user added it over SSH from the
// client address.
func TestSelfServiceBackendAddsAKeyForTheBoundUserOnlyAuditedWithTheAddress(t *testing.T) {
	st := uitest.DemoStore(t)
	a, b := twoRequestUsers(t, st)
	be := NewSelfServiceBackend(st, a.ID, "198.51.100.7:40000")
	line, wire := newKeyLine(t, "alice@laptop")
	k, err := be.AddMyKey(line + "\n")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := model.ParseSSHKey(line)
	if k.Fingerprint != parsed.Fingerprint || k.Type != "ssh-ed25519" || k.Comment != "alice@laptop" || k.Added.IsZero() {
		t.Fatalf("added %+v", k)
	}
	rec := uitest.NewestRecord(t, st)
	if rec.Action != "user key add" || rec.Object != "user "+a.ID ||
		rec.Details != "ssh-ed25519 "+k.Fingerprint+"; by the user over SSH from 198.51.100.7:40000" {
		t.Fatalf("audit %q %q %q", rec.Action, rec.Object, rec.Details)
	}
	if ok, err := st.UserKeyAuthorized(a.ID, wire); !ok || err != nil {
		t.Fatalf("%s's new key does not log in: %v %v", a.ID, ok, err)
	}
	if ok, _ := st.UserKeyAuthorized(b.ID, wire); ok {
		t.Fatalf("%s's key logs in as %s", a.ID, b.ID)
	}
	snap, err := be.Load()
	if mine := snap.Keys; err != nil || len(mine) != 1 || mine[0] != k {
		t.Fatalf("Keys %+v %v", mine, err)
	}
	if ks, _ := st.UserKeys(a.ID); len(ks) != 1 || ks[0].AddedBy != a.ID {
		t.Fatalf("store keys of %s: %+v", a.ID, ks)
	}
	beB := NewSelfServiceBackend(st, b.ID, "203.0.113.9:50000")
	if snap, err := beB.Load(); err != nil || len(snap.Keys) != 0 {
		t.Fatalf("%s sees keys %+v %v", b.ID, snap.Keys, err)
	}
}

// TestSelfServiceBackendRefusesAKeyRegisteredAlreadyWithoutNamingItsHolder:
// another user's key is refused without saying whose it is; the user's
// own key again says it is theirs; a line that is no key gives
// ParseSSHKey's error as it is. Nothing is added or audited.
func TestSelfServiceBackendRefusesAKeyRegisteredAlreadyWithoutNamingItsHolder(t *testing.T) {
	st := uitest.DemoStore(t)
	a, b := twoRequestUsers(t, st)
	line, _ := newKeyLine(t, "")
	if _, err := NewSelfServiceBackend(st, a.ID, "198.51.100.7:40000").AddMyKey(line); err != nil {
		t.Fatal(err)
	}
	seq := uitest.NewestRecord(t, st).Seq
	beB := NewSelfServiceBackend(st, b.ID, "203.0.113.9:50000")
	_, err := beB.AddMyKey(line)
	if err == nil || !strings.Contains(err.Error(), "registered for another user") || strings.Contains(err.Error(), a.ID) {
		t.Fatalf("another user's key: %v", err)
	}
	_, err = NewSelfServiceBackend(st, a.ID, "198.51.100.7:40001").AddMyKey(line)
	if err == nil || !strings.Contains(err.Error(), "registered for you already") {
		t.Fatalf("the user's own key again: %v", err)
	}
	bad := "ssh-ed25519 AAAA alice@laptop"
	_, perr := model.ParseSSHKey(bad)
	if _, err := beB.AddMyKey(bad); err == nil || err.Error() != perr.Error() {
		t.Fatalf("a bad line: %v, want ParseSSHKey's %v", err, perr)
	}
	if ks, _ := st.UserKeys(b.ID); len(ks) != 0 {
		t.Fatalf("%s has keys %+v", b.ID, ks)
	}
	if got := uitest.NewestRecord(t, st).Seq; got != seq {
		t.Fatalf("refusals were audited: seq %d -> %d", seq, got)
	}
}

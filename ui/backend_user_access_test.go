package ui

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/model/modeltest"
	"github.com/swtoken/swtoken/store"
)

// TestEngineBackendUserAccess: the user detail's keys and enrollment
// methods against a real store: the keys and the live code are read, a
// removal is audited by the store, and the code shown redeems once.
func TestEngineBackendUserAccess(t *testing.T) {
	be, st := realBackend(t)
	us, err := be.Users()
	if err != nil || len(us) == 0 {
		t.Fatalf("Users: %d, %v", len(us), err)
	}
	id := us[0].ID
	_, k1, _ := modeltest.SSHKey(t, "laptop")
	_, k2, _ := modeltest.SSHKey(t, "phone")
	if _, err := st.AddUserKeys(id, []model.SSHKey{k1, k2}); err != nil {
		t.Fatal(err)
	}

	a, err := be.UserAccess(id)
	if err != nil || len(a.Keys) != 2 || a.CodeLive {
		t.Fatalf("UserAccess: %+v, %v", a, err)
	}
	if _, err := be.UserAccess("no-such-user"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}

	if err := be.RemoveUserKey(id, k2.Fingerprint); err != nil {
		t.Fatal(err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Action != "user key remove" || recs[0].Object != "user "+id ||
		!strings.Contains(recs[0].Details, k2.Fingerprint) {
		t.Fatalf("audit after the removal: %+v, %v", recs, err)
	}
	if err := be.RemoveUserKey(id, k2.Fingerprint); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing it again: %v", err)
	}
	if a, _ := be.UserAccess(id); len(a.Keys) != 1 || a.Keys[0].Fingerprint != k1.Fingerprint {
		t.Fatalf("keys after the removal: %+v", a.Keys)
	}

	inv, err := be.InviteUser(id)
	if err != nil || inv.Code == "" {
		t.Fatalf("InviteUser: %+v, %v", inv, err)
	}
	host, _ := os.Hostname()
	if want := requests.SSHCommand(id, host, "2222"); host != "" && inv.SSHCommand != want {
		t.Fatalf("ssh line %q, want %q", inv.SSHCommand, want)
	}
	if a, _ := be.UserAccess(id); !a.CodeLive || !a.CodeExpires.Equal(inv.Expires) {
		t.Fatalf("after the invitation: %+v (expires %v)", a, inv.Expires)
	}
	recs, _ = st.AuditRecords(store.AuditFilter{Limit: 1})
	if len(recs) != 1 || recs[0].Action != "user invite" || strings.Contains(recs[0].Details, inv.Code) {
		t.Fatalf("audit of the invitation: %+v", recs)
	}
	if res, err := st.RedeemEnrollment(id, inv.Code, be.now()); err != nil || res != store.EnrollAccepted {
		t.Fatalf("redeem: %v, %v", res, err)
	}
	if res, _ := st.RedeemEnrollment(id, inv.Code, be.now()); res != store.EnrollRefused {
		t.Fatal("the code redeemed twice")
	}
	if a, _ := be.UserAccess(id); a.CodeLive {
		t.Fatal("a used code reads as live")
	}
}

// TestEngineBackendMailInvitation: a mailed code is live and has no code
// in the result; a user without an e-mail address is refused and no code
// is issued.
func TestEngineBackendMailInvitation(t *testing.T) {
	be, st := realBackend(t)
	if _, err := st.ImportUsers([]model.User{{ID: "nomail", FirstName: "No", LastName: "Mail"}}, "u.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := be.MailInvitation("nomail"); !errors.Is(err, requests.ErrNoEmail) {
		t.Fatalf("no address: %v", err)
	}
	if a, _ := be.UserAccess("nomail"); a.CodeLive {
		t.Fatal("a refused mailed invitation issued a code")
	}

	us, _ := be.Users()
	var u model.User
	for _, x := range us {
		if x.Email != "" {
			u = x
			break
		}
	}
	if u.ID == "" {
		t.Fatal("no demo user with an e-mail address")
	}
	inv, err := be.MailInvitation(u.ID)
	if err != nil || inv.Code != "" || inv.MailedTo != u.Email || inv.SSHCommand == "" {
		t.Fatalf("mailed: %+v, %v", inv, err)
	}
	if a, _ := be.UserAccess(u.ID); !a.CodeLive {
		t.Fatal("no live code after a mailed invitation")
	}
}

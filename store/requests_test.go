package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	bolt "go.etcd.io/bbolt"
)

const reqPassword = "Zq7-request-pw" // recognisable in raw bytes

// requestStore is a store at 2030-12-01 (mkToken's tokens die 2030-12-31,
// 30 days on) offering profiles Staff (default) and Lab, with users alice
// (one token, 000000000001) and bob (three tokens), and no-mail user nomail.
func requestStore(t *testing.T) (*Store, string) {
	t.Helper()
	s, dir := newStore(t)
	s.now = func() time.Time { return day(2030, 12, 1) }
	s.osUser = "helpdesk"
	staff, err := s.AddProfile(fileProfile("Staff"))
	if err != nil {
		t.Fatal(err)
	}
	lab, err := s.AddProfile(fileProfile("Lab"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSettings(settingsOffering(staff.Profile, lab.Profile)); err != nil {
		t.Fatal(err)
	}
	var toks []model.Token
	for _, serial := range []string{"000000000001", "000000000002", "000000000003", "000000000004", "000000000005"} {
		toks = append(toks, mkToken(t, s, serial, model.KindSoftware))
	}
	seedStore(t, s, []string{"alice", "bob"}, toks)
	if _, err := s.ImportUsers([]model.User{{ID: "nomail", FirstName: "No", LastName: "Mail"}}, "users.csv", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for serial, user := range map[string]string{"000000000001": "alice", "000000000002": "bob", "000000000003": "bob", "000000000004": "bob"} {
		if err := s.Assign(serial, user); err != nil {
			t.Fatal(err)
		}
	}
	return s, dir
}

func setPolicy(t *testing.T, s *Store, p model.ApprovalPolicy, mustPassword bool) {
	t.Helper()
	set, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	set.ApprovalPolicy, set.UserMustProvidePassword = p, mustPassword
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
}

func countRequests(t *testing.T, s *Store) int {
	t.Helper()
	rs, err := s.Requests(RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func TestCreateRequestStoresItAuditedWithoutThePassword(t *testing.T) {
	s, dir := requestStore(t)
	mark := auditMark(t, s)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI, Nickname: "work phone",
		Password: reqPassword, PasswordConfirm: reqPassword, Reason: "new phone"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID() != "R-1" || r.State != model.RequestPending || r.Profile != "Staff" || !r.HasPassword || r.CreatedBy != "helpdesk" || r.Revision != 1 {
		t.Fatalf("created %+v", r)
	}
	recs := wantAudit(t, s, mark, "request create|request R-1")
	if recs[0].OSUser != "helpdesk" || !strings.Contains(recs[0].Details, "password: set") || strings.Contains(recs[0].Details, reqPassword) {
		t.Errorf("audit record: %+v", recs[0])
	}
	got, err := s.Request("R-1")
	if err != nil || got.Nickname != "work phone" || got.Reason != "new phone" || len(got.History) != 1 {
		t.Fatalf("read back: %+v %v", got, err)
	}
	// A second request gets the next ID, and lists in order.
	if _, err := s.CreateRequest(model.RequestInput{User: "bob", Origin: model.OriginConsole, Kind: model.RequestReplacement, Replaces: "000000000002"}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Requests(RequestFilter{})
	if err != nil || len(rs) != 2 || rs[0].ID() != "R-1" || rs[1].ID() != "R-2" {
		t.Fatalf("list: %+v %v", rs, err)
	}
	if rs, _ := s.Requests(RequestFilter{User: "bob"}); len(rs) != 1 || rs[0].ID() != "R-2" {
		t.Errorf("bob's requests: %+v", rs)
	}
	// The password is sealed: readable through the store, absent from the
	// raw file.
	pw, err := s.RequestPassword("R-1")
	if err != nil || string(pw) != reqPassword {
		t.Fatalf("sealed password: %q %v", pw, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(readDB(t, dir), []byte(reqPassword)) {
		t.Fatal("the request password is in the database file in the clear")
	}
}

func TestRefusedRequestChangesNothing(t *testing.T) {
	s, dir := requestStore(t)
	if _, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI}); err != nil {
		t.Fatal(err)
	}
	lab := model.RequestInput{User: "alice", Origin: model.OriginCLI, Profile: "Lab", Kind: model.RequestReplacement, Replaces: "000000000001"}
	cases := []struct {
		name string
		in   model.RequestInput
		rule model.RequestRule
	}{
		{"no such user", model.RequestInput{User: "zed", Origin: model.OriginCLI}, model.RuleNoSuchUser},
		{"no e-mail", model.RequestInput{User: "nomail", Origin: model.OriginCLI}, model.RuleNoEmail},
		{"three tokens held", model.RequestInput{User: "bob", Origin: model.OriginCLI}, model.RuleTooManyTokens},
		{"token not held", model.RequestInput{User: "alice", Origin: model.OriginCLI, Replaces: "000000000002"}, model.RuleNotHeld},
		{"open request of the kind", model.RequestInput{User: "alice", Origin: model.OriginCLI}, model.RuleOpenRequest},
		{"profile not offered", model.RequestInput{User: "bob", Origin: model.OriginCLI, Profile: "Nope", Replaces: "000000000002"}, model.RuleProfileNotOffered},
		{"device ID not allowed", model.RequestInput{User: "bob", Origin: model.OriginCLI, Replaces: "000000000002", DeviceSerial: "dev-1"}, model.RuleDeviceIDNotAllow},
		{"password mismatch", func() model.RequestInput { in := lab; in.Password, in.PasswordConfirm = reqPassword, "x"; return in }(), model.RuleBadInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, mark := countRequests(t, s), auditMark(t, s)
			// The store holds the file only inside a transaction, so
			// it can be read as it is between them.
			before := readDB(t, dir)
			_, err := s.CreateRequest(c.in)
			if got := model.RuleOf(err); got != c.rule {
				t.Fatalf("refused by %q (%v), want %q", got, err, c.rule)
			}
			if countRequests(t, s) != n || auditMark(t, s) != mark {
				t.Error("a refused request wrote something")
			}
			if !bytes.Equal(before, readDB(t, dir)) {
				t.Error("a refused request changed the database file")
			}
		})
	}
	// The replacement window: 30 days left; a 29-day window refuses.
	set, _ := s.Settings()
	set.ReplacementWindowDays = 29
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	n := countRequests(t, s)
	if _, err := s.CreateRequest(lab); model.RuleOf(err) != model.RuleNotExpiring {
		t.Fatalf("outside the window: %v", err)
	}
	if countRequests(t, s) != n {
		t.Fatal("a refused replacement was stored")
	}
	// With "the user provides the password" on, one without is refused.
	setPolicy(t, s, model.ApprovalOne, true)
	set, _ = s.Settings()
	set.ReplacementWindowDays = 30
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRequest(lab); model.RuleOf(err) != model.RulePasswordRequired {
		t.Fatalf("password required: %v", err)
	}
	in := lab
	in.Password, in.PasswordConfirm = reqPassword, reqPassword
	if r, err := s.CreateRequest(in); err != nil || r.Profile != "Lab" || r.Kind != model.RequestReplacement {
		t.Fatalf("replacement within the window with a password: %+v %v", r, err)
	}
}

func TestTwoApprovalPolicyNeedsTwoAdminsInTheStore(t *testing.T) {
	s, _ := requestStore(t)
	setPolicy(t, s, model.ApprovalTwo, false)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginConsole})
	if err != nil {
		t.Fatal(err)
	}
	mark := auditMark(t, s)
	s.osUser = "ann"
	r, err = s.ApproveRequest(RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "ok", Note: "called her manager"})
	if err != nil || r.State != model.RequestPending || len(r.Approvals) != 1 {
		t.Fatalf("first approval: %+v %v", r, err)
	}
	if _, err := s.ApproveRequest(RequestDecision{ID: r.ID(), Revision: r.Revision}); model.RuleOf(err) != model.RuleSameAdmin {
		t.Fatalf("ann again: %v", err)
	}
	if got, _ := s.Request(r.ID()); got.Revision != r.Revision || len(got.Approvals) != 1 {
		t.Fatalf("a refused approval changed the request: %+v", got)
	}
	s.osUser = "bob"
	r, err = s.ApproveRequest(RequestDecision{ID: r.ID(), Revision: r.Revision})
	if err != nil || r.State != model.RequestApproved || r.Approvals[1].Admin != "bob" {
		t.Fatalf("second approval: %+v %v", r, err)
	}
	recs := wantAudit(t, s, mark, "request approve|request R-1", "request approve|request R-1")
	if recs[0].OSUser != "ann" || recs[1].OSUser != "bob" || !strings.Contains(recs[0].Details, "approval 1 of 2") ||
		!strings.Contains(recs[0].Details, "private note: set") || strings.Contains(recs[0].Details, "called her manager") {
		t.Errorf("audit: %+v", recs)
	}
}

func TestDecisionOnAStaleRevisionIsAConflict(t *testing.T) {
	s, _ := requestStore(t)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginConsole})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeferRequest(RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "later"}); err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if _, err := s.ApproveRequest(RequestDecision{ID: r.ID(), Revision: r.Revision}); !errors.As(err, &ce) || ce.By != "helpdesk" {
		t.Fatalf("approval from a stale load: %v", err)
	}
	if got, _ := s.Request(r.ID()); got.State != model.RequestPending || len(got.Deferrals) != 1 {
		t.Fatalf("after the refused approval: %+v", got)
	}
}

func TestEndingARequestDestroysItsPassword(t *testing.T) {
	s, dir := requestStore(t)
	mk := func(user string, in model.RequestInput) model.Request {
		in.User, in.Origin, in.Password, in.PasswordConfirm = user, model.OriginCLI, reqPassword, reqPassword
		r, err := s.CreateRequest(in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := mk("alice", model.RequestInput{})
	b := mk("bob", model.RequestInput{Replaces: "000000000003"})
	mark := auditMark(t, s)
	if _, err := s.RejectRequest(RequestDecision{ID: a.ID(), Revision: a.Revision}); model.RuleOf(err) != model.RuleBadInput {
		t.Fatalf("rejection without a comment: %v", err)
	}
	r, err := s.RejectRequest(RequestDecision{ID: a.ID(), Revision: a.Revision, Comment: "one token is enough"})
	if err != nil || r.State != model.RequestRejected || r.StateReason != "one token is enough" {
		t.Fatalf("reject: %+v %v", r, err)
	}
	c, err := s.CancelRequest(RequestDecision{ID: b.ID(), Revision: b.Revision, Comment: "asked twice"})
	if err != nil || c.State != model.RequestCanceled {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	wantAudit(t, s, mark, "request reject|request R-1", "request cancel|request R-2")
	for _, id := range []string{"R-1", "R-2"} {
		if pw, err := s.RequestPassword(id); err != nil || pw != nil {
			t.Errorf("%s's password after it ended: %q %v", id, pw, err)
		}
	}
	// Ended: a new request of the kind is allowed again.
	if _, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI}); err != nil {
		t.Fatalf("new request after the rejection: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketRequestsPasswords).Cursor().First(); k != nil {
			t.Errorf("a sealed password remains under %x", k)
		}
		return nil
	})
}

func TestAutomaticPolicyStoresTheRequestApproved(t *testing.T) {
	s, _ := requestStore(t)
	setPolicy(t, s, model.ApprovalAutomatic, false)
	mark := auditMark(t, s)
	r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI})
	if err != nil || r.State != model.RequestApproved {
		t.Fatalf("automatic: %+v %v", r, err)
	}
	wantAudit(t, s, mark, "request create|request R-1", "request approve|request R-1")
}

func TestApprovalPolicySavedAndAudited(t *testing.T) {
	s, _ := requestStore(t)
	mark := auditMark(t, s)
	setPolicy(t, s, model.ApprovalTwo, false)
	recs := wantAudit(t, s, mark, "settings save|self-service settings")
	if !strings.Contains(recs[0].Details, "Approval: One approval -> Two approvals by two different admins") {
		t.Errorf("details: %q", recs[0].Details)
	}
	if set, _ := s.Settings(); set.ApprovalPolicy != model.ApprovalTwo {
		t.Errorf("policy read back: %q", set.ApprovalPolicy)
	}
	set, _ := s.Settings()
	set.ApprovalPolicy = "three"
	if err := s.SaveSettings(set); err == nil {
		t.Error("an unknown policy was saved")
	}
}

// TestUpgradeFromVersion2AddsTheRequestBuckets makes a store as version 2
// left it (no request buckets, settings without an approval policy) and
// opens it.
func TestUpgradeFromVersion2AddsTheRequestBuckets(t *testing.T) {
	s, dir := requestStore(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		for _, name := range []string{"requests", "requests_by_user", "requests_passwords"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		set := tx.Bucket([]byte("settings"))
		v := set.Get([]byte("selfservice"))
		nv := bytes.Replace(v, []byte(`,"approval_policy":"one"`), nil, 1)
		if bytes.Equal(v, nv) {
			t.Fatalf("settings record without the policy field: %s", v)
		}
		if err := set.Put([]byte("selfservice"), nv); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), itob(2))
	})

	snap := snapshot(t, dir)
	if _, err := Open(Options{DataDir: dir, ReadOnly: true}); !errors.Is(err, ErrUpgradeNeeded) {
		t.Fatalf("read-only open of a version 2 store: %v", err)
	}
	assertSameSnapshot(t, snap, snapshot(t, dir))

	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.now = func() time.Time { return day(2030, 12, 1) }
	if set, err := s.Settings(); err != nil || set.ApprovalPolicy != model.DefaultApprovalPolicy {
		t.Fatalf("settings after the upgrade: %q %v", set.ApprovalPolicy, err)
	}
	if r, err := s.CreateRequest(model.RequestInput{User: "alice", Origin: model.OriginCLI}); err != nil || r.ID() != "R-1" {
		t.Fatalf("request after the upgrade: %+v %v", r, err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check after the upgrade: %v", err)
	}
	if err := s.View(func(tx *Tx) error {
		if v, _ := readSchemaVersion(tx.tx); v != 3 {
			t.Errorf("schema version %d after the upgrade", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Running the migration again changes nothing.
	before := countRequestsRaw(t, dir)
	rawUpdate(t, dir, func(tx *bolt.Tx) error { return migrateV3(tx, nil) })
	if after := countRequestsRaw(t, dir); after != before || after != 1 {
		t.Errorf("requests before and after a second migration: %d, %d", before, after)
	}
}

func countRequestsRaw(t *testing.T, dir string) (n int) {
	t.Helper()
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketRequests).Stats().KeyN
		return nil
	})
	return n
}

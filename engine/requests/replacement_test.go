package requests

import (
	"context"
	"testing"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestReplacedTokenUnassignedWhenTheNewOneIsFirstVerified fulfils a
// replacement request: the old token stays assigned until a code of the
// new one is verified (a wrong code changes nothing), then it is
// unassigned, once, with a "request replace" audit record.
func TestReplacedTokenUnassignedWhenTheNewOneIsFirstVerified(t *testing.T) {
	st := openStore(t, dataDir(t), 40, model.ApprovalAutomatic)
	defer st.Close()
	addUsers(t, st, "repl", 1)
	free, err := st.AvailableTokens(1)
	if err != nil || len(free) != 1 {
		t.Fatalf("available: %v %v", free, err)
	}
	oldSerial := free[0]
	if err := st.Assign(oldSerial, "repl1"); err != nil {
		t.Fatal(err)
	}
	r, err := st.CreateRequest(model.RequestInput{User: "repl1", Profile: fileProfile, Origin: model.OriginCLI,
		Kind: model.RequestReplacement, Replaces: oldSerial, LostOrBroken: true, Password: reqPW, PasswordConfirm: reqPW})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := Fulfil(context.Background(), st, Options{}); err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("fulfil: %+v %v", res, err)
	}
	r, _ = st.Request(r.ID())
	d := checkDelivered(t, st, r, reqPW)
	holds := func() bool {
		tok, err := st.Token(oldSerial)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AssignedUser == "repl1"
	}
	if !holds() {
		t.Fatal("the old token was unassigned at fulfilment, before the new one was verified")
	}
	f, err := sdtid.ReadSingle(d.Data, reqPW)
	if err != nil {
		t.Fatal(err)
	}
	code, err := f.Tokens[0].CodeForce(testNow, "0000")
	if err != nil {
		t.Fatal(err)
	}
	wrong := []byte(code)
	wrong[0] = '0' + (wrong[0]-'0'+5)%10
	if v, err := jobs.Verify(st, r.Serial, string(wrong), "0000", testNow); err != nil || v.Match || v.Unassigned != "" || !holds() {
		t.Fatalf("a wrong code: %+v %v (old token held: %v)", v, err, holds())
	}
	v, err := jobs.Verify(st, r.Serial, code, "0000", testNow)
	if err != nil || !v.Match || v.Unassigned != oldSerial || holds() {
		t.Fatalf("the first verified code: %+v %v (old token held: %v)", v, err, holds())
	}
	// Assigned again by an admin, a later check leaves it alone.
	if err := st.Assign(oldSerial, "repl1"); err != nil {
		t.Fatal(err)
	}
	if v, err := jobs.Verify(st, r.Serial, code, "0000", testNow); err != nil || v.Unassigned != "" || !holds() {
		t.Fatalf("a second verified code: %+v %v", v, err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range recs {
		if a.Action == "request replace" && a.Object == "request "+r.ID() {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d \"request replace\" records, want 1", n)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

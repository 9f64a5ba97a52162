package model

import (
	"strings"
	"testing"
	"time"
)

var reqNow = day(2030, 12, 1) // softToken's tokens die 2030-12-31: 30 days left

// reqFacts are facts under which a new request for "alice" is accepted:
// both test profiles offered, alice with an e-mail and one token.
func reqFacts() RequestFacts {
	ps := testProfiles()
	return RequestFacts{
		Settings: validSettings(ps), Profiles: ps,
		User:   &User{ID: "alice", FirstName: "Alice", LastName: "A", Email: "alice@example.com"},
		Tokens: []Token{softToken("000000000001", "alice")},
		Now:    reqNow, Actor: "helpdesk",
	}
}

func newInput() RequestInput {
	return RequestInput{User: "alice", Origin: OriginCLI}
}

func wantRule(t *testing.T, err error, rule RequestRule, mention string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a refusal by rule %q, got none", rule)
	}
	if got := RuleOf(err); got != rule {
		t.Fatalf("refused by rule %q (%v), want %q", got, err, rule)
	}
	if !strings.Contains(err.Error(), mention) {
		t.Errorf("reason %q does not mention %q", err, mention)
	}
}

func TestRequestAcceptedTakesTheDefaultProfileAndItsClassBinding(t *testing.T) {
	r, err := CheckRequest(newInput(), reqFacts())
	if err != nil {
		t.Fatal(err)
	}
	p := testProfiles()[0]
	if r.Profile != p.Name || r.Binding != (Binding{Kind: BindingClass, Value: p.ClassGUID()}) {
		t.Errorf("request got profile %q, binding %v", r.Profile, r.Binding)
	}
	if r.State != RequestPending || r.Kind != RequestNew || r.CreatedBy != "helpdesk" || len(r.History) != 1 || r.History[0].Actor != "helpdesk" {
		t.Errorf("new request: %+v", r)
	}
}

func TestRequestRefusedForAMissingUser(t *testing.T) {
	f := reqFacts()
	f.User = nil
	_, err := CheckRequest(newInput(), f)
	wantRule(t, err, RuleNoSuchUser, `no user "alice"`)
}

func TestRequestRefusedForAUserWithoutEmail(t *testing.T) {
	f := reqFacts()
	f.User.Email = ""
	_, err := CheckRequest(newInput(), f)
	wantRule(t, err, RuleNoEmail, "no e-mail address")
}

func TestNewTokenRefusedWhenTheUserHoldsThree(t *testing.T) {
	f := reqFacts()
	f.Tokens = []Token{softToken("000000000001", "alice"), softToken("000000000002", "alice"), softToken("000000000003", "alice")}
	_, err := CheckRequest(newInput(), f)
	wantRule(t, err, RuleTooManyTokens, "holds 3 tokens")
	f.Tokens = f.Tokens[:2]
	if _, err := CheckRequest(newInput(), f); err != nil {
		t.Errorf("two tokens held: %v", err)
	}
}

func TestReplacementOnlyForATokenTheUserHolds(t *testing.T) {
	in := newInput()
	in.Kind, in.Replaces = RequestReplacement, "000000000009"
	_, err := CheckRequest(in, reqFacts())
	wantRule(t, err, RuleNotHeld, "holds no token 000000000009")
}

func TestReplacementWindowDecidesReplacements(t *testing.T) {
	in := newInput()
	in.Kind, in.Replaces = RequestReplacement, "000000000001"
	f := reqFacts()
	f.Settings.ReplacementWindowDays = 29 // the token has 30 days left
	_, err := CheckRequest(in, f)
	wantRule(t, err, RuleNotExpiring, "only within 29 days of its expiry")
	f.Settings.ReplacementWindowDays = 30
	r, err := CheckRequest(in, f)
	if err != nil || r.Kind != RequestReplacement || r.Replaces != "000000000001" {
		t.Fatalf("replacement within the window: %+v %v", r, err)
	}
}

func TestAdminReplacesALostTokenOutsideTheWindow(t *testing.T) {
	in := newInput()
	in.Kind, in.Replaces, in.LostOrBroken = RequestReplacement, "000000000001", true
	f := reqFacts()
	f.Settings.ReplacementWindowDays = 1
	r, err := CheckRequest(in, f)
	if err != nil || !r.LostOrBroken {
		t.Fatalf("lost token replaced by an admin: %+v %v", r, err)
	}
	in.Origin = OriginSelfService
	_, err = CheckRequest(in, f)
	wantRule(t, err, RuleBadInput, "only an admin")
}

func TestOneOpenRequestPerUserAndKind(t *testing.T) {
	f := reqFacts()
	f.Open = []Request{{Seq: 7, User: "alice", Kind: RequestNew, State: RequestApproved}}
	_, err := CheckRequest(newInput(), f)
	wantRule(t, err, RuleOpenRequest, "R-7")
	// An open replacement does not block a new token.
	f.Open[0].Kind = RequestReplacement
	if _, err := CheckRequest(newInput(), f); err != nil {
		t.Errorf("open replacement blocked a new-token request: %v", err)
	}
}

func TestProfileTakenOutOfTheAvailableListCannotBeRequested(t *testing.T) {
	f := reqFacts()
	f.Settings.Unselect("Staff Android")
	in := newInput()
	in.Profile = "Staff Android"
	_, err := CheckRequest(in, f)
	wantRule(t, err, RuleProfileNotOffered, "not available for request")
}

func TestProfileWhoseConfirmationLapsedCannotBeRequested(t *testing.T) {
	f := reqFacts()
	f.Profiles[1].TokencodeLength = 6 // changed since it was confirmed
	in := newInput()
	in.Profile = "Staff Android"
	_, err := CheckRequest(in, f)
	wantRule(t, err, RuleConfirmLapsed, "confirmation lapsed")
}

func TestProfileThatCannotDeliverIsRefused(t *testing.T) {
	f := reqFacts()
	f.Profiles[1].DeliveryMethod = DeliveryCTKIP
	f.Settings.Entry("Staff Android").Confirm(f.Profiles[1])
	in := newInput()
	in.Profile = "Staff Android"
	_, err := CheckRequest(in, f)
	wantRule(t, err, RuleCannotDeliver, "cannot deliver yet")
}

func TestDeviceIDOnlyWhereTheSettingsAllowEditing(t *testing.T) {
	in := newInput()
	in.DeviceSerial = "my-phone-42"
	f := reqFacts()
	_, err := CheckRequest(in, f)
	wantRule(t, err, RuleDeviceIDNotAllow, "binds to its device class")
	f.Settings.Entry("Staff iPhone").AllowUserEdit = true
	r, err := CheckRequest(in, f)
	if err != nil || r.Binding != (Binding{Kind: BindingDevice, Value: "my-phone-42"}) {
		t.Fatalf("device ID where allowed: %+v %v", r.Binding, err)
	}
	// The class GUID typed back is class binding, allowed everywhere.
	f.Settings.Entry("Staff iPhone").AllowUserEdit = false
	in.DeviceSerial = strings.ToUpper(testProfiles()[0].ClassGUID())
	if r, err := CheckRequest(in, f); err != nil || r.Binding.Kind != BindingClass {
		t.Errorf("class GUID typed: %+v %v", r.Binding, err)
	}
}

func TestPasswordRequiredWhenTheSettingsSaySo(t *testing.T) {
	f := reqFacts()
	f.Settings.UserMustProvidePassword = true
	_, err := CheckRequest(newInput(), f)
	wantRule(t, err, RulePasswordRequired, "is required")
	in := newInput()
	in.Password, in.PasswordConfirm = "secret-pw", "secret-pw"
	r, err := CheckRequest(in, f)
	if err != nil || !r.HasPassword {
		t.Fatalf("with a password: %+v %v", r, err)
	}
}

func TestRequestPasswordLimitsAndNeverInTheError(t *testing.T) {
	cases := []struct{ name, pw, confirm, want string }{
		{"mismatch", "secret-pw", "secret-pX", "do not match"},
		{"too long for AES-128", strings.Repeat("p", 25), strings.Repeat("p", 25), "25 characters"},
		{"too many bytes", strings.Repeat("é", 17), strings.Repeat("é", 17), "34 bytes"},
		{"control character", "pw\x01x", "pw\x01x", "control character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := newInput()
			in.Password, in.PasswordConfirm = c.pw, c.confirm
			_, err := CheckRequest(in, reqFacts())
			wantRule(t, err, RuleBadInput, c.want)
			if strings.Contains(err.Error(), c.pw) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestRequestFieldLimits(t *testing.T) {
	in := newInput()
	in.Nickname = strings.Repeat("n", 25)
	_, err := CheckRequest(in, reqFacts())
	wantRule(t, err, RuleBadInput, "at most 24")
	in = newInput()
	in.Reason = strings.Repeat("r", 513)
	_, err = CheckRequest(in, reqFacts())
	wantRule(t, err, RuleBadInput, "at most 512")
	in = newInput()
	in.Origin = "web"
	_, err = CheckRequest(in, reqFacts())
	wantRule(t, err, RuleBadInput, "not an origin")
}

func TestAutomaticPolicyApprovesAtCreation(t *testing.T) {
	f := reqFacts()
	f.Settings.ApprovalPolicy = ApprovalAutomatic
	r, err := CheckRequest(newInput(), f)
	if err != nil || r.State != RequestApproved || len(r.History) != 2 {
		t.Fatalf("automatic policy: %+v %v", r, err)
	}
}

func TestTwoApprovalPolicyNeedsTwoDifferentAdmins(t *testing.T) {
	r, err := CheckRequest(newInput(), reqFacts())
	if err != nil {
		t.Fatal(err)
	}
	r.Seq = 1
	t1 := reqNow.Add(time.Hour)
	r, err = Approve(r, ApprovalTwo, "ann", t1, "looks fine", "checked HR")
	if err != nil || r.State != RequestPending || ApprovalsMissing(r, ApprovalTwo) != 1 {
		t.Fatalf("after the first approval: %+v %v", r, err)
	}
	again, err := Approve(r, ApprovalTwo, "ann", t1.Add(time.Minute), "", "")
	wantRule(t, err, RuleSameAdmin, "ann already approved request R-1")
	if again.State != RequestPending || len(again.Approvals) != 1 {
		t.Errorf("a refused approval changed the request: %+v", again)
	}
	r, err = Approve(r, ApprovalTwo, "bob", t1.Add(2*time.Minute), "", "")
	if err != nil || r.State != RequestApproved || len(r.Approvals) != 2 {
		t.Fatalf("after the second approval: %+v %v", r, err)
	}
	last := r.History[len(r.History)-1]
	if last.Actor != "bob" || last.State != RequestApproved {
		t.Errorf("history does not end with bob's approval: %+v", last)
	}
	if _, err := Approve(r, ApprovalTwo, "carl", t1, "", ""); RuleOf(err) != RuleWrongState {
		t.Errorf("approving an approved request: %v", err)
	}
}

func TestOneApprovalPolicyApprovesWithTheFirst(t *testing.T) {
	r, _ := CheckRequest(newInput(), reqFacts())
	r, err := Approve(r, ApprovalOne, "ann", reqNow, "", "")
	if err != nil || r.State != RequestApproved {
		t.Fatalf("one approval: %+v %v", r, err)
	}
}

func TestRejectNeedsACommentAndEndsTheRequest(t *testing.T) {
	r, _ := CheckRequest(newInput(), reqFacts())
	_, err := Reject(r, "ann", reqNow, "", "note")
	wantRule(t, err, RuleBadInput, "needs a comment")
	r, err = Reject(r, "ann", reqNow, "You already have a token", "dup")
	if err != nil || r.State != RequestRejected || r.StateReason != "You already have a token" {
		t.Fatalf("reject: %+v %v", r, err)
	}
	if _, err := Cancel(r, "alice", reqNow, ""); RuleOf(err) != RuleWrongState {
		t.Errorf("canceling a rejected request: %v", err)
	}
}

func TestDeferKeepsTheRequestPending(t *testing.T) {
	r, _ := CheckRequest(newInput(), reqFacts())
	r, err := Defer(r, "ann", reqNow, "waiting for your manager", "ask Bob")
	if err != nil || r.State != RequestPending || len(r.Deferrals) != 1 || r.Deferrals[0].Note != "ask Bob" {
		t.Fatalf("defer: %+v %v", r, err)
	}
}

func TestCancelAndFulfilTransitions(t *testing.T) {
	r, _ := CheckRequest(newInput(), reqFacts())
	if _, err := Fulfill(r, "000000000005", reqNow); RuleOf(err) != RuleWrongState {
		t.Errorf("fulfilling a pending request: %v", err)
	}
	c, err := Cancel(r, "alice", reqNow, "not needed")
	if err != nil || c.State != RequestCanceled {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	a, _ := Approve(r, ApprovalOne, "ann", reqNow, "", "")
	f, err := Fulfill(a, "000000000005", reqNow)
	if err != nil || f.State != RequestFulfilled || f.Serial != "000000000005" {
		t.Fatalf("fulfil: %+v %v", f, err)
	}
	x, err := Fail(a, reqNow, "no token available")
	if err != nil || x.State != RequestFailed || x.StateReason != "no token available" {
		t.Fatalf("fail: %+v %v", x, err)
	}
}

func TestApprovalPolicySetting(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	if s.Policy() != ApprovalOne {
		t.Errorf("default policy %q", s.Policy())
	}
	s.ApprovalPolicy = "three"
	wantField(t, s.Validate(ps), "", FieldApprovalPol)
	s.ApprovalPolicy = ApprovalTwo
	if err := s.Validate(ps); err != nil {
		t.Fatal(err)
	}
	d := Diff(validSettings(ps), s)
	if len(d) != 1 || !strings.Contains(d[0], "One approval -> Two approvals") {
		t.Errorf("diff of the policy: %q", d)
	}
	if p, err := ParseApprovalPolicy(" Two "); err != nil || p != ApprovalTwo {
		t.Errorf("parse: %q %v", p, err)
	}
}

func TestParseRequestID(t *testing.T) {
	for in, want := range map[string]uint64{"R-12": 12, "r-3": 3, "7": 7} {
		if got, err := ParseRequestID(in); err != nil || got != want {
			t.Errorf("ParseRequestID(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "R-", "R-0", "R-012", "X-1", "R-1a"} {
		if _, err := ParseRequestID(bad); err == nil {
			t.Errorf("ParseRequestID(%q) accepted", bad)
		}
	}
}

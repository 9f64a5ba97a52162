package model

import (
	"slices"
	"testing"
)

func TestCriteriaValidate(t *testing.T) {
	cases := []struct {
		name     string
		c        Criteria
		wantErr  string
		errField string
	}{
		{"range", Criteria{From: "000000000100", To: "000000000200"}, "", ""},
		{"one-token range", Criteria{From: "123456789012", To: "123456789012"}, "", ""},
		{"short numbers compare numerically", Criteria{From: "99", To: "100"}, "", ""},
		{"all", Criteria{All: true}, "", ""},
		{"all with filters", Criteria{All: true, AssignedUser: "jdoe", NeverDistributedOnly: true, Algorithm: AlgSID64}, "", ""},
		{"empty never means everything", Criteria{}, "choose a serial range or all eligible tokens", FieldCriteria},
		{"filters alone are not a selection", Criteria{AssignedUser: "jdoe"}, "choose a serial range or all eligible tokens", FieldCriteria},
		{"from > to", Criteria{From: "000000000200", To: "000000000100"}, "from must not be greater than to", FieldFrom},
		{"from > to numerically", Criteria{From: "100", To: "99"}, "from must not be greater than to", FieldFrom},
		{"from only", Criteria{From: "100"}, "must not be blank", FieldTo},
		{"to only", Criteria{To: "100"}, "must not be blank", FieldFrom},
		{"bad from", Criteria{From: "1x", To: "100"}, "digits only", FieldFrom},
		{"13-digit to", Criteria{From: "1", To: "1234567890123"}, "13 digits", FieldTo},
		{"range and all", Criteria{From: "1", To: "2", All: true}, "not both", FieldCriteria},
		{"bad user filter", Criteria{All: true, AssignedUser: " x"}, "space", FieldAssignedUser},
		{"bad algorithm filter", Criteria{All: true, Algorithm: "DES"}, "not an algorithm", FieldAlgorithm},
	}
	for _, c := range cases {
		err := c.c.Validate()
		check(t, err, c.wantErr)
		if c.errField != "" {
			wantField(t, err, "", c.errField)
		}
	}
}

func TestCriteriaMatches(t *testing.T) {
	tok := softToken("000000000150", "jdoe")
	dist := tok
	dist.Distribution.Count = 2
	hw := Token{Serial: "150", Kind: KindHardware, Algorithm: AlgSID64}
	cases := []struct {
		name string
		c    Criteria
		tok  Token
		want bool
	}{
		{"inside", Criteria{From: "100", To: "200"}, tok, true},
		{"from is inclusive", Criteria{From: "150", To: "200"}, tok, true},
		{"to is inclusive", Criteria{From: "100", To: "000000000150"}, tok, true},
		{"below", Criteria{From: "151", To: "200"}, tok, false},
		{"above", Criteria{From: "1", To: "149"}, tok, false},
		{"short hardware serial compared numerically", Criteria{From: "100", To: "200"}, hw, true},
		{"1500 is not inside 100-200", Criteria{From: "100", To: "200"}, softToken("000000001500", "x"), false},
		{"all", Criteria{All: true}, tok, true},
		{"user filter match", Criteria{All: true, AssignedUser: "jdoe"}, tok, true},
		{"user filter is case-sensitive", Criteria{All: true, AssignedUser: "JDoe"}, tok, false},
		{"never distributed: fresh", Criteria{All: true, NeverDistributedOnly: true}, tok, true},
		{"never distributed: distributed", Criteria{All: true, NeverDistributedOnly: true}, dist, false},
		{"algorithm match", Criteria{All: true, Algorithm: AlgAES128}, tok, true},
		{"algorithm mismatch", Criteria{All: true, Algorithm: AlgSID64}, tok, false},
	}
	for _, c := range cases {
		if got := c.c.Matches(c.tok); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestEligibility(t *testing.T) {
	now := day(2026, 1, 1)
	ok := softToken("123456789012", "jdoe")
	mut := func(f func(*Token)) Token { t := ok; f(&t); return t }
	sid := mut(func(t *Token) { t.Algorithm = AlgSID64 })
	cases := []struct {
		name  string
		tok   Token
		mode  PasswordMode
		admin string
		want  Reason
	}{
		{"eligible", ok, PasswordAdmin, "secret", Eligible},
		{"hardware", mut(func(t *Token) { t.Kind = KindHardware }), PasswordNone, "", NotSoftware},
		{"unassigned", mut(func(t *Token) { t.AssignedUser, t.Enabled = "", true }), PasswordNone, "", Unassigned},
		{"disabled", mut(func(t *Token) { t.Enabled = false }), PasswordNone, "", Disabled},
		{"expired", mut(func(t *Token) { t.Death = day(2025, 12, 31) }), PasswordNone, "", Expired},
		{"expires today: still eligible", mut(func(t *Token) { t.Death = now }), PasswordNone, "", Eligible},
		{"SID user ID 4 + password 4", sid, PasswordUserIDAndAdmin, "1234", Eligible},
		{"SID user ID 4 + password 5", sid, PasswordUserIDAndAdmin, "12345", PasswordTooLong},
		{"SID user ID too long", mut(func(t *Token) { t.Algorithm, t.AssignedUser = AlgSID64, "longuserid" }), PasswordUserID, "", PasswordTooLong},
		{"first reason wins", mut(func(t *Token) { t.Kind, t.AssignedUser, t.Enabled = KindHardware, "", false }), PasswordNone, "", NotSoftware},
	}
	for _, c := range cases {
		if got := Eligibility(c.tok, c.mode, c.admin, now); got != c.want {
			t.Errorf("%s: Eligibility = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestReasonLabels(t *testing.T) {
	cases := []struct {
		r     Reason
		label string
	}{
		{Eligible, "eligible"},
		{NotSoftware, "not a software token"},
		{Unassigned, "unassigned"},
		{Disabled, "disabled"},
		{Expired, "expired"},
		{PasswordTooLong, "password too long"},
		{InUnfinishedJob, "in an unfinished job"},
		{NoCTFForm, "64-bit token: no CTF form"},
	}
	for _, c := range cases {
		if c.r.Label() != c.label || c.r.String() != c.label {
			t.Errorf("Reason %d label %q, want %q", c.r, c.r.Label(), c.label)
		}
	}
	// product.md's five reasons, in its order, with the CTF jobs' 64-bit
	// reason (section 11) before the password length it makes moot, then
	// the one swtoken adds (a token in a queued or running job:
	// docs/DECISIONS.md).
	want := []Reason{NotSoftware, Unassigned, Disabled, Expired, NoCTFForm, PasswordTooLong, InUnfinishedJob}
	if got := IneligibleReasons(); !slices.Equal(got, want) {
		t.Errorf("IneligibleReasons() = %v, want %v", got, want)
	}
}

func TestCriteriaDescribe(t *testing.T) {
	cases := []struct {
		c    Criteria
		want string
	}{
		{Criteria{From: "100000000001", To: "100000000050"}, "serials 100000000001 to 100000000050"},
		{Criteria{All: true}, "all eligible tokens"},
		{Criteria{All: true, AssignedUser: "jsmith", NeverDistributedOnly: true, Algorithm: AlgAES128},
			"all eligible tokens, assigned to jsmith, never distributed, AES-128 only"},
	}
	for _, c := range cases {
		if got := c.c.Describe(); got != c.want {
			t.Errorf("Describe(%+v) = %q, want %q", c.c, got, c.want)
		}
	}
}

package model

import (
	"errors"
	"strings"
	"testing"
)

// TestTooLongTokensBlockUnlessTheSpecLeavesThemOut: tokens whose password
// would be too long block the job (a *TooLongError that is also a
// FieldError on the password) until the spec leaves them out; every other
// reason is only left out.
func TestTooLongTokensBlockUnlessTheSpecLeavesThemOut(t *testing.T) {
	s := Summary{Count: 3, First: "000000000001", Last: "000000000003",
		Ineligible: map[Reason]int{PasswordTooLong: 2, Expired: 1},
		TooLong:    []TokenRef{{"000000000004", "ann"}, {"000000000005", "bob"}}}
	spec := JobSpec{PasswordMode: PasswordUserID}
	err := CanSubmit(spec, s)
	var tl *TooLongError
	if !errors.As(err, &tl) || tl.Count != 2 || len(tl.Tokens) != 2 {
		t.Fatalf("CanSubmit = %v, want a TooLongError for 2 tokens", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != FieldPassword {
		t.Fatalf("the refusal is not a FieldError on the password: %v", err)
	}
	for _, want := range []string{"2 tokens would get a password outside their limit", "000000000004 (user ann)", "000000000005 (user bob)", "leave them out"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if !PasswordTooLong.Blocks(spec) || Expired.Blocks(spec) {
		t.Error("only PasswordTooLong blocks")
	}
	if s.LeftOutNote(spec) != "" {
		t.Errorf("a blocking summary has a left-out note: %q", s.LeftOutNote(spec))
	}

	spec.SkipTooLong = true
	if err := CanSubmit(spec, s); err != nil {
		t.Fatalf("with SkipTooLong: %v", err)
	}
	if PasswordTooLong.Blocks(spec) {
		t.Error("PasswordTooLong blocks with SkipTooLong")
	}
	if got := s.LeftOutNote(spec); got != "2 left out: password too long" {
		t.Errorf("LeftOutNote = %q", got)
	}
	// Nothing eligible is refused even when the too-long ones are left out.
	none := Summary{Ineligible: map[Reason]int{PasswordTooLong: 2, Unassigned: 1}}
	if err := CanSubmit(spec, none); err == nil || !strings.Contains(err.Error(), "no eligible tokens match the criteria (left out: 1 unassigned, 2 password too long)") {
		t.Fatalf("nothing eligible: %v", err)
	}
}

// TestIneligibleTextIsInTheSummarysOrder: one wording of what was left out.
func TestIneligibleTextIsInTheSummarysOrder(t *testing.T) {
	s := Summary{Ineligible: map[Reason]int{InUnfinishedJob: 1, Unassigned: 3, Expired: 1}}
	if got, want := s.IneligibleText(), "3 unassigned, 1 expired, 1 in an unfinished job"; got != want {
		t.Fatalf("IneligibleText = %q, want %q", got, want)
	}
	if (Summary{}).IneligibleText() != "" {
		t.Fatal("nothing left out is not blank")
	}
}

// TestSelectionChangedErrorSaysThenAndNow: the refusal of a submit whose
// fresh plan differs from the summary names both selections.
func TestSelectionChangedErrorSaysThenAndNow(t *testing.T) {
	then := Summary{Count: 22, First: "000000000001", Last: "000000000022"}.Selection()
	now := Selection{Count: 21, First: "000000000001", Last: "000000000021"}
	err := &SelectionChangedError{Then: then, Now: now}
	want := "the selection changed since the summary: 22 tokens 000000000001-000000000022 then, 21 tokens 000000000001-000000000021 now; review the summary again"
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err, want)
	}
	if got := (Selection{Count: 1, First: "000000000007", Last: "000000000007"}).String(); got != "1 token 000000000007" {
		t.Fatal(got)
	}
	if got := (Selection{}).String(); got != "0 tokens" {
		t.Fatal(got)
	}
}

// TestCountsAgreeWithTheirNouns: "1 of the 22 tokens was", never "were".
func TestCountsAgreeWithTheirNouns(t *testing.T) {
	spec, _ := goodSpec()
	for _, c := range []struct {
		s    Summary
		want string
	}{
		{Summary{Count: 22, Redistributed: 1}, "1 of the 22 tokens was distributed before."},
		{Summary{Count: 22, Redistributed: 2}, "2 of the 22 tokens were distributed before."},
		{Summary{Count: 1, Redistributed: 1}, "1 of the 1 token was distributed before."},
	} {
		if w := c.s.Warnings(spec); len(w) == 0 || !strings.HasPrefix(w[0], c.want) {
			t.Errorf("Warnings = %q, want %q", w, c.want)
		}
	}
	if w := SupersededWarning(1, 22, nil); !strings.HasPrefix(w, "1 of the 22 files in this ZIP no longer works") {
		t.Error(w)
	}
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 tokens"}, {1, "1 token"}, {2, "2 tokens"}} {
		if got := Plural(c.n, "token"); got != c.want {
			t.Errorf("Plural(%d) = %q", c.n, got)
		}
	}
}

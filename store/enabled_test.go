package store

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestSetTokenEnabled(t *testing.T) {
	s, _ := newStore(t)
	free := mkToken(t, s, "000000000001", model.KindSoftware)
	held := mkToken(t, s, "000000000002", model.KindSoftware)
	hw := mkToken(t, s, "77", model.KindHardware)
	seedStore(t, s, []string{"alice", "bob"}, []model.Token{free, held, hw})
	if err := s.Assign(held.Serial, "alice"); err != nil {
		t.Fatal(err)
	}

	want := func(serial string, enabled, byAdmin bool) {
		t.Helper()
		tok, err := s.Token(serial)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Enabled != enabled || tok.EnabledSetByAdmin != byAdmin {
			t.Fatalf("token %s: enabled %v by admin %v, want %v %v", serial, tok.Enabled, tok.EnabledSetByAdmin, enabled, byAdmin)
		}
	}
	set := func(serial string, on bool, wantAct ...string) model.Token {
		t.Helper()
		mark := auditMark(t, s)
		tok, err := s.SetTokenEnabled(serial, on)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Serial != serial || tok.Enabled != on || !tok.EnabledSetByAdmin {
			t.Fatalf("SetTokenEnabled(%s, %v) returned %+v", serial, on, tok)
		}
		recs := wantAudit(t, s, mark, wantAct...)
		for _, r := range recs {
			if !strings.Contains(r.Details, "was ") {
				t.Errorf("audit details %q do not say the state before", r.Details)
			}
		}
		want(serial, on, true)
		return tok
	}

	// An assigned token, enabled by its assignment: disable and enable.
	want(held.Serial, true, false)
	set(held.Serial, false, "token disable|token "+held.Serial)
	set(held.Serial, false) // no-op: no audit record
	set(held.Serial, true, "token enable|token "+held.Serial)
	// The admin's choice survives unassign and assign.
	if err := s.Unassign(held.Serial); err != nil {
		t.Fatal(err)
	}
	want(held.Serial, true, true)

	// An unassigned token is disabled by its (missing) assignment; a
	// disable by the admin is a change (the choice becomes the admin's).
	want(free.Serial, false, false)
	set(free.Serial, false, "token disable|token "+free.Serial)
	if err := s.Assign(free.Serial, "bob"); err != nil {
		t.Fatal(err)
	}
	want(free.Serial, false, true)
	if got := model.Eligibility(mustToken(t, s, free.Serial), model.PasswordNone, "", s.now()); got != model.Disabled {
		t.Fatalf("eligibility of a disabled token: %v", got)
	}
	// Hardware-style serials work the same.
	set(hw.Serial, true, "token enable|token "+hw.Serial)

	// Back to following the assignment.
	mark := auditMark(t, s)
	tok, err := s.SetTokenEnabledAuto(free.Serial)
	if err != nil || !tok.Enabled || tok.EnabledSetByAdmin {
		t.Fatalf("SetTokenEnabledAuto: %+v %v", tok, err)
	}
	recs := wantAudit(t, s, mark, "token follow assignment|token "+free.Serial)
	if d := recs[0].Details; !strings.Contains(d, "user bob; token enabled; was disabled (set by the admin)") {
		t.Errorf("details %q", d)
	}
	want(free.Serial, true, false)
	if err := s.Unassign(free.Serial); err != nil {
		t.Fatal(err)
	}
	want(free.Serial, false, false)
	mark = auditMark(t, s)
	if _, err := s.SetTokenEnabledAuto(free.Serial); err != nil { // no-op
		t.Fatal(err)
	}
	wantAudit(t, s, mark)
	if tok, err := s.SetTokenEnabledAuto(hw.Serial); err != nil || tok.Enabled {
		t.Fatalf("unassigned hardware token after auto: %+v %v", tok, err)
	}

	// Unknown and malformed serials change nothing.
	mark = auditMark(t, s)
	_, err = s.SetTokenEnabled("000000000009", true)
	wantNotFound(t, err)
	_, err = s.SetTokenEnabledAuto("000000000009")
	wantNotFound(t, err)
	_, err = s.SetTokenEnabled("0077", true) // the same number as "77"
	wantNotFound(t, err)
	_, err = s.SetTokenEnabled("abc", false)
	wantErr(t, err, "digits only")
	wantAudit(t, s, mark)

	if err := s.Check(); err != nil {
		t.Fatalf("Check after enable/disable: %v", err)
	}
	noSeedInAudit(t, s, testSeed(free.Serial), testSeed(held.Serial), testSeed(hw.Serial))
}

// TestSetTokenEnabledSurvivesReopen: the admin's flag is stored, not just
// held in memory.
func TestSetTokenEnabledSurvivesReopen(t *testing.T) {
	s, dir := newStore(t)
	seedStore(t, s, []string{"alice"}, []model.Token{mkToken(t, s, "000000000001", model.KindSoftware)})
	if err := s.Assign("000000000001", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTokenEnabled("000000000001", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	tok := mustToken(t, s2, "000000000001")
	if tok.Enabled || !tok.EnabledSetByAdmin || tok.AssignedUser != "alice" {
		t.Fatalf("after reopen: %+v", tok)
	}
	if err := s2.Check(); err != nil {
		t.Fatal(err)
	}
}

func mustToken(t *testing.T, s *Store, serial string) model.Token {
	t.Helper()
	tok, err := s.Token(serial)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

package store

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestInviteUserCodeIsTypeableAndStoredOnlyHashed(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	mark := auditMark(t, s)
	inv, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`).MatchString(inv.Code) {
		t.Fatalf("code %q is not 4 groups of 4 base32 characters", inv.Code)
	}
	if !inv.Expires.Equal(now.Add(72*time.Hour)) || inv.User != "alice" {
		t.Fatalf("invitation %+v", inv)
	}
	recs := wantAudit(t, s, mark, "user invite|user alice")
	norm := strings.ReplaceAll(inv.Code, "-", "")
	for _, r := range recs {
		if strings.Contains(r.Details, norm[:8]) || strings.Contains(r.Details, inv.Code[:4]+"-") {
			t.Fatalf("the audit holds the code: %q", r.Details)
		}
	}
	db := readDB(t, s.DataDir())
	if bytes.Contains(db, []byte(norm)) || bytes.Contains(db, []byte(inv.Code)) {
		t.Fatal("the code is stored in the clear")
	}
	live, exp, err := s.EnrollmentStatus("alice", now)
	if !live || !exp.Equal(inv.Expires) || err != nil {
		t.Fatalf("status %v %v %v", live, exp, err)
	}
	if live, _, _ := s.EnrollmentStatus("bob", now); live {
		t.Fatal("bob has a code")
	}
	if _, err := s.InviteUser("nobody", now); err == nil {
		t.Fatal("an unknown user invited")
	}
}

func TestInviteCodesAreDifferent(t *testing.T) {
	s := keyStore(t)
	seen := map[string]bool{}
	for range 20 {
		inv, err := s.InviteUser("alice", day(2030, 12, 1))
		if err != nil {
			t.Fatal(err)
		}
		if seen[inv.Code] {
			t.Fatalf("code %s drawn twice", inv.Code)
		}
		seen[inv.Code] = true
	}
}

func TestRedeemEnrollmentIsSingleUseAndForgivingInForm(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	inv, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := s.RedeemEnrollment("bob", inv.Code, now); res != EnrollRefused || err != nil {
		t.Fatalf("alice's code for bob: %v %v", res, err)
	}
	if res, err := s.RedeemEnrollment("nobody", inv.Code, now); res != EnrollRefused || err != nil {
		t.Fatalf("unknown user: %v %v", res, err)
	}
	typed := " " + strings.ToLower(strings.ReplaceAll(inv.Code, "-", " ")) + " "
	mark := auditMark(t, s)
	if res, err := s.RedeemEnrollment("alice", typed, now.Add(time.Hour)); res != EnrollAccepted || err != nil {
		t.Fatalf("the right code in lower case with spaces: %v %v", res, err)
	}
	wantAudit(t, s, mark, "user enrollment used|user alice")
	if res, _ := s.RedeemEnrollment("alice", inv.Code, now.Add(time.Hour)); res != EnrollRefused {
		t.Fatal("a used code accepted again")
	}
	if live, _, _ := s.EnrollmentStatus("alice", now); live {
		t.Fatal("a used code is live")
	}
}

func TestRedeemEnrollmentReadsAmbiguousLettersAsDigits(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	for {
		inv, err := s.InviteUser("alice", now)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.ContainsAny(inv.Code, "01") {
			continue
		}
		typed := strings.NewReplacer("0", "o", "1", "l").Replace(inv.Code)
		if res, err := s.RedeemEnrollment("alice", typed, now); res != EnrollAccepted || err != nil {
			t.Fatalf("%q for %q: %v %v", typed, inv.Code, res, err)
		}
		return
	}
}

func TestRedeemEnrollmentExpiresAfter72Hours(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	inv, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	mark := auditMark(t, s)
	if res, _ := s.RedeemEnrollment("alice", inv.Code, now.Add(EnrollmentTTL)); res != EnrollRefused {
		t.Fatal("an expired code accepted")
	}
	wantAudit(t, s, mark)
	if live, _, _ := s.EnrollmentStatus("alice", now.Add(EnrollmentTTL)); live {
		t.Fatal("an expired code is live")
	}
	if res, _ := s.RedeemEnrollment("alice", inv.Code, now.Add(EnrollmentTTL-time.Second)); res != EnrollAccepted {
		t.Fatal("a code refused before its expiry")
	}
}

func TestRedeemEnrollmentFifthWrongTryEndsTheCode(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	inv, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	wrong := "AAAA-BBBB-CCCC-DDDD"
	if wrong == inv.Code {
		wrong = "AAAA-BBBB-CCCC-DDDE"
	}
	mark := auditMark(t, s)
	for i := 1; i <= 4; i++ {
		bad := wrong
		if i == 2 {
			bad = "not even a code" // malformed input counts too
		}
		if res, err := s.RedeemEnrollment("alice", bad, now); res != EnrollRefused || err != nil {
			t.Fatalf("wrong try %d: %v %v", i, res, err)
		}
	}
	wantAudit(t, s, mark)
	if live, _, _ := s.EnrollmentStatus("alice", now); !live {
		t.Fatal("four wrong tries ended the code")
	}
	if res, _ := s.RedeemEnrollment("alice", wrong, now); res != EnrollRefused {
		t.Fatal("fifth wrong try accepted")
	}
	wantAudit(t, s, mark, "user enrollment ended|user alice")
	if res, _ := s.RedeemEnrollment("alice", inv.Code, now); res != EnrollRefused {
		t.Fatal("the right code accepted after five wrong tries")
	}
	// A new invitation replaces the ended code.
	inv2, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.RedeemEnrollment("alice", inv2.Code, now); res != EnrollAccepted {
		t.Fatal("a new code refused")
	}
}

func TestInviteUserReplacesTheEarlierCode(t *testing.T) {
	s := keyStore(t)
	now := day(2030, 12, 1)
	first, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.InviteUser("alice", now)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.RedeemEnrollment("alice", first.Code, now); res != EnrollRefused {
		t.Fatal("the replaced code accepted")
	}
	if res, _ := s.RedeemEnrollment("alice", second.Code, now); res != EnrollAccepted {
		t.Fatal("the new code refused")
	}
}

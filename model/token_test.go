package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseSerial(t *testing.T) {
	cases := []struct {
		in, want, wantErr string
	}{
		{"000123456789", "000123456789", ""},
		{" 123 ", "123", ""},
		{"1", "1", ""},
		{"123456789012", "123456789012", ""},
		{"1234567890123", "", "13 digits"},
		{"", "", "blank"},
		{"12a4", "", "digits only"},
		{"-12", "", "digits only"},
		{"１２３", "", "digits only"}, // full-width digits are not ASCII digits
	}
	for _, c := range cases {
		got, err := ParseSerial(c.in)
		check(t, err, c.wantErr)
		if got != c.want {
			t.Errorf("ParseSerial(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValidateSerialByKind(t *testing.T) {
	cases := []struct {
		serial  string
		kind    TokenKind
		wantErr string
	}{
		{"123456789012", KindSoftware, ""},
		{"000000000001", KindSoftware, ""},
		{"12345678901", KindSoftware, "exactly 12"},
		{"1234567890123", KindSoftware, "at most 12"},
		{"12345678", KindHardware, ""},
		{"1", KindHardware, ""},
		{"12345678901", KindHardware, ""},
		{"1234567890123", KindHardware, "at most 12"},
		{" 12345678", KindHardware, "spaces"},
	}
	for _, c := range cases {
		err := ValidateSerial(c.serial, c.kind)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldSerial)
		}
	}
}

func TestSerialOrdering(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"150", "1500", -1},
		{"000000000150", "150", 0},
		{"99", "100", -1},
		{"123456789012", "99999999999", 1},
		{"000123456789", "000123456790", -1},
	}
	for _, c := range cases {
		if got := CompareSerials(c.a, c.b); got != c.want {
			t.Errorf("CompareSerials(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := SerialKey("42"); got != "000000000042" {
		t.Errorf("SerialKey(42) = %q", got)
	}
}

func TestParseAlgorithmAndLimits(t *testing.T) {
	cases := []struct {
		in      string
		want    Algorithm
		limit   int
		wantErr string
	}{
		{"AES-128", AlgAES128, 24, ""},
		{"aes-128", AlgAES128, 24, ""},
		{"SID-64", AlgSID64, 8, ""},
		{"sid-64", AlgSID64, 8, ""},
		{"DES", "", 0, "not an algorithm"},
	}
	for _, c := range cases {
		got, err := ParseAlgorithm(c.in)
		check(t, err, c.wantErr)
		if got != c.want || got.PasswordLimit() != c.limit {
			t.Errorf("ParseAlgorithm(%q) = %q limit %d, want %q limit %d", c.in, got, got.PasswordLimit(), c.want, c.limit)
		}
	}
}

func TestExpiry(t *testing.T) {
	tok := softToken("123456789012", "jdoe")
	tok.Death = day(2030, 6, 30)
	cases := []struct {
		name    string
		now     time.Time
		expired bool
		within  int // window days
		inWin   bool
	}{
		{"long before", day(2030, 1, 1), false, 30, false},
		{"31 days before", day(2030, 5, 30), false, 30, false},
		{"30 days before", day(2030, 5, 31), false, 30, true},
		{"on the death date, late", time.Date(2030, 6, 30, 23, 59, 59, 0, time.UTC), false, 30, true},
		{"the day after", day(2030, 7, 1), true, 30, false},
		{"local time after UTC midnight", time.Date(2030, 7, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), false, 30, true},
		{"window 1, one day before", day(2030, 6, 29), false, 1, true},
		{"window 1, two days before", day(2030, 6, 28), false, 1, false},
	}
	for _, c := range cases {
		if got := tok.Expired(c.now); got != c.expired {
			t.Errorf("%s: Expired = %v, want %v", c.name, got, c.expired)
		}
		if got := tok.ExpiresWithin(c.now, c.within); got != c.inWin {
			t.Errorf("%s: ExpiresWithin(%d) = %v, want %v", c.name, c.within, got, c.inWin)
		}
	}
	never := tok
	never.Death = time.Time{}
	if never.Expired(day(2099, 1, 1)) || never.ExpiresWithin(day(2099, 1, 1), 365) {
		t.Error("a token without a death date never expires")
	}
}

func TestTokenValidate(t *testing.T) {
	good := softToken("123456789012", "jdoe")
	cases := []struct {
		name   string
		mutate func(*Token)
		fields []string
	}{
		{"valid", func(*Token) {}, nil},
		{"valid hardware", func(t *Token) { t.Kind, t.Serial = KindHardware, "12345678" }, nil},
		{"short software serial", func(t *Token) { t.Serial = "12345678" }, []string{FieldSerial}},
		{"unknown kind", func(t *Token) { t.Kind = "virtual" }, []string{FieldKind}},
		{"unknown kind and bad serial", func(t *Token) { t.Kind, t.Serial = "", "x" }, []string{FieldKind, FieldSerial}},
		{"bad algorithm", func(t *Token) { t.Algorithm = "AES-256" }, []string{FieldAlgorithm}},
		{"no death", func(t *Token) { t.Death = time.Time{} }, []string{FieldDeath}},
		{"death before birth", func(t *Token) { t.Death = day(2024, 12, 31) }, []string{FieldDeath}},
		{"bad user", func(t *Token) { t.AssignedUser = " jdoe" }, []string{FieldAssignedUser}},
		{"negative count", func(t *Token) { t.Distribution.Count = -1 }, []string{FieldTimesDist}},
		{"bad binding kind", func(t *Token) { t.Distribution.BindingKind = "both" }, []string{FieldBinding}},
	}
	for _, c := range cases {
		tok := good
		c.mutate(&tok)
		err := tok.Validate()
		if len(c.fields) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected %v", c.name, err)
			}
			continue
		}
		if n := len(AsFieldErrors(err)); n != len(c.fields) {
			t.Errorf("%s: want %d errors, got %v", c.name, len(c.fields), err)
		}
		for _, f := range c.fields {
			wantField(t, err, "", f)
		}
	}
}

func TestTokenStringHidesSeed(t *testing.T) {
	tok := softToken("123456789012", "jdoe")
	tok.SealedSeed = []byte("SEALEDSEEDBYTES")
	if s := tok.String(); strings.Contains(s, "SEALED") {
		t.Errorf("String shows the sealed seed: %s", s)
	}
}

func TestCheckAssign(t *testing.T) {
	free := softToken("123456789012", "")
	taken := softToken("123456789013", "alice")
	cases := []struct {
		name    string
		tok     Token
		user    string
		holds   int
		wantErr string
	}{
		{"free token, user with none", free, "bob", 0, ""},
		{"free token, user with 2", free, "bob", 2, ""},
		{"free token, user with 3", free, "bob", MaxTokensPerUser, "already holds 3"},
		{"token of another user", taken, "bob", 0, "already assigned to alice"},
		{"token of the same user", taken, "alice", 1, "already assigned to alice"},
		{"bad user ID", free, "", 0, "blank"},
	}
	for _, c := range cases {
		err := CheckAssign(c.tok, c.user, c.holds)
		check(t, err, c.wantErr)
	}
}

func TestEnabledFollowsAssignment(t *testing.T) {
	cases := []struct {
		name        string
		enabled     bool
		setByAdmin  bool
		assign      bool // true: Assign, false: Unassign
		wantEnabled bool
	}{
		{"assign enables", false, false, true, true},
		{"unassign disables", true, false, false, false},
		{"admin-disabled stays disabled on assign", false, true, true, false},
		{"admin-enabled stays enabled on unassign", true, true, false, true},
	}
	for _, c := range cases {
		tok := softToken("123456789012", "")
		tok.Enabled, tok.EnabledSetByAdmin = c.enabled, c.setByAdmin
		if got := EnabledAfter(tok, c.assign); got != c.wantEnabled {
			t.Errorf("%s: EnabledAfter = %v, want %v", c.name, got, c.wantEnabled)
		}
		if c.assign {
			tok.Assign("jdoe")
		} else {
			tok.Unassign()
		}
		if tok.Enabled != c.wantEnabled {
			t.Errorf("%s: Enabled = %v after the change, want %v", c.name, tok.Enabled, c.wantEnabled)
		}
	}
	// SetEnabled makes the choice sticky; FollowAssignment releases it.
	tok := softToken("123456789012", "")
	tok.Assign("jdoe")
	tok.SetEnabled(false)
	tok.Unassign()
	tok.Assign("bob")
	if tok.Enabled {
		t.Error("the admin's disable must survive reassignment")
	}
	tok.FollowAssignment()
	if !tok.Enabled || tok.EnabledSetByAdmin {
		t.Error("FollowAssignment must enable an assigned token and drop the override")
	}
}

func TestDistributionCodeSettingsValidated(t *testing.T) {
	tok := Token{Serial: "123456789012", Kind: KindSoftware, Algorithm: AlgAES128,
		Death: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	tok.Distribution = Distribution{Count: 1, Digits: 8, IntervalSeconds: 60, AddPIN: true}
	if err := tok.Validate(); err != nil {
		t.Fatalf("valid code settings refused: %v", err)
	}
	tok.Distribution.Digits = 9
	if err := tok.Validate(); err == nil || !strings.Contains(err.Error(), "code length 9") {
		t.Fatalf("digits 9: %v", err)
	}
	tok.Distribution.Digits, tok.Distribution.IntervalSeconds = 6, 45
	if err := tok.Validate(); err == nil || !strings.Contains(err.Error(), "interval 45") {
		t.Fatalf("interval 45: %v", err)
	}
}

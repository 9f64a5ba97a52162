package model

import (
	"strings"
	"testing"
)

func TestPasswordModes(t *testing.T) {
	cases := []struct {
		cli, label    string
		mode          PasswordMode
		needsAdmin    bool
		usesUserID    bool
		effectivePass string // for user "jdoe", admin password "pw"
	}{
		{"none", "No password", PasswordNone, false, false, ""},
		{"password", "Password", PasswordAdmin, true, false, "pw"},
		{"userid", "User ID", PasswordUserID, false, true, "jdoe"},
		{"userid+password", "User ID followed by Password", PasswordUserIDAndAdmin, true, true, "jdoepw"},
	}
	for _, c := range cases {
		for _, in := range []string{c.cli, strings.ToUpper(c.cli), c.label} {
			m, err := ParsePasswordMode(in)
			if err != nil || m != c.mode {
				t.Errorf("ParsePasswordMode(%q) = %q, %v", in, m, err)
			}
		}
		if c.mode.String() != c.cli || c.mode.Label() != c.label {
			t.Errorf("%s: String %q Label %q", c.cli, c.mode.String(), c.mode.Label())
		}
		if c.mode.NeedsAdminPassword() != c.needsAdmin || c.mode.UsesUserID() != c.usesUserID {
			t.Errorf("%s: NeedsAdminPassword/UsesUserID wrong", c.cli)
		}
		if got := EffectivePassword(c.mode, "jdoe", "pw"); got != c.effectivePass {
			t.Errorf("EffectivePassword(%s) = %q, want %q", c.cli, got, c.effectivePass)
		}
	}
	if _, err := ParsePasswordMode("pin"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestCheckPasswordLength(t *testing.T) {
	r := strings.Repeat
	cases := []struct {
		name    string
		mode    PasswordMode
		user    string
		admin   string
		alg     Algorithm
		wantErr string
	}{
		{"none always passes", PasswordNone, "", "", AlgSID64, ""},
		{"AES 1 char", PasswordAdmin, "u", "p", AlgAES128, ""},
		{"AES 24 chars", PasswordAdmin, "u", r("p", 24), AlgAES128, ""},
		{"AES 25 chars", PasswordAdmin, "u", r("p", 25), AlgAES128, "25 characters; AES-128 tokens allow 1-24"},
		{"SID 8 chars", PasswordAdmin, "u", r("p", 8), AlgSID64, ""},
		{"SID 9 chars", PasswordAdmin, "u", r("p", 9), AlgSID64, "9 characters; SID-64 tokens allow 1-8"},
		{"empty admin password", PasswordAdmin, "u", "", AlgAES128, "empty"},
		{"user ID 24", PasswordUserID, r("u", 24), "", AlgAES128, ""},
		{"user ID 9 on SID", PasswordUserID, r("u", 9), "", AlgSID64, "9 characters"},
		{"combination 24", PasswordUserIDAndAdmin, r("u", 20), r("p", 4), AlgAES128, ""},
		{"combination 25", PasswordUserIDAndAdmin, r("u", 20), r("p", 5), AlgAES128, "25 characters"},
		{"combination 8 on SID", PasswordUserIDAndAdmin, "jdoe", "1234", AlgSID64, ""},
		{"combination 9 on SID", PasswordUserIDAndAdmin, "jdoe", "12345", AlgSID64, "9 characters"},
		{"runes not bytes: 8 x é on SID", PasswordAdmin, "u", r("é", 8), AlgSID64, ""},
		{"16 x é = 32 bytes on AES", PasswordAdmin, "u", r("é", 16), AlgAES128, ""},
		{"17 x é = 34 bytes on AES", PasswordAdmin, "u", r("é", 17), AlgAES128, "34 bytes"},
		{"unknown algorithm", PasswordAdmin, "u", "p", "", "no password limit"},
	}
	for _, c := range cases {
		err := CheckPasswordLength(c.mode, c.user, c.admin, c.alg)
		check(t, err, c.wantErr)
		if err != nil {
			if len(c.admin) > 1 && strings.Contains(err.Error(), c.admin) {
				t.Errorf("%s: the error shows the password: %v", c.name, err)
			}
			if strings.Contains(err.Error(), c.user) && len(c.user) > 1 {
				t.Errorf("%s: the error shows the user ID, which is part of the password: %v", c.name, err)
			}
		}
	}
}

func TestValidateAdminPassword(t *testing.T) {
	const secret = "S3cret-Pass"
	cases := []struct {
		name          string
		mode          PasswordMode
		pw, confirm   string
		wantErrFields []string
	}{
		{"password ok", PasswordAdmin, secret, secret, nil},
		{"userid+password ok", PasswordUserIDAndAdmin, secret, secret, nil},
		{"none, no password", PasswordNone, "", "", nil},
		{"userid, no password", PasswordUserID, "", "", nil},
		{"password missing", PasswordAdmin, "", "", []string{FieldPassword}},
		{"userid+password missing", PasswordUserIDAndAdmin, "", "", []string{FieldPassword}},
		{"mismatch", PasswordAdmin, secret, secret + "x", []string{FieldPasswordConfirm}},
		{"password for mode none", PasswordNone, secret, secret, []string{FieldPassword}},
		{"password for mode userid", PasswordUserID, secret, "", []string{FieldPassword}},
		{"24 chars ok", PasswordAdmin, strings.Repeat("p", 24), strings.Repeat("p", 24), nil},
		{"25 chars", PasswordAdmin, strings.Repeat("p", 25), strings.Repeat("p", 25), []string{FieldPassword}},
		{"control char", PasswordAdmin, "ab\tc", "ab\tc", []string{FieldPassword}},
		{"too long and mismatch", PasswordAdmin, strings.Repeat("p", 25), "", []string{FieldPassword, FieldPasswordConfirm}},
		{"bad mode", "pin", "", "", []string{FieldPasswordMode}},
	}
	for _, c := range cases {
		err := ValidateAdminPassword(c.mode, c.pw, c.confirm)
		if len(c.wantErrFields) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected %v", c.name, err)
			}
			continue
		}
		for _, f := range c.wantErrFields {
			wantField(t, err, "", f)
		}
		if err != nil && c.pw != "" && strings.Contains(err.Error(), c.pw) {
			t.Errorf("%s: the error shows the password", c.name)
		}
	}
}

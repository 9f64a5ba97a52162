package model

import (
	"strings"
	"testing"
)

func testProfiles() []Profile {
	a := NewProfile("Staff iPhone", DeviceIPhone)
	a.Description = "For staff iPhones"
	b := NewProfile("Staff Android", DeviceAndroid)
	return []Profile{a, b}
}

// validSettings has both profiles selected and confirmed, iPhone default.
func validSettings(ps []Profile) Settings {
	s := DefaultSettings()
	for _, p := range ps {
		s.Select(p)
		s.Entry(p.Name).Confirm(p)
	}
	return s
}

func TestSelectAutoFills(t *testing.T) {
	ps := testProfiles()
	cases := []struct {
		name  string
		entry SettingsEntry
		p     Profile
		want  SettingsEntry
	}{
		{"fresh entry", SettingsEntry{}, ps[0], SettingsEntry{
			Profile: "Staff iPhone", Selected: true, DisplayName: "Staff iPhone",
			ImageLocation: "images/iphone.png", Description: "For staff iPhones"}},
		{"android image, empty description", SettingsEntry{}, ps[1], SettingsEntry{
			Profile: "Staff Android", Selected: true, DisplayName: "Staff Android",
			ImageLocation: "images/android.png"}},
		{"admin edits survive reselection", SettingsEntry{DisplayName: "iPhone (staff)", ImageLocation: "img/x.png"}, ps[0], SettingsEntry{
			Profile: "Staff iPhone", Selected: true, DisplayName: "iPhone (staff)",
			ImageLocation: "img/x.png", Description: "For staff iPhones"}},
	}
	for _, c := range cases {
		e := c.entry
		e.Select(c.p)
		if e != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, e, c.want)
		}
	}
}

func TestDefaultFollowsSelection(t *testing.T) {
	ps := testProfiles()
	s := DefaultSettings()
	s.Select(ps[0])
	if !s.Entry("Staff iPhone").Default {
		t.Fatal("the first selected profile becomes the default")
	}
	s.Select(ps[1])
	if s.Entry("Staff Android").Default {
		t.Fatal("a second selection must not take the default")
	}
	s.Unselect("Staff iPhone")
	if !s.Entry("Staff Android").Default || s.Entry("Staff iPhone").Default {
		t.Fatal("unselecting the default moves it to the remaining selected profile")
	}
	if err := s.SetDefault("Staff iPhone"); err == nil {
		t.Fatal("an unselected profile cannot be made the default")
	}
	s.Select(ps[0])
	if err := s.SetDefault("staff iphone"); err != nil || !s.Entry("Staff iPhone").Default || s.Entry("Staff Android").Default {
		t.Fatalf("SetDefault must leave exactly one default: %v", err)
	}
}

func TestConfirmationLapses(t *testing.T) {
	p := testProfiles()[0]
	var e SettingsEntry
	e.Select(p)
	cases := []struct {
		name   string
		step   func(*SettingsEntry, *Profile)
		status ConfirmStatus
	}{
		{"never confirmed", func(*SettingsEntry, *Profile) {}, NotConfirmed},
		{"confirmed", func(e *SettingsEntry, p *Profile) { e.Confirm(*p) }, Confirmed},
		{"description edit keeps it", func(_ *SettingsEntry, p *Profile) { p.Description = "new text" }, Confirmed},
		{"duration edit lapses it", func(_ *SettingsEntry, p *Profile) { p.Duration = 30 }, ConfirmationLapsed},
		{"confirmed again", func(e *SettingsEntry, p *Profile) { e.Confirm(*p) }, Confirmed},
		{"auth edit lapses it", func(_ *SettingsEntry, p *Profile) { p.AuthType = AuthTokencodeOnly }, ConfirmationLapsed},
		{"edit back restores it", func(_ *SettingsEntry, p *Profile) { p.AuthType = AuthPINPad }, Confirmed},
	}
	for _, c := range cases {
		c.step(&e, &p)
		if got := e.ConfirmStatus(p); got != c.status {
			t.Errorf("%s: status %s, want %s", c.name, got, c.status)
		}
		if e.IsConfirmed(p) != (c.status == Confirmed) {
			t.Errorf("%s: IsConfirmed disagrees with ConfirmStatus", c.name)
		}
	}
}

func TestValidateLinkURL(t *testing.T) {
	cases := []struct {
		url, wantErr string
	}{
		{"", ""},
		{"https://apps.example.com/securid", ""},
		{"http://intranet/help", ""},
		{"HTTPS://EXAMPLE.COM", ""},
		{"https://example.com:8443/a?b=c#d", ""},
		{"ftp://example.com/app", "https:// or http://"},
		{"example.com/app", "https:// or http://"},
		{"/relative/path", "https:// or http://"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://:443/x", "no host"},
		{"https:example.com", "no host"},
		{"https://exa mple.com", "spaces"},
		{" https://example.com", "spaces"},
		{"https://example.com/\x1b", "control"},
		{"https://example.com/" + strings.Repeat("a", MaxURLLen), "at most"},
	}
	for _, c := range cases {
		err := ValidateLinkURL(FieldHelpDocURL, c.url)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldHelpDocURL)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Settings, []Profile)
		errs   [][2]string // item, field
		msg    string
	}{
		{"valid", func(*Settings, []Profile) {}, nil, ""},
		{"nothing selected is fine", func(s *Settings, _ []Profile) { *s = DefaultSettings() }, nil, ""},
		{"blank URLs fine, links set fine", func(s *Settings, _ []Profile) {
			s.Entries[0].AppDownloadURL = "https://apps.example.com"
		}, nil, ""},
		{"blank display name", func(s *Settings, _ []Profile) { s.Entries[0].DisplayName = "  " },
			[][2]string{{"Staff iPhone", FieldDisplayName}}, "must not be blank"},
		{"unconfirmed", func(s *Settings, _ []Profile) { s.Entries[1].Confirmed = "" },
			[][2]string{{"Staff Android", FieldConfirmed}}, "confirm the profile"},
		{"lapsed after a profile edit", func(s *Settings, ps []Profile) { ps[1].TokencodeLength = 6 },
			[][2]string{{"Staff Android", FieldConfirmed}}, "changed since it was confirmed"},
		{"unselected need no confirmation", func(s *Settings, ps []Profile) {
			s.Unselect("Staff Android")
			ps[1].TokencodeLength = 6
		}, nil, ""},
		{"no default", func(s *Settings, _ []Profile) { s.Entries[0].Default = false },
			[][2]string{{"", FieldDefault}}, "make one of the selected profiles the default"},
		{"two defaults", func(s *Settings, _ []Profile) { s.Entries[1].Default = true },
			[][2]string{{"", FieldDefault}}, `"Staff iPhone", "Staff Android" are all marked`},
		{"default must be selected", func(s *Settings, _ []Profile) {
			s.Entries[0].Selected = false
			s.Entries[1].Default = true
		}, [][2]string{{"Staff iPhone", FieldDefault}}, "not selected"},
		{"ftp download URL", func(s *Settings, _ []Profile) { s.Entries[0].AppDownloadURL = "ftp://x.example.com" },
			[][2]string{{"Staff iPhone", FieldAppDownloadURL}}, "https:// or http://"},
		{"help URL without host", func(s *Settings, _ []Profile) { s.Entries[1].HelpDocURL = "https://" },
			[][2]string{{"Staff Android", FieldHelpDocURL}}, "no host"},
		{"help URL with < >", func(s *Settings, _ []Profile) { s.Entries[1].HelpDocURL = "https://apps.example.com/x?a=1&b=<2>" },
			[][2]string{{"Staff Android", FieldHelpDocURL}}, `must not contain "<"; percent-encode it`},
		{"download URL with a quote", func(s *Settings, _ []Profile) { s.Entries[0].AppDownloadURL = `https://x.example.com/"a` },
			[][2]string{{"Staff iPhone", FieldAppDownloadURL}}, `must not contain "\""`},
		{"percent-encoded and & ? = are fine", func(s *Settings, _ []Profile) {
			s.Entries[0].AppDownloadURL = "https://x.example.com/a%3Cb?c=1&d=%3E#frag"
		}, nil, ""},
		{"window 1", func(s *Settings, _ []Profile) { s.ReplacementWindowDays = 1 }, nil, ""},
		{"window 365", func(s *Settings, _ []Profile) { s.ReplacementWindowDays = 365 }, nil, ""},
		{"window 0", func(s *Settings, _ []Profile) { s.ReplacementWindowDays = 0 },
			[][2]string{{"", FieldReplacementWindow}}, "1-365 days (got 0)"},
		{"window 366", func(s *Settings, _ []Profile) { s.ReplacementWindowDays = 366 },
			[][2]string{{"", FieldReplacementWindow}}, "1-365 days (got 366)"},
		{"deleted profile", func(s *Settings, _ []Profile) {
			s.Entries = append(s.Entries, SettingsEntry{Profile: "Gone", Selected: true, DisplayName: "Gone"})
		}, [][2]string{{"Gone", FieldSelected}}, "no longer exists"},
		{"duplicate entry", func(s *Settings, _ []Profile) {
			s.Entries = append(s.Entries, SettingsEntry{Profile: "staff iphone"})
		}, [][2]string{{"staff iphone", FieldSelected}}, "appears twice"},
		{"all at once", func(s *Settings, _ []Profile) {
			s.Entries[0].DisplayName = ""
			s.Entries[0].HelpDocURL = "ftp://x"
			s.Entries[1].Confirmed = ""
			s.ReplacementWindowDays = 400
		}, [][2]string{{"Staff iPhone", FieldDisplayName}, {"Staff iPhone", FieldHelpDocURL},
			{"Staff Android", FieldConfirmed}, {"", FieldReplacementWindow}}, ""},
	}
	for _, c := range cases {
		ps := testProfiles()
		s := validSettings(ps)
		c.mutate(&s, ps)
		err := s.Validate(ps)
		if len(c.errs) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected %v", c.name, err)
			}
			continue
		}
		if n := len(AsFieldErrors(err)); n != len(c.errs) {
			t.Errorf("%s: want %d errors, got %v", c.name, len(c.errs), err)
		}
		for _, ie := range c.errs {
			wantField(t, err, ie[0], ie[1])
		}
		if c.msg != "" {
			check(t, err, c.msg)
		}
	}
}

func TestDiff(t *testing.T) {
	ps := testProfiles()
	base := validSettings(ps[:1])
	cases := []struct {
		name   string
		mutate func(*Settings)
		want   []string
	}{
		{"no change", func(*Settings) {}, nil},
		{"globals", func(s *Settings) {
			s.UserMustProvidePassword = true
			s.ReplacementWindowDays = 45
		}, []string{
			"User must provide the token file password: no -> yes",
			"Replacement window: 30 -> 45 days",
		}},
		{"entry text and link", func(s *Settings) {
			s.Entries[0].DisplayName = "iPhone"
			s.Entries[0].HelpDocURL = "https://help.example.com"
		}, []string{
			`Profile "Staff iPhone": Display Name changed from "Staff iPhone" to "iPhone"`,
			`Profile "Staff iPhone": Device Help Document URL changed from "" to "https://help.example.com"`,
		}},
		{"new profile selected and made default", func(s *Settings) {
			s.Select(ps[1])
			s.Entry(ps[1].Name).Confirm(ps[1])
			_ = s.SetDefault(ps[1].Name)
		}, []string{
			`Profile "Staff iPhone": no longer the default`,
			`Profile "Staff Android": selected for request`,
			`Profile "Staff Android": Display Name changed from "" to "Staff Android"`,
			`Profile "Staff Android": Image Location changed from "" to "images/android.png"`,
			`Profile "Staff Android": confirmed (` + ConfirmFingerprint(ps[1]) + `)`,
			`Profile "Staff Android": made the default`,
		}},
		{"unselected, user edit allowed", func(s *Settings) {
			s.Entries[0].AllowUserEdit = true
			s.Unselect("Staff iPhone")
		}, []string{
			`Profile "Staff iPhone": no longer selected for request`,
			`Profile "Staff iPhone": no longer the default`,
			`Profile "Staff iPhone": allow user to edit token attributes: no -> yes`,
		}},
		{"entry removed", func(s *Settings) { s.Entries = nil }, []string{
			`Profile "Staff iPhone": no longer selected for request`,
			`Profile "Staff iPhone": Display Name changed from "Staff iPhone" to ""`,
			`Profile "Staff iPhone": Image Location changed from "images/iphone.png" to ""`,
			`Profile "Staff iPhone": Description changed from "For staff iPhones" to ""`,
			`Profile "Staff iPhone": confirmation withdrawn`,
			`Profile "Staff iPhone": no longer the default`,
		}},
	}
	for _, c := range cases {
		n := base
		n.Entries = append([]SettingsEntry(nil), base.Entries...)
		c.mutate(&n)
		got := Diff(base, n)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestPreview(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	_ = s.SetDefault("Staff Android")
	s.Entries[0].AppDownloadURL = "https://apps.example.com/ios"
	s.Entries[1].HelpDocURL = "https://help.example.com/android"
	s.UserMustProvidePassword = true
	s.Entries[1].AllowUserEdit = true
	out := Preview(s, ps)
	cases := []struct {
		name, want string
		present    bool
	}{
		{"default listed first", "1. Staff Android  (default)", true},
		{"second", "2. Staff iPhone\n", true},
		{"image", "Image: images/iphone.png", true},
		{"description", "For staff iPhones", true},
		{"read-only fields", "Tokencode: 8 digits, changes every 60 seconds, PINPad-style", true},
		{"user edit note", "You may edit the token details", true},
		{"password note", "You will be asked for a password", true},
		{"window", "from 30 days before your token expires", true},
		{"iPhone download link", "Install the application from: https://apps.example.com/ios", true},
		{"android help link", "Help for your device: https://help.example.com/android", true},
		{"no empty link lines", "from: \n", false},
		{"no empty help line", "device: \n", false},
	}
	for _, c := range cases {
		if strings.Contains(out, c.want) != c.present {
			t.Errorf("%s: %q present = %v, want %v\n%s", c.name, c.want, !c.present, c.present, out)
		}
	}
	// Each e-mail carries only its own links.
	iphoneMail := out[strings.Index(out, "Approval e-mail: Staff iPhone"):]
	androidMail := out[strings.Index(out, "Approval e-mail: Staff Android"):strings.Index(out, "Approval e-mail: Staff iPhone")]
	if strings.Contains(androidMail, "Install the application") || strings.Contains(iphoneMail, "Help for your device") {
		t.Errorf("a link appears in an e-mail where it is not set:\n%s", out)
	}
	if got := Preview(DefaultSettings(), ps); !strings.Contains(got, "No software token profiles are available") {
		t.Errorf("empty preview: %s", got)
	}
}

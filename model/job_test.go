package model

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestValidateJobName(t *testing.T) {
	cases := []struct {
		name, wantErr string
	}{
		{"Generate Software Token Files 2026-01-02 03:04:05", ""},
		{"Q3 rollout: Zürich", ""},
		{"j", ""},
		{strings.Repeat("j", 128), ""},
		{strings.Repeat("ü", 128), ""},
		{strings.Repeat("j", 129), "129 characters"},
		{"", "blank"},
		{"  ", "blank"},
		{"a & b", `"&"`},
		{"100%", `"%"`},
		{"<b>", `"<"`},
		{"a > b", `">"`},
		{"tab\there", "control"},
		{"bell\a", "control"},
		{" lead", "space"},
	}
	for _, c := range cases {
		err := ValidateJobName(c.name)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldJobName)
		}
	}
}

func TestJobNameUniquenessKey(t *testing.T) {
	cases := []struct {
		a, b  string
		taken bool
	}{
		{"Rollout", "rollout", true},
		{"Rollout", "ROLLOUT", true},
		{"Rollout 1", "Rollout 2", false},
	}
	for _, c := range cases {
		if got := NameKey(c.a) == NameKey(c.b); got != c.taken {
			t.Errorf("%q vs %q: taken = %v", c.a, c.b, got)
		}
	}
	check(t, JobNameTakenError("rollout", "Rollout"), `already used by job "Rollout"`)
}

func TestSuggestedJobName(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	want := "Generate Software Token Files 2026-03-04 05:06:07"
	if got := SuggestedJobName(at); got != want {
		t.Errorf("SuggestedJobName = %q, want %q", got, want)
	}
	if err := ValidateJobName(SuggestedJobName(at)); err != nil {
		t.Errorf("the suggested name must be valid: %v", err)
	}
}

func TestBatchID(t *testing.T) {
	cases := []struct {
		seq  uint64
		want string
	}{
		{1, "SWT-000001"},
		{42, "SWT-000042"},
		{1234567, "SWT-1234567"},
		{999999999999, "SWT-999999999999"},
	}
	for _, c := range cases {
		got := BatchID(c.seq)
		if got != c.want {
			t.Errorf("BatchID(%d) = %q, want %q", c.seq, got, c.want)
		}
		if err := ValidateBatchID(got); err != nil {
			t.Errorf("BatchID(%d) invalid: %v", c.seq, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", 17), "SWT 1", "SWT-é"} {
		if ValidateBatchID(bad) == nil {
			t.Errorf("ValidateBatchID(%q) accepted", bad)
		}
	}
}

func TestResolveBinding(t *testing.T) {
	iphone := DeviceIPhone.GUID()
	cases := []struct {
		name     string
		field    string
		class    string
		wantKind BindingKind
		wantVal  string
		wantErr  string
	}{
		{"prefilled GUID is class binding", iphone, iphone, BindingClass, iphone, ""},
		{"GUID in upper case", strings.ToUpper(iphone), iphone, BindingClass, iphone, ""},
		{"GUID with spaces around", " " + iphone + " ", iphone, BindingClass, iphone, ""},
		{"device ID", "ABC123-XYZ", iphone, BindingDevice, "ABC123-XYZ", ""},
		{"device ID 64 chars", strings.Repeat("d", 64), iphone, BindingDevice, strings.Repeat("d", 64), ""},
		{"device ID 65 chars", strings.Repeat("d", 65), iphone, "", "", "65 characters"},
		{"cleared", "", iphone, "", "", "must not be blank"},
		{"inner space", "ABC 123", iphone, "", "", "spaces"},
		{"non-ASCII", "ABC-é", iphone, "", "", "printable ASCII"},
		{"another class's GUID", DeviceAndroid.GUID(), iphone, "", "", "Android class GUID"},
	}
	for _, c := range cases {
		b, err := ResolveBinding(c.field, c.class)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldDeviceSerial)
			continue
		}
		if b.Kind != c.wantKind || b.Value != c.wantVal {
			t.Errorf("%s: got %+v, want %s %q", c.name, b, c.wantKind, c.wantVal)
		}
	}
}

func TestValidateNickname(t *testing.T) {
	cases := []struct {
		n, wantErr string
	}{
		{"", ""},
		{"work phone", ""},
		{strings.Repeat("n", 24), ""},
		{strings.Repeat("ñ", 24), ""},
		{strings.Repeat("n", 25), "25 characters"},
		{"a\nb", "control"},
	}
	for _, c := range cases {
		check(t, ValidateNickname(c.n), c.wantErr)
	}
}

func goodSpec() (JobSpec, Profile) {
	p := NewProfile("Staff iPhone", DeviceIPhone)
	return JobSpec{
		Name:         "Rollout",
		Profile:      "staff iphone",
		Binding:      Binding{Kind: BindingClass, Value: p.ClassGUID()},
		PasswordMode: PasswordAdmin,
		Criteria:     Criteria{From: "1", To: "2"},
	}, p
}

func TestJobSpecValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*JobSpec, *Profile)
		fields []string
	}{
		{"valid", func(*JobSpec, *Profile) {}, nil},
		{"device binding", func(s *JobSpec, _ *Profile) { s.Binding = Binding{Kind: BindingDevice, Value: "DEV1"} }, nil},
		{"not file-based", func(_ *JobSpec, p *Profile) { p.DeliveryMethod = DeliveryQR }, []string{FieldProfile}},
		{"no profile", func(s *JobSpec, _ *Profile) { s.Profile = "" }, []string{FieldProfile}},
		{"profile mismatch", func(s *JobSpec, _ *Profile) { s.Profile = "Gone" }, []string{FieldProfile}},
		{"wrong class GUID", func(s *JobSpec, _ *Profile) { s.Binding.Value = DeviceAndroid.GUID() }, []string{FieldDeviceSerial}},
		{"no binding", func(s *JobSpec, _ *Profile) { s.Binding = Binding{} }, []string{FieldDeviceSerial}},
		{"everything wrong", func(s *JobSpec, _ *Profile) {
			*s = JobSpec{Name: "a&b", Profile: "Staff iPhone", Nickname: strings.Repeat("n", 25), PasswordMode: "pin"}
		}, []string{FieldJobName, FieldDeviceSerial, FieldNickname, FieldPasswordMode, FieldCriteria}},
	}
	for _, c := range cases {
		s, p := goodSpec()
		c.mutate(&s, &p)
		err := s.Validate(p)
		if len(c.fields) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected %v", c.name, err)
			}
			continue
		}
		for _, f := range c.fields {
			wantField(t, err, "", f)
		}
	}
}

func TestSummaryAdd(t *testing.T) {
	var s Summary
	fresh := softToken("000000000300", "a")
	again := softToken("000000000100", "b")
	again.Distribution.Count = 1
	s.Add(fresh, Eligible)
	s.Add(again, Eligible)
	s.Add(softToken("000000000050", "c"), Expired)
	s.Add(softToken("000000000060", "d"), PasswordTooLong)
	s.Add(softToken("000000000070", ""), Unassigned)
	if s.Count != 2 || s.First != "000000000100" || s.Last != "000000000300" || s.Redistributed != 1 {
		t.Errorf("summary counts wrong: %+v", s)
	}
	if s.IneligibleTotal() != 3 || s.Ineligible[Expired] != 1 || s.Ineligible[Unassigned] != 1 {
		t.Errorf("ineligible counts wrong: %v", s.Ineligible)
	}
	if len(s.TooLong) != 1 || s.TooLong[0] != (TokenRef{"000000000060", "d"}) {
		t.Errorf("TooLong = %v", s.TooLong)
	}
}

func TestSummaryCanSubmit(t *testing.T) {
	cases := []struct {
		name    string
		s       Summary
		wantErr string
	}{
		{"ok", Summary{Count: 3}, ""},
		{"ok with other ineligible", Summary{Count: 3, Ineligible: map[Reason]int{Expired: 2}}, ""},
		{"nothing eligible", Summary{}, "no eligible tokens"},
		{"a password too long", Summary{Count: 3, Ineligible: map[Reason]int{PasswordTooLong: 1}}, "1 token would get a password outside its limit"},
		{"passwords too long", Summary{Count: 3, Ineligible: map[Reason]int{PasswordTooLong: 2}}, "2 tokens would get a password outside their limit"},
	}
	for _, c := range cases {
		check(t, CanSubmit(JobSpec{}, c.s), c.wantErr)
	}
}

func TestWarnings(t *testing.T) {
	spec, _ := goodSpec()
	dev := spec
	dev.Binding = Binding{Kind: BindingDevice, Value: "DEV1"}
	cases := []struct {
		name string
		spec JobSpec
		s    Summary
		want []string
	}{
		{"none", spec, Summary{Count: 5}, nil},
		{"redistribution", spec, Summary{Count: 5, Redistributed: 2}, []string{"2 of the 5 tokens were distributed before. " + RedistributionWarning}},
		{"one device, one token", dev, Summary{Count: 1}, nil},
		{"one device, many tokens", dev, Summary{Count: 3}, []string{"All 3 tokens will be bound to the one device DEV1."}},
	}
	for _, c := range cases {
		got := c.s.Warnings(c.spec)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: Warnings = %q, want %q", c.name, got, c.want)
		}
	}
	if RedistributionWarning != "Existing users of these tokens may no longer be able to authenticate; they must import the new token data." {
		t.Error("the redistribution warning text must be exact")
	}
}

func TestConfirmationRequired(t *testing.T) {
	spec, _ := goodSpec()
	all := spec
	all.Criteria = Criteria{All: true}
	cases := []struct {
		name   string
		spec   JobSpec
		s      Summary
		needed bool
		want   string
		typed  string
		ok     bool
	}{
		{"range, fresh tokens", spec, Summary{Count: 10}, false, "", "", true},
		{"range, redistribution", spec, Summary{Count: 10, Redistributed: 1}, true, "10", "10", true},
		{"range, redistribution, wrong count", spec, Summary{Count: 10, Redistributed: 1}, true, "10", "9", false},
		{"range, redistribution, nothing typed", spec, Summary{Count: 10, Redistributed: 1}, true, "10", "", false},
		{"all eligible", all, Summary{Count: 1234}, true, "1234", " 1234 ", true},
		{"all eligible, yes is not a count", all, Summary{Count: 1234}, true, "1234", "yes", false},
	}
	for _, c := range cases {
		needed, want := ConfirmationRequired(c.spec, c.s)
		if needed != c.needed || want != c.want {
			t.Errorf("%s: ConfirmationRequired = %v %q, want %v %q", c.name, needed, want, c.needed, c.want)
		}
		err := CheckConfirmation(c.spec, c.s, c.typed)
		if (err == nil) != c.ok {
			t.Errorf("%s: CheckConfirmation(%q) = %v", c.name, c.typed, err)
		}
	}
}

func TestJobStates(t *testing.T) {
	cases := []struct {
		s        JobState
		label    string
		terminal bool
		cancel   bool
		tab      JobTab
	}{
		{JobQueued, "Queued", false, true, TabInProgress},
		{JobRunning, "Running", false, true, TabInProgress},
		{JobCompleted, "Completed", true, false, TabCompleted},
		{JobFailed, "Failed", true, false, TabFailedCanceled},
		{JobCanceled, "Canceled", true, false, TabFailedCanceled},
	}
	for _, c := range cases {
		if c.s.String() != c.label || c.s.Terminal() != c.terminal || c.s.Cancelable() != c.cancel || c.s.Tab() != c.tab {
			t.Errorf("%s: String %q Terminal %v Cancelable %v Tab %s", c.label, c.s, c.s.Terminal(), c.s.Cancelable(), c.s.Tab())
		}
		if p, err := ParseJobState(strings.ToUpper(string(c.s))); err != nil || p != c.s {
			t.Errorf("ParseJobState(%s) = %q, %v", c.s, p, err)
		}
	}
	if _, err := ParseJobState("paused"); err == nil {
		t.Error("unknown state accepted")
	}
}

func TestCanTransition(t *testing.T) {
	allowed := map[[2]JobState]bool{
		{JobQueued, JobRunning}:    true,
		{JobQueued, JobCanceled}:   true,
		{JobQueued, JobFailed}:     true,
		{JobRunning, JobCompleted}: true,
		{JobRunning, JobFailed}:    true,
		{JobRunning, JobCanceled}:  true,
		{JobRunning, JobQueued}:    true, // recovery after a crash
	}
	// Every pair is checked, so a transition added by mistake shows up.
	for _, from := range JobStates() {
		for _, to := range JobStates() {
			want := allowed[[2]JobState{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			if err := CheckTransition(from, to); (err == nil) != want {
				t.Errorf("CheckTransition(%s, %s) = %v", from, to, err)
			}
		}
	}
}

func TestDefaultDownloadName(t *testing.T) {
	cases := []struct{ job, want string }{
		{"Rollout", "./Rollout.zip"},
		{"Q3/EMEA", "./Q3_EMEA.zip"},
		{strings.Repeat("a", 128), "./" + strings.Repeat("a", 128) + ".zip"},
		// 125 x "é" is 250 bytes: "<name>.zip" is 254, it fits.
		{strings.Repeat("é", 125), "./" + strings.Repeat("é", 125) + ".zip"},
		// 128 x "é" is 256 bytes: cut to 125 characters (250 bytes, as
		// 251 would split one).
		{strings.Repeat("é", 128), "./" + strings.Repeat("é", 125) + ".zip"},
		// 128 CJK characters are 384 bytes: 83 of them (249 bytes) fit.
		{strings.Repeat("漢", 128), "./" + strings.Repeat("漢", 83) + ".zip"},
		// 4-byte characters: 62 (248 bytes).
		{strings.Repeat("😀", 128), "./" + strings.Repeat("😀", 62) + ".zip"},
	}
	for _, c := range cases {
		got := DefaultDownloadName(c.job)
		if got != c.want {
			t.Errorf("DefaultDownloadName(%q) = %q, want %q", c.job, got, c.want)
		}
		if n := len(strings.TrimPrefix(got, "./")); n > MaxFileNameBytes || !utf8.ValidString(got) {
			t.Errorf("DefaultDownloadName(%q): %d bytes, valid UTF-8 %v", c.job, n, utf8.ValidString(got))
		}
	}
}

func TestFileSettingsAndSupersededWarning(t *testing.T) {
	p := Profile{TokencodeLength: 8, Duration: 60, AuthType: AuthPINPad}
	f := p.FileSettings()
	if f != (FileSettings{Digits: 8, IntervalSeconds: 60, AddPIN: true}) || f.IsZero() || !(FileSettings{}).IsZero() {
		t.Fatalf("%+v", f)
	}
	if got := f.Label(); got != "8 digits every 60 s, PIN pad (AddPIN)" {
		t.Fatal(got)
	}
	if SupersededWarning(0, 10, nil) != "" {
		t.Fatal("a warning with nothing superseded")
	}
	w := SupersededWarning(3, 10, []string{`Night "B"`})
	if !strings.HasPrefix(w, "3 of the 10 files in this ZIP no longer work: later jobs (\"Night \\\"B\\\"\") distributed") {
		t.Fatal(w)
	}
	if w := SupersededWarning(1, 1, nil); !strings.HasPrefix(w, "1 of the 1 file in this ZIP no longer works: later jobs distributed that token again, and the store holds its newer seed; do not hand that file out") {
		t.Fatal(w)
	}
}

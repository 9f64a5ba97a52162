package model

import (
	"strings"
	"testing"
	"time"
)

// ctfSpec is goodSpec on a CTF profile of device type dt, as the planner
// resolves it.
func ctfSpec(dt DeviceType, form CTFForm) (JobSpec, Profile) {
	s, p := goodSpec()
	p = NewProfile("Staff iPhone", dt)
	p.DeliveryMethod = DeliveryCTF
	s.Binding = Binding{Kind: BindingClass, Value: p.ClassGUID()}
	s.Kind, s.CTFForm, s.CTFShape = JobKindCTF, form, CTFShapeFor(dt)
	return s, p
}

func TestJobKindFollowsDeliveryMethod(t *testing.T) {
	for _, c := range []struct {
		m    DeliveryMethod
		want JobKind
	}{{DeliveryFile, JobKindFiles}, {DeliveryCTF, JobKindCTF}} {
		k, err := JobKindFor("P", c.m)
		if err != nil || k != c.want {
			t.Errorf("JobKindFor(%s) = %q, %v; want %q", c.m, k, err, c.want)
		}
		if !c.m.CanDeliver() {
			t.Errorf("%s cannot deliver", c.m)
		}
	}
	if JobKindCTF.Label() != "Generate Compressed Token Format Credentials" || JobKindFiles.Label() != "Generate Software Token Files" {
		t.Errorf("labels %q, %q", JobKindCTF.Label(), JobKindFiles.Label())
	}
	if JobKind("").OrFiles() != JobKindFiles {
		t.Error("a stored job without a kind is not a file job")
	}
}

func TestCTKIPProfilesCannotDeliverYet(t *testing.T) {
	for _, m := range []DeliveryMethod{DeliveryCTKIP, DeliveryQR} {
		if m.CanDeliver() {
			t.Errorf("%s can deliver", m)
		}
		_, err := JobKindFor("Kiosk", m)
		check(t, err, "cannot deliver yet")
		wantField(t, err, "", FieldProfile)
		s, p := goodSpec()
		p.DeliveryMethod = m
		err = s.Validate(p)
		check(t, err, "cannot deliver yet")
	}
}

func TestJobSpecValidateCTF(t *testing.T) {
	cases := []struct {
		name    string
		dt      DeviceType
		mutate  func(*JobSpec)
		wantErr string
	}{
		{"iPhone v2", DeviceIPhone, func(*JobSpec) {}, ""},
		{"Android v3", DeviceAndroid, func(s *JobSpec) { s.CTFForm = CTFv3 }, ""},
		{"Windows v2 blocks", DeviceWindows, func(*JobSpec) {}, ""},
		{"Windows v3", DeviceWindows, func(s *JobSpec) { s.CTFForm = CTFv3 }, "blocks of five"},
		{"macOS v3", DeviceMacOS, func(s *JobSpec) { s.CTFForm = CTFv3 }, "only for iPhone and Android"},
		{"no form", DeviceIPhone, func(s *JobSpec) { s.CTFForm = "" }, "choose the CTF form"},
		{"bad form", DeviceIPhone, func(s *JobSpec) { s.CTFForm = "v4" }, "not a CTF form"},
		{"wrong shape", DeviceIPhone, func(s *JobSpec) { s.CTFShape = CTFShapeAndroid }, "does not fit"},
		{"file kind on a CTF profile", DeviceIPhone, func(s *JobSpec) { s.Kind = JobKindFiles }, "so its job is"},
	}
	for _, c := range cases {
		s, p := ctfSpec(c.dt, CTFv2)
		c.mutate(&s)
		err := s.Validate(p)
		check(t, err, c.wantErr)
	}
	// A file job takes no CTF form.
	s, p := goodSpec()
	s.CTFForm = CTFv2
	err := s.Validate(p)
	check(t, err, "only for CTF profiles")
	wantField(t, err, "", FieldCTFForm)
}

func TestParseCTFForm(t *testing.T) {
	for in, want := range map[string]CTFForm{"v2": CTFv2, "V3": CTFv3, " 2 ": CTFv2} {
		if got, err := ParseCTFForm(in); err != nil || got != want {
			t.Errorf("ParseCTFForm(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseCTFForm("v4")
	check(t, err, "v2 (81 digits, the default) or v3")
}

func TestCTFShapeFollowsDeviceType(t *testing.T) {
	for _, dt := range DeviceTypes() {
		got := CTFShapeFor(dt)
		want := CTFShapeBlocks
		switch dt {
		case DeviceIPhone:
			want = CTFShapeIPhone
		case DeviceAndroid:
			want = CTFShapeAndroid
		}
		if got != want || got.IsLink() != dt.IsPhone() {
			t.Errorf("%s: shape %q (link %v), want %q", dt, got, got.IsLink(), want)
		}
	}
	if s, _ := ctfSpec(DeviceAndroid, CTFv2); !s.WantsQRImages() {
		t.Error("an Android CTF job wants no QR images")
	}
	if s, _ := ctfSpec(DeviceWindows, CTFv2); s.WantsQRImages() {
		t.Error("a Windows CTF job (digits in blocks) wants QR images")
	}
	if s, _ := goodSpec(); s.WantsQRImages() {
		t.Error("a file job wants QR images")
	}
}

func TestSixtyFourBitTokensHaveNoCTFForm(t *testing.T) {
	now := day(2026, 6, 1)
	tok := softToken("000000000001", "jdoe")
	tok.Algorithm = AlgSID64
	s, _ := ctfSpec(DeviceIPhone, CTFv2)
	if r := s.Eligibility(tok, "pw", now); r != NoCTFForm {
		t.Fatalf("64-bit token in a CTF job: %v, want %v", r, NoCTFForm)
	}
	if NoCTFForm.Label() != "64-bit token: no CTF form" || NoCTFForm.Blocks(s) {
		t.Errorf("label %q, blocks %v", NoCTFForm.Label(), NoCTFForm.Blocks(s))
	}
	// A password too long for 64 bits does not hide the real reason.
	if r := s.Eligibility(tok, strings.Repeat("p", 12), now); r != NoCTFForm {
		t.Errorf("64-bit token with a long password: %v, want %v", r, NoCTFForm)
	}
	// Earlier reasons come first, as for files.
	tok.AssignedUser, tok.Enabled = "", false
	if r := s.Eligibility(tok, "pw", now); r != Unassigned {
		t.Errorf("unassigned 64-bit token: %v", r)
	}
	// File jobs still take 64-bit tokens.
	f, _ := goodSpec()
	tok = softToken("000000000001", "jdoe")
	tok.Algorithm = AlgSID64
	if r := f.Eligibility(tok, "pw", now); r != Eligible {
		t.Errorf("64-bit token in a file job: %v", r)
	}
	// Left out, not blocking: the job goes ahead without it.
	var sum Summary
	sum.Add(tok, NoCTFForm)
	sum.Add(softToken("000000000002", "jdoe"), Eligible)
	if err := CanSubmit(s, sum); err != nil {
		t.Errorf("a left-out 64-bit token blocks the job: %v", err)
	}
	if got := sum.IneligibleText(); got != "1 64-bit token (no CTF form)" {
		t.Errorf("IneligibleText = %q", got)
	}
}

func TestSuggestedJobNameFollowsKind(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if got := SuggestedJobNameFor(JobKindCTF, at); got != "Generate Compressed Token Format Credentials 2026-03-04 05:06:07" {
		t.Errorf("got %q", got)
	}
	if got := SuggestedJobNameFor(JobKindFiles, at); got != SuggestedJobName(at) {
		t.Errorf("got %q, want %q", got, SuggestedJobName(at))
	}
	if err := ValidateJobName(SuggestedJobNameFor(JobKindCTF, at)); err != nil {
		t.Error(err)
	}
}

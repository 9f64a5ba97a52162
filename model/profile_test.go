package model

import (
	"strings"
	"testing"
)

func TestDeviceClassGUIDs(t *testing.T) {
	cases := []struct {
		dt    DeviceType
		guid  string
		image string
	}{
		{DeviceIPhone, "556f1985-33dd-442c-9155-3a0e994f21b1", "images/iphone.png"},
		{DeviceAndroid, "a01c4380-fc01-4df0-b113-7fb98ec74694", "images/android.png"},
		{DeviceBlackBerry, "868c28f8-31bf-4911-9876-ebece5c3f2ab", "images/blackberry.png"},
		{DeviceBlackBerry10, "b77a1d06-d505-4200-90d3-1bb397748704", "images/blackberry10.png"},
		{DeviceWindowsPhone, "c483b592-63f0-4f19-b4cb-a6bce8e57159", "images/windowsphone.png"},
		{DeviceWindows, "8f94b226-d362-4204-ac52-3b21fa333b6f", "images/windows.png"},
		{DeviceMacOS, "d0955a53-569b-4ecc-9cf7-6c2a59d4e775", "images/macos.png"},
		{DeviceOther, "", "images/other.png"},
	}
	if len(DeviceTypes()) != len(cases) {
		t.Fatalf("DeviceTypes() has %d entries, the table %d", len(DeviceTypes()), len(cases))
	}
	for i, c := range cases {
		if DeviceTypes()[i] != c.dt {
			t.Errorf("DeviceTypes()[%d] = %q, want %q", i, DeviceTypes()[i], c.dt)
		}
		if got := c.dt.GUID(); got != c.guid {
			t.Errorf("%s GUID = %q, want %q", c.dt, got, c.guid)
		}
		if got := c.dt.DefaultImage(); got != c.image {
			t.Errorf("%s image = %q, want %q", c.dt, got, c.image)
		}
		p := NewProfile("p", c.dt)
		if c.dt != DeviceOther {
			if got := p.ClassGUID(); got != c.guid {
				t.Errorf("%s profile ClassGUID = %q", c.dt, got)
			}
			if !ValidGUID(c.guid) {
				t.Errorf("%s GUID is not GUID-shaped", c.dt)
			}
			if back, ok := DeviceTypeForGUID(strings.ToUpper(c.guid)); !ok || back != c.dt {
				t.Errorf("DeviceTypeForGUID(%s) = %q, %v", c.guid, back, ok)
			}
		}
		parsed, err := ParseDeviceType(strings.ToLower(string(c.dt)))
		if err != nil || parsed != c.dt {
			t.Errorf("ParseDeviceType(%q) = %q, %v", c.dt, parsed, err)
		}
	}
	if _, err := ParseDeviceType("Palm"); err == nil {
		t.Error("ParseDeviceType(Palm) must fail")
	}
	other := NewProfile("p", DeviceOther)
	other.OtherGUID = " 0123ABCD-0000-1111-2222-333344445555 "
	if got := other.ClassGUID(); got != "0123abcd-0000-1111-2222-333344445555" {
		t.Errorf("Other ClassGUID = %q", got)
	}
}

func TestValidGUID(t *testing.T) {
	cases := []struct {
		s  string
		ok bool
	}{
		{"556f1985-33dd-442c-9155-3a0e994f21b1", true},
		{"556F1985-33DD-442C-9155-3A0E994F21B1", true},
		{"556f1985-33dd-442c-9155-3a0e994f21b", false},
		{"556f1985-33dd-442c-9155-3a0e994f21b10", false},
		{"556f198533dd442c91553a0e994f21b1", false},
		{"556f1985_33dd-442c-9155-3a0e994f21b1", false},
		{"g56f1985-33dd-442c-9155-3a0e994f21b1", false},
		{"{556f1985-33dd-442c-9155-3a0e994f21}", false},
		{"", false},
	}
	for _, c := range cases {
		if got := ValidGUID(c.s); got != c.ok {
			t.Errorf("ValidGUID(%q) = %v", c.s, got)
		}
	}
}

func TestDeliveryMethods(t *testing.T) {
	cases := []struct {
		in        string
		want      DeliveryMethod
		fileBased bool
	}{
		{"File-based (SDTID)", DeliveryFile, true},
		{"sdtid", DeliveryFile, true},
		{"Compressed Token Format (CTF)", DeliveryCTF, false},
		{"ctf", DeliveryCTF, false},
		{"Dynamic Seed Provisioning (CT-KIP)", DeliveryCTKIP, false},
		{"ct-kip", DeliveryCTKIP, false},
		{"QR code (CT-KIP)", DeliveryQR, false},
		{"qr", DeliveryQR, false},
	}
	for _, c := range cases {
		got, err := ParseDeliveryMethod(c.in)
		if err != nil || got != c.want || got.IsFileBased() != c.fileBased {
			t.Errorf("ParseDeliveryMethod(%q) = %q (file-based %v), %v", c.in, got, got.IsFileBased(), err)
		}
	}
	if _, err := ParseDeliveryMethod("email"); err == nil {
		t.Error("unknown delivery method accepted")
	}
}

func TestAuthTypes(t *testing.T) {
	cases := []struct {
		in     string
		want   AuthType
		addPIN bool
	}{
		{"PINPad-style", AuthPINPad, true},
		{"pinpad", AuthPINPad, true},
		{"Fob-style", AuthFob, false},
		{"fob", AuthFob, false},
		{"Tokencode only", AuthTokencodeOnly, false},
		{"tokencode", AuthTokencodeOnly, false},
	}
	for _, c := range cases {
		got, err := ParseAuthType(c.in)
		if err != nil || got != c.want || got.AddPIN() != c.addPIN {
			t.Errorf("ParseAuthType(%q) = %q (AddPIN %v), %v", c.in, got, got.AddPIN(), err)
		}
	}
	if _, err := ParseAuthType("biometric"); err == nil {
		t.Error("unknown auth type accepted")
	}
}

func TestValidateProfileName(t *testing.T) {
	cases := []struct {
		name, wantErr string
	}{
		{"Staff iPhone", ""},
		{"x", ""},
		{strings.Repeat("n", 128), ""},
		{strings.Repeat("ñ", 128), ""},
		{strings.Repeat("n", 129), "129 characters"},
		{"", "blank"},
		{"   ", "blank"},
		{" Staff", "space"},
		{"Staff\n", "control"},
	}
	for _, c := range cases {
		err := ValidateProfileName(c.name)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldProfileName)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	good := NewProfile("Staff iPhone", DeviceIPhone)
	cases := []struct {
		name   string
		mutate func(*Profile)
		fields []string
	}{
		{"valid", func(*Profile) {}, nil},
		{"description multi-line", func(p *Profile) { p.Description = "line 1\nline 2\twith tab" }, nil},
		{"description with escape", func(p *Profile) { p.Description = "\x1b[2J" }, []string{FieldDescription}},
		{"6 digits, 30 s", func(p *Profile) { p.TokencodeLength, p.Duration = 6, 30 }, nil},
		{"7 digits", func(p *Profile) { p.TokencodeLength = 7 }, []string{FieldTokencodeLength}},
		{"45 s", func(p *Profile) { p.Duration = 45 }, []string{FieldDuration}},
		{"unknown device", func(p *Profile) { p.DeviceType = "Palm" }, []string{FieldDeviceType}},
		{"other with GUID", func(p *Profile) {
			p.DeviceType, p.OtherGUID = DeviceOther, "01234567-89ab-cdef-0123-456789abcdef"
		}, nil},
		{"other without GUID", func(p *Profile) { p.DeviceType = DeviceOther }, []string{FieldDeviceGUID}},
		{"other with bad GUID", func(p *Profile) { p.DeviceType, p.OtherGUID = DeviceOther, "0123-4567" }, []string{FieldDeviceGUID}},
		{"other with a known GUID", func(p *Profile) {
			p.DeviceType, p.OtherGUID = DeviceOther, DeviceAndroid.GUID()
		}, []string{FieldDeviceGUID}},
		{"bad delivery", func(p *Profile) { p.DeliveryMethod = "fax" }, []string{FieldDeliveryMethod}},
		{"bad auth", func(p *Profile) { p.AuthType = "" }, []string{FieldAuthType}},
		{"everything wrong", func(p *Profile) {
			*p = Profile{}
		}, []string{FieldProfileName, FieldDeviceType, FieldDeliveryMethod, FieldTokencodeLength, FieldDuration, FieldAuthType}},
	}
	for _, c := range cases {
		p := good
		c.mutate(&p)
		err := p.Validate()
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

func TestValidateProfileEditLocksDeviceType(t *testing.T) {
	old := NewProfile("Staff", DeviceIPhone)
	otherOld := NewProfile("Lab", DeviceOther)
	otherOld.OtherGUID = "01234567-89ab-cdef-0123-456789abcdef"
	cases := []struct {
		name     string
		old      Profile
		mutate   func(*Profile)
		wantErr  string
		errField string
	}{
		{"rename and retune", old, func(p *Profile) { p.Name, p.TokencodeLength, p.Description = "Staff 2", 6, "new" }, "", ""},
		{"change device type", old, func(p *Profile) { p.DeviceType = DeviceAndroid }, "locked", FieldDeviceType},
		{"change Other GUID", otherOld, func(p *Profile) { p.OtherGUID = "11111111-89ab-cdef-0123-456789abcdef" }, "locked", FieldDeviceGUID},
		{"Other GUID case only", otherOld, func(p *Profile) { p.OtherGUID = strings.ToUpper(p.OtherGUID) }, "", ""},
		{"invalid new value", old, func(p *Profile) { p.Duration = 90 }, "30 or 60", FieldDuration},
	}
	for _, c := range cases {
		n := c.old
		c.mutate(&n)
		err := ValidateProfileEdit(c.old, n)
		check(t, err, c.wantErr)
		if c.errField != "" {
			wantField(t, err, "", c.errField)
		}
	}
}

func TestConfirmFingerprint(t *testing.T) {
	base := NewProfile("Staff", DeviceIPhone)
	fp := ConfirmFingerprint(base)
	cases := []struct {
		name    string
		mutate  func(*Profile)
		changes bool
	}{
		{"name", func(p *Profile) { p.Name = "Other name" }, false},
		{"description", func(p *Profile) { p.Description = "x" }, false},
		{"duration", func(p *Profile) { p.Duration = 30 }, true},
		{"length", func(p *Profile) { p.TokencodeLength = 6 }, true},
		{"auth type", func(p *Profile) { p.AuthType = AuthFob }, true},
		{"delivery", func(p *Profile) { p.DeliveryMethod = DeliveryCTF }, true},
	}
	for _, c := range cases {
		p := base
		c.mutate(&p)
		if got := ConfirmFingerprint(p) != fp; got != c.changes {
			t.Errorf("editing the %s: fingerprint changed = %v, want %v", c.name, got, c.changes)
		}
	}
}

func TestProfileInUseError(t *testing.T) {
	err := ProfileInUseError("Staff", []string{"self-service settings", `job "Q3 rollout"`})
	check(t, err, `cannot be deleted: it is used by self-service settings, job "Q3 rollout"`)
}

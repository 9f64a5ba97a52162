package model

import (
	"strings"
	"testing"
)

// TestBidiControlsAreRefusedInNames: a right-to-left override (or another
// invisible bidirectional control) would make a job, profile or user name
// display as something else; names refuse them like control characters.
func TestBidiControlsAreRefusedInNames(t *testing.T) {
	for _, r := range []rune{0x202E, 0x202A, 0x2066, 0x2069, 0x200F, 0x061C} {
		name := "Payroll " + string(r) + "fdp.exe"
		if err := ValidateJobName(name); err == nil || !strings.Contains(err.Error(), "control") {
			t.Errorf("job name with U+%04X: %v", r, err)
		}
		p := Profile{Name: name, DeviceType: DeviceIPhone, DeliveryMethod: DeliveryFile, TokencodeLength: 8, Duration: 60, AuthType: AuthPINPad}
		if err := p.Validate(); err == nil {
			t.Errorf("profile name with U+%04X accepted", r)
		}
		if err := (User{ID: "jdoe", FirstName: name}).Validate(); err == nil {
			t.Errorf("first name with U+%04X accepted", r)
		}
	}
	// Right-to-left text itself is fine.
	if err := ValidateJobName("גל הפצה 1"); err != nil {
		t.Errorf("a Hebrew job name: %v", err)
	}
	if err := ValidateJobName("توزيع"); err != nil {
		t.Errorf("an Arabic job name: %v", err)
	}
}

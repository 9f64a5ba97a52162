package model

import (
	"strings"
	"testing"
)

func TestLabels(t *testing.T) {
	cases := []struct{ got, want string }{
		{Binding{Kind: BindingClass, Value: "g"}.String(), "device class g"},
		{Binding{Kind: BindingDevice, Value: "D1"}.String(), "device D1"},
		{Binding{}.String(), "none"},
		{TabInProgress.String(), "In Progress"},
		{TabCompleted.String(), "Completed"},
		{TabFailedCanceled.String(), "Failed/Canceled"},
		{NotConfirmed.String(), "not confirmed"},
		{Confirmed.String(), "confirmed"},
		{ConfirmationLapsed.String(), "confirmation lapsed: the profile changed"},
		{JobState("x").String(), "Unknown(x)"},
		{(User{ID: "jdoe", FirstName: "John", LastName: "Doe"}).FullName(), "John Doe"},
		{softToken("123456789012", "").String(), "123456789012 (software, AES-128, unassigned)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, m := range PasswordModes() {
		if s := PasswordSummary(m); !strings.HasPrefix(s, m.Label()) {
			t.Errorf("PasswordSummary(%s) = %q must start with the label", m, s)
		}
	}
	if AlgAES128.Bits() != 128 || AlgSID64.Bits() != 64 || Algorithm("x").Bits() != 0 {
		t.Error("Bits wrong")
	}
}

package model

import (
	"strings"
	"testing"
)

func TestPreviewLeavesOutALapsedProfileAndSaysWhy(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	s.Entry("Staff Android").DisplayName = "Android phone"
	if p := Preview(s, ps); strings.Contains(p, "Not offered") || !strings.Contains(p, "Approval e-mail: Android phone") {
		t.Fatalf("both confirmed, both offered:\n%s", p)
	}

	ps[1].TokencodeLength = 6 // the profile changed: Android's confirmation lapses
	if !s.Entry("Staff Android").Selected || s.Entry("Staff Android").Offered(ps[1]) {
		t.Fatal("a selected profile whose confirmation lapsed must not be offered")
	}
	p := Preview(s, ps)
	want := "Not offered (shown to you only):\n  Android phone (profile \"Staff Android\"): its confirmation lapsed: the profile changed since it was confirmed; confirm it to offer it\n"
	if !strings.Contains(p, want) {
		t.Fatalf("preview lacks %q:\n%s", want, p)
	}
	if strings.Contains(p, "Approval e-mail: Android phone") || strings.Contains(p, ". Android phone") {
		t.Fatalf("the lapsed profile is still offered:\n%s", p)
	}
	if !strings.Contains(p, "1. Staff iPhone  (default)") || !strings.Contains(p, "Approval e-mail: Staff iPhone") {
		t.Fatalf("the confirmed profile must still be offered:\n%s", p)
	}

	// The default lapsing is marked as such; no profile is offered at all.
	ps[0].Duration = 30
	p = Preview(s, ps)
	if !strings.Contains(p, `Staff iPhone (profile "Staff iPhone", the default): its confirmation lapsed`) ||
		!strings.Contains(p, "No software token profiles are available for request.") {
		t.Fatalf("%s", p)
	}
	if got := NotOfferedReason(*s.Entry("Staff iPhone"), ps[0]); !strings.Contains(got, "lapsed") {
		t.Fatalf("reason %q", got)
	}
	if got := NotOfferedReason(SettingsEntry{Selected: true}, ps[0]); got != "it is not confirmed" {
		t.Fatalf("reason %q", got)
	}
}

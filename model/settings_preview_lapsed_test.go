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

// A CT-KIP profile cannot deliver yet: selected and confirmed, it is still
// not offered, and the preview says why without asking for a confirmation.
func TestPreviewDoesNotOfferACTKIPProfile(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	s.Entry("Staff Android").DisplayName = "Android phone"
	ps[1].DeliveryMethod = DeliveryCTKIP
	s.Entry("Staff Android").Confirm(ps[1])
	if s.Entry("Staff Android").Offered(ps[1]) {
		t.Fatal("a CT-KIP profile is offered")
	}
	p := Preview(s, ps)
	want := "  Android phone (profile \"Staff Android\"): it delivers by Dynamic Seed Provisioning (CT-KIP), which cannot deliver yet\n"
	if !strings.Contains(p, want) || strings.Contains(p, "Approval e-mail: Android phone") {
		t.Fatalf("preview lacks %q or still offers the profile:\n%s", want, p)
	}
}

package settings

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestSettingsSayCTKIPProfilesCannotDeliverYet: a CT-KIP profile's list
// row and details say plainly that it cannot deliver yet; the others do
// not.
func TestSettingsSayCTKIPProfilesCannotDeliverYet(t *testing.T) {
	be := newFakeBackend()
	ctkip := model.Profile{Name: "Self-service CT-KIP", DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTKIP,
		TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob}
	be.profiles = append(be.profiles, ctkip)
	m := openSettings(t, be, 120, 40)
	if n := strings.Count(screenText(m), "CT-KIP: CANNOT DELIVER YET"); n != 1 {
		t.Fatalf("%d rows say CT-KIP cannot deliver yet, want 1:\n%s", n, screenText(m))
	}
	wantNoScreen(t, m, "NOTE:")
	goRow(t, m, rowCTF+1)
	flat := strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(flat, "NOTE: "+model.CannotDeliverYet(ctkip.Name, ctkip.DeliveryMethod)) {
		t.Fatalf("the CT-KIP profile's details do not say it cannot deliver yet:\n%s", screenText(m))
	}
}

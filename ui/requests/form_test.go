package requests

import (
	"errors"
	"github.com/swtoken/swtoken/model"
	"testing"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

func newTestForm(be Backend) *formScreen { return newForm(&common{Env: uitest.Env(), be: be}) }

func TestFormPreselectsTheDefaultProfile(t *testing.T) {
	h := newHarness(newTestForm(fixture()), 120, 40)
	wantView(t, h, "Staff Android (2 of 2), the default")
}

func TestFormShowsDeviceSerialOnlyWhereAllowed(t *testing.T) {
	h := newHarness(newTestForm(fixture()), 120, 40)
	wantView(t, h, "Device serial:")
	h.press("tab", "left") // Staff iPhone: no device ID
	wantView(t, h, "Staff iPhone")
	wantNoView(t, h, "Device serial:")
}

func TestFormMakesTheRequest(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("alice")
	h.press("tab", "tab")
	h.typeText("DEV-1")
	h.press("tab")
	h.typeText("my phone")
	h.press("tab")
	h.typeText("lost the old one")
	h.press("enter")
	if len(be.made) != 1 {
		t.Fatalf("made %v", be.made)
	}
	in := be.made[0]
	if in.User != "alice" || in.Profile != "Staff Android" || in.DeviceSerial != "DEV-1" || in.Nickname != "my phone" || in.Reason != "lost the old one" {
		t.Errorf("input %+v", in)
	}
	if h.popped != 1 {
		t.Errorf("the form did not close")
	}
}

func TestFormPasswordTwiceMaskedWhenRequired(t *testing.T) {
	be := fixture()
	be.choices.PasswordRequired = true
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("alice")
	h.press("tab", "tab", "tab", "tab")
	h.typeText("s3cret")
	h.press("tab")
	h.typeText("s3cret")
	wantView(t, h, "Password:", "Password again:", "******")
	wantNoView(t, h, "s3cret")
	h.press("enter")
	if len(be.made) != 1 || be.made[0].Password != "s3cret" || be.made[0].PasswordConfirm != "s3cret" {
		t.Fatalf("made %+v", be.made)
	}
}

func TestFormHidesPasswordWhenNotRequired(t *testing.T) {
	h := newHarness(newTestForm(fixture()), 120, 40)
	wantNoView(t, h, "Password:")
}

func TestFormRefusalStaysOnTheForm(t *testing.T) {
	be := fixture()
	be.makeErr = errors.New(`User: no user "zed": a request is for an existing user`)
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("zed")
	h.press("tab", "enter") // leave the User ID field, then make the request
	wantView(t, h, `Refused: User: no user "zed"`)
	if h.popped != 0 {
		t.Error("the form closed on a refusal")
	}
}

func TestFormLettersAreText(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("qn?")
	wantView(t, h, "qn?")
	if len(be.made) != 0 || h.popped != 0 {
		t.Fatal("a letter acted")
	}
}

func TestFormClearSecretsEmptiesPasswords(t *testing.T) {
	be := fixture()
	be.choices.PasswordRequired = true
	f := newTestForm(be)
	h := newHarness(f, 120, 40)
	h.press("tab", "tab", "tab", "tab")
	h.typeText("pw")
	f.ClearSecrets()
	if f.in[fPassword].Value() != "" || f.in[fConfirm].Value() != "" {
		t.Fatal("a password survived ClearSecrets")
	}
}

func TestFormWithoutOfferedProfileSaysWhy(t *testing.T) {
	be := &fakeBackend{}
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("alice")
	h.press("tab", "enter")
	wantView(t, h, "No profile is offered for request")
	if len(be.made) != 0 {
		t.Fatal("a request was made without a profile")
	}
}

func TestRequestsReloadWhenTheFormCloses(t *testing.T) {
	be := fixture()
	h := newHarness(newTestScreen(be), 120, 40)
	be.reqs = append([]model.Request{req(7, "zoe", "Staff iPhone", model.RequestPending)}, be.reqs...)
	h.run(h.s.Resumed())
	wantView(t, h, "Pending (4)", "zoe")
}

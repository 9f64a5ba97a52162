package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/ui/nav"
)

// TestImportClearSecretsDropsThePassword: a password typed for token files
// is gone after ClearSecrets (the root calls it when the screen closes and
// when the console quits), and after esc leaves the screen.
func TestImportClearSecretsDropsThePassword(t *testing.T) {
	m := openMenu(t, listFixture(), "7", 80, 24)
	press(t, m, "tab", "tab")
	typeText(t, m, "s3cret")
	s := m.Top().(*importScreen)
	if s.password.Value() != "s3cret" {
		t.Fatalf("password field holds %q", s.password.Value())
	}
	s.ClearSecrets()
	if v := s.password.Value(); v != "" {
		t.Fatalf("after ClearSecrets the password is %q", v)
	}

	typeText(t, m, "again")
	press(t, m, "esc")
	if m.Top() == nav.Screen(s) {
		t.Fatal("esc did not leave the import screen")
	}
	if v := s.password.Value(); v != "" {
		t.Fatalf("after leaving the password is %q", v)
	}
}

// TestImportPasswordIsClearedOnQuit: quitting the console drops the
// password typed in the import form.
func TestImportPasswordIsClearedOnQuit(t *testing.T) {
	m := openMenu(t, listFixture(), "7", 80, 24)
	press(t, m, "tab", "tab")
	typeText(t, m, "s3cret")
	s := m.Top().(*importScreen)
	press(t, m, "ctrl+c", "y")
	if v := s.password.Value(); v != "" {
		t.Fatalf("after quitting the password is %q", v)
	}
}

// TestTokenDetailClearSecretsDropsThePIN: the PIN typed in the token
// detail's verify form is gone after ClearSecrets.
func TestTokenDetailClearSecretsDropsThePIN(t *testing.T) {
	m := openMenu(t, listFixture(), "5", 80, 24)
	press(t, m, "enter", "v", "tab")
	typeText(t, m, "4321")
	d := m.Top().(*tokenDetail)
	if d.pin.Value() != "4321" {
		t.Fatalf("PIN field holds %q", d.pin.Value())
	}
	d.ClearSecrets()
	if v := d.pin.Value(); v != "" {
		t.Fatalf("after ClearSecrets the PIN is %q", v)
	}
}

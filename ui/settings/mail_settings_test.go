package settings

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// typeInto focuses f, replaces its text with v.
func typeInto(t *testing.T, m *Model, f sField, v string) {
	t.Helper()
	goField(t, m, f)
	clearField(t, m)
	typeText(t, m, v)
}

// The SMTP settings are edited on the form and saved with the rest,
// through ApplySettings; security defaults to starttls once a host is
// typed, and space steps through the modes.
func TestSettingsSavesTheSMTPFields(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	typeInto(t, m, sfSMTPHost, "mail.example.com")
	s := settingsScreenOf(m)
	if s.cur.SMTP.Security != model.SMTPStartTLS {
		t.Fatalf("security after typing a host: %q", s.cur.SMTP.Security)
	}
	typeInto(t, m, sfSMTPPort, "5x87") // letters are not digits: dropped
	goField(t, m, sfSMTPSecurity)
	press(t, m, "space")
	wantScreen(t, m, "Security:                              tls (default port 465)")
	press(t, m, "space", "space", "space") // plain, none, starttls
	typeInto(t, m, sfSMTPUser, "mailer")
	typeInto(t, m, sfSMTPPasswordFile, "/etc/swtoken/smtp.pw")
	typeInto(t, m, sfSMTPFrom, "IT <it@example.com>")
	goField(t, m, sfSMTPZip)
	press(t, m, "space")
	update(t, m, ctrlS())
	want := model.SMTPSettings{Host: "mail.example.com", Port: 587, Security: model.SMTPStartTLS, User: "mailer",
		PasswordFile: "/etc/swtoken/smtp.pw", From: "IT <it@example.com>", ZipTokenFile: true}
	if be.settingsOK != 1 || be.settings.SMTP != want {
		t.Fatalf("saved %d: %+v, want %+v", be.settingsOK, be.settings.SMTP, want)
	}
	wantScreen(t, m, "Self-service settings saved")
}

// The model's SMTP field errors are shown at their fields, the focus goes
// to the first, and nothing is saved.
func TestSettingsShowsSMTPFieldErrorsAndSavesNothing(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 120, 40)
	typeInto(t, m, sfSMTPHost, "mail.example.com")
	goField(t, m, sfSMTPSecurity)
	press(t, m, "space", "space") // tls, plain
	typeInto(t, m, sfSMTPUser, "mailer")
	typeInto(t, m, sfSMTPPasswordFile, "smtp.pw")
	update(t, m, ctrlS())
	if be.settingsOK != 0 {
		t.Fatalf("saved %d times", be.settingsOK)
	}
	wantFlat(t, m, `ERROR: plain (unencrypted) SMTP is allowed only to a loopback address (localhost, 127.0.0.1, ::1), not "mail.example.com"`)
	wantFlat(t, m, `ERROR: "smtp.pw" must be an absolute path`)
	wantFlat(t, m, "ERROR: must be set when an SMTP host is set")
	if s := settingsScreenOf(m); !s.focus.smtp() {
		t.Fatalf("focus %d, want an SMTP field", s.focus)
	}
	// Fixing a field clears its error.
	typeInto(t, m, sfSMTPPasswordFile, "/etc/swtoken/smtp.pw")
	wantNoScreen(t, m, "must be an absolute path")
}

// Letters typed in the SMTP text fields are text, never commands (the
// form's commands are ctrl+ keys): a from address with y, n, p, q and r.
func TestSettingsSMTPTextFieldsTakeEveryLetter(t *testing.T) {
	be := newFakeBackend()
	m := openSettings(t, be, 80, 24)
	const from = "Reply Queue <ynpqr@example.com>"
	typeInto(t, m, sfSMTPFrom, from)
	s := settingsScreenOf(m)
	if s.cur.SMTP.From != from || s.preview || s.leaving || be.settingsOK != 0 {
		t.Fatalf("from %q, preview %v, leaving %v, saved %d", s.cur.SMTP.From, s.preview, s.leaving, be.settingsOK)
	}
	if !strings.Contains(screenText(m), from) {
		t.Fatalf("the field does not show %q:\n%s", from, screenText(m))
	}
}

func TestGoldenSettingsMail(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openSettings(t, newFakeBackend(), w, h)
		typeInto(t, m, sfSMTPHost, "mail.example.com")
		typeInto(t, m, sfSMTPPasswordFile, "smtp.pw")
		update(t, m, ctrlS())
		snap(t, m, "1_smtp_field_errors")
	})
}

package model

import (
	"strings"
	"testing"
)

func TestSMTPSettingsPlainOnlyToLoopback(t *testing.T) {
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "127.0.0.5"} {
		s := SMTPSettings{Host: host, Security: SMTPPlain, From: "it@example.com"}
		if err := s.Validate(); err != nil {
			t.Errorf("plain to %s refused: %v", host, err)
		}
	}
	for _, host := range []string{"mail.example.com", "10.0.0.1", "localhost.example.com"} {
		s := SMTPSettings{Host: host, Security: SMTPPlain, From: "it@example.com"}
		es := AsFieldErrors(s.Validate())
		if len(es.For(FieldSMTPSecurity)) != 1 {
			t.Errorf("plain to %s: want a security error, got %v", host, es)
		}
	}
}

func TestSMTPSettingsFieldErrorsAllAtOnce(t *testing.T) {
	s := SMTPSettings{Host: "mail.example.com", Port: 70000, Security: "ssl", User: "bob", From: "not an address"}
	es := AsFieldErrors(s.Validate())
	for _, f := range []string{FieldSMTPPort, FieldSMTPSecurity, FieldSMTPPasswordFile, FieldSMTPFrom} {
		if len(es.For(f)) != 1 {
			t.Errorf("want one error for %s, got %v", f, es)
		}
	}
	if err := (SMTPSettings{Host: "mail.example.com", Security: SMTPStartTLS, From: "x@y"}).Validate(); err != nil {
		t.Errorf("a bare starttls host: %v", err)
	}
	if err := (SMTPSettings{Port: 25}).Validate(); err == nil {
		t.Error("a port without a host was accepted")
	}
	if err := (SMTPSettings{Host: "m.example.com", Security: SMTPTLS, From: "x@y", User: "u", PasswordFile: "rel/pw"}).Validate(); err == nil {
		t.Error("a relative password file was accepted")
	}
}

func TestSettingsValidateIncludesSMTP(t *testing.T) {
	s := DefaultSettings()
	s.SMTP = SMTPSettings{Host: "mail.example.com", Security: SMTPPlain, From: "x@y"}
	if err := s.Validate(nil); err == nil || !strings.Contains(err.Error(), FieldSMTPSecurity) {
		t.Fatalf("want the SMTP error from Settings.Validate, got %v", err)
	}
}

func TestSettingsDiffListsSMTPWithoutSecrets(t *testing.T) {
	o := DefaultSettings()
	n := o
	n.SMTP = SMTPSettings{Host: "mail.example.com", Security: SMTPStartTLS, User: "u", PasswordFile: "/etc/swtoken/smtp.pw", From: "x@y", ZipTokenFile: true}
	d := strings.Join(Diff(o, n), "\n")
	for _, want := range []string{`SMTP host: (none) -> "mail.example.com"`, `SMTP password file: (none) -> "/etc/swtoken/smtp.pw"`, "SMTP token file as .zip: no -> yes"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

package mail

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
	"github.com/swtoken/swtoken/model"
)

const smtpPassword = "S3cret-smtp-pässword"

func passwordFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "smtp.pw")
	if err := os.WriteFile(p, []byte(smtpPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartTLSSendDeliversTheMessageIntact(t *testing.T) {
	srv := startServer(t, "starttls", "mailer", smtpPassword)
	m, err := testComposer().FulfilledFile(testRequest(), TokenFile{Name: "000123456789.sdtid", Data: sdtidBytes})
	if err != nil {
		t.Fatal(err)
	}
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPStartTLS, User: "mailer",
		PasswordFile: passwordFile(t), From: "it@example.com"}, TLSConfig: srv.TLS}
	if err := s.Send(m.Data); err != nil {
		t.Fatal(err)
	}
	got := srv.received(t)
	if len(got) != 1 {
		t.Fatalf("the server received %d messages", len(got))
	}
	if !bytes.Equal(got[0], m.Data) {
		t.Errorf("the received message differs from the sent one:\n%s", got[0])
	}
	_, ls := mailtest.Parts(t, got[0])
	if len(ls) != 2 || !bytes.Equal(ls[1].Body, sdtidBytes) {
		t.Errorf("the received attachment differs from the token file")
	}
	if bytes.Contains(got[0], []byte(smtpPassword)) {
		t.Error("the message contains the SMTP password")
	}
}

func TestStartTLSRefusesAnUntrustedCertificate(t *testing.T) {
	srv := startServer(t, "starttls", "", "")
	m, _ := testComposer().Received(testRequest())
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPStartTLS, From: "it@example.com"}}
	err := s.Send(m.Data)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a STARTTLS certificate error, got %v", err)
	}
	if n := len(srv.received(t)); n != 0 {
		t.Errorf("the server received %d messages", n)
	}
}

func TestImplicitTLSSendDelivers(t *testing.T) {
	srv := startServer(t, "tls", "", "")
	m, _ := testComposer().Rejected(testRequest(), "Not this time.")
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPTLS, From: "it@example.com"}, TLSConfig: srv.TLS}
	if err := s.Send(m.Data); err != nil {
		t.Fatal(err)
	}
	if got := srv.received(t); len(got) != 1 || !bytes.Equal(got[0], m.Data) {
		t.Fatalf("received %d messages, or one that differs", len(got))
	}
}

func TestStartTLSIsRequiredWhenTheServerLacksIt(t *testing.T) {
	srv := startServer(t, "plain", "", "")
	m, _ := testComposer().Received(testRequest())
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPStartTLS, From: "it@example.com"}, TLSConfig: srv.TLS}
	err := s.Send(m.Data)
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("want a refusal to send in the clear, got %v", err)
	}
	if n := len(srv.received(t)); n != 0 {
		t.Errorf("the server received %d messages in the clear", n)
	}
}

// The stock "python3 -m aiosmtpd" server, plain on the loopback, saving to
// a maildir: the message parses back with its attachment intact.
func TestPlainToLoopbackDeliversToAiosmtpdMailbox(t *testing.T) {
	srv := mailtest.StartMailbox(t)
	port := srv.Port
	m, _ := testComposer().FulfilledFile(testRequest(), TokenFile{Name: "t.sdtid", Data: sdtidBytes, Zip: false})
	s := &Sender{SMTP: model.SMTPSettings{Host: "localhost", Port: port, Security: model.SMTPPlain, From: "it@example.com"}}
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = s.Send(m.Data); err == nil || !strings.Contains(err.Error(), "cannot connect") {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	files := srv.Messages()
	if len(files) != 1 {
		t.Fatalf("the maildir holds %d messages", len(files))
	}
	data, _ := os.ReadFile(files[0])
	_, ls := mailtest.Parts(t, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
	if len(ls) != 2 || !bytes.Equal(ls[1].Body, sdtidBytes) {
		t.Fatalf("the received attachment differs")
	}
}

func TestPlainToANonLoopbackHostIsRefused(t *testing.T) {
	m, _ := testComposer().Received(testRequest())
	for _, host := range []string{"192.0.2.1", "mail.example.com"} {
		s := &Sender{SMTP: model.SMTPSettings{Host: host, Port: 25, Security: model.SMTPPlain, From: "it@example.com"}}
		err := s.Send(m.Data)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%s: want a loopback refusal, got %v", host, err)
		}
	}
}

func TestWrongSMTPPasswordErrorNamesNoPassword(t *testing.T) {
	srv := startServer(t, "starttls", "mailer", "another-password")
	m, _ := testComposer().Received(testRequest())
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPStartTLS, User: "mailer",
		PasswordFile: passwordFile(t), From: "it@example.com"}, TLSConfig: srv.TLS}
	err := s.Send(m.Data)
	if err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Fatalf("want an AUTH error, got %v", err)
	}
	if strings.Contains(err.Error(), smtpPassword) {
		t.Errorf("the error shows the password: %v", err)
	}
}

func TestUnconfiguredSenderLeavesTheOutboxAlone(t *testing.T) {
	o, err := OpenOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := testComposer().Received(testRequest())
	if _, err := o.Enqueue(m); err != nil {
		t.Fatal(err)
	}
	if _, err := o.SendDue(&Sender{}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("want ErrNotConfigured, got %v", err)
	}
	es, _ := o.List()
	if len(es) != 1 || es[0].State != Waiting || es[0].Attempts != 0 {
		t.Fatalf("entries: %+v", es)
	}
}

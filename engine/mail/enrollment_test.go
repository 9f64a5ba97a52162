package mail

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestEnrollmentMessageHoldsTheCodeInTheBodyOnly(t *testing.T) {
	code := "AB12-CD34-EF56-GH78"
	m, err := testComposer().Enrollment(Enrollment{To: Recipient{Name: "Zoë", Address: "zoe@example.com"}, User: "zoe",
		Code: code, Expires: time.Date(2026, 12, 6, 14, 30, 0, 0, time.UTC), SSHCommand: "ssh -p 2222 zoe@tokens.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Subject, code) {
		t.Fatal("the subject holds the code")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	for _, want := range []string{code, "ssh -p 2222 zoe@tokens.example.com", "2026-12-06 14:30 UTC", "Five wrong tries"} {
		if !strings.Contains(body, want) {
			t.Errorf("the body does not say %q:\n%s", want, body)
		}
	}
	head := string(m.Data[:strings.Index(string(m.Data), "\r\n\r\n")])
	if strings.Contains(head, code) {
		t.Fatal("a header holds the code")
	}
	if _, err := testComposer().Enrollment(Enrollment{To: Recipient{Address: "zoe@example.com"}, User: "zoe", SSHCommand: "ssh x"}); err == nil {
		t.Fatal("a message without a code composed")
	}
	if _, err := testComposer().Enrollment(Enrollment{User: "zoe", Code: code, SSHCommand: "ssh x"}); err != ErrNoRecipient {
		t.Fatalf("no address: %v", err)
	}
}

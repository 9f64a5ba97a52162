package mail

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
	"github.com/swtoken/swtoken/model"
)

func TestMailerUsesTheProfileEntryLinksAndZipChoice(t *testing.T) {
	s := model.DefaultSettings()
	s.Entries = []model.SettingsEntry{{Profile: "android", Selected: true, DisplayName: "Android phone", HelpDocURL: "https://help.example.com/a"}}
	s.SMTP = model.SMTPSettings{From: "it@example.com", ZipTokenFile: true}
	m, err := NewMailer(t.TempDir(), s)
	if err != nil {
		t.Fatal(err)
	}
	r := model.Request{Seq: 7, User: "zoe", Profile: "android"}
	u := model.User{ID: "zoe", FirstName: "Zoë", LastName: "Müller", Email: "zoe@example.com"}
	name, err := m.QueueFulfilledFile(r, u, "000123456789.sdtid", sdtidBytes)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(m.Outbox.Dir, "new", name))
	_, ls := mailtest.Parts(t, data)
	if len(ls) != 2 || ls[1].Type != "application/zip" {
		t.Fatalf("parts %+v", ls)
	}
	if !bytes.Contains(ls[0].Body, []byte("https://help.example.com/a")) || bytes.Contains(ls[0].Body, []byte("Install the app")) ||
		!bytes.Contains(ls[0].Body, []byte("R-7")) || !bytes.Contains(ls[0].Body, []byte("Android phone")) {
		t.Errorf("text:\n%s", ls[0].Body)
	}
	if _, err := m.SendDue(); err != ErrNotConfigured {
		t.Errorf("SendDue without SMTP: %v", err)
	}
}

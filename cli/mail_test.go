package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

const smtpTestPassword = "Pw-in-a-file-only-42"

func TestSettingsApplySMTPPlainToANonLoopbackHostIsRefusedNamingTheField(t *testing.T) {
	dir := demoDir(t)
	before := readSettingsState(t, dir)
	code, _, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		s.SMTP = smtpSettingsJSON{Host: "mail.example.com", Security: "plain", From: "it@example.com"}
	})
	if code == ExitOK || !strings.Contains(errOut, "smtp.security: plain (unencrypted) SMTP is allowed only to a loopback address") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	assertSettingsUnchanged(t, dir, before)
}

func TestSettingsApplySMTPSavesAndAuditsWithoutThePassword(t *testing.T) {
	dir := demoDir(t)
	pw := writeFile(t, "smtp.pw", smtpTestPassword+"\n")
	code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		s.SMTP = smtpSettingsJSON{Host: "mail.example.com", Port: 587, Security: "starttls", User: "mailer", PasswordFile: pw, From: "IT <it@example.com>", ZipTokenFile: true}
	})
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	s := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	if s.SMTP.Host != "mail.example.com" || s.SMTP.PasswordFile != pw || !s.SMTP.ZipTokenFile {
		t.Fatalf("%+v", s.SMTP)
	}
	audit := mustRun(t, dir, "audit", "--json")
	if !strings.Contains(audit, `SMTP host: (none) -> \"mail.example.com\"`) {
		t.Fatalf("the audit lacks the SMTP change: %s", audit)
	}
	for _, text := range []string{audit, out, mustRun(t, dir, "settings", "show")} {
		if strings.Contains(text, smtpTestPassword) {
			t.Fatalf("the password shows: %s", text)
		}
	}
}

func TestSettingsApplyRefusesAFileWithoutTheSMTPObject(t *testing.T) {
	dir := demoDir(t)
	var doc map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, dir, "settings", "show", "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	before := readSettingsState(t, dir)
	delete(doc, "smtp")
	data, _ := json.Marshal(doc)
	code, _, errOut := runCmd(t, dir, string(data), "settings", "apply", "-")
	if code == ExitOK || !strings.Contains(errOut, "smtp: missing") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	doc["smtp"] = map[string]any{"host": ""}
	data, _ = json.Marshal(doc)
	code, _, errOut = runCmd(t, dir, string(data), "settings", "apply", "-")
	if code == ExitOK || !strings.Contains(errOut, "smtp.from, password_file, port, security, user, zip_token_file: missing") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	assertSettingsUnchanged(t, dir, before)
}

func TestMailOutboxWithoutSMTPSaysWhereMessagesWait(t *testing.T) {
	dir := demoDir(t)
	out := mustRun(t, dir, "mail", "outbox")
	if !strings.Contains(out, "0 messages waiting") || !strings.Contains(out, "no SMTP server is configured") {
		t.Fatalf("%s", out)
	}
	fi, err := os.Stat(filepath.Join(dir, "outbox"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("outbox: %v %v", fi, err)
	}
	code, _, errOut := runCmd(t, dir, "", "mail", "send")
	if code == ExitOK || !strings.Contains(errOut, "no SMTP server is configured") {
		t.Fatalf("mail send without SMTP: exit %d, %s", code, errOut)
	}
}

func TestMailTestSendsToARealSMTPServerAndReportsItsError(t *testing.T) {
	srv := mailtest.StartMailbox(t)
	dir := demoDir(t)
	port := srv.Port
	if code, _, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		s.SMTP = smtpSettingsJSON{Host: "127.0.0.1", Port: port, Security: "plain", From: "it@example.com"}
	}); code != ExitOK {
		t.Fatal(errOut)
	}
	var out, errOut string
	var code int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code, out, errOut = runCmd(t, dir, "", "mail", "test", "--to", "zoe@example.com"); code == ExitOK || !strings.Contains(errOut, "cannot connect") {
			break
		}
	}
	if code != ExitOK || !strings.Contains(out, "test message sent to zoe@example.com") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if files := srv.Messages(); len(files) != 1 {
		t.Fatalf("the server's maildir holds %d messages", len(files))
	}
	// The server stops: the error says so plainly.
	srv.Stop()
	code, _, errOut = runCmd(t, dir, "", "mail", "test", "--to", "zoe@example.com")
	if code == ExitOK || !strings.Contains(errOut, "the test message was not sent: SMTP: cannot connect to 127.0.0.1:"+strconv.Itoa(port)) {
		t.Fatalf("exit %d, %s", code, errOut)
	}
}

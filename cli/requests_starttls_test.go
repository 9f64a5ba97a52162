package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
)

// attachments are a raw message's attachments by file name, decoded.
func attachments(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	_, parts := mailtest.Parts(t, raw)
	out := map[string][]byte{}
	for _, p := range parts {
		if name := p.FileName(); name != "" {
			out[name] = p.Body
		}
	}
	return out
}

func TestRequestTokenReachesTheUserOverSTARTTLS(t *testing.T) {
	stokentest.Require(t, "stoken")
	const userPW, smtpUser, smtpPW = "Correct-Horse-9", "mailer", "Smtp-Secret-77"
	srv := mailtest.Start(t, "starttls", smtpUser, smtpPW)
	dir := demoDir(t)
	f := readDemoRequestFacts(t, dir)
	smtpPWFile := requestPasswordFile(t, smtpPW)
	code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		s.ApprovalPolicy = "automatic"
		s.SMTP = smtpSettingsJSON{Host: "127.0.0.1", Port: srv.Port, Security: "starttls",
			User: smtpUser, PasswordFile: smtpPWFile, From: "IT <it@example.com>"}
	})
	if code != ExitOK {
		t.Fatalf("settings apply: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}

	// The test CA is not in the system pool: the sender refuses it.
	code, _, errOut, _ = runChildEnv(t, []string{"SSL_CERT_FILE=" + filepath.Join(t.TempDir(), "none.pem")},
		"--data-dir", dir, "mail", "test", "--to", "admin@example.com")
	if code == ExitOK || !strings.Contains(errOut, "certificate") {
		t.Fatalf("mail test without the test CA: exit %d, stderr %s", code, errOut)
	}
	if got := srv.Received(t); len(got) != 0 {
		t.Fatalf("the server got %d message(s) over an untrusted certificate", len(got))
	}

	mustRun(t, dir, "requests", "add", "--user", f.other, "--password-file", requestPasswordFile(t, userPW))
	code, out, errOut, _ = runChildEnv(t, []string{"SSL_CERT_FILE=" + srv.CAFile}, "--data-dir", dir, "jobs", "run")
	if code != ExitOK || !strings.Contains(out, "Request R-1 fulfilled") || !strings.Contains(out, "E-mail: 2 sent, 0 to retry, 0 failed") {
		t.Fatalf("jobs run: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	raws := srv.Received(t)
	if len(raws) != 2 {
		t.Fatalf("the server received %d messages, want 2", len(raws))
	}
	var sdtid []byte
	for _, raw := range raws {
		for _, secret := range []string{userPW, smtpPW} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("a message holds a password:\n%s", raw)
			}
		}
		for name, data := range attachments(t, raw) {
			if strings.HasSuffix(name, ".sdtid") {
				sdtid = data
			}
		}
	}
	if sdtid == nil {
		t.Fatal("no message carries an .sdtid attachment")
	}
	file := filepath.Join(t.TempDir(), "token.sdtid")
	if err := os.WriteFile(file, sdtid, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := stokentest.Show(file, userPW); err != nil {
		t.Fatalf("stoken refuses the user's password: %v\n%s", err, out)
	}
	if _, err := stokentest.Show(file, userPW+"x"); err == nil {
		t.Fatal("stoken accepts a wrong password")
	}
	audit := mustRun(t, dir, "audit", "--action", "mail sent")
	if strings.Count(audit, "mail sent") != 2 {
		t.Fatalf("the audit trail lacks the two sent messages:\n%s", audit)
	}
	for _, text := range []string{audit, mustRun(t, dir, "audit", "--json"), out, errOut} {
		for _, secret := range []string{userPW, smtpPW} {
			if strings.Contains(text, secret) {
				t.Fatalf("a password shows in the output or audit:\n%s", text)
			}
		}
	}
}

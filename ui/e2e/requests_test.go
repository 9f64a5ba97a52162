//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

// applySettingsJSON runs "settings apply -" on data with doc on standard
// input.
func applySettingsJSON(t *testing.T, data string, doc map[string]any) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "--data-dir", data, "settings", "apply", "-")
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	cmd.Stdin = bytes.NewReader(b)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("settings apply: %v\n%s", err, out)
	}
}

// tokenMessageFor returns the received message to addr that carries a
// token file attachment, or nil.
func tokenMessageFor(t *testing.T, srv *mailtest.Server, addr string) (*mail.Message, string) {
	t.Helper()
	for _, raw := range srv.Received(t) {
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil || !strings.Contains(msg.Header.Get("To"), addr) {
			continue
		}
		if name := attachmentName(t, msg); name != "" {
			return msg, name
		}
	}
	return nil, ""
}

// attachmentName is the file name of the first attachment of msg, "" when
// it has none.
func attachmentName(t *testing.T, msg *mail.Message) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return ""
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			return ""
		}
		if disp, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && disp == "attachment" {
			return dp["filename"]
		}
	}
}

// TestE2EConsoleApprovalMailsTheToken: a helpdesk makes a request with
// the CLI; an admin opens it in the console's Requests screen and
// approves it; the console's job runner fulfils it and the real SMTP
// server on the loopback receives the token file for the user.
func TestE2EConsoleApprovalMailsTheToken(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	srv := mailtest.Start(t, "plain", "", "")

	// SMTP in plain to the loopback (allowed there only).
	doc := settingsDoc(t, data)
	doc["smtp"] = map[string]any{"host": "127.0.0.1", "port": srv.Port, "security": "plain", "user": "", "password_file": "",
		"from": "tokens@example.com", "zip_token_file": false}
	doc["approval_policy"] = "one"
	applySettingsJSON(t, data, doc)

	// A user holding fewer than 3 tokens.
	var users []struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
		Tokens int    `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "users", "list", "--json")), &users); err != nil {
		t.Fatal(err)
	}
	user, email := "", ""
	for _, u := range users {
		if u.Tokens < 3 && u.Email != "" {
			user, email = u.UserID, u.Email
			break
		}
	}
	if user == "" {
		t.Fatal("the demo has no user with fewer than 3 tokens")
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("Correct-Horse-9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := cli(t, data, "requests", "add", "--user", user, "--profile", "Staff iPhone", "--password-file", pw, "--reason", "new phone")
	id := regexp.MustCompile(`R-\d+`).FindString(out)
	if id == "" {
		t.Fatalf("requests add printed no request ID:\n%s", out)
	}

	s := startConsole(t, dir, data, 120, 40)
	m := s.waitFor(`(\d)\s+Requests`, 20*time.Second)
	s.keys(m[1], "Enter")
	s.waitFor(`Pending \(1\)`, 10*time.Second)
	s.waitFor(regexp.QuoteMeta(id)+`\s+`+regexp.QuoteMeta(user), 5*time.Second)
	s.keys("Enter")
	s.waitFor(`Request details`, 5*time.Second)
	s.waitFor(`created`, 5*time.Second)
	s.keys("a")
	s.waitFor(`Comment to the user:`, 5*time.Second)
	s.typ("Welcome aboard")
	s.keys("Enter")
	s.waitFor(`Request `+regexp.QuoteMeta(id)+` approved`, 10*time.Second)

	// The console's job runner fulfils the request and sends the token.
	deadline := time.Now().Add(60 * time.Second)
	var msg *mail.Message
	var name string
	for time.Now().Before(deadline) {
		if msg, name = tokenMessageFor(t, srv, email); msg != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if msg == nil {
		t.Fatalf("no message with a token file reached %s in 60 s; %d messages received; screen:\n%s", email, len(srv.Received(t)), s.screen())
	}
	if !strings.HasSuffix(name, ".sdtid") && !strings.HasSuffix(name, ".zip") {
		t.Errorf("the attachment is %q, not a token file", name)
	}
	for _, raw := range srv.Received(t) {
		if bytes.Contains(raw, []byte("Correct-Horse-9")) {
			t.Error("a message holds the token file password")
		}
	}
	if got := cli(t, data, "requests", "show", id); !strings.Contains(got, "fulfilled") {
		t.Errorf("request %s is not fulfilled:\n%s", id, got)
	}
	s.keys("Escape")
	s.waitFor(`Completed \(1\)`, 10*time.Second)
}

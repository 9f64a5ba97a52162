package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

// TestMailSendWaitsForAnotherSenderThenExits3: while another process
// holds the outbox's send lock (swtoken serve or a console sending), `mail
// send` waits for the lock wait and then exits 3 with nothing sent,
// instead of sending the same messages a second time; once the lock is
// free it sends.
func TestMailSendWaitsForAnotherSenderThenExits3(t *testing.T) {
	dir := demoDir(t)
	configureLoopbackSMTP(t, dir)
	release := holdOutboxSendLock(t, dir)
	start := time.Now()
	code, out, errOut := runCmd(t, dir, "", "--lock-wait", "400ms", "mail", "send")
	took := time.Since(start)
	if code != ExitInUse || !strings.Contains(errOut, "another swtoken process (swtoken serve, a console or mail send) is still sending the outbox after 400ms; nothing was sent") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if took < 400*time.Millisecond {
		t.Fatalf("mail send gave up after %v, before its lock wait", took)
	}
	release() // the other sender is done
	code, out, errOut = runCmd(t, dir, "", "--lock-wait", "400ms", "mail", "send")
	if code != ExitOK || !strings.Contains(out, "sent 0, to retry 0, failed for good 0, not due yet 0") {
		t.Fatalf("after the lock was released: exit %d\n%s\n%s", code, out, errOut)
	}
}

// configureLoopbackSMTP sets plain SMTP to a free loopback port where
// nothing listens: enough for `mail send` to try the outbox.
func configureLoopbackSMTP(t *testing.T, dir string) {
	t.Helper()
	port := mailtest.FreePort(t)
	if code, _, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		s.SMTP = smtpSettingsJSON{Host: "127.0.0.1", Port: port, Security: "plain", From: "it@example.com"}
	}); code != ExitOK {
		t.Fatal(errOut)
	}
}

// holdOutboxSendLock takes the outbox's send lock as a sending process
// would (flock on outbox/send.lock) until release.
func holdOutboxSendLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "outbox"), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "outbox", "send.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return func() { f.Close() }
}

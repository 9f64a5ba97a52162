package cli

import (
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// swtoken serve is a runner too: it fulfils an approved request, logs it
// (without the password), and exits 0 on SIGTERM.
func TestServeFulfilsApprovedRequestsAndExitsZeroOnSIGTERM(t *testing.T) {
	dir := demoDir(t)
	if code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { s.ApprovalPolicy = "automatic" }); code != ExitOK {
		t.Fatalf("settings apply: exit %d\n%s%s", code, out, errOut)
	}
	f := readDemoRequestFacts(t, dir)
	mustRun(t, dir, "requests", "add", "--user", f.other, "--password-file", requestPasswordFile(t, "Correct-Horse-9"))

	cmd := childCmd(t, "run", "--data-dir", dir, "serve", "--listen", "127.0.0.1:0")
	log := &syncWriter{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(log.String(), "request R-1 fulfilled: token ") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("serve did not fulfil R-1:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, log.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not stop on SIGTERM:\n%s", log.String())
	}
	out := log.String()
	t.Logf("serve's log:\n%s", out)
	for _, want := range []string{"host key SHA256:", "listening on 127.0.0.1:", "stopping (terminated)", "stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Correct-Horse-9") {
		t.Error("the log holds the request's password")
	}
	if r := decodeJSON[requestJSON](t, mustRun(t, dir, "requests", "show", "R-1", "--json")); r.State != "fulfilled" {
		t.Errorf("R-1 is %s", r.State)
	}
}

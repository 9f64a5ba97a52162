// Package storetest holds helpers for tests in which another process holds
// a store open: the lock, permission and crash tests of store and cli.
package storetest

import (
	"bufio"
	"fmt"
	"os/exec"
	"testing"
	"time"
)

// StartReady starts cmd, a child that prints "ready\n" once it holds what
// the test needs (typically the store's lock) and exits when its standard
// input closes. It returns when the child is ready; the returned release
// closes the child's input and waits for it to exit. Release runs at test
// cleanup too, and is safe to call twice.
func StartReady(t testing.TB, cmd *exec.Cmd, wait time.Duration) (release func()) {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("unexpected output %q", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not start: %v", err)
		}
	case <-time.After(wait):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not start within %s", wait)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("child exited with %v", err)
			}
		case <-time.After(wait):
			cmd.Process.Kill()
			t.Errorf("child did not exit within %s", wait)
		}
	}
	t.Cleanup(release)
	return release
}

package mail

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingTransport holds its first Send until release is closed.
type blockingTransport struct {
	mu      sync.Mutex
	sent    int
	entered chan struct{}
	release chan struct{}
}

func (b *blockingTransport) Send([]byte) error {
	b.mu.Lock()
	first := b.sent == 0
	b.sent++
	b.mu.Unlock()
	if first {
		close(b.entered)
		<-b.release
	}
	return nil
}

// countingTransport counts each raw message it is given.
type countingTransport struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *countingTransport) Send(msg []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[string(msg)]++
	return nil
}

func enqueueReceived(t *testing.T, o *Outbox, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		r := testRequest()
		r.ID = fmt.Sprintf("R-%d", i+1) // each message its own text
		m, err := testComposer().Received(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Enqueue(m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOnlyOneProcessSendsTheOutboxAtATime: while one sender (serve's
// runner, say) is in the middle of the outbox, another (an admin's
// console, `mail send`) is told ErrSending and sends nothing, instead of
// sending the same waiting messages a second time. The lock is free again
// when the first sender is done.
func TestOnlyOneProcessSendsTheOutboxAtATime(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := OpenOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	enqueueReceived(t, first, 3)
	slow := &blockingTransport{entered: make(chan struct{}), release: make(chan struct{})}
	done := make(chan Result)
	go func() {
		res, err := first.SendDue(slow)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-slow.entered
	other := &countingTransport{seen: map[string]int{}}
	res, err := second.SendDue(other)
	if !errors.Is(err, ErrSending) || res.Sent != 0 || len(other.seen) != 0 {
		t.Fatalf("a second sender during the first: %+v, %v, sent %d", res, err, len(other.seen))
	}
	close(slow.release)
	if res := <-done; res.Sent != 3 {
		t.Fatalf("the first sender: %+v", res)
	}
	res, err = second.SendDue(other)
	if err != nil || res.Sent != 0 || len(other.seen) != 0 {
		t.Fatalf("after the first sender: %+v, %v", res, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "outbox", sendLockName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("send lock: %v %v", fi, err)
	}
}

// TestConcurrentSendersSendEachMessageOnce: four senders going over one
// outbox of 40 messages at once, each retrying while another sends, end
// with every message sent exactly once and none left waiting.
func TestConcurrentSendersSendEachMessageOnce(t *testing.T) {
	dir := t.TempDir()
	o, err := OpenOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	enqueueReceived(t, o, 40)
	tr := &countingTransport{seen: map[string]int{}}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine, err := OpenOutbox(dir)
			if err != nil {
				t.Error(err)
				return
			}
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				n, err := mine.Waiting()
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
				if _, err := mine.SendDue(tr); err != nil && !errors.Is(err, ErrSending) {
					t.Error(err)
					return
				}
			}
			t.Error("the outbox was not emptied in 10 s")
		}()
	}
	wg.Wait()
	if len(tr.seen) != 40 {
		t.Fatalf("%d distinct messages sent, want 40", len(tr.seen))
	}
	for _, n := range tr.seen {
		if n != 1 {
			t.Fatalf("a message was sent %d times", n)
		}
	}
}

// TestOutboxLockWaitsThenSaysWhoHoldsIt: a lock another holder keeps is
// waited for up to the wait given, then refused with ErrLocked naming the
// file; once released it is taken at once.
func TestOutboxLockWaitsThenSaysWhoHoldsIt(t *testing.T) {
	o, err := OpenOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	release, err := o.Lock("notices.lock", 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = o.Lock("notices.lock", 150*time.Millisecond)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "notices.lock for 150ms") {
		t.Fatalf("a held lock: %v", err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Fatalf("gave up after %v, before the wait", took)
	}
	release()
	again, err := o.Lock("notices.lock", 0)
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	again()
}

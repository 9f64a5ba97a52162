package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// Home's outbox count is the messages waiting in the data directory's
// outbox; before any message the outbox does not exist, counts 0 and is
// not created by the count.
func TestHomeCountsReadTheOutbox(t *testing.T) {
	st := uitest.DemoStore(t)
	b := &engineBackend{st: st}
	p, o, err := b.HomeCounts()
	if err != nil || p != 0 || o != 0 {
		t.Fatalf("empty: %d %d %v", p, o, err)
	}
	if _, err := os.Stat(filepath.Join(st.DataDir(), "outbox")); !os.IsNotExist(err) {
		t.Fatalf("the count created the outbox: %v", err)
	}
	box, err := mail.OpenOutbox(st.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := box.Enqueue(mail.Message{Data: []byte("Subject: x\r\n\r\nx\r\n")}); err != nil {
			t.Fatal(err)
		}
	}
	if p, o, err = b.HomeCounts(); err != nil || p != 0 || o != 2 {
		t.Fatalf("two waiting: %d %d %v", p, o, err)
	}
}

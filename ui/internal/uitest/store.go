package uitest

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/nav"
)

// DemoStore is a real store in a temporary directory with the demo
// inventory.
func DemoStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: filepath.Join(t.TempDir(), "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := inventory.LoadDemo(st, inventory.DefaultDemoUsers, inventory.DefaultDemoTokens, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

// OtherConsole opens a second store handle on st's data directory, as
// another admin's console does, over SSH from 203.0.113.7 (the audit
// trail's client address).
func OtherConsole(t *testing.T, st *store.Store) *store.Store {
	t.Helper()
	t.Setenv("SSH_CONNECTION", "203.0.113.7 50022 192.0.2.10 22")
	o, err := store.Open(store.Options{DataDir: st.DataDir(), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// NewestRecord is the newest audit record, the one a conflict names.
func NewestRecord(t testing.TB, st *store.Store) store.AuditRecord {
	t.Helper()
	recs, err := st.AuditRecords(store.AuditFilter{Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit: %v", err)
	}
	return recs[0]
}

// Stamp is an audit record's time as a conflict error shows it.
func Stamp(r store.AuditRecord) string { return r.Time.UTC().Format("2006-01-02 15:04:05 UTC") }

// StoreBase answers what the root and Home read from a real store, as the
// console's engine backend does, without an engine (no events, no demo).
type StoreBase struct{ St *store.Store }

func (b StoreBase) IsEmpty() (bool, error)         { return b.St.IsEmpty() }
func (b StoreBase) LoadDemo() (string, error)      { return "", errors.New("no demo in this test") }
func (b StoreBase) Jobs() ([]model.Job, error)     { return b.St.Jobs() }
func (b StoreBase) Events() <-chan nav.JobEvent    { return nil }
func (b StoreBase) ChangeCounter() (uint64, error) { return b.St.ChangeCounter() }

// HomeCounts are the store's pending requests; the outbox is not read.
func (b StoreBase) HomeCounts() (int, int, error) {
	n, err := b.St.CountRequests(model.RequestPending)
	return n, 0, err
}

package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestCrashSafety SIGKILLs a writer at random moments while it appends audit
// records together with a domain record, then checks that bbolt is
// consistent, that no transaction was half applied and that the audit chain
// is intact. This covers process death only; power loss is bbolt's own
// dm-flakey suite (bbolt:tests/robustness), which needs root.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 20 processes")
	}
	dir := initStore(t)
	lastCount := 0
	for iter := 0; iter < 20; iter++ {
		cmd := helperCmd(t, "writer", dir, "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rand.IntN(81)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() // "signal: killed", or exit 1 if the writer failed (then the checks below fail too)

		s, err := Open(Options{DataDir: dir, LockTimeout: 2 * time.Second})
		if err != nil {
			t.Fatalf("iteration %d: reopen: %v", iter, err)
		}
		var puts, audits int
		err = s.View(func(tx *Tx) error {
			for cerr := range tx.tx.Check() {
				t.Errorf("iteration %d: bbolt check: %v", iter, cerr)
			}
			if b := tx.tx.Bucket([]byte("crashtest")); b != nil {
				puts = b.Stats().KeyN
			}
			audits = tx.tx.Bucket(bucketAudit).Stats().KeyN
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if audits != 2*puts {
			t.Errorf("iteration %d: %d domain records but %d audit records: a transaction was torn", iter, puts, audits)
		}
		if audits < lastCount {
			t.Errorf("iteration %d: audit shrank from %d to %d", iter, lastCount, audits)
		}
		lastCount = audits
		if err := s.Check(); err != nil {
			t.Errorf("iteration %d: %v", iter, err)
		}
		res, err := s.VerifyAudit()
		if err != nil || !res.OK() || res.Count != audits {
			t.Errorf("iteration %d: verify %+v %v", iter, res, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if lastCount == 0 {
		t.Error("the writer never committed anything: the test proved nothing")
	}
	t.Logf("%d audit records after 20 kills", lastCount)
}

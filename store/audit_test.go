package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditStore creates a closed store holding n audit records.
func auditStore(t *testing.T, n int) string {
	t.Helper()
	dir := initStore(t)
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= n; i++ {
		if err := s.AppendAudit("profile.add", fmt.Sprintf("profile %d", i), "device type: iPhone"); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func verify(t *testing.T, dir string) VerifyResult {
	t.Helper()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAuditChainIntact(t *testing.T) {
	t.Setenv("SSH_CONNECTION", "203.0.113.7 52114 198.51.100.2 22")
	dir := initStore(t)
	if res := verify(t, dir); !res.OK() || res.Count != 0 {
		t.Fatalf("empty trail: %+v", res)
	}
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= 10; i++ {
		if err := s.AppendAudit("token.assign", fmt.Sprintf("%012d", i), "user: alice"); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.VerifyAudit()
	if err != nil || !res.OK() || res.Count != 10 {
		t.Fatalf("verify: %+v %v", res, err)
	}
	recs, err := s.AuditRecords(AuditFilter{})
	if err != nil || len(recs) != 10 {
		t.Fatalf("records: %d %v", len(recs), err)
	}
	if recs[0].Seq != 10 || recs[9].Seq != 1 {
		t.Errorf("not newest first: %d..%d", recs[0].Seq, recs[9].Seq)
	}
	if r := recs[0]; r.SSHClient != "203.0.113.7" || r.OSUser == "" || r.Object != "000000000010" || r.Time.IsZero() {
		t.Errorf("record fields: %+v", r)
	}
}

func TestAuditFilter(t *testing.T) {
	s, _ := newStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	s.now = func() time.Time { i++; return base.Add(time.Duration(i) * time.Hour) }
	for n := 0; n < 6; n++ {
		action := "job.submit"
		if n%2 == 1 {
			action = "job.cancel"
		}
		if err := s.AppendAudit(action, fmt.Sprintf("job %d", n%3), ""); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(f AuditFilter) string {
		recs, err := s.AuditRecords(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, fmt.Sprint(r.Seq))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    AuditFilter
		want string
	}{
		{AuditFilter{}, "6,5,4,3,2,1"},
		{AuditFilter{Action: "job.cancel"}, "6,4,2"},
		{AuditFilter{Object: "job 0"}, "4,1"},
		{AuditFilter{Limit: 2}, "6,5"},
		{AuditFilter{BeforeSeq: 3}, "2,1"},
		{AuditFilter{BeforeSeq: 99}, "6,5,4,3,2,1"},
		{AuditFilter{Since: base.Add(2 * time.Hour), Until: base.Add(4 * time.Hour)}, "3,2"},
	} {
		if got := seqs(c.f); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.f, got, c.want)
		}
	}
}

// TestAuditRollsBackWithTheChange: a failed domain write takes its audit
// record with it.
func TestAuditRollsBackWithTheChange(t *testing.T) {
	s, _ := newStore(t)
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if err := tx.AppendAudit("profile.delete", "p", ""); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := s.AppendAudit("profile.add", "p", ""); err != nil {
		t.Fatal(err)
	}
	recs, _ := s.AuditRecords(AuditFilter{})
	if len(recs) != 1 || recs[0].Seq != 1 || recs[0].Action != "profile.add" {
		t.Fatalf("records after rollback: %+v", recs)
	}
	if res, _ := s.VerifyAudit(); !res.OK() {
		t.Fatalf("verify: %+v", res)
	}
	if err := s.View(func(tx *Tx) error { return tx.AppendAudit("x", "y", "") }); err == nil {
		t.Error("AppendAudit in View succeeded")
	}
}

func editRecord(t *testing.T, dir string, seq uint64, edit func(r *AuditRecord)) {
	t.Helper()
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		var r AuditRecord
		if err := json.Unmarshal(b.Get(itob(seq)), &r); err != nil {
			return err
		}
		edit(&r)
		return putJSON(b, itob(seq), &r)
	})
}

func TestAuditTamperDetected(t *testing.T) {
	cases := []struct {
		name     string
		tamper   func(t *testing.T, dir string)
		firstBad uint64
	}{
		{"edit details in the middle", func(t *testing.T, dir string) {
			editRecord(t, dir, 5, func(r *AuditRecord) { r.Details = "device type: Android" })
		}, 5},
		{"edit time", func(t *testing.T, dir string) {
			editRecord(t, dir, 3, func(r *AuditRecord) { r.Time = r.Time.Add(-time.Hour) })
		}, 3},
		{"edit the last record", func(t *testing.T, dir string) {
			editRecord(t, dir, 10, func(r *AuditRecord) { r.OSUser = "mallory" })
		}, 10},
		{"delete in the middle", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(itob(5)) })
		}, 5},
		{"delete the first", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(itob(1)) })
		}, 1},
		{"delete the last", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(itob(10)) })
		}, 10},
		{"delete the last and rewind the head", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				var r9 AuditRecord
				json.Unmarshal(b.Get(itob(9)), &r9)
				meta := tx.Bucket(bucketMeta)
				var h auditHead
				json.Unmarshal(meta.Get(metaAuditHead), &h)
				h.Seq, h.MAC = 9, r9.MAC // HeadMAC cannot be recomputed without the key
				if err := putJSON(meta, metaAuditHead, &h); err != nil {
					return err
				}
				return b.Delete(itob(10))
			})
		}, 9},
		{"delete one and renumber the rest", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				for seq := uint64(6); seq <= 10; seq++ {
					var r AuditRecord
					json.Unmarshal(b.Get(itob(seq)), &r)
					r.Seq--
					if err := putJSON(b, itob(seq-1), &r); err != nil {
						return err
					}
				}
				return b.Delete(itob(10))
			})
		}, 5},
		{"insert a copy in the middle", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				// Shift 6..10 up by one and put a copy of 4 at 6.
				for seq := uint64(10); seq >= 6; seq-- {
					if err := b.Put(itob(seq+1), append([]byte(nil), b.Get(itob(seq))...)); err != nil {
						return err
					}
				}
				var r AuditRecord
				json.Unmarshal(b.Get(itob(4)), &r)
				r.Seq = 6
				return putJSON(b, itob(6), &r)
			})
		}, 6},
		{"append a forged record", func(t *testing.T, dir string) {
			rawUpdate(t, dir, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				var r AuditRecord
				json.Unmarshal(b.Get(itob(10)), &r)
				r.Seq, r.PrevMAC, r.Details = 11, r.MAC, "forged"
				return putJSON(b, itob(11), &r)
			})
		}, 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := auditStore(t, 10)
			c.tamper(t, dir)
			res := verify(t, dir)
			if res.OK() || res.FirstBad != c.firstBad || res.Reason == "" {
				t.Fatalf("got %+v, want FirstBad %d", res, c.firstBad)
			}
			t.Logf("%s: %+v", c.name, res)
		})
	}
}

func TestAuditRefusesToExtendForgedHead(t *testing.T) {
	dir := auditStore(t, 3)
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var h auditHead
		json.Unmarshal(meta.Get(metaAuditHead), &h)
		h.Seq = 2
		return putJSON(meta, metaAuditHead, &h)
	})
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendAudit("x", "y", ""); err == nil {
		t.Fatal("appended to a chain with a forged head")
	}
}

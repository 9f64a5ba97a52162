package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	bolt "go.etcd.io/bbolt"
)

// The cost of short holds (docs/DECISIONS.md, "One store, many processes:
// short holds"): every Store transaction takes the fcntl lock on
// swtoken.lock, opens bbolt, runs and closes it again. Each benchmark runs
// the same transaction two ways, on stores of 1,000 and 100,000 tokens
// and users (bigStoreDir):
//
//	short-hold  through Store.View / Store.Update, as the code does now
//	kept-open   on a bbolt handle opened once, as the old design kept it
//	            (the same callback, so the difference is the lock and the
//	            open and close)
//
// go test -run '^$' -bench 'PerOperation|ChangeCounter' ./store

// holdSizes are the store sizes of the per-operation benchmarks.
var holdSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

// benchSerial is a token in the middle of a store of n tokens.
func benchSerial(n int) string { return fmt.Sprintf("%012d", 100000000000+n/2) }

// keptOpen opens the store's bbolt file directly, as the old design kept it
// for the life of the process. The Store s must not be used meanwhile (the
// handle holds bbolt's flock).
func keptOpen(b *testing.B, s *Store) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(s.Path(), fileMode, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkViewPerOperation: one token read (its record and its seed
// record, Tx.Token), the smallest read a command does.
func BenchmarkViewPerOperation(b *testing.B) {
	for _, size := range holdSizes {
		dir := bigStoreDir(b, size.n)
		serial := benchSerial(size.n)
		read := func(s *Store) func(btx *bolt.Tx) error {
			return func(btx *bolt.Tx) error {
				tok, err := (&Tx{tx: btx, s: s}).Token(serial)
				if err == nil && tok.Serial != serial {
					err = fmt.Errorf("read %s", tok.Serial)
				}
				return err
			}
		}
		b.Run(size.name+"/short-hold", func(b *testing.B) {
			s := openBench(b, dir)
			fn := read(s)
			for b.Loop() {
				if err := s.viewBolt(fn); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/kept-open", func(b *testing.B) {
			s := openBench(b, dir)
			s.Close()
			db := keptOpen(b, s)
			fn := read(s)
			for b.Loop() {
				if err := db.View(fn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdatePerOperation: one small write (a 64-byte record) and the
// change counter, committed (bbolt's two fdatasyncs included).
func BenchmarkUpdatePerOperation(b *testing.B) {
	bucket := []byte("bench")
	val := make([]byte, 64)
	for _, size := range holdSizes {
		dir := bigStoreDir(b, size.n)
		write := func(btx *bolt.Tx) error {
			bk, err := btx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return bk.Put([]byte("k"), val)
		}
		b.Run(size.name+"/short-hold", func(b *testing.B) {
			s := openBench(b, dir)
			for b.Loop() {
				if err := s.updateBolt(write); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/kept-open", func(b *testing.B) {
			s := openBench(b, dir)
			s.Close()
			db := keptOpen(b, s)
			for b.Loop() {
				err := db.Update(func(btx *bolt.Tx) error {
					if err := write(btx); err != nil {
						return err
					}
					return bumpChangeCounter(btx)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHoldPerOperation is the mechanism alone: Store.Hold with
// nothing inside (the process gate, the fcntl lock, bbolt's open, its
// flock and mmap, and the close), shared and exclusive.
func BenchmarkHoldPerOperation(b *testing.B) {
	for _, size := range holdSizes {
		dir := bigStoreDir(b, size.n)
		for _, write := range []bool{false, true} {
			name := size.name + "/shared"
			if write {
				name = size.name + "/exclusive"
			}
			b.Run(name, func(b *testing.B) {
				s := openBench(b, dir)
				for b.Loop() {
					if err := s.Hold(write, func() error { return nil }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkChangeCounter is what an open console pays every second to
// learn whether any process changed the store.
func BenchmarkChangeCounter(b *testing.B) {
	for _, size := range holdSizes {
		dir := bigStoreDir(b, size.n)
		b.Run(size.name, func(b *testing.B) {
			s := openBench(b, dir)
			want, err := s.ChangeCounter()
			if err != nil || want == 0 {
				b.Fatal(want, err)
			}
			for b.Loop() {
				if n, err := s.ChangeCounter(); err != nil || n != want {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// openBench opens the store in dir read-write and closes it at cleanup.
func openBench(b *testing.B, dir string) *Store {
	b.Helper()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkCommitJob100k is the longest hold a job takes: the commit of a
// 100,000-token job (every seed record rewritten, the job completed, in
// one write transaction; product.md's consistency rule). Every other
// process waits for it. Reported with it, each in a transaction rolled back:
// the per-token lookups the commit makes (selection-get: the selection
// check, one Get per token; seed-get: the old seed record; seed-put: the
// old record read and written back) and the selection walked with a cursor
// instead (selection-cursor).
//
// go test -run '^$' -bench CommitJob100k -benchtime 3x ./store
func BenchmarkCommitJob100k(b *testing.B) {
	const n = 100_000
	s := openBench(b, bigStoreDir(b, n))
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		b.Fatal(err)
	}
	serials := make([]string, n)
	sealed := make([][]byte, n)
	for i := range n {
		serials[i] = fmt.Sprintf("%012d", 100000000000+i)
		var err error
		if sealed[i], err = s.SealSeed(serials[i], make([]byte, 16)); err != nil {
			b.Fatal(err)
		}
	}
	seeds := func(yield func(string, []byte) bool) {
		for i := range n {
			if !yield(serials[i], sealed[i]) {
				return
			}
		}
	}
	errRollback := errors.New("roll back")
	parts := map[string]time.Duration{}
	var commit time.Duration
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		j := mkJob(fmt.Sprintf("Commit %d", round), "Staff")
		j.Spec.Criteria = model.Criteria{From: serials[0], To: serials[n-1]}
		if err := s.SubmitDistribution(&j, serials, "", ""); err != nil {
			b.Fatal(err)
		}
		job, lease, err := s.ClaimNextJob()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		if _, err := s.CommitJob(JobCommit{Seq: job.Seq, Output: JobOutputName(job.Seq), Seeds: seeds, Digits: 8, IntervalSeconds: 60}); err != nil {
			b.Fatal(err)
		}
		commit += time.Since(start)
		b.StopTimer()
		lease.Release()
		for _, part := range []string{"selection-get", "selection-cursor", "seed-get", "seed-put"} {
			err := s.updateBolt(func(btx *bolt.Tx) error {
				start := time.Now()
				sb := btx.Bucket(bucketSeeds)
				sel := getBucket(btx, bucketJobsTokens, itob(job.Seq))
				c := sel.Cursor()
				ck, _ := c.First()
				for _, serial := range serials {
					key := []byte(model.SerialKey(serial))
					switch part {
					case "selection-get":
						if sel.Get(key) == nil {
							return fmt.Errorf("%s not selected", serial)
						}
					case "selection-cursor":
						if !bytes.Equal(ck, key) {
							return fmt.Errorf("%s not selected", serial)
						}
						ck, _ = c.Next()
					case "seed-get":
						if sb.Get(key) == nil {
							return fmt.Errorf("%s has no seed", serial)
						}
					case "seed-put":
						if err := sb.Put(key, bytes.Clone(sb.Get(key))); err != nil {
							return err
						}
					}
				}
				parts[part] += time.Since(start)
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(commit.Milliseconds())/float64(round), "commit-ms")
	for part, d := range parts {
		b.ReportMetric(float64(d.Milliseconds())/float64(round), part+"-ms")
	}
}

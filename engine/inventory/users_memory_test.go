package inventory

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store"
)

// usersCSV is a users CSV of n users made while it is read, so that the
// test input takes no memory. The user IDs come in a scrambled order
// (i*7919 mod n, a permutation when n shares no factor with 7919), as a
// CSV exported from a directory might.
type usersCSV struct {
	n, next int
	header  bool
	pending []byte
	read    int64 // bytes handed out
}

func newUsersCSV(n int) *usersCSV { return &usersCSV{n: n} }

func (c *usersCSV) Read(p []byte) (int, error) {
	for len(c.pending) < len(p) && (!c.header || c.next < c.n) {
		if !c.header {
			c.pending = append(c.pending, "user_id,first_name,last_name,email\n"...)
			c.header = true
			continue
		}
		id := c.next * 7919 % c.n
		c.pending = fmt.Appendf(c.pending, "user%07d,First%d,Last%d,user%07d@example.com\n", id, id, id, id)
		c.next++
	}
	if len(c.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.pending)
	c.pending = c.pending[:copy(c.pending, c.pending[n:])]
	c.read += int64(n)
	return n, nil
}

// heapPeak runs fn and returns the highest heap in use (HeapInuse: live
// objects and garbage not yet swept) seen while it ran, sampled every
// millisecond, above what was in use before.
func heapPeak(fn func()) uint64 {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak - min(peak, base.HeapInuse)
}

// TestUsersCSVOverTheLimitIsRefusedEarly: a CSV of a million users is
// refused at its user line MaxUsersCSVUsers+1, naming it, with nothing
// imported; the rest of the file is not read, and the import's memory
// stays bounded (it used to import them all, taking 900 MB).
func TestUsersCSVOverTheLimitIsRefusedEarly(t *testing.T) {
	st := openStore(t)
	in := newUsersCSV(1_000_000)
	var res store.ImportResult
	var err error
	peak := heapPeak(func() {
		res, err = ImportUsersCSV(st, in, "users.csv", store.ImportOptions{})
	})
	var ce *CSVError
	if !errors.As(err, &ce) || ce.Line != MaxUsersCSVUsers+2 || !strings.Contains(ce.Msg, "more than 150000 users") ||
		res.Imported+res.Updated+res.Skipped+len(res.Rejected) != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if n, err := st.CountUsers(); err != nil || n != 0 {
		t.Fatalf("%d users stored, %v", n, err)
	}
	t.Logf("refused after %d of %d rows (%d KB read); heap peak %d MB", in.next, in.n, in.read>>10, peak>>20)
	if in.next > MaxUsersCSVUsers+10_000 {
		t.Errorf("%d rows were read; the import should stop at row %d", in.next, MaxUsersCSVUsers+1)
	}
	if peak > 128<<20 {
		t.Errorf("the heap grew by %d MB", peak>>20)
	}
}

// TestUsersCSVImportAtTheLimitStaysBounded: the largest import taken,
// MaxUsersCSVUsers users in scrambled order, is imported in one
// transaction within the memory bound of docs/PERFORMANCE.md.
func TestUsersCSVImportAtTheLimitStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 150,000 users")
	}
	st := openStore(t)
	var res store.ImportResult
	var err error
	start := time.Now()
	peak := heapPeak(func() {
		res, err = ImportUsersCSV(st, newUsersCSV(MaxUsersCSVUsers), "users.csv", store.ImportOptions{})
	})
	t.Logf("%d users in %v; heap peak %d MB", res.Imported, time.Since(start).Round(time.Millisecond), peak>>20)
	if err != nil || res.Imported != MaxUsersCSVUsers {
		t.Fatalf("%+v, %v", res, err)
	}
	if peak > 200<<20 {
		t.Errorf("the heap grew by %d MB", peak>>20)
	}
}

// BenchmarkImportUsersCSV imports n users in scrambled order into an empty
// store, and reports the heap peak.
func BenchmarkImportUsersCSV(b *testing.B) {
	for _, n := range []int{10_000, 100_000, MaxUsersCSVUsers} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				st := openStore(b)
				b.StartTimer()
				peak = max(peak, heapPeak(func() {
					res, err := ImportUsersCSV(st, newUsersCSV(n), "users.csv", store.ImportOptions{})
					if err != nil || res.Imported != n {
						b.Fatalf("%+v, %v", res, err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "heap-peak-MB")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
		})
	}
}

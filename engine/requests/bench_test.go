package requests

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// BenchmarkFulfil1000 fulfils 1,000 auto-approved requests in one pass,
// each with a token-file password: all file-based (SDTID), all CTF (iPhone
// links with their QR images), and half of each. It reports requests per
// second, the peak Go heap during the pass and the process's peak RSS.
func BenchmarkFulfil1000(b *testing.B) {
	for _, kind := range []string{"sdtid", "ctf", "mixed"} {
		b.Run(kind, func(b *testing.B) {
			var peakHeap uint64
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st := openStore(b, dataDir(b), 2000, model.ApprovalAutomatic)
				users := addUsers(b, st, "bench", 1000)
				for n, u := range users {
					profile := fileProfile
					if kind == "ctf" || (kind == "mixed" && n%2 == 1) {
						profile = ctfProfile
					}
					request(b, st, u, profile, fmt.Sprintf("bench-pw-%d", n))
				}
				runtime.GC()
				var peak atomic.Uint64
				stop := make(chan struct{})
				sampled := make(chan struct{})
				go func() {
					defer close(sampled)
					var ms runtime.MemStats
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peak.Load() {
							peak.Store(ms.HeapAlloc)
						}
						select {
						case <-stop:
							return
						case <-tick.C:
						}
					}
				}()
				b.StartTimer()
				start := time.Now()
				res, err := Fulfil(context.Background(), st, Options{})
				elapsed += time.Since(start)
				b.StopTimer()
				close(stop)
				<-sampled
				if err != nil || len(res.Fulfilled) != 1000 {
					b.Fatalf("fulfilled %d: %v", len(res.Fulfilled), err)
				}
				peakHeap = max(peakHeap, peak.Load())
				st.Close()
			}
			b.ReportMetric(float64(1000*b.N)/elapsed.Seconds(), "requests/s")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		})
	}
}

// peakRSSMiB is the process's peak resident set (VmHWM), 0 where unknown.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

package jobs

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/model"
)

// Whole CTF job benchmarks, as BenchmarkJob for file jobs: each iteration
// submits a CTF job over every token of a store of n tokens and runs it to
// its commit (plan and submit not timed). "png" is an Android profile
// (v2 links, one QR image each), "digits" a Windows profile (81 digits in
// blocks, no image); the admin password mode. The floor is the CTF key
// and MAC work of one token (engine/ctf.Encode with the job's form,
// password and device ID) plus, for "png", the QR image of the link,
// timed in the same run before and after the jobs; the metrics are
// BenchmarkJob's.
//
// The QR images come from the engine's default encoder (engine/qr's PNG,
// as every process writes them); the floor times the same call.
//
// go test -run '^$' -bench 'BenchmarkCTFJob$' -benchtime 5x ./engine/jobs
// go test -run '^$' -bench 'BenchmarkCTFJob100k' -benchtime 1x -timeout 30m ./engine/jobs
func BenchmarkCTFJob(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		for _, png := range []bool{false, true} {
			b.Run(fmt.Sprintf("%d/%s", n, ctfBenchName(png)), func(b *testing.B) { benchCTFJob(b, n, png) })
		}
	}
}

// BenchmarkCTFJob100k is the 100,000-token size, on demand.
func BenchmarkCTFJob100k(b *testing.B) {
	for _, png := range []bool{false, true} {
		b.Run(ctfBenchName(png), func(b *testing.B) { benchCTFJob(b, 100_000, png) })
	}
}

func ctfBenchName(png bool) string {
	if png {
		return "png"
	}
	return "digits"
}

const ctfBenchPW = "bench-password"

func benchCTFJob(b *testing.B, n int, png bool) {
	st := benchStore(b, n)
	profile, form, dev := "Windows CTF", ctf.FormBlocks, model.DeviceWindows.GUID()
	if png {
		profile, form, dev = "Android CTF", ctf.FormAndroid, model.DeviceAndroid.GUID()
	}
	floor, floorCPU := measureCTFFloor(b, form, dev, png)
	e := New(st, Options{})
	elapsed, cpu, i := timeJobs(b, st, e, n, ctfBenchPW, func(i int) model.JobSpec {
		return ctfJobSpec("CTF bench "+strconv.Itoa(i), profile, "", "", model.PasswordAdmin,
			fmt.Sprintf("%012d", 100_000_000_001), fmt.Sprintf("%012d", 100_000_000_000+n))
	})
	floor2, floorCPU2 := measureCTFFloor(b, form, dev, png)
	floor, floorCPU = floor.avg(floor2), (floorCPU+floorCPU2)/2
	reportJob(b, elapsed, cpu, i*n, floor)
	// The CPU the job spends per token against the CPU of the floor's
	// work on one core: the job's overhead in work, whatever else the
	// shared machine runs meanwhile (which the wall-clock ratios are not).
	b.ReportMetric(cpu.Seconds()*1e6/float64(i*n), "cpu-µs/token")
	b.ReportMetric(cpu.Seconds()/float64(i*n)/floorCPU.Seconds(), "cpu-work-ratio")
}

// measureCTFFloor times the unavoidable work of one CTF token: ctf.Encode
// (v2: the seed key hash, the seed and device checks, the check digits)
// and, with png, the QR image of the string; on one core divided by
// GOMAXPROCS, and on all cores at once; and the process CPU time per
// token of the one-core run.
func measureCTFFloor(b *testing.B, form ctf.Form, dev string, png bool) (floorResult, time.Duration) {
	b.Helper()
	const reps = 2000
	tok := ctf.Token{Serial: "100000000001", Digits: 8, Interval: 60, PINMode: ctf.PINAdd,
		Death: model.Date(testNow).AddDate(3, 0, 0), Alg128: true, TimeDerived: true}
	one := func() {
		s, err := ctf.Encode(tok, ctf.Options{Version: 2, Form: form, Password: ctfBenchPW, DeviceID: dev})
		if err != nil {
			panic(err)
		}
		if png {
			if _, err := qr.PNG(s, qr.Options{}); err != nil {
				panic(err)
			}
		}
		tok.Seed[0]++
	}
	one()
	start, cpu0 := time.Now(), cpuTime()
	for range reps {
		one()
	}
	single := time.Since(start) / reps
	singleCPU := (cpuTime() - cpu0) / reps
	g := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start = time.Now()
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := tok
			for range reps {
				s, _ := ctf.Encode(t, ctf.Options{Version: 2, Form: form, Password: ctfBenchPW, DeviceID: dev})
				if png {
					qr.PNG(s, qr.Options{})
				}
				t.Seed[0]++
			}
		}()
	}
	wg.Wait()
	parallel := time.Since(start) / time.Duration(reps*g)
	return floorResult{PerCore: single / time.Duration(g), Parallel: parallel}, singleCPU
}

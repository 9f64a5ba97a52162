package jobs

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Whole-job benchmarks. Each iteration submits a job over every token of a
// store of n tokens (all assigned, healthy, AES-128) and runs it to its
// commit; plan and submit are not timed. Reported:
//
//	tokens/s       whole-job throughput
//	floor-ratio    time per token divided by the floor measured in the same
//	               run (before and after the job, averaged): one RSA-1024
//	               signature + one deflate of a file with a reused
//	               flate.Writer at the engine's level + the AES work of a
//	               file (5 key schedules, a block per 16 bytes of the file,
//	               one AES-GCM seal of the seed), plus the 1000-round
//	               password key when the password differs per file (user ID
//	               modes), divided by GOMAXPROCS
//	pfloor-ratio   time per token divided by the same work measured on all
//	               cores at once (GOMAXPROCS goroutines): the cores of a
//	               shared virtual machine may deliver less than
//	               GOMAXPROCS times one core, and this shows it
//	cpu-floor-ratio the process's CPU time per token over all cores,
//	               divided by the same floor: what the ratio would be with
//	               every core busy and no other load
//	peak-RSS-MB    VmHWM after the job, reset (clear_refs 5) after the
//	               setup so the bulk load does not count; it is process-wide
//	               and includes bbolt's mapped file pages the job touched.
//	               scripts/bench-jobs.sh measures each size in its own
//	               process with /usr/bin/time -v.
//
// go test -run '^$' -bench 'BenchmarkJob$' -benchtime 5x ./engine/jobs
// (5 jobs per size: one 1,000-token job takes 0.15 s, and a shared VM's
// noise over 0.15 s is a few percent)
// go test -run '^$' -bench 'BenchmarkJob100k' -benchtime 1x -timeout 30m ./engine/jobs
func BenchmarkJob(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		for _, mode := range []model.PasswordMode{model.PasswordAdmin, model.PasswordUserID} {
			b.Run(fmt.Sprintf("%d/%s", n, mode), func(b *testing.B) { benchJob(b, n, mode) })
		}
	}
}

// BenchmarkJob100k is the 100,000-token size, on demand.
func BenchmarkJob100k(b *testing.B) {
	for _, mode := range []model.PasswordMode{model.PasswordAdmin, model.PasswordUserID} {
		b.Run(string(mode), func(b *testing.B) { benchJob(b, 100_000, mode) })
	}
}

// benchStore makes a store with n assigned, distributable AES-128 tokens.
func benchStore(b *testing.B, n int) *store.Store {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bulk := store.Bulk{Profiles: []model.Profile{{
		Name: "Staff iPhone", DeviceType: model.DeviceIPhone, DeliveryMethod: model.DeliveryFile,
		TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad,
	}, {
		// CTF jobs (bench_ctf_test.go): links with QR images, and digits.
		Name: "Android CTF", DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTF,
		TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad,
	}, {
		Name: "Windows CTF", DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryCTF,
		TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad,
	}}}
	users := (n + 2) / 3
	for i := range users {
		bulk.Users = append(bulk.Users, model.User{ID: fmt.Sprintf("user%06d", i), FirstName: "First", LastName: "Last"})
	}
	today := model.Date(testNow)
	seed := make([]byte, 16)
	for i := range n {
		serial := fmt.Sprintf("%012d", 100_000_000_001+i)
		rand.Read(seed)
		sealed, err := st.SealSeed(serial, seed)
		if err != nil {
			b.Fatal(err)
		}
		t := model.Token{Serial: serial, Kind: model.KindSoftware, Algorithm: model.AlgAES128, SealedSeed: sealed,
			Birth: today.AddDate(-1, 0, 0), Death: today.AddDate(3, 0, 0)}
		t.Assign(fmt.Sprintf("user%06d", i/3))
		bulk.Tokens = append(bulk.Tokens, t)
	}
	if err := st.LoadBulk(bulk, "bench load", fmt.Sprintf("%d tokens", n)); err != nil {
		b.Fatal(err)
	}
	return st
}

func benchJob(b *testing.B, n int, mode model.PasswordMode) {
	st := benchStore(b, n)
	floor := measureFloor(b, mode.UsesUserID())
	e := New(st, Options{})
	// An installation creates its signing key once, not per job.
	if err := e.Prepare(); err != nil {
		b.Fatal(err)
	}
	pw := ""
	if mode.NeedsAdminPassword() {
		pw = "bench-password"
	}
	elapsed, cpu, i := timeJobs(b, st, e, n, pw, func(i int) model.JobSpec {
		return spec("Bench "+strconv.Itoa(i), mode, fmt.Sprintf("%012d", 100_000_000_001), fmt.Sprintf("%012d", 100_000_000_000+n))
	})
	// The floor again after the job: the machine's load may have changed.
	floor = floor.avg(measureFloor(b, mode.UsesUserID()))
	reportJob(b, elapsed, cpu, i*n, floor)
}

// timeJobs runs the benchmark's iterations on e, over a store of n
// tokens: each submits the job next(i) with the admin password pw (not
// timed) and runs it to its commit, which must complete. It returns the
// wall and process CPU time of the runs and how many jobs ran; the peak
// RSS is reset before the first, so that set-up does not count.
func timeJobs(b *testing.B, st *store.Store, e *Engine, n int, pw string, next func(i int) model.JobSpec) (elapsed, cpu time.Duration, jobs int) {
	b.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		jobs++
		j := submit(b, e, next(jobs), pw)
		if j.Total != n {
			b.Fatalf("the job has %d tokens, want %d", j.Total, n)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		end := runAll(b, e)
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if end.State != model.JobCompleted {
			b.Fatalf("%s: %s", end.State, end.Reason)
		}
		os.Remove(outputOf(b, st, end)) // keep the disk use of long runs flat
		b.StartTimer()
	}
	return elapsed, cpu, jobs
}

// reportJob reports the metrics above for tokens tokens run in elapsed
// wall and cpu process time, against floor.
func reportJob(b *testing.B, elapsed, cpu time.Duration, tokens int, floor floorResult) {
	perToken := elapsed.Seconds() / float64(tokens)
	b.ReportMetric(1/perToken, "tokens/s")
	b.ReportMetric(perToken/floor.PerCore.Seconds(), "floor-ratio")
	// Against the floor run on all cores at once: what the machine
	// delivered (a shared VM's cores may not scale).
	b.ReportMetric(perToken/floor.Parallel.Seconds(), "pfloor-ratio")
	// The process's CPU time spread over all cores: less sensitive to
	// other load on a shared machine.
	b.ReportMetric(cpu.Seconds()/float64(tokens)/float64(runtime.GOMAXPROCS(0))/floor.PerCore.Seconds(), "cpu-floor-ratio")
	b.ReportMetric(float64(peakRSSKB())/1024, "peak-RSS-MB")
	b.ReportMetric(float64(floor.PerCore.Nanoseconds())/1000, "floor-µs/token")
}

// BenchmarkFloor reports the floor alone (scripts/bench-jobs.sh measures it
// right before each CLI job): shared is the shared-password and no-password
// floor, perfile adds the per-file password key of the user-ID modes.
//
// go test -run '^$' -bench 'BenchmarkFloor' -benchtime 1x ./engine/jobs
func BenchmarkFloor(b *testing.B) {
	for _, perFile := range []bool{false, true} {
		name := "shared"
		if perFile {
			name = "perfile"
		}
		b.Run(name, func(b *testing.B) {
			var f floorResult
			for b.Loop() {
				f = measureFloor(b, perFile)
			}
			b.ReportMetric(float64(f.PerCore.Nanoseconds())/1000, "floor-µs/token")
			b.ReportMetric(float64(f.Parallel.Nanoseconds())/1000, "pfloor-µs/token")
		})
	}
}

// floorResult is the floor per token measured two ways.
type floorResult struct {
	// PerCore is the unavoidable work of one file timed on one core and
	// divided by GOMAXPROCS: the floor as product.md defines it, which
	// assumes the cores scale perfectly.
	PerCore time.Duration
	// Parallel is the same work run on all cores at once (GOMAXPROCS
	// goroutines), wall time per file: what the machine delivers right
	// now. On a shared virtual machine the two "cores" can give much less
	// than twice one core's throughput.
	Parallel time.Duration
}

func (f floorResult) avg(g floorResult) floorResult {
	return floorResult{PerCore: (f.PerCore + g.PerCore) / 2, Parallel: (f.Parallel + g.Parallel) / 2}
}

// measureFloor times the unavoidable work of one file: one RSA-1024
// signature, one deflate of a file with a reused flate.Writer at the
// engine's level, the AES work (5 key schedules, a block per 16 bytes of
// the file, one AES-GCM seal of the seed) and, with perFilePassword, the
// 1000-round password key.
func measureFloor(b *testing.B, perFilePassword bool) floorResult {
	b.Helper()
	const reps = 400
	signer, err := sdtid.GenerateSigner("floor")
	if err != nil {
		b.Fatal(err)
	}
	w := &sdtid.Writer{Signer: signer}
	sample, err := w.Write(sdtid.WriteInput{
		Batch: sdtid.Batch{Origin: "swtoken-0123abcd", Name: "SWT-000001", Digits: 8, IntervalSeconds: 60, AddPIN: true, NumTokens: 1,
			FirstToken: "100000000001", LastToken: "100000000001"},
		Token:    sdtid.TokenSpec{Serial: "100000000001", FirstName: "First", LastName: "Last", Login: "user000001", DeviceSerialNumber: model.DeviceIPhone.GUID(), Nickname: "Work phone"},
		Password: "bench-password",
	})
	if err != nil {
		b.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		b.Fatal(err)
	}
	// newFile returns one goroutine's "write one file" with its own
	// compressor and buffers.
	newFile := func() func() {
		var cbuf bytes.Buffer
		fw, _ := flate.NewWriter(&cbuf, flate.DefaultCompression)
		k := make([]byte, 16)
		gk, _ := aes.NewCipher(make([]byte, 32))
		gcm, _ := cipher.NewGCM(gk)
		nonce := make([]byte, 12)
		blk := make([]byte, 16)
		return func() {
			d := sha1.Sum(sample.Data)
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, d[:]); err != nil {
				panic(err)
			}
			cbuf.Reset()
			fw.Reset(&cbuf)
			fw.Write(sample.Data)
			fw.Close()
			var c cipher.Block
			for range 5 {
				c, _ = aes.NewCipher(k)
			}
			for range len(sample.Data)/16 + 1 {
				c.Encrypt(blk, blk)
			}
			rand.Read(nonce)
			gcm.Seal(nil, nonce, k, []byte("seed:100000000001"))
			if perFilePassword {
				sdtid.PasswordKey("user000001", "N/A", "SWT-000001")
			}
		}
	}
	one := newFile()
	one()
	start := time.Now()
	for range reps {
		one()
	}
	single := time.Since(start) / reps
	g := runtime.GOMAXPROCS(0)
	fns := make([]func(), g)
	for i := range fns {
		fns[i] = newFile()
		fns[i]()
	}
	var wg sync.WaitGroup
	start = time.Now()
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range reps {
				f()
			}
		}()
	}
	wg.Wait()
	parallel := time.Since(start) / time.Duration(reps*g)
	return floorResult{PerCore: single / time.Duration(g), Parallel: parallel}
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets VmHWM (Linux 4.0+); elsewhere it does nothing.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSKB reads VmHWM from /proc/self/status, 0 when unavailable.
func peakRSSKB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

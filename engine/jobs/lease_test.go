package jobs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// runnerLoopEnv makes the test binary a runner that never gives up, like a
// console or `jobs run` from cron every moment: it runs queued jobs, looks
// again a moment later, and prints "claim <seq>" when it starts a job.
const runnerLoopEnv = "SWTOKEN_JOBS_RUNNER_LOOP"

func runnerLoop(dir string) int {
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	e := New(st, Options{})
	events, _ := e.Subscribe()
	var out sync.Mutex
	go func() {
		for ev := range events {
			if ev.State == model.JobRunning && ev.Done == 0 {
				out.Lock()
				fmt.Printf("claim %d\n", ev.Seq)
				out.Unlock()
			}
		}
	}()
	// The parent holds our stdin open: when it dies (a test timeout), so
	// do we, instead of running jobs forever.
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Println("ready")
	for {
		if _, err := e.RunQueued(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "runner:", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runner is a runnerLoop child and the claims it has printed.
type runner struct {
	cmd    *exec.Cmd
	claims chan uint64
	exited chan struct{}
}

func startRunner(t *testing.T, dir string) *runner {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runnerLoopEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.StdinPipe(); err != nil { // closed when this process ends
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &runner{cmd: cmd, claims: make(chan uint64, 100), exited: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if line == "ready" {
				close(ready)
				continue
			}
			if s, ok := strings.CutPrefix(line, "claim "); ok {
				if seq, err := strconv.ParseUint(s, 10, 64); err == nil {
					r.claims <- seq
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() { r.kill() })
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("runner did not start")
	}
	return r
}

func (r *runner) kill() {
	select {
	case <-r.exited:
	default:
		r.cmd.Process.Signal(syscall.SIGKILL)
		<-r.exited
	}
}

// waitClaim waits for any of rs to claim seq and returns that runner.
func waitClaim(t *testing.T, seq uint64, within time.Duration, rs ...*runner) *runner {
	t.Helper()
	deadline := time.After(within)
	for {
		for _, r := range rs {
			select {
			case got := <-r.claims:
				if got == seq {
					return r
				}
				t.Fatalf("a runner claimed job %d while job %d was the queue's oldest", got, seq)
			default:
			}
		}
		select {
		case <-deadline:
			return nil
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestKilledRunnerIsResumedByTheWaitingRunner: two runner processes share
// a store; the one running a job is SIGKILLed at random moments, at least
// 20 times. Each time the other one, waiting, finds the job's lease free
// and resumes it from the queue; a replacement runner starts. Every job
// ends Completed (or Canceled, for the one canceled from this third
// process), the audit chain stays intact, no job ever has two starts
// without a requeue between them, tokens change only with a completed job,
// and a sample of every completed job's files verifies against the store.
func TestKilledRunnerIsResumedByTheWaitingRunner(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	if _, err := inventory.LoadDemo(st, 1500, 3200, testNow); err != nil {
		t.Fatal(err)
	}
	e := New(st, Options{})
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	a, b := startRunner(t, dir), startRunner(t, dir)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills, resumes, completed, canceled := 0, 0, 0, 0
	for n := 1; kills < 20 || n <= 3; n++ {
		if n > 80 {
			t.Fatalf("only %d kills after %d jobs", kills, n)
		}
		before := sealedSeeds(t, st)
		job := submit(t, e, spec(fmt.Sprintf("Lease %d", n), model.PasswordAdmin, "100000000001", "100000003000"), "crash-pw")
		active := waitClaim(t, job.Seq, 20*time.Second, a, b)
		if active == nil {
			t.Fatalf("job %d was not claimed", job.Seq)
		}
		cancelThis := n == 2
		// One or two kills per job, then it may finish (a job restarts
		// from the start after each kill).
		for k := 1 + rng.Intn(2); k > 0; k-- {
			delay := time.Duration(20+rng.Intn(900)) * time.Millisecond
			time.Sleep(delay)
			j, err := st.Job(job.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if j.State.Terminal() {
				break
			}
			if cancelThis {
				// Cancel from a third process (this one): the runner
				// stops within about a second.
				start := time.Now()
				j, err := e.Cancel(job.Seq)
				if err != nil {
					t.Fatal(err)
				}
				if j.State == model.JobCompleted {
					break // it finished first: fine, and checked below
				}
				if j.State != model.JobCanceled || time.Since(start) > 1500*time.Millisecond {
					t.Fatalf("cancel: job %s after %v", j.State, time.Since(start))
				}
				break
			}
			active.kill()
			kills++
			waiting := a
			if active == a {
				waiting = b
			}
			// Was the job done before the kill? Then nothing to resume.
			if j, _ := st.Job(job.Seq); j.State.Terminal() {
				break
			}
			if waitClaim(t, job.Seq, 15*time.Second, waiting) == nil {
				j, _ := st.Job(job.Seq)
				if j.State.Terminal() {
					break // completed in the instant before the kill
				}
				t.Fatalf("kill %d: the waiting runner did not resume job %d (%s)", kills, job.Seq, j.State)
			}
			resumes++
			replacement := startRunner(t, dir)
			if active == a {
				a = replacement
			} else {
				b = replacement
			}
			active = waiting
		}
		// Wait for the end.
		var end model.Job
		for deadline := time.Now().Add(120 * time.Second); ; {
			if end, err = st.Job(job.Seq); err != nil {
				t.Fatal(err)
			}
			if end.State.Terminal() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %d still %s", job.Seq, end.State)
			}
			time.Sleep(50 * time.Millisecond)
		}
		changed := 0
		now := sealedSeeds(t, st)
		for s, v := range before {
			if now[s] != v {
				changed++
			}
		}
		switch end.State {
		case model.JobCompleted:
			completed++
			if changed != end.Total {
				t.Fatalf("job %d completed with %d tokens, %d changed", end.Seq, end.Total, changed)
			}
			checkSample(t, st, end, rng)
		case model.JobCanceled:
			canceled++
			if changed != 0 {
				t.Fatalf("canceled job %d changed %d tokens", end.Seq, changed)
			}
		default:
			t.Fatalf("job %d ended %s: %s", end.Seq, end.State, end.Reason)
		}
		if res, err := st.VerifyAudit(); err != nil || !res.OK() {
			t.Fatalf("audit chain: %+v %v", res, err)
		}
	}
	// No job ever started twice without a requeue in between.
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	running := map[string]bool{}
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		switch r.Action {
		case "job start":
			if running[r.Object] {
				t.Fatalf("%s started twice without a requeue in between (record %d)", r.Object, r.Seq)
			}
			running[r.Object] = true
		case "job requeue", "job completion", "job cancel", "job failure":
			running[r.Object] = false
		}
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d resumed by the waiting runner, %d completed, %d canceled", kills, resumes, completed, canceled)
}

// TestRunnersClaimInQueueOrderOnce: three runner processes and five queued
// jobs: each job runs exactly once (one start, one completion), in queue
// order, one at a time.
func TestRunnersClaimInQueueOrderOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := inventory.LoadDemo(st, 500, 1200, testNow); err != nil {
		t.Fatal(err)
	}
	e := New(st, Options{})
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	var jobs []model.Job
	for i := range 5 {
		from := fmt.Sprintf("1000000%05d", 1+i*200)
		to := fmt.Sprintf("1000000%05d", 200+i*200)
		jobs = append(jobs, submit(t, e, spec(fmt.Sprintf("Order %d", i), model.PasswordNone, from, to), ""))
	}
	rs := []*runner{startRunner(t, dir), startRunner(t, dir), startRunner(t, dir)}
	for _, j := range jobs {
		if waitClaim(t, j.Seq, 30*time.Second, rs...) == nil {
			t.Fatalf("job %d not claimed in order", j.Seq)
		}
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		last, _ := st.Job(jobs[len(jobs)-1].Seq)
		if last.State.Terminal() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("jobs did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	starts, ends := map[string]int{}, map[string]int{}
	var order []string
	runningNow := 0
	for i := len(recs) - 1; i >= 0; i-- {
		switch r := recs[i]; r.Action {
		case "job start":
			starts[r.Object]++
			order = append(order, r.Object)
			runningNow++
			if runningNow > 1 {
				t.Fatalf("two jobs running at once at record %d", r.Seq)
			}
		case "job completion":
			ends[r.Object]++
			runningNow--
		}
	}
	for i, j := range jobs {
		obj := "job " + j.Name
		if starts[obj] != 1 || ends[obj] != 1 {
			t.Errorf("%s: %d starts, %d completions", obj, starts[obj], ends[obj])
		}
		if i < len(order) && order[i] != obj {
			t.Errorf("start %d is %s, want %s (queue order)", i, order[i], obj)
		}
	}
}

// slowWriter delays every write of the output ZIP, to stretch a job.
type slowWriter struct {
	w     io.Writer
	delay time.Duration
}

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(s.delay)
	return s.w.Write(p)
}

// TestProgressIsRecordedAtMostOnceASecond: while a job runs, another Store
// (another process's view) sees its progress grow, and the runner writes
// it at most once a second: over a job of a few seconds the change counter
// moves by the claim, the progress records and the commit only.
func TestProgressIsRecordedAtMostOnceASecond(t *testing.T) {
	st := openDemo(t, 300, 600)
	e := New(st, Options{Workers: 1, WrapOutput: func(w io.Writer) io.Writer { return slowWriter{w, 1200 * time.Millisecond} }})
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	job := submit(t, e, spec("Slow", model.PasswordNone, "100000000001", "100000000500"), "")
	other, err := store.Open(store.Options{DataDir: st.DataDir(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c0, _ := other.ChangeCounter()
	start := time.Now()
	done := make(chan model.Job, 1)
	go func() { done <- runAll(t, e) }()
	seen := map[int]bool{}
	var end model.Job
loop:
	for {
		select {
		case end = <-done:
			break loop
		case <-time.After(100 * time.Millisecond):
			if j, err := other.Job(job.Seq); err == nil && j.State == model.JobRunning && j.Done > 0 {
				seen[j.Done] = true
			}
		}
	}
	took := time.Since(start)
	if end.State != model.JobCompleted {
		t.Fatalf("job %s: %s", end.State, end.Reason)
	}
	if took < 2500*time.Millisecond {
		t.Fatalf("the job took %v: too quick to tell", took)
	}
	if len(seen) < 2 {
		t.Errorf("another view saw %d progress values over %v", len(seen), took)
	}
	c1, _ := other.ChangeCounter()
	// claim + commit + one progress write per whole second at most.
	maxWrites := uint64(2 + int(took/time.Second) + 1)
	if c1-c0 > maxWrites {
		t.Errorf("%d writes over %v, want at most %d (progress at most once a second)", c1-c0, took, maxWrites)
	}
	t.Logf("%v, %d writes, progress values seen: %d", took.Round(time.Millisecond), c1-c0, len(seen))
}

// TestCancelFromAnotherProcessStopsTheRunnerWithinASecond: a job that a
// runner process runs is canceled from this process; it ends Canceled
// within a second, and no token changed.
func TestCancelFromAnotherProcessStopsTheRunnerWithinASecond(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := inventory.LoadDemo(st, 3000, 7000, testNow); err != nil {
		t.Fatal(err)
	}
	e := New(st, Options{})
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	r := startRunner(t, dir)
	for i := range 3 {
		before := sealedSeeds(t, st)
		job := submit(t, e, spec(fmt.Sprintf("Cancel %d", i), model.PasswordAdmin, "100000000001", "100000006720"), "pw")
		if waitClaim(t, job.Seq, 20*time.Second, r) == nil {
			t.Fatal("not claimed")
		}
		time.Sleep(300 * time.Millisecond)
		start := time.Now()
		j, err := e.Cancel(job.Seq)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != model.JobCanceled || took > time.Second {
			t.Fatalf("cancel %d: %s after %v", i, j.State, took)
		}
		now := sealedSeeds(t, st)
		for s, v := range before {
			if now[s] != v {
				t.Fatalf("token %s changed by a canceled job", s)
			}
		}
		if _, err := os.Stat(OutputPath(st, job.Seq)); err == nil {
			t.Fatal("a canceled job left its ZIP")
		}
		t.Logf("cancel %d reached the runner's end in %v", i, took.Round(time.Millisecond))
	}
}

// TestRecoverRemovesFreeLeaseFilesOnly: a lease file left by a runner that
// died before it claimed its job is removed when a runner starts; a held
// one stays.
func TestRecoverRemovesFreeLeaseFilesOnly(t *testing.T) {
	st := openDemo(t, 20, 50)
	dir := st.OutputsDir()
	stale := filepath.Join(dir, "41.lease")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e := New(st, Options{})
	submit(t, e, spec("Held", model.PasswordNone, "100000000001", "100000000005"), "")
	job, lease, err := st.ClaimNextJob()
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	if err := New(st, Options{}).Recover(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a free lease file was kept")
	}
	if _, err := os.Stat(st.LeasePath(job.Seq)); err != nil {
		t.Errorf("the held lease file is gone: %v", err)
	}
}

package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/store/storetest"
)

// BenchmarkStoreWaitDuringJob: how long a CLI read command waits for the
// store while a console is open and a job runs in a third process, and
// what the other two processes cost the job (issue 10; docs/PERFORMANCE.md,
// "One store, many processes").
//
// Each size builds one store (benchStore) and runs four jobs over all its
// tokens in this process, each with the floor (measureFloor, as
// BenchmarkJob100k does) measured right before and right after it and
// averaged (the speed of a shared VM drifts over minutes):
//
//  1. the job alone (alone-x-floor);
//  2. for each console variant, the job while two children of this test
//     binary use the same data directory:
//     - a console: opens the store read-write, and every second reads the
//     change counter and (when it moved) the jobs list, as a refreshing
//     console does; "console-runner" also runs the console's job runner
//     (Engine.Start), which looks for queued jobs every second;
//     - a CLI: every 50 ms, a fresh read-only store.Open, a probe
//     (Store.Hold(false) with nothing inside: it returns once the shared
//     lock is taken and bbolt opened), Jobs() and TokensInRange of 50
//     tokens, then Close: `jobs list` and `tokens list --from --to`
//     without the process start;
//  3. the job alone again (alone2-x-floor).
//
// Reported, per console variant:
//
//	p50/p99/max-read-ms    a CLI command's time from when it was due to
//	                       its end (benchCLI): its wait for the store plus
//	                       about 1 ms of work
//	p99-read-ms-no-commit  the same without the commands that overlapped
//	                       the commit
//	p99-service-ms         each command from its own start (a command
//	                       that started late, after one that waited, did
//	                       not wait itself)
//	p99/max-probe-ms       the probe alone: the wait for the shared lock
//	                       plus bbolt's open and close (about 0.1 ms), for
//	                       a hold that began during the command's open
//	p99-wake-ms            how late the CLI process woke up for a command
//	                       (not counted in read-ms): the machine's load
//	reads                  CLI commands during the job
//	commit-ms              the commit transaction's exclusive hold (from
//	                       the holder record of this process)
//	commit-reads           CLI commands that overlapped the commit
//	x-floor                the job's wall time per token / its floor
//	pfloor-ratio           the same against the floor run on all cores
//	console-max-ms         the console's slowest refresh
//	counter-bumps          write transactions during the job (any process)
//	children-cpu-%         the two children's CPU time over the job's
//	                       wall time and every core
//
// and chunk-read-ms, one read transaction of the job's selection (256
// tokens and their users) timed alone.
//
// go test -run '^$' -bench 'BenchmarkStoreWaitDuringJob/100k' -benchtime 1x -timeout 30m ./engine/jobs
func BenchmarkStoreWaitDuringJob(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) { benchStoreWait(b, n) })
	}
}

// Child roles of this test binary (TestMain).
const (
	benchChildEnv    = "SWTOKEN_JOBS_BENCH_CHILD"  // "console", "console-runner" or "cli"
	benchChildDir    = "SWTOKEN_JOBS_BENCH_DIR"    // the data directory
	benchChildOut    = "SWTOKEN_JOBS_BENCH_OUT"    // where the child writes its samples
	benchChildTokens = "SWTOKEN_JOBS_BENCH_TOKENS" // the store's token count
)

// waitSample is one timed operation of a child.
type waitSample struct {
	At int64 // when it was due, Unix ns
	// Late is how much later it started because the command before it
	// was still running (the CLI); Wake is how much later still it
	// started, the process waking late (the machine's load, not the
	// store).
	Late  time.Duration
	Wake  time.Duration
	Open  time.Duration
	Probe time.Duration
	Total time.Duration // open + probe + reads + close, from its start
}

// latency is a CLI command's time from when it was due to its end.
func (s waitSample) latency() time.Duration { return s.Late + s.Total }

// jobRun is one job of benchStoreWait.
type jobRun struct {
	elapsed time.Duration
	floor   floorResult
	holds   []longHold
	commit  longHold
	bumps   uint64 // write transactions during the job
	start   time.Time
	seq     uint64
}

func (r jobRun) xFloor(n int) float64 {
	return r.elapsed.Seconds() / float64(n) / r.floor.PerCore.Seconds()
}

func (r jobRun) pFloor(n int) float64 {
	return r.elapsed.Seconds() / float64(n) / r.floor.Parallel.Seconds()
}

func benchStoreWait(b *testing.B, n int) {
	st := benchStore(b, n)
	e := New(st, Options{})
	if err := e.Prepare(); err != nil {
		b.Fatal(err)
	}
	jobN := 0
	// job runs one job over every token; children, when set, starts the
	// children and returns what stops them.
	job := func(children func() func()) jobRun {
		jobN++
		s := spec("Wait "+strconv.Itoa(jobN), model.PasswordAdmin, fmt.Sprintf("%012d", 100_000_000_001), fmt.Sprintf("%012d", 100_000_000_000+n))
		j := submit(b, e, s, "bench-password")
		if j.Total != n {
			b.Fatalf("the job has %d tokens, want %d", j.Total, n)
		}
		var r jobRun
		r.floor = measureFloor(b, false)
		stop := func() {}
		if children != nil {
			stop = children()
		}
		c0, err := st.ChangeCounter()
		if err != nil {
			b.Fatal(err)
		}
		w := watchHolds(st.DataDir())
		e.opts.BeforeCommit = w.beforeCommit
		r.start = time.Now()
		end := runAll(b, e)
		r.elapsed = time.Since(r.start)
		r.holds, r.commit = w.stop()
		e.opts.BeforeCommit = nil
		c1, err := st.ChangeCounter()
		if err != nil {
			b.Fatal(err)
		}
		r.bumps = c1 - c0
		if children != nil {
			// The commit ends the job: the CLI commands that were due
			// during it run when it ends, and are counted (they were
			// due before the job's end).
			time.Sleep(time.Second)
		}
		stop()
		r.floor = r.floor.avg(measureFloor(b, false))
		if end.State != model.JobCompleted {
			b.Fatalf("%s: %s", end.State, end.Reason)
		}
		os.Remove(end.Output)
		r.seq = end.Seq
		return r
	}

	alone := job(nil)
	b.Logf("alone: %.2f s, %.2fx floor (%.1f µs); commit hold %.0f ms (%s); %d writes; holds over 100 ms: %s",
		alone.elapsed.Seconds(), alone.xFloor(n), float64(alone.floor.PerCore.Nanoseconds())/1000,
		ms(alone.commit.Held), alone.commit.how, alone.bumps, describeHolds(alone.holds))
	// The job's reads: its selection, 256 tokens per read transaction.
	start, chunks := time.Now(), 0
	if err := st.EachJobToken(alone.seq, func(store.JobToken) error { chunks++; return nil }); err != nil {
		b.Fatal(err)
	}
	walk := time.Since(start)
	chunks = (chunks-16+255)/256 + 1
	b.Logf("the job's selection read alone: %.0f ms in %d read transactions, %.2f ms each", ms(walk), chunks, ms(walk)/float64(chunks))

	type variant struct {
		name    string
		run     jobRun
		cli     []waitSample
		console []waitSample
		// The children's CPU time, the whole of their lives (about a
		// second longer than the job).
		childCPU time.Duration
	}
	var vs []variant
	for _, role := range []string{"console", "console-runner"} {
		v := variant{name: role}
		outDir := b.TempDir()
		cliOut, conOut := filepath.Join(outDir, "cli.json"), filepath.Join(outDir, "console.json")
		v.run = job(func() func() {
			stopCon := startBenchChild(b, role, st.DataDir(), conOut, n)
			stopCLI := startBenchChild(b, "cli", st.DataDir(), cliOut, n)
			return func() { stopCLI(); stopCon() }
		})
		// The commands due while the job ran.
		end := v.run.start.Add(v.run.elapsed)
		outside := func(x waitSample) bool {
			at := time.Unix(0, x.At)
			return at.Before(v.run.start) || !at.Before(end)
		}
		cli, con := readSamples(b, cliOut), readSamples(b, conOut)
		v.cli = slices.DeleteFunc(cli.Samples, outside)
		v.console = slices.DeleteFunc(con.Samples, outside)
		v.childCPU = cli.CPU + con.CPU
		vs = append(vs, v)
	}
	alone2 := job(nil)
	b.Logf("alone again: %.2f s, %.2fx floor (%.1f µs); commit hold %.0f ms (%s)",
		alone2.elapsed.Seconds(), alone2.xFloor(n), float64(alone2.floor.PerCore.Nanoseconds())/1000, ms(alone2.commit.Held), alone2.commit.how)

	b.ReportMetric(alone.xFloor(n), "alone-x-floor")
	b.ReportMetric(alone2.xFloor(n), "alone2-x-floor")
	b.ReportMetric(ms(walk)/float64(chunks), "chunk-read-ms")
	for _, v := range vs {
		var reads, service, probes, rest, wake []time.Duration
		overlap := 0
		for _, s := range v.cli {
			reads = append(reads, s.latency())
			service = append(service, s.Total)
			probes = append(probes, s.Probe)
			wake = append(wake, s.Wake)
			if v.run.commit.overlaps(s) {
				overlap++
			} else {
				rest = append(rest, s.latency())
			}
		}
		if len(reads) == 0 {
			b.Fatalf("%s: the CLI child made no read", v.name)
		}
		var slowest time.Duration
		for _, s := range v.console {
			slowest = max(slowest, s.Total)
		}
		p := func(d []time.Duration, q float64) float64 { return ms(percentile(d, q)) }
		m := func(name string, x float64) { b.ReportMetric(x, v.name+":"+name) }
		m("p50-read-ms", p(reads, 0.50))
		m("p99-read-ms", p(reads, 0.99))
		m("max-read-ms", p(reads, 1))
		m("p99-read-ms-no-commit", p(rest, 0.99))
		m("p99-service-ms", p(service, 0.99))
		m("p99-probe-ms", p(probes, 0.99))
		m("max-probe-ms", p(probes, 1))
		m("p99-wake-ms", p(wake, 0.99))
		m("reads", float64(len(reads)))
		m("commit-ms", ms(v.run.commit.Held))
		m("commit-reads", float64(overlap))
		m("x-floor", v.run.xFloor(n))
		m("pfloor-ratio", v.run.pFloor(n))
		m("console-max-ms", ms(slowest))
		m("counter-bumps", float64(v.run.bumps))
		// Their share of the machine while the job ran: what they can
		// take from the job, whose ratio assumes every core.
		m("children-cpu-%", 100*v.childCPU.Seconds()/v.run.elapsed.Seconds()/float64(runtime.GOMAXPROCS(0)))
		over := 0
		for _, r := range reads {
			if r > 50*time.Millisecond {
				over++
			}
		}
		b.Logf("%s: job %.2f s, %.2fx floor (%.1f µs); commit hold %.0f ms (%s); %d CLI reads, %d during the commit, %d over 50 ms; slowest reads (ms from due) %v; the runner's holds over 100 ms: %s",
			v.name, v.run.elapsed.Seconds(), v.run.xFloor(n), float64(v.run.floor.PerCore.Nanoseconds())/1000,
			ms(v.run.commit.Held), v.run.commit.how, len(reads), overlap, over, slowestReads(v.cli, 8), describeHolds(v.run.holds))
	}
}

// describeHolds lists long holds for the log.
func describeHolds(holds []longHold) string {
	if len(holds) == 0 {
		return "none"
	}
	var out []string
	for _, h := range holds {
		out = append(out, fmt.Sprintf("%.0f ms at %s (%s)", ms(h.Held), h.From.Local().Format("15:04:05.000"), h.Activity))
	}
	return strings.Join(out, "; ")
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// percentile is the q-quantile (nearest rank) of d; q = 1 is the maximum.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// slowestReads lists the k slowest CLI reads, in ms, for the log.
func slowestReads(samples []waitSample, k int) string {
	s := slices.Clone(samples)
	slices.SortFunc(s, func(a, b waitSample) int { return int(b.latency() - a.latency()) })
	var out []string
	for _, x := range s[:min(k, len(s))] {
		out = append(out, fmt.Sprintf("%.1f (late %.1f, wake %.1f, open %.1f, probe %.1f, at %s)", ms(x.latency()), ms(x.Late), ms(x.Wake), ms(x.Open), ms(x.Probe),
			time.Unix(0, x.At).Format("15:04:05.000")))
	}
	return strings.Join(out, ", ")
}

// longHold is a hold of this process that lasted more than 100 ms, seen
// through its holder record (holders/<pid>.json: written by such a hold,
// with the activity and the time the hold began, and removed when it
// ends), polled every millisecond.
type longHold struct {
	From, To time.Time
	Held     time.Duration
	Activity string
	how      string
}

// overlaps reports whether a CLI sample ran (from when it was due) while
// the hold lasted.
func (h longHold) overlaps(s waitSample) bool {
	at := time.Unix(0, s.At)
	return !h.From.IsZero() && at.Before(h.To) && at.Add(s.latency()).After(h.From)
}

// holdWatch collects this process's long holds during a job. The commit's
// hold is the one whose activity is "committing job ..."; a commit shorter
// than 100 ms leaves no record, and is then bounded by the time from
// BeforeCommit to the job's end (which adds the collection before it).
type holdWatch struct {
	path    string
	done    chan struct{}
	stopped chan struct{}
	began   atomic.Int64 // BeforeCommit, Unix ns
	holds   []longHold
}

func watchHolds(dataDir string) *holdWatch {
	w := &holdWatch{
		path: filepath.Join(dataDir, store.HoldersDirName, strconv.Itoa(os.Getpid())+".json"),
		done: make(chan struct{}), stopped: make(chan struct{}),
	}
	go func() {
		defer close(w.stopped)
		var cur *longHold
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var rec struct {
				Since    time.Time `json:"since"`
				Activity string    `json:"activity"`
			}
			data, err := os.ReadFile(w.path)
			now := time.Now()
			seen := err == nil && json.Unmarshal(data, &rec) == nil
			if cur != nil && (!seen || !rec.Since.Equal(cur.From)) {
				cur.To = now // gone (or another hold): this one has ended
				cur.Held = cur.To.Sub(cur.From)
				w.holds = append(w.holds, *cur)
				cur = nil
			}
			if seen {
				if cur == nil {
					cur = &longHold{From: rec.Since, how: "holder record"}
				}
				cur.Activity, cur.To = rec.Activity, now
			}
			select {
			case <-w.done:
				if cur != nil {
					// Still there at the last look: the job returns
					// only after the hold ended, so it ended within a
					// millisecond after that look.
					cur.Held = cur.To.Sub(cur.From)
					w.holds = append(w.holds, *cur)
				}
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// beforeCommit is the engine's BeforeCommit hook.
func (w *holdWatch) beforeCommit(model.Job) { w.began.Store(time.Now().UnixNano()) }

// stop runs when the job has ended; it returns the long holds and the
// commit's.
func (w *holdWatch) stop() (holds []longHold, commit longHold) {
	end := time.Now()
	close(w.done)
	<-w.stopped
	for _, h := range w.holds {
		if strings.HasPrefix(h.Activity, "committing") {
			commit = h
		}
	}
	if commit.From.IsZero() {
		if began := w.began.Load(); began != 0 {
			from := time.Unix(0, began)
			commit = longHold{From: from, To: end, Held: end.Sub(from), how: "no record: BeforeCommit to the end"}
		}
	}
	return w.holds, commit
}

// startBenchChild starts this test binary as a console or CLI child on dir
// and returns once it has opened the store; the returned function stops it
// (its samples are then in out).
func startBenchChild(b *testing.B, role, dir, out string, tokens int) func() {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+role, benchChildDir+"="+dir, benchChildOut+"="+out,
		benchChildTokens+"="+strconv.Itoa(tokens))
	cmd.Stderr = os.Stderr
	return storetest.StartReady(b, cmd, 30*time.Second)
}

// childResult is what a child writes when it stops.
type childResult struct {
	Samples []waitSample
	CPU     time.Duration // the child's user + system CPU time
}

func readSamples(b *testing.B, path string) childResult {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var r childResult
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatal(err)
	}
	return r
}

// benchChild is a console or CLI child (TestMain). It says "ready" once it
// has opened the store, works until its standard input closes, then writes
// its samples.
func benchChild(role string) int {
	dir, out := os.Getenv(benchChildDir), os.Getenv(benchChildOut)
	tokens, _ := strconv.Atoi(os.Getenv(benchChildTokens))
	stop := make(chan struct{})
	var samples []waitSample
	var err error
	switch role {
	case "console", "console-runner":
		samples, err = benchConsole(dir, role == "console-runner", stop)
	case "cli":
		samples, err = benchCLI(dir, tokens, stop)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	data, err := json.Marshal(childResult{Samples: samples, CPU: cpuTime()})
	if err == nil {
		err = os.WriteFile(out, data, 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	return 0
}

// untilStdinCloses closes stop when the standard input closes.
func untilStdinCloses(stop chan struct{}) {
	go func() {
		var buf [1]byte
		for {
			if _, err := os.Stdin.Read(buf[:]); err != nil {
				close(stop)
				return
			}
		}
	}()
}

// benchConsole is an open console: the store open read-write, and every
// second the change counter and, when it moved, the jobs list. With runner,
// it also runs the console's job runner from the moment it sees the job
// running (earlier it would take the job itself).
func benchConsole(dir string, runner bool, stop chan struct{}) ([]waitSample, error) {
	st, err := store.Open(store.Options{DataDir: dir, Activity: "console: idle"})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	fmt.Println("ready")
	untilStdinCloses(stop)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var e *Engine
	var samples []waitSample
	last := uint64(0)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		start := time.Now()
		n, err := st.ChangeCounter()
		if err != nil {
			return nil, err
		}
		if n != last {
			last = n
			js, err := st.Jobs()
			if err != nil {
				return nil, err
			}
			if runner && e == nil && len(js) > 0 && js[0].State == model.JobRunning {
				e = New(st, Options{})
				e.Start(ctx)
			}
		}
		samples = append(samples, waitSample{At: start.UnixNano(), Total: time.Since(start)})
		select {
		case <-stop:
			if e != nil {
				cancel()
				<-e.Done()
			}
			return samples, nil
		case <-tick.C:
		}
	}
}

// cliEvery is how often the CLI child starts a read command.
const cliEvery = 50 * time.Millisecond

// benchCLI starts a CLI read command every 50 ms, each a fresh read-only
// open, a probe of the store wait, the jobs list, 50 tokens from a random
// serial, and close. The commands are due at fixed times (every 50 ms from
// the start) whatever the earlier ones took: one that is late, because the
// one before it waited for the store, starts at once, and its sample
// counts from when it was due (less the time this process took to wake
// up, which is the machine's load, not the store's). So the samples are
// what independent commands arriving every 50 ms would see, not only the
// one that happened to be waiting when a long hold began.
func benchCLI(dir string, tokens int, stop chan struct{}) ([]waitSample, error) {
	fmt.Println("ready")
	untilStdinCloses(stop)
	rng := rand.New(rand.NewSource(1))
	var samples []waitSample
	begin := time.Now()
	prevEnd := begin
	for k := 1; ; k++ {
		due := begin.Add(time.Duration(k) * cliEvery)
		if d := time.Until(due); d > 0 {
			select {
			case <-stop:
				return samples, nil
			case <-time.After(d):
			}
		} else {
			select {
			case <-stop:
				return samples, nil
			default:
			}
		}
		from := 100_000_000_001 + rng.Intn(max(tokens-50, 1))
		t0 := time.Now()
		st, err := store.Open(store.Options{DataDir: dir, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		t1 := time.Now()
		err = st.Hold(false, func() error { return nil })
		t2 := time.Now()
		if err == nil {
			_, err = st.Jobs()
		}
		if err == nil {
			var toks []model.Token
			toks, err = st.TokensInRange(strconv.Itoa(from), strconv.Itoa(from+49))
			if err == nil && len(toks) != 50 {
				err = fmt.Errorf("%d tokens from %d", len(toks), from)
			}
		}
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		t3 := time.Now()
		if err != nil {
			return nil, err
		}
		late := max(prevEnd.Sub(due), 0)
		samples = append(samples, waitSample{At: due.UnixNano(), Late: late, Wake: t0.Sub(due) - late,
			Open: t1.Sub(t0), Probe: t2.Sub(t1), Total: t3.Sub(t0)})
		prevEnd = t3
	}
}

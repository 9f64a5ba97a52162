package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// result is one finished swtoken command.
type result struct {
	kind   string
	args   []string
	code   int // exit status; -1 when killed
	killed bool
	out    string
	errOut string
	dur    time.Duration
}

// outcome classifies r for the ledger: exit 0 done, exit 1 refused,
// killed or exit 3 unknown. Anything else is unknown too, and a problem
// that check reports.
func (r result) outcome() outcome {
	switch {
	case r.killed:
		return unknown
	case r.code == 0:
		return done
	case r.code == 1:
		return refused
	}
	return unknown
}

func (r result) String() string {
	what := fmt.Sprintf("exit %d", r.code)
	if r.killed {
		what = "killed"
	}
	return fmt.Sprintf("swtoken %s: %s\n      stdout: %s\n      stderr: %s", strings.Join(r.args, " "), what,
		strings.TrimSpace(r.out), strings.TrimSpace(r.errOut))
}

// runner starts swtoken processes for one worker and lets the killer find
// them.
type runner struct {
	name  string
	d     *driver
	rng   *rand.Rand
	mu    sync.Mutex
	procs []*os.Process // running now
}

// run runs one swtoken command and waits for it.
func (w *runner) run(kind string, args ...string) result { return w.start(kind, args...)() }

// runSelf runs this driver's own helper command (settings-save) as a
// process the killer can hit like any other.
func (w *runner) runSelf(kind string, args ...string) result {
	return w.startArgv(kind, w.d.self, args, append([]string{"(the driver's helper)"}, args...))()
}

// start starts one swtoken command; the function it returns waits for it.
func (w *runner) start(kind string, args ...string) func() result {
	return w.startArgv(kind, w.d.bin, append([]string{"--data-dir", w.d.data}, args...), args)
}

// startArgv starts bin with argv; shown is what messages show of it.
func (w *runner) startArgv(kind, bin string, argv, shown []string) func() result {
	cmd := exec.Command(bin, argv...)
	cmd.Env = w.d.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut // stdin: /dev/null
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		w.d.fatalf("start %s: %v", bin, err)
	}
	w.mu.Lock()
	w.procs = append(w.procs, cmd.Process)
	w.mu.Unlock()
	return func() result {
		err := cmd.Wait()
		dur := time.Since(t0)
		w.mu.Lock()
		w.procs = slices.DeleteFunc(w.procs, func(p *os.Process) bool { return p == cmd.Process })
		w.mu.Unlock()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			w.d.fatalf("wait %s: %v", bin, err)
		}
		r := result{kind: kind, args: shown, code: cmd.ProcessState.ExitCode(), out: out.String(), errOut: errOut.String(), dur: dur}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
		w.d.stats.add(r)
		if !r.killed && r.code != 0 && r.code != 1 {
			// 3 is counted and judged at the end; 2 (usage) and the
			// rest are the driver's or swtoken's bug.
			if r.code != 3 {
				w.d.problem("unexpected exit status: %v", r)
			}
		}
		return r
	}
}

// kill SIGKILLs one of the worker's running processes, if any, and reports
// whether it sent the signal. A process that has just exited is not hit
// (os.Process knows it was waited for).
func (w *runner) kill(rng *rand.Rand) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.procs) == 0 {
		return false
	}
	return w.procs[rng.IntN(len(w.procs))].Signal(syscall.SIGKILL) == nil
}

// expect reports a refused command whose message is none of the reasons
// the worker expects (an expected reason is a rule of swtoken, such as a
// token in an unfinished job).
func (w *runner) expect(r result, reasons ...string) {
	if r.killed || r.code != 1 {
		return
	}
	for _, s := range reasons {
		if strings.Contains(r.errOut, s) || strings.Contains(r.out, s) {
			return
		}
	}
	w.d.problem("%s: unexpected failure: %v", w.name, r)
}

// stats collects every command's outcome and latency, by kind.
type stats struct {
	mu    sync.Mutex
	kinds map[string]*kindStats
}

type kindStats struct {
	runs, done, refused, killed, exit3 int
	// noop counts commands that succeeded saying "nothing changed" (an
	// assign to the token's holder): they write no audit record.
	noop int
	lat  []time.Duration // commands that were not killed
}

func (s *stats) add(r result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kinds == nil {
		s.kinds = map[string]*kindStats{}
	}
	k := s.kinds[r.kind]
	if k == nil {
		k = &kindStats{}
		s.kinds[r.kind] = k
	}
	k.runs++
	switch {
	case r.killed:
		k.killed++
	case r.code == 0:
		k.done++
		if strings.Contains(r.out+r.errOut, "nothing changed") {
			k.noop++
		}
	case r.code == 3:
		k.exit3++
	default:
		k.refused++
	}
	if !r.killed {
		k.lat = append(k.lat, r.dur)
	}
}

// percentile is the p-th percentile (nearest rank) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// table prints the per-kind figures; kinds starting with "-" (setup,
// final checks) are left out. The all row counts every command of the run.
func (s *stats) table(b *strings.Builder, secs float64) (total kindStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range s.kinds {
		if !strings.HasPrefix(n, "-") {
			names = append(names, n)
		}
	}
	// The workers' commands first, then the reads that check their
	// ledgers during the run and the reader's checks.
	sort.Slice(names, func(i, j int) bool {
		ri, rj := strings.HasPrefix(names[i], "read: "), strings.HasPrefix(names[j], "read: ")
		if ri != rj {
			return rj
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(b, "%-26s %6s %6s %7s %6s %5s %7s %7s %7s\n", "command", "runs", "exit0", "exit1", "killed", "exit3", "per s", "p50 ms", "p99 ms")
	row := func(name string, k *kindStats) {
		lat := slices.Clone(k.lat)
		slices.Sort(lat)
		fmt.Fprintf(b, "%-26s %6d %6d %7d %6d %5d %7.1f %7.1f %7.1f\n", name, k.runs, k.done, k.refused, k.killed, k.exit3,
			float64(k.runs)/secs, ms(percentile(lat, 50)), ms(percentile(lat, 99)))
	}
	for _, n := range names {
		k := s.kinds[n]
		row(n, k)
		total.runs += k.runs
		total.done += k.done
		total.refused += k.refused
		total.killed += k.killed
		total.exit3 += k.exit3
		total.lat = append(total.lat, k.lat...)
	}
	row("all", &total)
	return total
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

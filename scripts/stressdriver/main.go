// Command stressdriver is the engine of scripts/stress.sh: four workers run
// real swtoken commands against one data directory at once for a while
// (imports; assign/unassign; profile edits and settings saves; distribution
// jobs queued, run and canceled) while a killer SIGKILLs their processes at
// random moments. Each worker keeps an exact ledger of what it believes
// happened: a command that exited 0 did it, one that exited 1 changed
// nothing, a killed one may or may not have. At the end the store must
// agree with every ledger (allowing either outcome for exactly the killed
// commands), `swtoken audit verify` and `swtoken check` must pass, no job
// may be left queued or running, and the files of completed jobs must
// work (stoken's codes checked with swtoken verify). It prints throughput
// and latency per kind of command, then "stress: all checks passed" (exit
// 0) or the problems (exit 1).
//
// usage: stressdriver -swtoken BIN -work DIR [-duration 60s] [-seed N]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// The passwords of the run (test values; they reach swtoken and stoken
// through files and pipes, never argv).
const (
	importPassword = "Stress-import-1"
	// Short: in mode userid+password a user ID comes first, and an AES-128
	// file's password is at most 24 characters.
	adminPassword = "Adm-1"
)

type driver struct {
	bin, self string // swtoken, and this driver (its settings-save helper)
	data      string // the data directory
	work      string // generated files, downloads
	env       []string
	gen       *gen

	importPWFile, adminPWFile string

	rng              *rand.Rand // the killer's
	killMin, killMax time.Duration

	stats stats
	// The ledgers: worker 1 imports, 2 assign, 3 profiles and settings.
	// Worker 4's account is jobs.
	imports, assign, profiles, settings *ledger

	mu           sync.Mutex
	jobs         []*jobEntry
	imported     map[string]importedFile // serial -> its file
	revLow       map[string]int          // profile -> edits that surely raised its revision
	revHigh      map[string]int          // profile -> edits that may have
	killsSent    int
	readerChecks int
	problems     []string
	seen         map[string]int // problem -> times found
	notes        []string
}

type importedFile struct{ path, password string }

func (d *driver) importedFile(serial, path, password string) {
	d.mu.Lock()
	d.imported[serial] = importedFile{path, password}
	d.mu.Unlock()
}

// problem records a failed check; the run then exits 1. A problem seen
// again (a later check finds the same state) is counted, not repeated.
func (d *driver) problem(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := fmt.Sprintf(format, args...)
	if d.seen[p] == 0 {
		d.problems = append(d.problems, p)
	}
	d.seen[p]++
}

// note records something worth reporting that is not a failure.
func (d *driver) note(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.notes) < 20 {
		d.notes = append(d.notes, fmt.Sprintf(format, args...))
	}
}

// fatalf stops the driver: the run itself could not go on.
func (d *driver) fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "stress: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "settings-save" {
		os.Exit(settingsSave(os.Args[2:]))
	}
	bin := flag.String("swtoken", "", "the swtoken binary")
	work := flag.String("work", "", "an empty directory for the data directory and generated files")
	duration := flag.Duration("duration", 60*time.Second, "how long the workers run")
	seed := flag.Uint64("seed", 0, "random seed (0: from the clock; printed for a rerun)")
	killMin := flag.Duration("kill-min", 150*time.Millisecond, "shortest pause between two kills")
	killMax := flag.Duration("kill-max", 900*time.Millisecond, "longest pause between two kills")
	flag.Parse()
	if *bin == "" || *work == "" || flag.NArg() > 0 || *killMax < *killMin {
		flag.Usage()
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stress:", err)
		os.Exit(2)
	}
	d := &driver{
		bin: *bin, self: self, data: filepath.Join(*work, "data"), work: *work,
		rng: rand.New(rand.NewPCG(*seed, 0)), killMin: *killMin, killMax: *killMax,
		imports: newLedger(), assign: newLedger(), profiles: newLedger(), settings: newLedger(),
		imported: map[string]importedFile{}, revLow: map[string]int{}, revHigh: map[string]int{},
		seen: map[string]int{},
	}
	for _, e := range os.Environ() {
		// The children get the defaults: the data directory on the command
		// line, the key beside it, the default lock wait (5 s).
		if !strings.HasPrefix(e, "SWTOKEN_") && !strings.HasPrefix(e, "TEA_TRACE=") {
			d.env = append(d.env, e)
		}
	}
	if d.gen, err = newGen(filepath.Join(*work, "files")); err != nil {
		d.fatalf("%v", err)
	}
	if d.importPWFile, err = d.gen.secretFile("import.pw", importPassword); err != nil {
		d.fatalf("%v", err)
	}
	if d.adminPWFile, err = d.gen.secretFile("admin.pw", adminPassword); err != nil {
		d.fatalf("%v", err)
	}

	fmt.Printf("stress: %v, seed %d, %s, %d CPUs, data directory %s\n", *duration, *seed, runtime.Version(), runtime.NumCPU(), d.data)
	base := d.setup()

	workers := []*runner{
		{name: "worker 1 (imports)", d: d, rng: rand.New(rand.NewPCG(*seed, 1))},
		{name: "worker 2 (assign/unassign)", d: d, rng: rand.New(rand.NewPCG(*seed, 2))},
		{name: "worker 3 (profiles, settings)", d: d, rng: rand.New(rand.NewPCG(*seed, 3))},
		{name: "worker 4 (jobs)", d: d, rng: rand.New(rand.NewPCG(*seed, 4))},
	}
	loops := []func(context.Context, *runner){d.importer, d.assigner, d.profileEditor, d.jobRunner}
	reader := &runner{name: "reader", d: d}

	ctx, stop := context.WithTimeout(context.Background(), *duration)
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() { loops[i](ctx, w) })
	}
	wg.Go(func() { d.reader(ctx, reader) })
	wg.Go(func() { d.killer(ctx, workers) })
	wg.Wait() // each worker finishes the command in hand
	secs := time.Since(start).Seconds()

	d.final(base)
	os.Exit(d.report(secs))
}

// report prints the figures and the problems; it returns the exit status.
func (d *driver) report(secs float64) int {
	var b strings.Builder
	fmt.Fprintf(&b, "\nstress: %.1f s of four workers (and a reader running swtoken check every 2 s)\n", secs)
	total := d.stats.table(&b, secs)
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(&b, "kills: %d SIGKILLs sent, %d commands killed; exit 3 (lock wait exceeded): %d; reader checks: %d\n",
		d.killsSent, total.killed, total.exit3, d.readerChecks)
	if total.exit3 > 0 {
		d.problems = append(d.problems, fmt.Sprintf("%d command(s) gave up waiting for the store (exit 3) at the default 5 s lock wait", total.exit3))
	}
	for _, n := range d.notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	fmt.Print(b.String())
	if len(d.problems) == 0 {
		fmt.Println("stress: all checks passed")
		return 0
	}
	fmt.Printf("stress: %d problem(s):\n", len(d.problems))
	for i, p := range d.problems {
		if i == 50 {
			fmt.Printf("  ... and %d more\n", len(d.problems)-i)
			break
		}
		again := ""
		if n := d.seen[p]; n > 1 {
			again = fmt.Sprintf(" (found %d times)", n)
		}
		fmt.Printf("  - %s%s\n", p, again)
	}
	return 1
}

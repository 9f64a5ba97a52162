package jobs

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/internal/crashtest"
	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// crashChildEnv makes the test binary act as `swtoken jobs run` on the data
// directory it names, so the crash test can SIGKILL a real job runner.
const crashChildEnv = "SWTOKEN_JOBS_CRASH_CHILD"

func TestMain(m *testing.M) {
	crashtest.Child(crashChildEnv, func(ctx context.Context, st *store.Store) error {
		_, err := New(st, Options{}).RunQueued(ctx)
		return err
	})
	if dir := os.Getenv(runnerLoopEnv); dir != "" {
		os.Exit(runnerLoop(dir))
	}
	if role := os.Getenv(benchChildEnv); role != "" {
		os.Exit(benchChild(role))
	}
	os.Exit(m.Run())
}

// TestCrashDuringJobsChangesNothingOrEverything SIGKILLs a job runner at
// random moments during a job of more than 5,000 tokens, at least 20 times.
// After every kill: the audit chain is intact; if the job completed, exactly
// its tokens changed and a sample of its files' codes verify against the
// store; if not, no token changed at all, and the job is still queued (or
// running, to be requeued), with no output. The next run finishes it.
func TestCrashDuringJobsChangesNothingOrEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes about a minute")
	}
	crashLoop(t, crashCase{
		kills: 20, maxDelay: 1800 * time.Millisecond,
		spec: func(n int) model.JobSpec {
			return spec(fmt.Sprintf("Crash %d", n), model.PasswordAdmin, "100000000001", "100000006720")
		},
		check: checkSample,
	})
}

// TestCrashDuringCTFJobsChangesNothingOrEverything is the same for CTF
// jobs (strings in blocks for a Windows profile, which need no QR
// encoder in the child runner), with fewer kills: the run, the commit and
// the recovery are the file job's code.
func TestCrashDuringCTFJobsChangesNothingOrEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes about half a minute")
	}
	crashLoop(t, crashCase{
		// A CTF job of 6,720 tokens takes about a third of a second
		// in the child, so the kills come early and runs are allowed
		// to complete more often.
		kills: 8, maxDelay: 350 * time.Millisecond, maxRuns: 60,
		setup: func(st *store.Store) { addCTFProfiles(t, st) },
		spec: func(n int) model.JobSpec {
			return ctfJobSpec(fmt.Sprintf("CTF crash %d", n), "Windows CTF", "", "", model.PasswordAdmin, "100000000001", "100000006720")
		},
		check: checkCTFSample,
	})
}

// crashCase is one kind of job for crashLoop.
type crashCase struct {
	kills    int           // at least this many SIGKILLs
	maxDelay time.Duration // kill within this time of the runner's start
	maxRuns  int           // give up after this many runs (0: 3 times kills)
	setup    func(st *store.Store)
	spec     func(n int) model.JobSpec // the n-th job (password "crash-pw")
	check    func(t *testing.T, st *store.Store, j model.Job, rng *rand.Rand)
}

func crashLoop(t *testing.T, c crashCase) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.LoadDemo(st, 3000, 7000, testNow); err != nil {
		t.Fatal(err)
	}
	if c.setup != nil {
		c.setup(st)
	}
	jobN := 0
	newJob := func(e *Engine) model.Job {
		jobN++
		j := submit(t, e, c.spec(jobN), "crash-pw")
		if j.Total < 5000 {
			t.Fatalf("the job has only %d tokens", j.Total)
		}
		return j
	}
	job := newJob(New(st, Options{}))
	snapshot := sealedSeeds(t, st)
	st.Close()

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills, completions := 0, 0
	maxRuns := c.maxRuns
	if maxRuns == 0 {
		maxRuns = 3 * c.kills
	}
	for iter := 0; kills < c.kills || iter < c.kills+2; iter++ {
		if iter > maxRuns {
			t.Fatalf("only %d kills in %d runs", kills, iter)
		}
		delay := 20*time.Millisecond + time.Duration(rng.Int63n(int64(c.maxDelay)))
		killed, err := crashtest.Run(t, crashChildEnv, dir, delay)
		if err != nil {
			t.Fatalf("runner failed: %v", err)
		}
		if killed {
			kills++
		}

		st, err = store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := st.VerifyAudit(); err != nil || !res.OK() {
			t.Fatalf("audit chain after kill %d: %+v %v", kills, res, err)
		}
		j, err := st.Job(job.Seq)
		if err != nil {
			t.Fatal(err)
		}
		now := sealedSeeds(t, st)
		changed := 0
		for s, v := range snapshot {
			if now[s] != v {
				changed++
			}
		}
		switch j.State {
		case model.JobCompleted:
			completions++
			if changed != j.Total {
				t.Fatalf("job completed with %d tokens, but %d changed", j.Total, changed)
			}
			c.check(t, st, j, rng)
			job = newJob(New(st, Options{}))
			snapshot = sealedSeeds(t, st)
		case model.JobQueued, model.JobRunning:
			if !killed {
				t.Fatalf("the runner exited with the job %s", j.State)
			}
			if changed != 0 {
				t.Fatalf("kill %d: %d tokens changed without a completed job", kills, changed)
			}
			if _, err := os.Stat(OutputPath(st, j.Seq)); err == nil && j.State != model.JobCompleted {
				// A renamed but uncommitted ZIP may exist until the next
				// run removes it; it must never be recorded.
				if j.Output != "" {
					t.Fatal("an uncommitted output is recorded")
				}
			}
		default:
			t.Fatalf("job %s: %s", j.State, j.Reason)
		}
		st.Close()
	}
	t.Logf("%d kills, %d completed jobs", kills, completions)
}

// checkCTFSample decodes 25 random strings of a completed CTF job and
// checks that each one's code verifies against the store's seed.
func checkCTFSample(t *testing.T, st *store.Store, j model.Job, rng *rand.Rand) {
	t.Helper()
	out := readCTFOutput(t, outputOf(t, st, j))
	rows := out.credentials[1:]
	for range 25 {
		r := rows[rng.Intn(len(rows))]
		tok, err := ctf.Decode(r[3], "crash-pw", model.DeviceWindows.GUID())
		if err != nil {
			t.Fatalf("%s: %v", r[0], err)
		}
		code, err := tok.Code(testNow, "")
		if err != nil {
			t.Fatal(err)
		}
		if res, err := Verify(st, r[0], code, "", testNow); err != nil || !res.Match {
			t.Fatalf("token %s: the string's code does not verify against the store: %+v %v", r[0], res, err)
		}
	}
}

// checkSample reads 25 random files of a completed job and checks that each
// file's code verifies against the store's seed.
func checkSample(t *testing.T, st *store.Store, j model.Job, rng *rand.Rand) {
	t.Helper()
	files := zipFiles(t, outputOf(t, st, j))
	serials, err := st.JobSerials(j.Seq)
	if err != nil {
		t.Fatal(err)
	}
	for range 25 {
		serial := serials[rng.Intn(len(serials))]
		tok, _ := st.Token(serial)
		data := files[EntryName(tok.AssignedUser, serial)]
		f, err := sdtid.ReadSingle(data, "crash-pw")
		if err != nil {
			t.Fatalf("%s: %v", serial, err)
		}
		code, err := f.Tokens[0].Code(testNow, "")
		if err != nil {
			t.Fatal(err)
		}
		if res, err := Verify(st, serial, code, "", testNow); err != nil || !res.Match {
			t.Fatalf("token %s: the file's code does not verify against the store: %+v %v", serial, res, err)
		}
	}
}

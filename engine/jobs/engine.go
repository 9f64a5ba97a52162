// Package jobs is the distribution engine: it turns criteria into a frozen
// selection (Plan, Submit), runs queued jobs in a goroutine (one SDTID file
// per token, written in parallel into a streamed ZIP), commits the new seeds
// in the same bbolt transaction that completes the job, publishes progress
// events, and handles the output (download, delete) and the helpdesk check
// (Verify).
//
// Consistency: nothing in the store changes while a job runs. The ZIP is
// written to outputs/<id>.zip.tmp, fsynced, renamed to outputs/<id>.zip and
// the directory fsynced; only then does store.CommitJob give every token its
// new seed (a small per-token seed record; a SID-64 token becomes AES-128,
// as its file is) and mark the job Completed, in one transaction. A crash before
// the commit leaves every token as it was and the job Running, which
// Recover turns back into Queued, so it runs again from the start.
package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swtoken/swtoken/engine/qr"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Options configures an Engine. The zero value is right for production.
type Options struct {
	// Workers is the number of goroutines writing files; 0 means
	// runtime.GOMAXPROCS(0). The output does not depend on it.
	Workers int
	// Rand supplies every seed and Secret, drawn in serial order so that
	// the same source gives the same ZIP whatever the number of workers.
	// nil means crypto/rand. It is read by one goroutine at a time.
	Rand io.Reader
	// Now is the clock; nil means time.Now (UTC).
	Now func() time.Time
	// WrapOutput, when set, wraps the output file's writer. Tests use it to
	// inject write failures (a full disk).
	WrapOutput func(io.Writer) io.Writer
	// BeforeCommit, when set, runs after the ZIP is in place and before the
	// commit transaction. Tests use it to look at that moment.
	BeforeCommit func(job model.Job)
	// GCPercent, when above 0, is the garbage collector's percentage
	// (debug.SetGCPercent) while a job writes its files; the previous
	// setting is restored before the commit. It changes a process-wide
	// setting, so only a process that owns its runtime for the job sets it
	// (the CLI: 400); 0 leaves the collector alone. Meanwhile the soft
	// memory limit (debug.SetMemoryLimit) is at most 32 MB, restored
	// too. With the default 100 the run's small live heap (a few MB)
	// makes the collector run about 45 times a second, and each cycle
	// has to stop the workers in the middle of the signature's assembly
	// loops (preemption signals sent again and again until they reach a
	// safe point).
	GCPercent int
	// QRImage makes the PNG image of a QR code of a CTF link; nil means
	// engine/qr's (tests put a stand-in here). CTF jobs whose strings are
	// links (iPhone, Android profiles: model.JobSpec.WantsQRImages) write
	// one per token; other jobs never call it. It is called from several
	// goroutines at once.
	QRImage func(link string) ([]byte, error)

	// Idle, when set, runs in the runner's goroutine whenever it finds no
	// queued job (Start: on every wake and poll; RunQueued: before it
	// returns), so that the process that runs jobs also fulfils approved
	// self-service requests: requests.NewRunner(st, opts).Pass. engine/jobs
	// cannot import engine/requests (which uses its file names), hence a
	// function.
	Idle func(ctx context.Context)

	// signer, when set, is used instead of the installation key (tests
	// that compare the outputs of two stores).
	signer *sdtid.Signer
	// originOverride fixes the Origin for tests that compare outputs of
	// two stores (each has its own install id).
	originOverride string
}

// Engine runs distribution jobs on one open store. Create it with New in the
// process that opened the store read-write, then either Start the runner
// (console) or call RunQueued (swtoken jobs run, swtoken distribute).
type Engine struct {
	st   *store.Store
	opts Options

	subMu   sync.Mutex
	subs    map[int]chan Event
	nextSub int

	wake chan struct{}

	// runMu guards the job in hand, so that Cancel and the runner agree on
	// whether a job is queued (the store ends it) or running (its context
	// is canceled and the runner ends it).
	runMu     sync.Mutex
	runSeq    uint64
	runCancel context.CancelCauseFunc
	stopAfter bool

	// progress is the number of files of the job in hand written so far.
	progress atomic.Int64
	// waited is set once RunQueued or RunUntil waited for another runner.
	waited atomic.Bool

	signerOnce sync.Mutex
	signer     *sdtid.Signer

	recoverOnce sync.Once
	recoverErr  error

	done chan struct{}
}

// New makes an engine for st. It starts nothing.
func New(st *store.Store, opts Options) *Engine {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	if opts.QRImage == nil {
		opts.QRImage = func(link string) ([]byte, error) { return qr.PNG(link, qr.Options{}) }
	}
	e := &Engine{st: st, opts: opts, subs: map[int]chan Event{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	e.signer = opts.signer
	return e
}

func (e *Engine) now() time.Time { return e.opts.Now() }

// Store returns the engine's store.
func (e *Engine) Store() *store.Store { return e.st }

// ---- events ----

// Event is a job's state or progress. Progress events come at most
// MaxEventsPerSecond times per second per job; every state change is
// published.
type Event struct {
	Seq    uint64
	Name   string
	State  model.JobState
	Done   int // tokens written so far
	Total  int
	Reason string // why it failed or was canceled
	Output string // the output ZIP, once completed
	At     time.Time
}

// MaxEventsPerSecond bounds progress events (and holder activity updates)
// per job.
const MaxEventsPerSecond = 10

// subBuffer is each subscriber's channel capacity.
const subBuffer = 16

func eventFor(j model.Job) Event {
	return Event{Seq: j.Seq, Name: j.Name, State: j.State, Done: j.Done, Total: j.Total, Reason: j.Reason, Output: j.Output}
}

// Subscribe returns a channel of events and a function that ends the
// subscription (and closes the channel). Sends never block the engine: when
// the channel is full the oldest event is dropped, so a slow reader still
// gets the newest state.
func (e *Engine) Subscribe() (<-chan Event, func()) {
	e.subMu.Lock()
	defer e.subMu.Unlock()
	id := e.nextSub
	e.nextSub++
	ch := make(chan Event, subBuffer)
	e.subs[id] = ch
	return ch, func() {
		e.subMu.Lock()
		defer e.subMu.Unlock()
		if c, ok := e.subs[id]; ok {
			delete(e.subs, id)
			close(c)
		}
	}
}

func (e *Engine) publish(ev Event) {
	if ev.At.IsZero() {
		ev.At = e.now()
	}
	e.subMu.Lock()
	defer e.subMu.Unlock()
	for _, ch := range e.subs {
		for {
			select {
			case ch <- ev:
			default:
				// Full: drop the oldest and try again; only this
				// function sends, under subMu, so this terminates.
				select {
				case <-ch:
				default:
				}
				continue
			}
			break
		}
	}
}

// ---- runner ----

// Wake tells the runner to look for queued jobs now.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Recover prepares the store for running jobs, once per engine: jobs left
// Running by a runner that died (their lease is free) go back to Queued
// (they changed nothing), and leftover temporary files and orphaned
// outputs are removed, never those of a job whose runner is alive.
func (e *Engine) Recover() error {
	e.recoverOnce.Do(func() {
		requeued, err := e.st.RequeueOrphans()
		if err != nil {
			e.recoverErr = err
			return
		}
		for _, j := range requeued {
			e.publish(eventFor(j))
		}
		e.recoverErr = e.cleanOutputs()
	})
	return e.recoverErr
}

// ErrCanceled is the cause of a job canceled by the admin.
var ErrCanceled = errors.New("canceled by the admin")

// errEndedElsewhere is the cause when the job's record says it is no
// longer running (ended by another process): the runner stops and writes
// no end of its own.
var errEndedElsewhere = errors.New("the job was ended by another process")

// PollEvery is how often an idle console's runner looks for jobs queued by
// other processes, and how often a runner that waits for another runner
// looks again.
const PollEvery = time.Second

// waitEvery is how often `jobs run` and `distribute` look again while
// another runner has the store's one running job.
const waitEvery = 250 * time.Millisecond

// Start runs the runner goroutine until ctx ends: it claims queued jobs in
// queue order (this process's and other processes'), one at a time, and
// runs each to its end. When ctx ends mid-job, the job goes back to Queued
// (nothing changed). Done is closed when the goroutine has returned.
func (e *Engine) Start(ctx context.Context) {
	go func() {
		defer close(e.done)
		if err := e.Recover(); err != nil {
			e.publish(Event{Reason: "recovery failed: " + err.Error()})
			return
		}
		poll := time.NewTicker(PollEvery)
		defer poll.Stop()
		for {
			_, status, _ := e.runNextJob(ctx)
			if e.stopping() || ctx.Err() != nil {
				return
			}
			if status == statusRan {
				continue
			}
			if e.opts.Idle != nil {
				e.opts.Idle(ctx)
			}
			select {
			case <-ctx.Done():
				return
			case <-e.wake:
			case <-poll.C:
			}
		}
	}()
}

// StopAfterCurrent makes the runner finish the job in hand and then return
// (a dropped SSH link: the engine finishes the job, then the store closes).
func (e *Engine) StopAfterCurrent() {
	e.runMu.Lock()
	e.stopAfter = true
	e.runMu.Unlock()
	e.Wake()
}

func (e *Engine) stopping() bool {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.stopAfter
}

// RunningJob returns the job this engine is running, if any.
func (e *Engine) RunningJob() (model.Job, bool) {
	e.runMu.Lock()
	seq := e.runSeq
	e.runMu.Unlock()
	if seq == 0 {
		return model.Job{}, false
	}
	j, err := e.st.Job(seq)
	return j, err == nil
}

// WaitedForOtherRunner reports whether RunQueued or RunUntil had to wait
// while another process ran a job.
func (e *Engine) WaitedForOtherRunner() bool { return e.waited.Load() }

// Done is closed when the runner started by Start has returned.
func (e *Engine) Done() <-chan struct{} { return e.done }

// RunQueued runs queued jobs, interrupted ones included, in queue order and
// returns when none is left (swtoken jobs run). While another process runs
// a job, it waits its turn. It returns the jobs it ran, in order, as they
// ended. An error is returned only when the engine itself cannot go on
// (the store failed); a job that fails is a result.
func (e *Engine) RunQueued(ctx context.Context) ([]model.Job, error) {
	return e.runUntil(ctx, false, func(model.Job) bool { return false })
}

// RunUntil runs queued jobs in queue order, as RunQueued does, until job seq
// has ended, by this runner or by another process's (swtoken distribute
// waiting for its job), and returns the jobs this runner ran and seq's end.
// While another process runs seq, its progress is published as events.
func (e *Engine) RunUntil(ctx context.Context, seq uint64) ([]model.Job, model.Job, error) {
	var last model.Job
	ran, err := e.runUntil(ctx, true, func(model.Job) bool {
		j, err := e.st.Job(seq)
		if err != nil {
			return false
		}
		if j.State != last.State || j.Done != last.Done {
			e.publish(eventFor(j))
		}
		last = j
		return j.State.Terminal()
	})
	if err == nil && !last.State.Terminal() {
		last, err = e.st.Job(seq)
	}
	return ran, last, err
}

// runUntil is the waiting runner's loop: done is asked after each job and
// each wait. With nothing queued it returns, unless waitFor (a job that
// runs elsewhere is awaited).
func (e *Engine) runUntil(ctx context.Context, waitFor bool, done func(model.Job) bool) ([]model.Job, error) {
	if err := e.Recover(); err != nil {
		return nil, err
	}
	var out []model.Job
	for ctx.Err() == nil {
		j, status, err := e.runNextJob(ctx)
		if err != nil {
			return out, err
		}
		if status == statusRan {
			out = append(out, j)
		}
		if done(j) {
			return out, nil
		}
		switch status {
		case statusRan:
			continue
		case statusBusy:
			e.waited.Store(true)
		case statusNone:
			// Nothing queued: done unless the job waited for runs
			// elsewhere.
			if !waitFor {
				if e.opts.Idle != nil {
					e.opts.Idle(ctx)
				}
				return out, nil
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(waitEvery):
		}
	}
	return out, ctx.Err()
}

type runStatus int

const (
	statusNone runStatus = iota // no queued job
	statusBusy                  // queued jobs wait for another runner
	statusRan                   // this runner ran a job
)

// runNextJob claims the oldest queued job (store.ClaimNextJob: its lease,
// then the claim transaction) and runs it to its end.
func (e *Engine) runNextJob(ctx context.Context) (model.Job, runStatus, error) {
	e.runMu.Lock()
	job, lease, err := e.st.ClaimNextJob()
	switch {
	case errors.Is(err, store.ErrNoJobToClaim):
		e.runMu.Unlock()
		return model.Job{}, statusNone, nil
	case errors.Is(err, store.ErrRunnerBusy):
		e.runMu.Unlock()
		return model.Job{}, statusBusy, nil
	case err != nil:
		e.runMu.Unlock()
		return model.Job{}, statusNone, err
	}
	jctx, cancel := context.WithCancelCause(ctx)
	e.runSeq, e.runCancel = job.Seq, cancel
	e.progress.Store(0)
	e.runMu.Unlock()

	e.publish(eventFor(job))
	_ = e.st.SetActivity(fmt.Sprintf("job %s, starting (%s)", job.Name, model.Plural(job.Total, "token")))
	stopWatch := e.watch(jctx, cancel, job)
	end := e.runJob(jctx, job)
	stopWatch()
	lease.Release()

	e.runMu.Lock()
	e.runSeq, e.runCancel = 0, nil
	e.runMu.Unlock()
	cancel(nil)
	_ = e.st.SetActivity("idle")
	e.publish(eventFor(end))
	return end, statusRan, nil
}

// watchEvery is how often a runner looks at its job's record for a cancel
// from another process (so it stops within a second); ProgressEvery is how
// often it records its progress there.
const (
	watchEvery    = 200 * time.Millisecond
	ProgressEvery = time.Second
)

// watch looks at the running job's record every watchEvery, records the
// progress at most every ProgressEvery, and cancels the job's context when
// another process canceled or ended it. It returns a function that stops
// it.
func (e *Engine) watch(ctx context.Context, cancel context.CancelCauseFunc, job model.Job) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		lastWrite, lastDone := time.Now(), int64(0)
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n := int64(-1)
			if time.Since(lastWrite) >= ProgressEvery {
				if d := e.progress.Load(); d != lastDone {
					n = d
				}
			}
			res, err := e.st.RecordProgress(job.Seq, int(n))
			if err != nil {
				continue // the store is busy: look again
			}
			if n >= 0 {
				lastWrite, lastDone = time.Now(), n
			}
			if res.Stop {
				if res.Reason == "canceled" {
					cancel(ErrCanceled)
				} else {
					cancel(fmt.Errorf("%w (%s)", errEndedElsewhere, res.Reason))
				}
				return
			}
		}
	}()
	return func() {
		close(stop)
		wg.Wait()
	}
}

// Cancel cancels a queued or running job, whichever process runs it. A job
// this engine runs stops at once; one that another process runs is marked
// (store.RequestCancel), and Cancel waits up to CancelWait for its runner
// to end it. It ends Canceled with nothing changed (its seeds were not
// committed). A job that is already completing (its ZIP in place, the
// commit under way) completes. The job returned is its record when Cancel
// returns: Canceled, Completed, or still Running with CancelRequested when
// its runner did not stop in time.
func (e *Engine) Cancel(seq uint64) (model.Job, error) {
	e.runMu.Lock()
	if e.runSeq == seq && e.runCancel != nil {
		e.runCancel(ErrCanceled)
		e.runMu.Unlock()
		return e.waitEnd(seq)
	}
	e.runMu.Unlock()
	j, err := e.st.RequestCancel(seq, ErrCanceled.Error())
	if err != nil {
		return j, err
	}
	if j.State == model.JobRunning {
		return e.waitEnd(seq)
	}
	e.publish(eventFor(j))
	return j, nil
}

// endWait bounds how long a runner waits to record a job's end while
// other processes hold the store (then the job stays Running, and the next
// runner that finds its lease free requeues it).
const endWait = 2 * time.Minute

// CancelWait bounds how long Cancel waits for a runner to stop.
const CancelWait = 3 * time.Second

func (e *Engine) waitEnd(seq uint64) (model.Job, error) {
	deadline := time.Now().Add(CancelWait)
	for {
		j, err := e.st.Job(seq)
		if err != nil || j.State.Terminal() || time.Now().After(deadline) {
			return j, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runJob runs one claimed job and records how it ended.
func (e *Engine) runJob(ctx context.Context, job model.Job) model.Job {
	res, err := e.execute(ctx, job)
	if err == nil {
		return res
	}
	cause := context.Cause(ctx)
	var end model.Job
	var serr error
	// Recording the end waits, as the commit does, while another process
	// holds the store beyond the lock wait (for at most endWait).
	patient, stop := context.WithTimeout(context.Background(), endWait)
	defer stop()
	record := func(op func() (model.Job, error)) {
		serr = store.Patiently(patient, func() (err error) {
			end, err = op()
			return err
		})
	}
	switch {
	case errors.Is(cause, ErrCanceled):
		record(func() (model.Job, error) { return e.st.EndJob(job.Seq, model.JobCanceled, ErrCanceled.Error()) })
	case errors.Is(cause, errEndedElsewhere):
		record(func() (model.Job, error) { return e.st.Job(job.Seq) })
	case errors.Is(err, store.ErrCancelRequested):
		record(func() (model.Job, error) { return e.st.EndJob(job.Seq, model.JobCanceled, ErrCanceled.Error()) })
	case ctx.Err() != nil && !errors.Is(cause, ErrCanceled):
		// Shutdown: nothing was changed; the job runs again from the
		// queue (this runner still holds its lease, so nobody else has
		// taken it meanwhile).
		record(func() (model.Job, error) { return e.st.ReturnToQueue(job.Seq, "the runner was stopped") })
	default:
		record(func() (model.Job, error) { return e.st.EndJob(job.Seq, model.JobFailed, err.Error()) })
	}
	if serr != nil {
		// The store cannot record the end; the job stays Running and is
		// requeued on the next open, which is safe.
		job.Reason = fmt.Sprintf("%v (and recording the end failed: %v)", err, serr)
		return job
	}
	return end
}

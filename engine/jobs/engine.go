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
	"time"

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
// Running by a process that died go back to Queued (they changed nothing),
// and leftover temporary files and orphaned outputs are removed.
func (e *Engine) Recover() error {
	e.recoverOnce.Do(func() {
		requeued, err := e.st.RequeueInterrupted()
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

// errStopped is the cause when the runner's context ends (shutdown): the
// job in hand goes back to Queued, since nothing was changed.
var errStopped = errors.New("the engine was stopped")

// ErrCanceled is the cause of a job canceled by the admin.
var ErrCanceled = errors.New("canceled by the admin")

// Start runs the runner goroutine until ctx ends: it claims queued jobs in
// submit order and runs each to its end. When ctx ends mid-job, the job is
// abandoned and returns to Queued (nothing changed). Done is closed when
// the goroutine has returned.
func (e *Engine) Start(ctx context.Context) {
	go func() {
		defer close(e.done)
		if err := e.Recover(); err != nil {
			e.publish(Event{Reason: "recovery failed: " + err.Error()})
			return
		}
		for {
			ran, _ := e.runNext(ctx)
			if e.stopping() || ctx.Err() != nil {
				return
			}
			if ran {
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-e.wake:
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

// Done is closed when the runner started by Start has returned.
func (e *Engine) Done() <-chan struct{} { return e.done }

// RunQueued runs every queued job, interrupted ones included, to its end and
// returns when none is left (swtoken jobs run). It returns the jobs it ran,
// in order, as they ended. An error is returned only when the engine itself
// cannot go on (the store failed); a job that fails is a result.
func (e *Engine) RunQueued(ctx context.Context) ([]model.Job, error) {
	if err := e.Recover(); err != nil {
		return nil, err
	}
	var out []model.Job
	for ctx.Err() == nil {
		j, ran, err := e.runNextJob(ctx)
		if err != nil {
			return out, err
		}
		if !ran {
			return out, nil
		}
		out = append(out, j)
	}
	return out, ctx.Err()
}

func (e *Engine) runNext(ctx context.Context) (bool, error) {
	_, ran, err := e.runNextJob(ctx)
	return ran, err
}

// runNextJob claims the oldest queued job and runs it to its end.
func (e *Engine) runNextJob(ctx context.Context) (model.Job, bool, error) {
	e.runMu.Lock()
	queued, err := e.st.Jobs(model.JobQueued)
	if err != nil || len(queued) == 0 {
		e.runMu.Unlock()
		return model.Job{}, false, err
	}
	next := queued[len(queued)-1] // Jobs lists newest first
	job, err := e.st.StartJob(next.Seq)
	if err != nil {
		e.runMu.Unlock()
		return model.Job{}, false, err
	}
	jctx, cancel := context.WithCancelCause(ctx)
	e.runSeq, e.runCancel = job.Seq, cancel
	e.runMu.Unlock()

	e.publish(eventFor(job))
	end := e.runJob(jctx, job)

	e.runMu.Lock()
	e.runSeq, e.runCancel = 0, nil
	e.runMu.Unlock()
	cancel(nil)
	_ = e.st.SetActivity("idle")
	e.publish(eventFor(end))
	return end, true, nil
}

// Cancel cancels a queued or running job. A running job stops at once; it
// ends Canceled with nothing changed (its seeds were not committed). A job
// that is already completing (its ZIP in place, the commit under way)
// completes.
func (e *Engine) Cancel(seq uint64) (model.Job, error) {
	e.runMu.Lock()
	if e.runSeq == seq && e.runCancel != nil {
		e.runCancel(ErrCanceled)
		e.runMu.Unlock()
		return e.st.Job(seq)
	}
	defer e.runMu.Unlock()
	j, err := e.st.EndJob(seq, model.JobCanceled, ErrCanceled.Error())
	if err == nil {
		e.publish(eventFor(j))
	}
	return j, err
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
	switch {
	case errors.Is(cause, ErrCanceled):
		end, serr = e.st.EndJob(job.Seq, model.JobCanceled, ErrCanceled.Error())
	case ctx.Err() != nil && !errors.Is(cause, ErrCanceled):
		// Shutdown: nothing was changed; the job runs again on the next start.
		var js []model.Job
		js, serr = e.st.RequeueInterrupted()
		end = job
		if len(js) > 0 {
			end = js[0]
		}
	default:
		end, serr = e.st.EndJob(job.Seq, model.JobFailed, err.Error())
	}
	if serr != nil {
		// The store cannot record the end; the job stays Running and is
		// requeued on the next open, which is safe.
		job.Reason = fmt.Sprintf("%v (and recording the end failed: %v)", err, serr)
		return job
	}
	return end
}

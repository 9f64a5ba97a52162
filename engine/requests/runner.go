package requests

import (
	"context"
	"sync"

	"github.com/swtoken/swtoken/store"
)

// Runner runs Fulfil passes for the process that runs jobs, cheaply: a
// pass reads the requests only when the store changed (its change
// counter) since the previous pass ended, so an idle console's runner
// costs one small read a second. Wire it as jobs.Options.Idle:
//
//	r := requests.NewRunner(st, requests.Options{})
//	jobs.New(st, jobs.Options{Idle: func(ctx context.Context) { r.Pass(ctx) }})
type Runner struct {
	st   *store.Store
	opts Options

	mu      sync.Mutex
	seen    uint64 // the change counter after the last pass
	started bool
	last    Result
	lastErr error
}

// NewRunner returns a runner for st.
func NewRunner(st *store.Store, opts Options) *Runner { return &Runner{st: st, opts: opts} }

// Pass fulfils the approved requests (Fulfil) unless nothing changed in
// the store since the previous pass ended; then it returns the previous
// result with Fulfilled and Failed emptied. An error leaves the next pass
// to try again.
func (r *Runner) Pass(ctx context.Context) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.st.ChangeCounter()
	if err != nil {
		return Result{}, err
	}
	if r.started && n == r.seen && r.lastErr == nil {
		return Result{Waiting: r.last.Waiting}, nil
	}
	res, err := Fulfil(ctx, r.st, r.opts)
	r.last, r.lastErr = res, err
	if err == nil && ctx.Err() == nil {
		if n, err = r.st.ChangeCounter(); err == nil {
			r.seen, r.started = n, true
		}
	} else {
		r.started = false
	}
	return res, err
}

package requests

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/swtoken/swtoken/engine/mail"
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
	mailer  *mail.Mailer // with the settings as of the last change seen
}

// NewRunner returns a runner for st.
func NewRunner(st *store.Store, opts Options) *Runner { return &Runner{st: st, opts: opts} }

// Pass fulfils the approved requests (Fulfil) unless nothing changed in
// the store since the previous pass ended; then it returns the previous
// result with Fulfilled and Failed emptied. An error leaves the next pass
// to try again.
//
// With Options.Mail, a pass that reads the store also queues the
// "received" and "rejected" messages still owed (MailNotices,
// Result.Notices: those a crash left between a request's commit and its
// message), writes the tokens of the fulfilled requests (and of any left
// by a crash) to the outbox (MailDeliveries, Result.Mailed), and every
// pass sends the outbox's due messages when SMTP is configured (SendMail,
// Result.Sent).
func (r *Runner) Pass(ctx context.Context) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.st.ChangeCounter()
	if err != nil {
		return Result{}, err
	}
	if r.started && n == r.seen && r.lastErr == nil {
		res := Result{Waiting: r.last.Waiting}
		if r.opts.Mail && r.mailer != nil {
			res.Sent, err = SendMail(r.st, r.mailer)
			if err != nil {
				err = fmt.Errorf("sending the request e-mails: %w", err)
			}
		}
		return res, err
	}
	res, err := Fulfil(ctx, r.st, r.opts)
	if r.opts.Mail && ctx.Err() == nil {
		err = errors.Join(err, r.mail(&res))
	}
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

// mail refreshes the mailer's settings, queues the notices still owed,
// mails the waiting deliveries and sends what is due.
func (r *Runner) mail(res *Result) error {
	m, err := NewMailer(r.st)
	if err != nil {
		return fmt.Errorf("the request e-mails: %w", err)
	}
	r.mailer = m
	if res.Notices, err = MailNotices(r.st, m); err != nil {
		return fmt.Errorf("queueing the request notices: %w", err)
	}
	if res.Mailed, err = MailDeliveries(r.st, m); err != nil {
		return fmt.Errorf("mailing the fulfilled requests' tokens: %w", err)
	}
	if res.Sent, err = SendMail(r.st, m); err != nil {
		return fmt.Errorf("sending the request e-mails: %w", err)
	}
	return nil
}

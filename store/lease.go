package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/swtoken/swtoken/model"
)

// A job's lease is an flock on outputs/<id>.lease, held by the process that
// runs the job for as long as it runs it. The kernel drops it when that
// process dies, however it dies, so a Running job whose lease is free was
// orphaned: it changed nothing (its seeds are committed only with its
// completion) and goes back to the queue. A Running job whose lease is
// held is left alone, whoever looks (product.md section 10).
//
// The lease is taken before the claim transaction and let go after the
// transaction that ends the job; so a job is never Running without its
// lease held, except after its runner died.

// Lease is a held job lease.
type Lease struct {
	f    *os.File
	path string
	seq  uint64
}

// LeasePath is where the lease of job seq lives.
func (s *Store) LeasePath(seq uint64) string {
	return filepath.Join(s.OutputsDir(), strconv.FormatUint(seq, 10)+".lease")
}

// errLeaseHeld says that another runner holds the lease.
var errLeaseHeld = errors.New("the job's lease is held by another runner")

// takeLease takes the lease of job seq without waiting. The file may be
// unlinked by its previous holder between our open and our lock; the
// inode check after locking catches that, and the loop opens the new file.
func (s *Store) takeLease(seq uint64) (*Lease, error) {
	path := s.LeasePath(seq)
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
		if err != nil {
			return nil, fmt.Errorf("job lease: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, errLeaseHeld
			}
			return nil, fmt.Errorf("job lease: %w", err)
		}
		if sameFile(f, path) {
			return &Lease{f: f, path: path, seq: seq}, nil
		}
		f.Close()
	}
	return nil, errLeaseHeld
}

// sameFile reports whether the open file f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// Release lets the lease go and removes its file. Call it after the
// transaction that ended the job (or that found it could not claim it).
func (l *Lease) Release() {
	if l == nil || l.f == nil {
		return
	}
	// Unlink while still locked: a runner that opened the old file
	// before this finds, after its lock, that the path is another file.
	os.Remove(l.path)
	l.f.Close()
	l.f = nil
}

// leaseHeld reports whether some live process holds the lease of job seq.
// With removeFree, a free lease file is removed (the inode check in
// takeLease makes that safe); runners and cleanup do that, a command that
// only shows a job does not.
func (s *Store) leaseHeld(seq uint64, removeFree bool) (bool, error) {
	path := s.LeasePath(seq)
	f, err := os.Open(path) // flock needs no write access
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("job lease: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return true, nil
		}
		return false, fmt.Errorf("job lease: %w", err)
	}
	if removeFree && sameFile(f, path) {
		os.Remove(path)
	}
	return false, nil
}

// LeaseHeld reports whether a live runner holds job seq's lease; it
// changes nothing.
func (s *Store) LeaseHeld(seq uint64) (bool, error) { return s.leaseHeld(seq, false) }

// RemoveFreeLease is LeaseHeld that also removes the lease file when no
// runner holds it (cleanup of a runner that died before its claim).
func (s *Store) RemoveFreeLease(seq uint64) (bool, error) { return s.leaseHeld(seq, true) }

// requeueOrphans returns every Running job whose lease is free to Queued,
// in tx (audit "job requeue"), or ends it Canceled when a cancel was
// requested before its runner died (audit "job cancel"), and reports
// whether a Running job with a held lease remains (another runner is at
// work).
func (t *Tx) requeueOrphans() (requeued []model.Job, busy bool, err error) {
	var running []model.Job
	err = t.eachJobNewest(func(j model.Job) error {
		if j.State == model.JobRunning {
			running = append(running, j)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	for _, j := range running {
		held, err := t.s.leaseHeld(j.Seq, true)
		if err != nil {
			return nil, false, err
		}
		if held {
			busy = true
			continue
		}
		if j.CancelRequested {
			// An admin asked to cancel it before its runner died: it ends
			// as asked (nothing was changed) instead of running again.
			j.State, j.Reason, j.Ended, j.CancelRequested = model.JobCanceled, "canceled by the admin", t.s.now(), false
			if err := t.PutJob(j); err != nil {
				return nil, false, err
			}
			if err := t.deleteJobPassword(j.Seq); err != nil {
				return nil, false, err
			}
			if err := t.AppendAudit("job cancel", "job "+j.Name, "canceled by the admin; no token was changed (its runner stopped before it saw the request)"); err != nil {
				return nil, false, err
			}
			continue
		}
		// Progress recorded by the dead runner is not claimed: the job
		// runs again from the start.
		j.State, j.Done, j.CancelRequested = model.JobQueued, 0, false
		if err := t.PutJob(j); err != nil {
			return nil, false, err
		}
		if err := t.AppendAudit("job requeue", "job "+j.Name, fmt.Sprintf(
			"interrupted before its commit (%d tokens); nothing was changed; it runs again from the start (its runner is gone: its lease is free)", j.Total)); err != nil {
			return nil, false, err
		}
		requeued = append(requeued, j)
	}
	return requeued, busy, nil
}

// workLook is what a runner sees when it looks for work, from one read of
// the jobs and their leases (no write: a console looks every second, a
// waiting `jobs run` or `distribute` every 250 ms).
type workLook struct {
	oldestQueued *model.Job // nil when nothing is queued
	runnerAlive  bool       // a Running job's lease is held
	orphaned     bool       // a Running job's lease is free
}

func (s *Store) lookForWork() (workLook, error) {
	var w workLook
	jobs, err := s.Jobs(model.JobQueued, model.JobRunning)
	if err != nil {
		return w, err
	}
	for i, j := range jobs { // newest first
		if j.State == model.JobQueued {
			w.oldestQueued = &jobs[i]
			continue
		}
		held, err := s.leaseHeld(j.Seq, true)
		if err != nil {
			return w, err
		}
		w.runnerAlive = w.runnerAlive || held
		w.orphaned = w.orphaned || !held
	}
	return w, nil
}

// RequeueOrphans returns every Running job whose runner is gone (its lease
// is free) to Queued (or ends it Canceled if a cancel was requested), and
// leaves Running jobs whose lease is held alone. Runners call it when they
// look for work; it writes nothing (no exclusive hold, no change counter
// move) unless there is an orphan. The transaction looks again.
func (s *Store) RequeueOrphans() ([]model.Job, error) {
	w, err := s.lookForWork()
	if err != nil || !w.orphaned {
		return nil, err
	}
	var out []model.Job
	err = s.Update(func(tx *Tx) error {
		var err error
		out, _, err = tx.requeueOrphans()
		return err
	})
	return out, err
}

// ErrNoJobToClaim is returned by ClaimNextJob when there is no queued job.
var ErrNoJobToClaim = errors.New("no queued job")

// ErrRunnerBusy is returned by ClaimNextJob when another live runner is
// running a job (one running job per store) or claiming the next one.
var ErrRunnerBusy = errors.New("another runner is running a job")

// ClaimNextJob claims the oldest queued job for this process: it takes the
// job's lease, then, in one transaction, requeues orphaned jobs, checks
// that no other job is running with a held lease and that the job is
// still queued, and marks it Running (audit "job start"). The caller runs
// the job and releases the lease after the transaction that ends it.
func (s *Store) ClaimNextJob() (model.Job, *Lease, error) {
	for range 5 {
		w, err := s.lookForWork()
		switch {
		case err != nil:
			return model.Job{}, nil, err
		case w.orphaned:
			// Requeued orphans may be older than the oldest queued job.
			if _, err := s.RequeueOrphans(); err != nil {
				return model.Job{}, nil, err
			}
			continue
		case w.oldestQueued == nil:
			return model.Job{}, nil, ErrNoJobToClaim
		case w.runnerAlive:
			// Said without taking the store exclusively.
			return model.Job{}, nil, ErrRunnerBusy
		}
		next := *w.oldestQueued
		lease, err := s.takeLease(next.Seq)
		if errors.Is(err, errLeaseHeld) {
			return model.Job{}, nil, ErrRunnerBusy
		}
		if err != nil {
			return model.Job{}, nil, err
		}
		var claimed model.Job
		stale := false
		err = s.Update(func(tx *Tx) error {
			_, busy, err := tx.requeueOrphans()
			if err != nil {
				return err
			}
			if busy {
				return ErrRunnerBusy
			}
			// The oldest queued job now (an orphan requeued just now may
			// be older than the one we leased).
			var oldest model.Job
			err = tx.eachJobNewest(func(j model.Job) error {
				if j.State == model.JobQueued {
					oldest = j
				}
				return nil
			})
			if err != nil {
				return err
			}
			if oldest.Seq != next.Seq {
				stale = true
				return nil
			}
			j := oldest
			j.State, j.Started, j.Done, j.Reason, j.CancelRequested = model.JobRunning, s.now(), 0, "", false
			if err := tx.PutJob(j); err != nil {
				return err
			}
			claimed = j
			return tx.AppendAudit("job start", "job "+j.Name, fmt.Sprintf("%d token(s)", j.Total))
		})
		if err != nil || stale {
			lease.Release()
			if err != nil {
				return model.Job{}, nil, err
			}
			continue
		}
		return claimed, lease, nil
	}
	return model.Job{}, nil, ErrRunnerBusy
}

// ProgressResult is what RecordProgress learned about the job.
type ProgressResult struct {
	// Stop is set when the runner must stop: a cancel was requested, or
	// the job is no longer Running (ended by someone else).
	Stop   bool
	Reason string
}

// RecordProgress writes how far a running job is (the runner calls it at
// most once a second; no audit record) and tells the runner whether to
// stop. done < 0 only checks.
func (s *Store) RecordProgress(seq uint64, done int) (ProgressResult, error) {
	var res ProgressResult
	check := func(j model.Job) bool {
		switch {
		case j.State != model.JobRunning:
			res = ProgressResult{Stop: true, Reason: fmt.Sprintf("the job is %s", j.State)}
		case j.CancelRequested:
			res = ProgressResult{Stop: true, Reason: "canceled"}
		}
		return res.Stop
	}
	if done < 0 {
		j, err := s.Job(seq)
		if err != nil {
			return res, err
		}
		check(j)
		return res, nil
	}
	err := s.Update(func(tx *Tx) error {
		j, err := tx.Job(seq)
		if err != nil {
			return err
		}
		if check(j) || j.Done == done {
			return nil
		}
		j.Done = min(done, j.Total)
		return tx.PutJob(j)
	})
	return res, err
}

// RequestCancel cancels a job from any process. A queued job, or a running
// one whose runner is gone, ends Canceled at once (nothing was changed). A
// running job with a live runner is marked: its runner sees the mark within
// a second, stops and ends it Canceled (nothing changed), unless it is
// already committing. The returned job is the record after the change.
func (s *Store) RequestCancel(seq uint64, reason string) (model.Job, error) {
	var out model.Job
	err := s.Update(func(tx *Tx) error {
		j, err := tx.Job(seq)
		if err != nil {
			return err
		}
		if !j.State.Cancelable() {
			return fmt.Errorf("job %q is %s already; only a queued or running job can be canceled", j.Name, j.State)
		}
		if j.State == model.JobRunning {
			held, err := tx.s.leaseHeld(j.Seq, true)
			if err != nil {
				return err
			}
			if held {
				if j.CancelRequested {
					out = j
					return nil
				}
				j.CancelRequested = true
				if err := tx.PutJob(j); err != nil {
					return err
				}
				out = j
				return tx.AppendAudit("job cancel request", "job "+j.Name, "asked its runner to stop; nothing is changed until it ends")
			}
		}
		j.State, j.Reason, j.Ended, j.CancelRequested = model.JobCanceled, reason, s.now(), false
		if err := tx.PutJob(j); err != nil {
			return err
		}
		if err := tx.deleteJobPassword(j.Seq); err != nil {
			return err
		}
		out = j
		return tx.AppendAudit("job cancel", "job "+j.Name, reason+"; no token was changed")
	})
	return out, err
}

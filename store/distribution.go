package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// This file holds the storage side of distribution jobs (engine/jobs): the
// frozen selection, the sealed job password, the state changes with their
// audit records, and the one commit transaction that hands new seeds to the
// tokens. The buckets are described in schema.go.

// DefaultInstallNamePrefix starts the default installation short name.
const DefaultInstallNamePrefix = "swtoken-"

// InstallName is the installation's short name, written as the SDTID header
// Origin of every file. It is meta/install_name when set, else "swtoken-"
// followed by the first 8 hex digits of the install id: printable ASCII, so
// it is safe as key material, and different per installation. It never
// changes by itself, since an Origin change changes nothing in files out
// already, but a stable name lets an admin tell which installation wrote a
// file.
func (s *Store) InstallName() string {
	var name string
	_ = s.View(func(tx *Tx) error {
		name = string(tx.tx.Bucket(bucketMeta).Get(metaInstallName))
		return nil
	})
	if name != "" {
		return name
	}
	id := s.installID
	if len(id) > 8 {
		id = id[:8]
	}
	return DefaultInstallNamePrefix + id
}

// JobPasswordAAD is the additional data a job's pending password is sealed
// with: "jobpw:" and the job's decimal sequence number.
func JobPasswordAAD(seq uint64) []byte { return []byte("jobpw:" + strconv.FormatUint(seq, 10)) }

// SubmitDistribution creates a distribution job (Tx.CreateJob) with its
// frozen selection and, when password is not empty, its sealed password, and
// the audit record "job submit", all in one transaction. serials are the
// selected tokens in serial order; each must exist, written exactly as
// stored. j.Total is set to len(serials). The password never leaves this
// function in clear: it is sealed with JobPasswordAAD and deleted when the
// job ends.
//
// A token frozen into an unfinished (queued or running) job is refused
// (model.InUnfinishedJob): two jobs would otherwise hand out files for it
// with no redistribution warning, and the first file would be one the
// store has already replaced. So is a token that is no longer eligible
// (model.Eligibility at submit: another process changed it since the
// plan), which would fail the job when it runs.
func (s *Store) SubmitDistribution(j *model.Job, serials []string, password string, details string) error {
	return s.SubmitPlanned(j, serials, password, details, 0)
}

// SubmitPlanned is SubmitDistribution for a selection made by a read
// transaction that saw the change counter at planned (Tx.ChangeCounter):
// when no write has committed since, the tokens are as the plan saw them
// and their eligibility is not checked again (at 100,000 tokens that check
// costs about 0.3 s). planned 0 always checks.
func (s *Store) SubmitPlanned(j *model.Job, serials []string, password, details string, planned uint64) error {
	if len(serials) == 0 {
		return &model.FieldError{Field: model.FieldCriteria, Msg: "no eligible tokens match the criteria"}
	}
	cp := *j
	err := s.Update(func(tx *Tx) error {
		cp = *j
		cp.Total = len(serials)
		held, err := tx.UnfinishedJobHolder()
		if err != nil {
			return err
		}
		for _, serial := range serials {
			if other, ok := held(serial); ok {
				return &model.FieldError{Field: model.FieldCriteria, Msg: fmt.Sprintf(
					"token %s is already in job %q (%s), which has not ended; wait for it to end or cancel it, or change the criteria (nothing was submitted)",
					serial, other.Name, other.State)}
			}
		}
		if err := tx.CreateJob(&cp); err != nil {
			return err
		}
		sel, err := createBucketIfNotExists(tx.tx, bucketJobsTokens, itob(cp.Seq))
		if err != nil {
			return err
		}
		// Keys arrive in serial order, so pages can be packed full.
		sel.FillPercent = bulkFill
		at := s.now()
		recheck := planned == 0 || tx.ChangeCounter() != planned
		tb, seeds := tx.tx.Bucket(bucketTokens), tx.tx.Bucket(bucketSeeds)
		for _, serial := range serials {
			key := []byte(model.SerialKey(serial))
			v := tb.Get(key)
			if v == nil {
				return fmt.Errorf("token %s: %w", serial, ErrNotFound)
			}
			if recheck {
				// The plan was made in an earlier transaction: a token
				// another process changed since (unassigned, disabled)
				// would fail the whole job when it runs.
				tok, err := decodeTokenRecord(key, v)
				if err != nil {
					return err
				}
				sr, err := decodeSeedRecord(key, seeds.Get(key))
				if err != nil {
					return err
				}
				tok.Algorithm = sr.alg
				if r := cp.Spec.Eligibility(tok, password, at); r != model.Eligible {
					return &model.FieldError{Field: model.FieldCriteria, Msg: fmt.Sprintf(
						"token %s changed since the summary: it is now %s; nothing was submitted: look at the summary again", serial, r.Label())}
				}
			}
			if sel.Get(key) != nil {
				return fmt.Errorf("token %s is selected twice", serial)
			}
			if err := sel.Put(key, []byte(serial)); err != nil {
				return err
			}
		}
		if password != "" {
			sealed, err := s.Seal([]byte(password), JobPasswordAAD(cp.Seq))
			if err != nil {
				return err
			}
			pw, err := tx.tx.CreateBucketIfNotExists(bucketJobsPasswords)
			if err != nil {
				return err
			}
			if err := pw.Put(itob(cp.Seq), sealed); err != nil {
				return err
			}
		}
		kind := ""
		if cp.Spec.Kind == model.JobKindCTF {
			kind = fmt.Sprintf("; %s, %s", cp.Spec.Kind.Label(), model.CTFLabel(cp.Spec.CTFShape, cp.Spec.CTFForm))
		}
		d := fmt.Sprintf("batch %s; profile %s%s; %s; password mode %s; %d token(s) %s to %s",
			cp.BatchID, cp.Spec.Profile, kind, cp.Spec.Binding, cp.Spec.PasswordMode, cp.Total, serials[0], serials[len(serials)-1])
		if details != "" {
			d += "; " + details
		}
		return tx.AppendAudit("job submit", "job "+cp.Name, d)
	})
	if err == nil {
		*j = cp
	}
	return err
}

// UnfinishedJobHolder returns a lookup that tells, for a serial, the queued
// or running job whose frozen selection holds it, if any. It looks into
// each unfinished job's selection (there are few such jobs) and is valid
// for the transaction only.
func (t *Tx) UnfinishedJobHolder() (func(serial string) (model.Job, bool), error) {
	type held struct {
		job model.Job
		sel *bolt.Bucket
	}
	var open []held
	err := t.eachJobNewest(func(j model.Job) error {
		if j.State != model.JobQueued && j.State != model.JobRunning {
			return nil
		}
		if sel := getBucket(t.tx, bucketJobsTokens, itob(j.Seq)); sel != nil {
			open = append(open, held{j, sel})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(serial string) (model.Job, bool) {
		if len(open) == 0 {
			return model.Job{}, false
		}
		key := []byte(model.SerialKey(serial))
		for _, h := range open {
			if h.sel.Get(key) != nil {
				return h.job, true
			}
		}
		return model.Job{}, false
	}, nil
}

// Superseded counts the tokens of a completed job whose files in its ZIP no
// longer match the store: a later job distributed them again (or the token
// is gone). later names up to five of those later jobs. A download of such
// a ZIP hands out files that no longer work, so the CLI and the console say
// so.
func (s *Store) Superseded(seq uint64) (n int, later []string, err error) {
	err = s.View(func(tx *Tx) error {
		j, err := tx.Job(seq)
		if err != nil {
			return err
		}
		sel := getBucket(tx.tx, bucketJobsTokens, itob(seq))
		if sel == nil {
			return fmt.Errorf("job %d has no frozen selection: %w", seq, ErrNotFound)
		}
		defer tx.releaseMapped()
		return sel.ForEach(func(k, v []byte) error {
			tok, found, err := tx.tokenAt(k)
			if err != nil {
				return err
			}
			if found && tok.Serial == string(v) && model.SameName(tok.Distribution.LastJob, j.Name) {
				return nil
			}
			n++
			if found && tok.Distribution.LastJob != "" && len(later) < 5 && !slices.ContainsFunc(later, func(s string) bool {
				return model.SameName(s, tok.Distribution.LastJob)
			}) {
				later = append(later, tok.Distribution.LastJob)
			}
			return nil
		})
	})
	return n, later, err
}

// JobPassword returns a job's pending password, "" when it has none (mode
// none or userid, or the job has ended). The caller clears its copy as soon
// as it can.
func (s *Store) JobPassword(seq uint64) (string, error) {
	var sealed []byte
	err := s.View(func(tx *Tx) error {
		if b := tx.tx.Bucket(bucketJobsPasswords); b != nil {
			sealed = bytes.Clone(b.Get(itob(seq)))
		}
		return nil
	})
	if err != nil || sealed == nil {
		return "", err
	}
	pw, err := s.Unseal(sealed, JobPasswordAAD(seq))
	if err != nil {
		return "", fmt.Errorf("job %d password: %w", seq, err)
	}
	out := string(pw)
	clear(pw)
	return out, nil
}

// HasJobPassword reports whether a sealed password is pending for the job.
func (s *Store) HasJobPassword(seq uint64) (found bool, err error) {
	err = s.View(func(tx *Tx) error {
		if b := tx.tx.Bucket(bucketJobsPasswords); b != nil {
			found = b.Get(itob(seq)) != nil
		}
		return nil
	})
	return found, err
}

// JobToken is one token of a job's frozen selection as it is stored now,
// with its assigned user.
type JobToken struct {
	Serial    string
	Token     model.Token
	Found     bool // the token still exists
	User      model.User
	UserFound bool // the token is assigned and its user exists
}

// jobChunk is how many selected tokens EachJobToken reads per transaction.
// The first transaction reads only firstJobChunk, so that the job's workers
// get their first tokens at once instead of idling while 256 records are
// decoded (about 3 ms, 2% of a 1,000-token job).
const (
	jobChunk      = 256
	firstJobChunk = 16
)

// EachJobToken streams a job's frozen selection in serial order, each token
// with its user, reading a chunk per short read transaction (a job's
// selection can hold 100,000 tokens; one long read transaction would make
// the file grow). fn runs outside any transaction and may use the store.
func (s *Store) EachJobToken(seq uint64, fn func(JobToken) error) error {
	return s.EachJobTokenPatiently(onceOnly, seq, fn)
}

// EachJobTokenPatiently is EachJobToken for the job's runner: a chunk read
// that finds the store held beyond the lock wait waits again
// (Patiently), until ctx ends.
func (s *Store) EachJobTokenPatiently(ctx context.Context, seq uint64, fn func(JobToken) error) error {
	return walkChunksPatiently(ctx, s, firstJobChunk, jobChunk, func(tx *Tx, after []byte, limit int, buf []JobToken) ([]JobToken, []byte, error) {
		sel := getBucket(tx.tx, bucketJobsTokens, itob(seq))
		if sel == nil {
			return buf, nil, fmt.Errorf("job %d has no frozen selection: %w", seq, ErrNotFound)
		}
		c := sel.Cursor()
		// The selection's keys are the tokens' keys, in the same order.
		tokens, seeds := newForwardReader(tx.tx.Bucket(bucketTokens)), newForwardReader(tx.tx.Bucket(bucketSeeds))
		// The last user read, for the tokens of one user that follow each
		// other (only within this transaction, so what is read is exactly
		// what the store holds now).
		var lastUser model.User
		lastFound := false
		var last []byte
		for k, v := seekAfter(c, after); k != nil && len(buf) < limit; k, v = c.Next() {
			jt := JobToken{Serial: string(v)}
			// tx.tokenAt(k), reading forward.
			var tok model.Token
			tv := tokens.get(k)
			found := tv != nil
			if found {
				var err error
				if tok, err = tx.assemble(k, tv, seeds.get(k)); err != nil {
					return buf, nil, err
				}
			}
			if found && tok.Serial == jt.Serial {
				jt.Token, jt.Found = tok, true
				if tok.AssignedUser != "" {
					if lastFound && lastUser.ID == tok.AssignedUser {
						jt.User, jt.UserFound = lastUser, true
					} else if u, err := tx.User(tok.AssignedUser); err == nil {
						jt.User, jt.UserFound = u, true
						lastUser, lastFound = u, true
					} else if !errors.Is(err, ErrNotFound) {
						return buf, nil, err
					}
				}
			}
			buf = append(buf, jt)
			last = k
		}
		return buf, last, nil
	}, fn)
}

// JobSerials returns a job's frozen selection, in serial order.
func (s *Store) JobSerials(seq uint64) ([]string, error) {
	var out []string
	err := s.View(func(tx *Tx) error {
		sel := getBucket(tx.tx, bucketJobsTokens, itob(seq))
		if sel == nil {
			return fmt.Errorf("job %d has no frozen selection: %w", seq, ErrNotFound)
		}
		return sel.ForEach(func(_, v []byte) error {
			out = append(out, string(v))
			return nil
		})
	})
	return out, err
}

// changeJob loads a job, lets fn change it, and writes it with PutJob
// (which checks the state transition) and fn's audit record.
func (s *Store) changeJob(seq uint64, fn func(tx *Tx, j *model.Job) (action, details string, err error)) (model.Job, error) {
	var out model.Job
	err := s.Update(func(tx *Tx) error {
		j, err := tx.Job(seq)
		if err != nil {
			return err
		}
		action, details, err := fn(tx, &j)
		if err != nil {
			return err
		}
		if err := tx.PutJob(j); err != nil {
			return err
		}
		out = j
		return tx.AppendAudit(action, "job "+j.Name, details)
	})
	return out, err
}

// StartJob moves a queued job to Running (audit "job start").
func (s *Store) StartJob(seq uint64) (model.Job, error) {
	return s.changeJob(seq, func(tx *Tx, j *model.Job) (string, string, error) {
		if j.State != model.JobQueued {
			return "", "", fmt.Errorf("job %q is %s, not queued: it cannot start", j.Name, j.State)
		}
		j.State, j.Started, j.Done, j.Reason = model.JobRunning, s.now(), 0, ""
		return "job start", fmt.Sprintf("%d token(s)", j.Total), nil
	})
}

// ReturnToQueue puts a Running job that this process holds the lease of
// back in the queue (the runner is shutting down mid-job; nothing was
// changed). Audit "job requeue".
func (s *Store) ReturnToQueue(seq uint64, why string) (model.Job, error) {
	return s.changeJob(seq, func(tx *Tx, j *model.Job) (string, string, error) {
		if j.State != model.JobRunning {
			return "", "", fmt.Errorf("job %q is no longer running", j.Name)
		}
		j.State, j.Done, j.CancelRequested = model.JobQueued, 0, false
		return "job requeue", fmt.Sprintf("%s before its commit (%d tokens); nothing was changed; it runs again from the start", why, j.Total), nil
	})
}

// EndJob ends a queued or running job as Failed or Canceled with reason:
// nothing else changes (no token was touched), and the pending password is
// deleted in the same transaction. Audit "job failure" or "job cancel".
// reason must not hold secrets.
func (s *Store) EndJob(seq uint64, state model.JobState, reason string) (model.Job, error) {
	if state != model.JobFailed && state != model.JobCanceled {
		return model.Job{}, fmt.Errorf("EndJob: %s is not an end state for an unfinished job", state)
	}
	return s.changeJob(seq, func(tx *Tx, j *model.Job) (string, string, error) {
		if !j.State.Cancelable() {
			return "", "", fmt.Errorf("job %q is %s already; only a queued or running job can be %s", j.Name, j.State, state)
		}
		j.State, j.Reason, j.Ended, j.CancelRequested = state, reason, s.now(), false
		if err := tx.deleteJobPassword(j.Seq); err != nil {
			return "", "", err
		}
		action := "job failure"
		if state == model.JobCanceled {
			action = "job cancel"
		}
		return action, jobEndDetails(reason), nil
	})
}

func (t *Tx) deleteJobPassword(seq uint64) error {
	b := t.tx.Bucket(bucketJobsPasswords)
	if b == nil {
		return nil
	}
	return b.Delete(itob(seq))
}

// ErrCancelRequested is returned by CommitJob for a job that an admin
// canceled while it ran: it ends Canceled instead, with nothing changed.
var ErrCancelRequested = errors.New("the job was canceled while it ran")

// JobCommit is what a completed job hands to the store in one transaction.
type JobCommit struct {
	Seq uint64
	// Output is the ZIP's path, already fsynced and renamed into place: the
	// job's outputs/<seq>.zip in this data directory, absolute or relative
	// to it (JobOutputName). The job records the relative form.
	Output string
	Size   int64
	SHA256 string // hex
	// Seeds yields each selected token's serial (as stored) and its new seed
	// sealed with SealSeed, in any order. Each selected token appears
	// exactly once.
	Seeds iter.Seq2[string, []byte]
	// The code settings of the files (from the profile), recorded in each
	// token's distribution for swtoken verify.
	Digits, IntervalSeconds int
	AddPIN                  bool
}

// CommitJob is the consistency rule of product.md: in ONE transaction, every
// selected token gets its new sealed seed and distribution record (count+1,
// last job and time, binding, nickname, code settings), the job becomes
// Completed with its output path, size and SHA-256, its pending password is
// deleted, and the audit record "job completion" is appended. Either all of
// it commits or none. The job must be Running, and the seeds must be
// exactly its frozen selection.
func (s *Store) CommitJob(c JobCommit) (model.Job, error) {
	var out model.Job
	err := s.Update(func(tx *Tx) error {
		j, err := tx.Job(c.Seq)
		if err != nil {
			return err
		}
		if j.State != model.JobRunning {
			return fmt.Errorf("job %q is %s, not running: it cannot complete", j.Name, j.State)
		}
		if j.CancelRequested {
			return ErrCancelRequested
		}
		output, err := s.outputName(j.Seq, c.Output)
		if err != nil {
			return fmt.Errorf("job %q: %w", j.Name, err)
		}
		sel := getBucket(tx.tx, bucketJobsTokens, itob(c.Seq))
		if sel == nil {
			return fmt.Errorf("job %q has no frozen selection: the store is damaged", j.Name)
		}
		at := s.now()
		sb := tx.tx.Bucket(bucketSeeds)
		// The seeds arrive in serial order: pages can be packed full.
		sb.FillPercent = bulkFill
		// Only the seed records change (about 60 bytes each, carved from
		// shared blocks); the distribution facts every token shares (job
		// name, time, binding, nickname) are the job's and are referenced.
		var recs recArena
		key := make([]byte, 0, model.SoftwareSerialLen)
		n, converted := 0, 0
		// The seeds arrive in serial order, as the selection is kept: a
		// cursor walks it in step (a tree descent per token took a
		// fifth of a 100,000-token commit, and other processes wait for
		// the commit); a seed out of order is looked up.
		selCur := sel.Cursor()
		ck, cv := selCur.First()
		for serial, sealed := range c.Seeds {
			key = append(key[:0], model.SerialKey(serial)...)
			var v []byte
			if ck != nil && bytes.Equal(ck, key) {
				v = cv
				ck, cv = selCur.Next()
			} else {
				v = sel.Get(key)
			}
			if len(v) != len(serial) || string(v) != serial {
				return fmt.Errorf("job %q: token %s is not in its selection", j.Name, serial)
			}
			if len(sealed) < 1+nonceSize+16 {
				return fmt.Errorf("job %q: token %s: the new seed is not sealed", j.Name, serial)
			}
			// Every token has exactly one seed record (Check), so a
			// missing record is a missing token; the token records are
			// not read at all.
			prev := sb.Get(key)
			if prev == nil {
				return fmt.Errorf("job %q: token %s no longer exists", j.Name, serial)
			}
			old, err := decodeSeedRecord(key, prev)
			if err != nil {
				return err
			}
			if old.form == distJobRef && old.jobSeq == j.Seq {
				return fmt.Errorf("job %q: token %s is given a new seed twice", j.Name, serial)
			}
			if old.alg == model.AlgSID64 {
				converted++
			}
			// A distributed file is always AES-128 (DefAlg 1, a fresh
			// 128-bit seed), so the token now is one.
			rec, err := recs.seed(&seedRecord{
				alg: model.AlgAES128, sealed: sealed, count: old.count + 1,
				digits: c.Digits, interval: c.IntervalSeconds, addPIN: c.AddPIN,
				form: distJobRef, jobSeq: j.Seq,
			})
			if err != nil {
				return fmt.Errorf("job %q: token %s: %w", j.Name, serial, err)
			}
			// The assignment does not change, so the tokens_by_user index
			// and the token record stay as they are.
			if err := sb.Put(key, rec); err != nil {
				return err
			}
			n++
		}
		if n != j.Total {
			return fmt.Errorf("job %q: %d new seeds for %d selected tokens", j.Name, n, j.Total)
		}
		j.State, j.Done, j.Ended, j.Reason = model.JobCompleted, j.Total, at, ""
		j.Output, j.OutputSize, j.OutputSHA256 = output, c.Size, c.SHA256
		if err := tx.PutJob(j); err != nil {
			return err
		}
		if err := tx.deleteJobPassword(j.Seq); err != nil {
			return err
		}
		out = j
		d := fmt.Sprintf("%d token(s) given new seeds, serials %s to %s (the job's selection); output %s, %d bytes, SHA-256 %s",
			n, firstSerial(sel), lastSerial(sel), filepath.Join(s.dataDir, filepath.FromSlash(output)), c.Size, c.SHA256)
		if converted > 0 {
			d += fmt.Sprintf("; %d SID-64 token(s) are now AES-128", converted)
		}
		return tx.AppendAudit("job completion", "job "+j.Name, d)
	})
	return out, err
}

func firstSerial(sel *bolt.Bucket) string {
	_, v := sel.Cursor().First()
	return string(v)
}

func lastSerial(sel *bolt.Bucket) string {
	_, v := sel.Cursor().Last()
	return string(v)
}

// OutputDeleted records that a completed job's output file was deleted
// (audit "output delete"). The caller removes the file first.
func (s *Store) OutputDeleted(seq uint64) (model.Job, error) {
	return s.changeJob(seq, func(tx *Tx, j *model.Job) (string, string, error) {
		if j.State != model.JobCompleted || j.Output == "" {
			return "", "", fmt.Errorf("job %q has no output file", j.Name)
		}
		path, err := s.OutputFile(*j)
		if err != nil {
			path = j.Output
		}
		j.Output, j.OutputDeleted = "", s.now()
		return "output delete", "deleted " + path, nil
	})
}

package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The outbox is a maildir in the data directory, and it is the send queue:
//
//	outbox/tmp/NAME          being written (ignored; a crash leaves only this)
//	outbox/new/NAME          waiting: to send (SMTP configured) or for the admin to deliver
//	outbox/cur/NAME:2,S      sent by SMTP (maildir flag S, seen)
//	outbox/cur/NAME:2,F      failed after the retry deadline (flag F, flagged)
//	outbox/state/NAME.json   retry state of a waiting message: attempts, next
//	                         attempt, last error (absent: never tried)
//
// NAME is "<queued unix nanoseconds>.<random hex>.swtoken", so the queue
// time survives without a state file. Every step is a rename of a file
// written and synced first, so a crash at any point leaves a message either
// waiting or done. A crash after the SMTP server accepted a message but
// before its rename sends it again on the next run (at least once, never
// lost). Directories are 0700 and files 0600.
const (
	dirTmp   = "tmp"
	dirNew   = "new"
	dirCur   = "cur"
	dirState = "state"

	flagSent   = ":2,S"
	flagFailed = ":2,F"
)

// RetryFor is how long a message is retried before it is marked failed.
const RetryFor = 24 * time.Hour

// Backoff is the wait after the n-th failed attempt (n from 1): one minute,
// doubling, at most an hour.
func Backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// State of a message in the outbox.
type State string

const (
	Waiting State = "waiting"
	Sent    State = "sent"
	Failed  State = "failed"
)

// Entry is one message of the outbox, as `mail outbox` lists it.
type Entry struct {
	Name        string
	State       State
	Subject     string
	To          string
	Queued      time.Time
	Attempts    int
	NextAttempt time.Time // zero: due now (or not applicable)
	LastError   string
}

type retryState struct {
	Attempts  int       `json:"attempts"`
	Next      time.Time `json:"next"`
	LastError string    `json:"last_error,omitempty"`
}

// Outbox is the maildir at Dir. Now is the clock (time.Now when nil).
type Outbox struct {
	Dir string
	Now func() time.Time
}

// OpenOutbox returns the outbox of a data directory, creating outbox/ and
// its subdirectories (0700) when missing.
func OpenOutbox(dataDir string) (*Outbox, error) {
	o := &Outbox{Dir: filepath.Join(dataDir, "outbox")}
	for _, d := range []string{"", dirTmp, dirNew, dirCur, dirState} {
		p := filepath.Join(o.Dir, d)
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		if err := os.Chmod(p, 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	return o, nil
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Enqueue stores a composed message as waiting and returns its name.
func (o *Outbox) Enqueue(m Message) (string, error) {
	rnd := make([]byte, 8)
	if _, err := rand.Read(rnd); err != nil {
		return "", err
	}
	name := strconv.FormatInt(o.now().UnixNano(), 10) + "." + hex.EncodeToString(rnd) + ".swtoken"
	tmp := filepath.Join(o.Dir, dirTmp, name)
	if err := writeSynced(tmp, m.Data); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(o.Dir, dirNew, name)); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %w", err)
	}
	return name, syncDir(filepath.Join(o.Dir, dirNew))
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

func queuedAt(name string) time.Time {
	n, err := strconv.ParseInt(strings.SplitN(name, ".", 2)[0], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func (o *Outbox) readState(name string) retryState {
	var s retryState
	data, err := os.ReadFile(filepath.Join(o.Dir, dirState, name+".json"))
	if err == nil {
		_ = json.Unmarshal(data, &s) // a damaged state file reads as never tried
	}
	return s
}

func (o *Outbox) writeState(name string, s retryState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	final := filepath.Join(o.Dir, dirState, name+".json")
	tmp := final + ".tmp"
	os.Remove(tmp)
	if err := writeSynced(tmp, data); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}

// List returns every message, waiting first, each group oldest first.
func (o *Outbox) List() ([]Entry, error) {
	var out []Entry
	for _, dir := range []string{dirNew, dirCur} {
		des, err := os.ReadDir(filepath.Join(o.Dir, dir))
		if err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		for _, de := range des {
			if !de.Type().IsRegular() {
				continue
			}
			e := Entry{Name: de.Name(), State: Waiting}
			if dir == dirCur {
				base, flags, _ := strings.Cut(de.Name(), ":2,")
				e.Name = base
				e.State = Sent
				if strings.Contains(flags, "F") {
					e.State = Failed
				}
			}
			e.Queued = queuedAt(e.Name)
			st := o.readState(e.Name)
			e.Attempts, e.LastError = st.Attempts, st.LastError
			if e.State == Waiting {
				e.NextAttempt = st.Next
			}
			e.Subject, e.To = summary(filepath.Join(o.Dir, dir, de.Name()))
			out = append(out, e)
		}
	}
	rank := map[State]int{Waiting: 0, Failed: 1, Sent: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].State] != rank[out[j].State] {
			return rank[out[i].State] < rank[out[j].State]
		}
		return out[i].Queued.Before(out[j].Queued)
	})
	return out, nil
}

// Waiting counts the messages waiting (for the console's Home screen).
func (o *Outbox) Waiting() (int, error) {
	des, err := os.ReadDir(filepath.Join(o.Dir, dirNew))
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	return len(des), nil
}

func summary(path string) (subject, to string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable: " + err.Error() + ")", ""
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "(not a message)", ""
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	if l, err := msg.Header.AddressList("To"); err == nil && len(l) > 0 {
		to = l[0].Address
	}
	return subject, to
}

// Transport sends one raw message; *Sender is the SMTP one.
type Transport interface {
	Send(msg []byte) error
}

// Result counts what one SendDue did.
type Result struct {
	Sent, Retry, Failed, NotDue int
	// Errors are the failed attempts' errors, one per message tried.
	Errors []string
	// Done are the messages this call sent or marked failed, in order,
	// for the audit trail.
	Done []Outcome
}

// Outcome is the end of one message: sent, or failed after its retries.
type Outcome struct {
	Name, To, Subject string
	State             State
	Attempts          int    // failed attempts before (and including) the last
	LastError         string // the failed message's last error
}

// ErrSending is returned by SendDue when another process is sending the
// outbox at this moment (swtoken serve, an admin's console and `mail send`
// may all send): that process sends what is due, so the caller has
// nothing to do, or waits and tries again.
var ErrSending = errors.New("another swtoken process is sending the outbox now")

// ErrLocked is what a LockedError is: another holder kept an outbox lock
// longer than the caller would wait.
var ErrLocked = errors.New("an outbox lock is held by another process")

// LockedError is Lock giving up after Waited.
type LockedError struct {
	Path   string
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("outbox: another process has held %s for %s", e.Path, e.Waited)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// sendLockName is the file in the outbox whose flock(2) makes one sender
// at a time.
const sendLockName = "send.lock"

// SendDue tries every waiting message whose next attempt is due: a sent
// one moves to cur/ as sent; a failed attempt is retried after Backoff,
// until RetryFor after it was queued, when it moves to cur/ as failed.
//
// One process sends at a time (ErrSending for the others): two senders
// reading new/ at once would each send the same message.
func (o *Outbox) SendDue(t Transport) (Result, error) { return o.SendDueWaiting(t, 0) }

// SendDueWaiting is SendDue that waits up to wait while another process
// sends (`mail send`): that process may send everything that was due, and
// this call then finds nothing left to send. ErrSending after the wait.
func (o *Outbox) SendDueWaiting(t Transport, wait time.Duration) (Result, error) {
	var res Result
	release, err := o.Lock(sendLockName, wait)
	if errors.Is(err, ErrLocked) {
		return res, ErrSending
	}
	if err != nil {
		return res, err
	}
	defer release()
	des, err := os.ReadDir(filepath.Join(o.Dir, dirNew))
	if err != nil {
		return res, fmt.Errorf("outbox: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		now := o.now()
		st := o.readState(name)
		if !st.Next.IsZero() && now.Before(st.Next) {
			res.NotDue++
			continue
		}
		data, err := os.ReadFile(filepath.Join(o.Dir, dirNew, name))
		if err != nil {
			return res, fmt.Errorf("outbox: %w", err)
		}
		sendErr := t.Send(data)
		if errors.Is(sendErr, ErrNotConfigured) {
			return res, sendErr // nothing to retry: the messages wait for the admin
		}
		now = o.now()
		subject, to := summary(filepath.Join(o.Dir, dirNew, name))
		if sendErr == nil {
			res.Sent++
			if err := o.finish(name, flagSent); err != nil {
				return res, err
			}
			res.Done = append(res.Done, Outcome{Name: name, To: to, Subject: subject, State: Sent, Attempts: st.Attempts})
			continue
		}
		st.Attempts++
		st.LastError = sendErr.Error()
		res.Errors = append(res.Errors, sendErr.Error())
		deadline := queuedAt(name).Add(RetryFor)
		if !now.Before(deadline) {
			res.Failed++
			if err := o.writeState(name, st); err != nil {
				return res, fmt.Errorf("outbox: %w", err)
			}
			if err := o.finish(name, flagFailed); err != nil {
				return res, err
			}
			res.Done = append(res.Done, Outcome{Name: name, To: to, Subject: subject, State: Failed, Attempts: st.Attempts, LastError: st.LastError})
			continue
		}
		st.Next = now.Add(Backoff(st.Attempts))
		if st.Next.After(deadline) {
			st.Next = deadline // one last attempt at the deadline
		}
		res.Retry++
		if err := o.writeState(name, st); err != nil {
			return res, fmt.Errorf("outbox: %w", err)
		}
	}
	return res, nil
}

// finish moves a waiting message to cur/ with flag; a sent message's
// retry state is removed, a failed one's kept (it holds the last error).
func (o *Outbox) finish(name, flag string) error {
	if err := os.Rename(filepath.Join(o.Dir, dirNew, name), filepath.Join(o.Dir, dirCur, name+flag)); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if flag == flagSent {
		os.Remove(filepath.Join(o.Dir, dirState, name+".json"))
	}
	return syncDir(filepath.Join(o.Dir, dirCur))
}

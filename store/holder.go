package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrInUse matches any [InUseError] with errors.Is.
var ErrInUse = errors.New("store is in use")

// InUseError is returned when another process holds the store beyond the
// lock wait, by Open or by any operation. The fields come from the holder's
// record and are zero when it cannot be read (the holder has just let go,
// or it is on another host).
type InUseError struct {
	PID      int
	User     string
	Since    time.Time // when the holder took the store
	Activity string    // what the holder is doing
	Waited   time.Duration
}

func (e *InUseError) Error() string {
	waited := ""
	if e.Waited > 0 {
		waited = fmt.Sprintf(" (waited %s; --lock-wait or $SWTOKEN_LOCK_WAIT waits longer)", e.Waited.Round(time.Millisecond))
	}
	if e.PID == 0 {
		return "store is in use by another process" + waited
	}
	if e.User == "" {
		return fmt.Sprintf("store is in use by pid %d%s", e.PID, waited)
	}
	return fmt.Sprintf("store is in use by pid %d (user %s) since %s: %s%s",
		e.PID, e.User, e.Since.Local().Format("2006-01-02 15:04:05 MST"), e.Activity, waited)
}

// Patiently runs op again while it fails because another process held the
// store beyond the lock wait (ErrInUse: op did nothing), until ctx ends; with
// an ended ctx op runs once. A job runner uses it: a job must not fail, or go
// back to the queue, because an import or another job's commit held the
// store for longer than the runner's lock wait.
func Patiently(ctx context.Context, op func() error) error {
	for {
		err := op()
		if !errors.Is(err, ErrInUse) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// onceOnly is an ended context: Patiently(onceOnly, op) runs op once.
var onceOnly = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// ExitCode is the CLI exit status for "store in use" (product.md section 8).
func (e *InUseError) ExitCode() int { return 3 }

// Is lets callers test errors.Is(err, ErrInUse) without a type assertion.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// holderInfo is a holder's record, holders/<pid>.json. It only explains who
// holds the store: the lock on swtoken.lock is the real lock. A process
// writes it when one of its holds lasts longer than recordAfter (a short
// hold never touches the disk) and removes it when the hold ends.
type holderInfo struct {
	PID      int       `json:"pid"`
	User     string    `json:"user"`
	Host     string    `json:"host,omitempty"`
	Since    time.Time `json:"since"`
	Activity string    `json:"activity"`
}

// recordAfter is how long a hold lasts before its holder writes its record.
// A waiter gives up only after its whole lock wait (5 s by default), so a
// hold that can make anyone give up has long been recorded.
const recordAfter = 100 * time.Millisecond

func recordPath(dir string, pid int) string {
	return filepath.Join(dir, HoldersDirName, strconv.Itoa(pid)+".json")
}

// readHolder returns the record of pid, or nil when there is none (yet) or
// it is unreadable.
func readHolder(dir string, pid int) *holderInfo {
	data, err := os.ReadFile(recordPath(dir, pid))
	if err != nil {
		return nil
	}
	var h holderInfo
	if json.Unmarshal(data, &h) != nil || h.PID != pid {
		return nil
	}
	return &h
}

// inUseError describes the process that holds a lock conflicting with the
// one wanted. A holder that has just let go leaves PID 0.
func (s *Store) inUseError(write bool, waited time.Duration) *InUseError {
	e := &InUseError{Waited: waited}
	pid := s.lock.holderPID(write)
	if pid == 0 {
		return e
	}
	e.PID = pid
	if h := readHolder(s.dataDir, pid); h != nil {
		e.User, e.Since, e.Activity = h.User, h.Since, h.Activity
	}
	return e
}

// writeRecord writes this process's record. It does not fsync: the record
// is advisory, and removed or replaced soon. Errors are ignored for the
// same reason (a read-only open of a store without holders/ writes none).
func (s *Store) writeRecord(since time.Time) {
	h := holderInfo{PID: os.Getpid(), User: s.osUser, Host: s.host, Since: since, Activity: s.Activity()}
	data, err := json.Marshal(h)
	if err != nil {
		return
	}
	path := recordPath(s.dataDir, h.PID)
	tmp := path + ".tmp"
	if os.WriteFile(tmp, append(data, '\n'), fileMode) == nil {
		if os.Rename(tmp, path) != nil {
			os.Remove(tmp)
		}
	}
}

func (s *Store) removeRecord() { os.Remove(recordPath(s.dataDir, os.Getpid())) }

// removeStaleRecords deletes the records of processes that are gone (a
// holder killed with SIGKILL cannot remove its own).
func removeStaleRecords(dir string) {
	entries, err := os.ReadDir(filepath.Join(dir, HoldersDirName))
	if err != nil {
		return
	}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".tmp"), ".json")
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || !processAlive(pid) {
			os.Remove(filepath.Join(dir, HoldersDirName, e.Name()))
		}
	}
}

// SetActivity records what this process is doing ("console: idle", "job X,
// 3 of 10", "committing job X"), so that a process that waits for the store
// in vain can say so. It is cheap: the activity is kept in memory and
// written only into the record of a long hold.
func (s *Store) SetActivity(activity string) error {
	s.activity.Store(activity)
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if s.recorded {
		s.writeRecord(s.heldSince)
	}
	return nil
}

// Activity is what SetActivity last recorded.
func (s *Store) Activity() string {
	if a, ok := s.activity.Load().(string); ok {
		return a
	}
	return "idle"
}

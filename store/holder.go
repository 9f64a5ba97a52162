package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrInUse matches any [InUseError] with errors.Is.
var ErrInUse = errors.New("store is in use")

// InUseError is returned by [Open] when another process holds the store
// beyond the lock timeout. The fields come from the holder's information file
// and are zero when it is missing, unreadable or stale.
type InUseError struct {
	PID      int
	User     string
	Since    time.Time
	Activity string
}

func (e *InUseError) Error() string {
	if e.PID == 0 {
		return "store is in use by another process"
	}
	return fmt.Sprintf("store is in use by pid %d (user %s) since %s: %s",
		e.PID, e.User, e.Since.Format(time.RFC3339), e.Activity)
}

// ExitCode is the CLI exit status for "store in use" (product.md section 8).
func (e *InUseError) ExitCode() int { return 3 }

// Is lets callers test errors.Is(err, ErrInUse) without a type assertion.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// holderInfo is the content of swtoken.lock.json. It is advisory: the bbolt
// file lock is the real lock, this file only explains who holds it.
type holderInfo struct {
	PID      int       `json:"pid"`
	User     string    `json:"user"`
	Host     string    `json:"host,omitempty"`
	Since    time.Time `json:"since"`
	Activity string    `json:"activity"`
	Updated  time.Time `json:"updated"`
}

// readHolder returns the holder described by the info file, or nil when the
// file is missing, malformed or names a process that no longer exists (a
// holder killed with SIGKILL cannot remove its file; a new holder may not
// have written its own yet).
func readHolder(path string) *holderInfo {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var h holderInfo
	if json.Unmarshal(data, &h) != nil || h.PID <= 0 {
		return nil
	}
	if host, err := os.Hostname(); err == nil && h.Host != "" && h.Host != host {
		// A holder on another machine (shared file system) cannot be
		// probed; trust the file.
		return &h
	}
	if !processAlive(h.PID) {
		return nil
	}
	return &h
}

func inUseError(holderPath string) *InUseError {
	h := readHolder(holderPath)
	if h == nil {
		return &InUseError{}
	}
	return &InUseError{PID: h.PID, User: h.User, Since: h.Since, Activity: h.Activity}
}

// writeHolder replaces the info file atomically (temp file + rename), so a
// reader never sees a half-written file. It does not fsync: the file is
// advisory and rewritten on every open, and SetActivity must stay cheap.
func writeHolder(path string, h *holderInfo) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// SetActivity records what this process is doing ("idle", "job X, 3 of 10")
// so that a second console that finds the store locked can say so. It is
// cheap enough to call a few times per second; an unchanged activity is not
// rewritten. Read-only stores have no holder file and ignore it.
func (s *Store) SetActivity(activity string) error {
	s.holderMu.Lock()
	defer s.holderMu.Unlock()
	if s.holder == nil || s.holder.Activity == activity {
		return nil
	}
	h := *s.holder
	h.Activity = activity
	h.Updated = s.now()
	if err := writeHolder(s.holderPath, &h); err != nil {
		return err
	}
	s.holder = &h
	return nil
}

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/swtoken/swtoken/model"
)

// Names of the files and directories inside the data directory.
const (
	DBFileName       = "swtoken.db"
	KeyFileName      = "swtoken.key"
	LockFileName     = "swtoken.lock" // the cross-process lock (lock_unix.go)
	HoldersDirName   = "holders"      // records of long holds (holder.go)
	OutputsDirName   = "outputs"
	dirMode          = 0o700
	fileMode         = 0o600
	privateModeCheck = 0o077 // any group or other permission bit
)

// ResolveDataDir returns the data directory as an absolute path: the
// --data-dir flag value, else $SWTOKEN_DATA_DIR, else $XDG_DATA_HOME/swtoken,
// else ~/.local/share/swtoken. Empty values count as unset. It creates nothing.
func ResolveDataDir(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv("SWTOKEN_DATA_DIR")
	}
	if dir == "" {
		// The XDG spec says relative values are invalid and must be ignored,
		// which also avoids a store that moves with the working directory.
		if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" && filepath.IsAbs(xdg) {
			dir = filepath.Join(xdg, "swtoken")
		}
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			// Never fall back to /tmp silently: a store there could be
			// read or replaced by other users.
			return "", errors.New("cannot find the data directory: HOME is not set; use --data-dir or SWTOKEN_DATA_DIR")
		}
		dir = filepath.Join(home, ".local", "share", "swtoken")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dir, err)
	}
	return abs, nil
}

// PermissionError reports a store file or directory that group or others can
// access. Fix is the exact command that repairs it.
type PermissionError struct {
	Path string
	Mode fs.FileMode
	Fix  string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s is accessible by group or others (mode %04o); it holds token secrets, so swtoken refuses to use it: run `%s`",
		e.Path, e.Mode.Perm(), e.Fix)
}

// OwnerError reports a store file or directory owned by another user than
// the one running swtoken, which OpenSSH's StrictModes refuses too: that
// user can read or replace the token secrets whatever the mode says, and
// a store shared that way is not private. Fix is the command that repairs
// it.
type OwnerError struct {
	Path       string
	Owner, You string // "name (uid N)", or "uid N" when the uid has no name
	Fix        string
}

func (e *OwnerError) Error() string {
	return fmt.Sprintf("%s is owned by %s, not by %s who runs swtoken; it holds token secrets, so swtoken refuses to use it: run `%s`, or run swtoken as its owner",
		e.Path, e.Owner, e.You, e.Fix)
}

// ownerError builds the OwnerError of path, owned by uid while euid runs
// swtoken. A directory's fix is recursive: the files in it belong to the
// same store.
func ownerError(path string, wantDir bool, uid, euid int) *OwnerError {
	name := strconv.Itoa(euid)
	if u, err := user.LookupId(name); err == nil && u.Username != "" {
		name = u.Username
	}
	fix := "chown " + shellQuote(name) + " " + shellQuote(path)
	if wantDir {
		fix = "chown -R " + shellQuote(name) + " " + shellQuote(path)
	}
	if euid != 0 {
		fix = "sudo " + fix
	}
	return &OwnerError{Path: path, Owner: uidLabel(uid), You: uidLabel(euid), Fix: fix}
}

// uidLabel is "name (uid N)", or "uid N" for a uid without a name.
func uidLabel(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return fmt.Sprintf("%s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

// checkPrivate stats path and refuses a path owned by another user than
// the effective one (checkOwner; root too gets no exception: it may use
// only root's files) and group/other permission bits. It reports
// exists=false (and no error) when the path does not exist, so the caller
// decides whether a missing file may be created.
func checkPrivate(path string, wantDir bool) (exists bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if wantDir && !fi.IsDir() {
		return true, fmt.Errorf("%s is not a directory", path)
	}
	if !wantDir && !fi.Mode().IsRegular() {
		return true, fmt.Errorf("%s is not a regular file", path)
	}
	// The owner first: the mode's fix (chmod) is the owner's to run.
	if err := checkOwner(path, fi, wantDir); err != nil {
		return true, err
	}
	if fi.Mode().Perm()&privateModeCheck != 0 {
		fix := "chmod 600 " + shellQuote(path)
		if wantDir {
			fix = "chmod 700 " + shellQuote(path)
		}
		return true, &PermissionError{Path: path, Mode: fi.Mode(), Fix: fix}
	}
	return true, nil
}

// shellQuote quotes a path for the fix hint only when it needs it, so that the
// common case reads naturally and an unusual path still pastes safely.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '/' || r == '.' || r == '_' || r == '-' || r == '+' || r == ',' || r == ':' || r == '@') {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, `'\''`...)
		} else {
			out = append(out, s[i])
		}
	}
	return string(append(out, '\''))
}

// SyncDir makes a just-created or renamed directory entry durable. The
// job engine uses it for its output files too.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// JobOutputName is a job's output ZIP relative to the data directory, with
// forward slashes: "outputs/<seq>.zip". It is the only output path a job
// record may hold (schema version 2), so a data directory that was copied,
// moved or restored refers to its own file.
func JobOutputName(seq uint64) string {
	return OutputsDirName + "/" + strconv.FormatUint(seq, 10) + ".zip"
}

// ErrOutputPathDamaged is wrapped when a job record names an output file
// other than its own outputs/<seq>.zip: an absolute path, one that leaves
// the data directory, or another file in it. swtoken then reads and
// deletes nothing.
var ErrOutputPathDamaged = errors.New("the job record is damaged")

// OutputFile returns the absolute path of a completed job's output ZIP in
// this data directory: j.Output resolved against [Store.DataDir]. Every use
// of the file (download, delete, display) goes through it. A recorded path
// that is not the job's own [JobOutputName] is refused with an error
// wrapping [ErrOutputPathDamaged].
func (s *Store) OutputFile(j model.Job) (string, error) {
	if j.Output == "" {
		return "", fmt.Errorf("job %q has no output file", j.Name)
	}
	if err := checkOutputName(j.Seq, j.Output); err != nil {
		return "", fmt.Errorf("job %q: %w", j.Name, err)
	}
	return filepath.Join(s.dataDir, filepath.FromSlash(j.Output)), nil
}

// checkOutputName accepts only the job's own JobOutputName.
func checkOutputName(seq uint64, rel string) error {
	want := JobOutputName(seq)
	why := ""
	switch {
	case rel == want:
		return nil
	case filepath.IsAbs(rel) || strings.HasPrefix(rel, "/"):
		why = "is absolute"
	case !filepath.IsLocal(filepath.FromSlash(rel)):
		why = "leaves the data directory"
	default:
		why = "is not the job's own output file"
	}
	return fmt.Errorf("%w: its output path %q %s; a job's output is %s in the data directory, so swtoken reads and deletes nothing at that path",
		ErrOutputPathDamaged, rel, why, want)
}

// outputName is the JobOutputName that CommitJob records for path, the
// file the engine wrote: the relative name itself, or its absolute path in
// this data directory. Any other path is refused.
func (s *Store) outputName(seq uint64, path string) (string, error) {
	want := JobOutputName(seq)
	if path == want || path == filepath.Join(s.dataDir, filepath.FromSlash(want)) {
		return want, nil
	}
	return "", fmt.Errorf("the output %q is not the job's output file %s in the data directory %s", path, want, s.dataDir)
}

package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// cleanOutputs removes what a crash can leave in the outputs directory:
// temporary files (a ZIP being written, its seed spool, manifest and
// central directory; a download in progress is in the target directory
// instead) and ZIPs whose job never committed (written and renamed, then
// the process died before the commit transaction). Such a ZIP holds seeds
// the store does not have, so it must not be handed out; its job runs
// again and writes a new one.
//
// Another process may be running a job right now: the files of a job whose
// lease is held are left alone, and a job's record is read again after its
// lease was found free (the runner may have committed and let go since the
// listing).
func (e *Engine) cleanOutputs() error {
	dir := e.st.OutputsDir()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, de := range ents {
		name := de.Name()
		idPart, _, _ := strings.Cut(name, ".")
		seq, perr := strconv.ParseUint(idPart, 10, 64)
		switch {
		case perr == nil && name == idPart+".lease":
			// A lease file left by a runner that died before it claimed
			// its job: LeaseHeld removes a free one.
			if _, err := e.st.RemoveFreeLease(seq); err != nil {
				return err
			}
			continue
		case perr == nil && (strings.HasSuffix(name, ".tmp") || name == idPart+".zip"):
			held, err := e.st.LeaseHeld(seq)
			if err != nil {
				return err
			}
			if held {
				continue
			}
			if name == idPart+".zip" {
				j, err := e.st.Job(seq)
				// A completed job's ZIP is its own outputs/<seq>.zip,
				// even when its record names another path (that record
				// is refused when read, and the file is kept).
				if err == nil && j.State == model.JobCompleted && j.Output != "" {
					continue
				}
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
		case perr != nil && strings.HasSuffix(name, ".tmp"):
			// A temporary file not named after a job: not ours to keep.
		default:
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove leftover output %s: %w", name, err)
		}
	}
	return nil
}

// ErrTargetExists is wrapped when a download would replace a file without
// force.
var ErrTargetExists = errors.New("the file exists")

// ErrInterrupted is wrapped when a download's context ends before the ZIP
// is in place (the CLI cancels it on SIGINT, SIGTERM or SIGHUP): nothing
// was written and the temporary copy is gone.
var ErrInterrupted = errors.New("interrupted")

// NameTooLongError is returned when the download's file name is longer
// than the target's file system allows.
type NameTooLongError struct {
	Path  string
	Bytes int // the file name's length
	Max   int // the file system's limit
}

func (e *NameTooLongError) Error() string {
	return fmt.Sprintf("cannot write %s: the file name is %d bytes, the file system allows %d", e.Path, e.Bytes, e.Max)
}

// DownloadResult is what a download did.
type DownloadResult struct {
	// Path is the absolute path written.
	Path string
	// Size is the number of bytes written.
	Size int64
	// StaleRemoved are the temporary files of earlier downloads to the same
	// name whose process is gone (interrupted by SIGKILL, a crash or a
	// power cut) that this download removed: they held copies of a ZIP.
	StaleRemoved []string
}

// downloadTempPrefix starts the name of a download's temporary file:
// ".swtoken-dl-<tag>-", where tag is the first 8 hex digits of the SHA-256
// of the target's file name. The name is followed by "<pid>-<random>.tmp",
// so it stays short whatever the target's length, says which target it is
// for and which process writes it.
func downloadTempPrefix(base string) string {
	sum := sha256.Sum256([]byte(base))
	return ".swtoken-dl-" + hex.EncodeToString(sum[:4]) + "-"
}

// checkTarget looks at what is at abs (without following a symbolic link):
// nothing, a regular file or a symbolic link (which a forced download
// replaces, the link itself, never what it points to) are fine; anything
// else is refused. exists reports whether something is there.
func checkTarget(abs string, maxName int) (exists bool, err error) {
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case errors.Is(err, syscall.ENAMETOOLONG):
		return false, &NameTooLongError{Path: abs, Bytes: len(filepath.Base(abs)), Max: maxName}
	case err != nil:
		return false, fmt.Errorf("cannot write %s: %w", abs, err)
	}
	if m := fi.Mode(); !m.IsRegular() && m&fs.ModeSymlink == 0 {
		return true, fmt.Errorf("cannot write %s: it is %s; only a regular file is ever replaced: choose another name", abs, model.FileKind(m))
	}
	return true, nil
}

// removeStaleTemps removes the temporary files of earlier downloads to
// base in dir whose writer is gone: its pid (in the name) is not a live
// process and nobody holds the file's lock. It returns the names removed.
func removeStaleTemps(dir, base string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", dir, err)
	}
	prefix := downloadTempPrefix(base)
	var removed []string
	for _, de := range ents {
		name := de.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") || !de.Type().IsRegular() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || store.ProcessAlive(pid) {
			continue
		}
		p := filepath.Join(dir, name)
		gone, err := removeUnlocked(p)
		if err != nil {
			return removed, fmt.Errorf("cannot remove %s, a temporary copy of a job's ZIP left by an interrupted download (it holds token secrets): %w", p, err)
		}
		if gone {
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// Download copies a completed job's ZIP to path with mode 0600. An existing
// regular file or symbolic link (the link itself) is replaced only with
// force; a device, FIFO, socket or directory is never replaced, and a
// missing directory is an error that says so. The copy goes to a temporary
// file in the target directory (".swtoken-dl-<tag>-<pid>-<random>.tmp",
// locked while it is written), is checked against the SHA-256 recorded at
// completion, fsynced and then renamed (or linked, without force, so a
// file created meanwhile is not overwritten either). Temporary files of
// earlier downloads to the same name whose process is gone are removed
// first (DownloadResult.StaleRemoved). When ctx ends before the ZIP is in
// place, the temporary file is removed and the error wraps
// ErrInterrupted. The source is the job's ZIP in this data directory
// (store.OutputFile), wherever the directory was when the job ran. Audit
// "output download" with the path.
func (e *Engine) Download(ctx context.Context, seq uint64, path string, force bool) (DownloadResult, error) {
	var res DownloadResult
	j, err := e.st.Job(seq)
	if err != nil {
		return res, err
	}
	if j.State != model.JobCompleted {
		return res, fmt.Errorf("job %q is %s; only a completed job has an output file", j.Name, j.State)
	}
	if j.Output == "" {
		return res, fmt.Errorf("job %q: its output file was deleted on %s", j.Name, j.OutputDeleted.Format("2006-01-02 15:04:05 MST"))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return res, err
	}
	dir, base := filepath.Dir(abs), filepath.Base(abs)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("cannot write %s: the directory %s does not exist", abs, dir)
	} else if err != nil {
		return res, err
	} else if !fi.IsDir() {
		return res, fmt.Errorf("cannot write %s: %s is not a directory", abs, dir)
	}
	maxName := nameMax(dir)
	if len(base) > maxName {
		return res, &NameTooLongError{Path: abs, Bytes: len(base), Max: maxName}
	}
	exists, err := checkTarget(abs, maxName)
	if err != nil {
		return res, err
	}
	if exists && !force {
		return res, fmt.Errorf("%s: %w; choose another name or replace it (--force)", abs, ErrTargetExists)
	}
	srcPath, err := e.st.OutputFile(j)
	if err != nil {
		return res, err
	}
	src, err := os.Open(srcPath)
	if err != nil {
		return res, fmt.Errorf("job %q: its output file: %w", j.Name, err)
	}
	defer src.Close()
	// An interruption unblocks a read that waits (a slow or remote file
	// system) by closing the source; the copy then fails and stops.
	defer context.AfterFunc(ctx, func() { src.Close() })()
	res.StaleRemoved, err = removeStaleTemps(dir, base)
	if err != nil {
		return res, err
	}
	tmp, err := os.CreateTemp(dir, downloadTempPrefix(base)+strconv.Itoa(os.Getpid())+"-*.tmp") // mode 0600
	if err != nil {
		return res, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	placed := false
	defer func() {
		if !placed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	lockFile(tmp)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		return res, interrupted(abs, tmpName)
	}
	if err != nil {
		return res, fmt.Errorf("writing %s failed: %w", abs, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if j.OutputSHA256 != "" && (sum != j.OutputSHA256 || n != j.OutputSize) {
		return res, fmt.Errorf("job %q: the output file %s is damaged (its SHA-256 or size differs from what the job recorded); nothing was written", j.Name, srcPath)
	}
	if force {
		// Something other than a file may have appeared since the check.
		if _, err := checkTarget(abs, maxName); err != nil {
			return res, err
		}
		err = os.Rename(tmpName, abs)
	} else if err = os.Link(tmpName, abs); errors.Is(err, fs.ErrExist) {
		return res, fmt.Errorf("%s: %w; choose another name or replace it (--force)", abs, ErrTargetExists)
	}
	if errors.Is(err, syscall.ENAMETOOLONG) {
		return res, &NameTooLongError{Path: abs, Bytes: len(base), Max: maxName}
	}
	if err != nil {
		return res, fmt.Errorf("writing %s failed: %w", abs, err)
	}
	if !force {
		// The link is in place; the temporary name goes.
		os.Remove(tmpName)
	}
	placed = true
	res.Path, res.Size = abs, n
	if err := store.SyncDir(dir); err != nil {
		return res, err
	}
	if err := e.st.AppendAudit("output download", "job "+j.Name, fmt.Sprintf("to %s, %d bytes, SHA-256 %s", abs, n, sum)); err != nil {
		return res, err
	}
	return res, nil
}

// interrupted removes the temporary copy of an interrupted download and
// says so.
func interrupted(abs, tmpName string) error {
	if err := os.Remove(tmpName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("download of %s %w; its temporary copy %s could not be removed (%v): delete it, it holds token secrets", abs, ErrInterrupted, tmpName, err)
	}
	return fmt.Errorf("download of %s %w: nothing was written and the temporary copy was removed", abs, ErrInterrupted)
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// DeleteOutput removes a completed job's ZIP (it holds token secrets) and
// records it (audit "output delete"). The ZIP is the job's own in this data
// directory (store.OutputFile); a damaged record is refused and nothing is
// deleted.
func (e *Engine) DeleteOutput(seq uint64) (model.Job, error) {
	j, err := e.st.Job(seq)
	if err != nil {
		return j, err
	}
	if j.State != model.JobCompleted || j.Output == "" {
		return j, fmt.Errorf("job %q has no output file to delete", j.Name)
	}
	path, err := e.st.OutputFile(j)
	if err != nil {
		return j, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return j, fmt.Errorf("delete %s: %w", path, err)
	}
	_ = store.SyncDir(filepath.Dir(path))
	return e.st.OutputDeleted(seq)
}

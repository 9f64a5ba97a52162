package jobs

import (
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
// temporary files (a ZIP being written, a download in progress is in the
// target directory instead) and ZIPs whose job never committed (written and
// renamed, then the process died before the commit transaction). Such a ZIP
// holds seeds the store does not have, so it must not be handed out; its
// job runs again and writes a new one.
func (e *Engine) cleanOutputs() error {
	dir := e.st.OutputsDir()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	jobs, err := e.st.Jobs()
	if err != nil {
		return err
	}
	// A completed job's ZIP is its own outputs/<seq>.zip (even when its
	// record names another path: that record is refused when read, and the
	// file is kept).
	live := map[string]bool{}
	for _, j := range jobs {
		if j.State == model.JobCompleted && j.Output != "" {
			live[filepath.Base(OutputPath(e.st, j.Seq))] = true
		}
	}
	for _, de := range ents {
		name := de.Name()
		switch {
		case strings.HasSuffix(name, ".tmp"):
		case strings.HasSuffix(name, ".zip") && isJobID(strings.TrimSuffix(name, ".zip")) && !live[name]:
		default:
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove leftover output %s: %w", name, err)
		}
	}
	return nil
}

func isJobID(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// ErrTargetExists is wrapped when a download would replace a file without
// force.
var ErrTargetExists = errors.New("the file exists")

// Download copies a completed job's ZIP to path with mode 0600. An existing
// file is replaced only with force; a missing directory is an error that
// says so. The copy goes to a temporary file in the target directory, is
// checked against the SHA-256 recorded at completion, fsynced and then
// renamed (or linked, without force, so a file created meanwhile is not
// overwritten either). The source is the job's ZIP in this data directory
// (store.OutputFile), wherever the directory was when the job ran. Audit
// "output download" with the path.
func (e *Engine) Download(seq uint64, path string, force bool) (string, error) {
	j, err := e.st.Job(seq)
	if err != nil {
		return "", err
	}
	if j.State != model.JobCompleted {
		return "", fmt.Errorf("job %q is %s; only a completed job has an output file", j.Name, j.State)
	}
	if j.Output == "" {
		return "", fmt.Errorf("job %q: its output file was deleted on %s", j.Name, j.OutputDeleted.Format("2006-01-02 15:04:05 MST"))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(abs)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cannot write %s: the directory %s does not exist", abs, dir)
	} else if err != nil {
		return "", err
	} else if !fi.IsDir() {
		return "", fmt.Errorf("cannot write %s: %s is not a directory", abs, dir)
	}
	if fi, err := os.Lstat(abs); err == nil {
		if fi.IsDir() {
			return "", fmt.Errorf("cannot write %s: it is a directory", abs)
		}
		if !force {
			return "", fmt.Errorf("%s: %w; choose another name or replace it (--force)", abs, ErrTargetExists)
		}
	}
	srcPath, err := e.st.OutputFile(j)
	if err != nil {
		return "", err
	}
	src, err := os.Open(srcPath)
	if err != nil {
		return "", fmt.Errorf("job %q: its output file: %w", j.Name, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".tmp-*") // mode 0600
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("writing %s failed: %w", abs, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if j.OutputSHA256 != "" && (sum != j.OutputSHA256 || n != j.OutputSize) {
		return "", fmt.Errorf("job %q: the output file %s is damaged (its SHA-256 or size differs from what the job recorded); nothing was written", j.Name, srcPath)
	}
	if force {
		err = os.Rename(tmpName, abs)
	} else if err = os.Link(tmpName, abs); errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s: %w; choose another name or replace it (--force)", abs, ErrTargetExists)
	}
	if err != nil {
		return "", fmt.Errorf("writing %s failed: %w", abs, err)
	}
	if err := store.SyncDir(dir); err != nil {
		return "", err
	}
	if err := e.st.AppendAudit("output download", "job "+j.Name, fmt.Sprintf("to %s, %d bytes, SHA-256 %s", abs, n, sum)); err != nil {
		return abs, err
	}
	return abs, nil
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

package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// storeMode says how a command opens the store.
type storeMode int

const (
	// readWrite opens (and on first use creates) the store.
	readWrite storeMode = iota
	// readOnly opens an existing store with a shared lock and creates
	// nothing: list and show commands never create a store, so a mistyped
	// --data-dir is reported instead of answered with an empty list.
	readOnly
)

// resolveKeyFile is the store key path: --key-file, else $SWTOKEN_KEY_FILE,
// else "" (the store's default, <data dir>/swtoken.key). Empty values count
// as unset, as for the data directory.
func resolveKeyFile(g Globals) string {
	if g.KeyFile != "" {
		return g.KeyFile
	}
	return os.Getenv("SWTOKEN_KEY_FILE")
}

// checkKeyDir refuses a key file whose directory does not exist. The store
// makes the key file on first use but no directory for it (only the data
// directory); saying so first keeps it from creating anything.
func checkKeyDir(keyFile string) error {
	if keyFile == "" {
		return nil
	}
	abs, err := filepath.Abs(keyFile)
	if err != nil {
		return fmt.Errorf("key file %q: %w", keyFile, err)
	}
	if _, err := os.Stat(filepath.Dir(abs)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("the directory of the key file %s does not exist: create it (mkdir -m 700 %s) or check --key-file", abs, filepath.Dir(abs))
	}
	return nil
}

// openStore opens the store of the global --data-dir (or its fallbacks)
// with the key of --key-file (or its fallbacks) and records activity in the
// holder file, so that a console that finds the store locked can say what
// this command is doing. An *InUseError
// keeps its exit status 3 through report().
func openStore(g Globals, mode storeMode, activity string) (*store.Store, error) {
	dir, err := store.ResolveDataDir(g.DataDir)
	if err != nil {
		return nil, err
	}
	if mode == readOnly {
		if _, err := os.Stat(filepath.Join(dir, store.DBFileName)); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("there is no store in %s yet: load the demo inventory (swtoken demo) or import tokens and users first, or check --data-dir", dir)
		}
	}
	keyFile := resolveKeyFile(g)
	if mode == readWrite {
		if err := checkKeyDir(keyFile); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(store.Options{DataDir: dir, KeyFile: keyFile, ReadOnly: mode == readOnly, LockTimeout: g.LockWait, Activity: "swtoken " + activity})
	if mode == readOnly && errors.Is(err, store.ErrUpgradeNeeded) {
		// A store written by an older swtoken (a restored backup, or the
		// first command after an upgrade) is upgraded by the first command
		// that opens it, a list or show command too: only a read-write open
		// runs the migration, in one transaction.
		st, err = store.Open(store.Options{DataDir: dir, KeyFile: keyFile, LockTimeout: g.LockWait, Activity: "swtoken " + activity})
	}
	if mode == readOnly && errors.Is(err, store.ErrKeyMissing) {
		// The store's read-write message already says what to do; the
		// read-only one only says that nothing is created.
		return nil, fmt.Errorf("%w; the secrets of this store are sealed under it: restore the key file from its backup, or give its path with --key-file or $SWTOKEN_KEY_FILE", err)
	}
	return st, err
}

// withStore opens the store, runs fn and closes the store, reporting a
// close error only when fn succeeded.
func withStore(g Globals, mode storeMode, activity string, fn func(st *store.Store) error) (err error) {
	st, err := openStore(g, mode, activity)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return fn(st)
}

// jsonArray streams a JSON array, one element per line, so that lists of
// 100,000 items are never held in memory as a whole.
type jsonArray struct {
	w     io.Writer
	buf   bytes.Buffer
	enc   *json.Encoder
	count int
	err   error
}

func newJSONArray(w io.Writer) *jsonArray {
	a := &jsonArray{w: w}
	a.enc = json.NewEncoder(&a.buf)
	a.enc.SetEscapeHTML(false)
	_, a.err = io.WriteString(w, "[")
	return a
}

func (a *jsonArray) add(v any) error {
	if a.err != nil {
		return a.err
	}
	a.buf.Reset()
	if a.count == 0 {
		a.buf.WriteString("\n  ")
	} else {
		a.buf.WriteString(",\n  ")
	}
	if a.err = a.enc.Encode(v); a.err != nil {
		return a.err
	}
	a.buf.Truncate(a.buf.Len() - 1) // Encode's newline
	a.count++
	_, a.err = a.w.Write(a.buf.Bytes())
	return a.err
}

// close ends the array; it is "[]" when empty.
func (a *jsonArray) close() error {
	if a.err != nil {
		return a.err
	}
	end := "]\n"
	if a.count > 0 {
		end = "\n]\n"
	}
	_, a.err = io.WriteString(a.w, end)
	return a.err
}

// writeJSON writes one JSON document, indented, ending in a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// dateOnly formats a calendar day, "" for none.
func dateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return model.Date(t).Format(time.DateOnly)
}

// timeOrNil is a JSON time that is null when unset.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// now is the clock of the commands; tests replace it.
var now = func() time.Time { return time.Now().UTC() }

// flagsSet names the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

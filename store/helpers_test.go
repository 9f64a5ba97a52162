package store

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/swtoken/swtoken/store/storetest"
	bolt "go.etcd.io/bbolt"
)

// The test binary doubles as a helper process: when helperEnv is set,
// TestMain runs the named helper instead of the tests. Child processes are
// needed because the bbolt lock and SIGKILL are per process.
const (
	helperEnv    = "SWTOKEN_STORE_TEST_HELPER"
	helperDirEnv = "SWTOKEN_STORE_TEST_DIR"
	helperActEnv = "SWTOKEN_STORE_TEST_ACTIVITY"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(helperHold())
	case "writer":
		os.Exit(helperWriter())
	case "append-once":
		os.Exit(helperAppendOnce())
	case "domain-writer":
		os.Exit(helperDomainWriter())
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// helperHold opens the store, sets an activity, takes the store (as a long
// write transaction would), says "ready" and holds it until its stdin is
// closed.
func helperHold() int {
	s, err := Open(Options{DataDir: os.Getenv(helperDirEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hold: open:", err)
		return 1
	}
	if err := s.SetActivity(os.Getenv(helperActEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "hold: activity:", err)
		return 1
	}
	err = s.Hold(true, func() error {
		fmt.Println("ready")
		_, err := io.Copy(io.Discard, os.Stdin)
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 1
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "hold: close:", err)
		return 1
	}
	return 0
}

// helperAppendOnce opens the store, appends one audit record and exits.
func helperAppendOnce() int {
	s, err := Open(Options{DataDir: os.Getenv(helperDirEnv), LockTimeout: 2 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "append-once: open:", err)
		return 1
	}
	defer s.Close()
	if err := s.AppendAudit("test.once", "x", ""); err != nil {
		fmt.Fprintln(os.Stderr, "append-once:", err)
		return 1
	}
	return 0
}

// helperWriter appends to the store in a loop until it is killed. Each
// transaction writes one domain-like record and two audit records, so the
// parent can check that a transaction is never half applied.
func helperWriter() int {
	s, err := Open(Options{DataDir: os.Getenv(helperDirEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer: open:", err)
		return 1
	}
	for i := 0; ; i++ {
		err := s.Update(func(tx *Tx) error {
			b, err := tx.tx.CreateBucketIfNotExists([]byte("crashtest"))
			if err != nil {
				return err
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(itob(seq), make([]byte, 512)); err != nil {
				return err
			}
			if err := tx.AppendAudit("test.put", strconv.FormatUint(seq, 10), "first half"); err != nil {
				return err
			}
			return tx.AppendAudit("test.put", strconv.FormatUint(seq, 10), "second half")
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer: update:", err)
			return 1
		}
		if err := s.SetActivity(fmt.Sprintf("job crash, %d of many", i)); err != nil {
			fmt.Fprintln(os.Stderr, "writer: activity:", err)
			return 1
		}
	}
}

// helperCmd prepares a child running the named helper on dir.
func helperCmd(t *testing.T, mode, dir, activity string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir, helperActEnv+"="+activity)
	cmd.Stderr = os.Stderr
	return cmd
}

// startHolder starts a child that holds the store open with the given
// activity and returns once it has the lock. The child is released at test
// cleanup, or earlier by calling the returned function.
func startHolder(t *testing.T, dir, activity string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := helperCmd(t, "hold", dir, activity)
	return cmd, storetest.StartReady(t, cmd, 10*time.Second)
}

// newStore opens a fresh store in a temp dir and closes it at cleanup.
func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// initStore creates a store and closes it again.
func initStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawUpdate edits a closed store with bbolt directly, as an attacker or a
// bug would, bypassing the store package.
func rawUpdate(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, DBFileName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// snapshot records mode, size, mtime and content hash of everything under
// root (root included), to prove that a failed Open changed nothing.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	return storetest.Snapshot(t, root, true)
}

func assertSameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	storetest.SameSnapshot(t, "after", before, after)
}

package store

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestResolveDataDirPrecedence(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SWTOKEN_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")

	check := func(flag, want string) {
		t.Helper()
		got, err := ResolveDataDir(flag)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("ResolveDataDir(%q) = %q, want %q", flag, got, want)
		}
	}

	check("", filepath.Join(home, ".local", "share", "swtoken"))

	t.Setenv("XDG_DATA_HOME", "relative/xdg") // invalid per the XDG spec: ignored
	check("", filepath.Join(home, ".local", "share", "swtoken"))

	t.Setenv("XDG_DATA_HOME", "/xdg")
	check("", "/xdg/swtoken")

	t.Setenv("SWTOKEN_DATA_DIR", "/env/dir")
	check("", "/env/dir")

	check("/flag/dir", "/flag/dir")
	wd, _ := os.Getwd()
	check("rel", filepath.Join(wd, "rel"))

	t.Setenv("SWTOKEN_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "")
	if _, err := ResolveDataDir(""); err == nil {
		t.Error("no HOME and no setting: want an error, not a guess")
	}
}

func TestOpenCreatesPrivateLayout(t *testing.T) {
	s, dir := newStore(t)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, OutputsDirName), 0o700},
		{filepath.Join(dir, DBFileName), 0o600},
		{filepath.Join(dir, KeyFileName), 0o600},
		{filepath.Join(dir, LockFileName), 0o600},
		{filepath.Join(dir, HoldersDirName), 0o700},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.mode {
			t.Errorf("%s: mode %04o, want %04o", c.path, fi.Mode().Perm(), c.mode)
		}
	}
	if fi, _ := os.Stat(s.KeyFile()); fi.Size() != KeySize {
		t.Errorf("key file size %d", fi.Size())
	}
	if len(s.InstallID()) != 32 {
		t.Errorf("install id %q", s.InstallID())
	}
	if s.Path() != filepath.Join(dir, DBFileName) || s.DataDir() != dir || s.OutputsDir() != filepath.Join(dir, OutputsDirName) {
		t.Error("path accessors disagree with the layout")
	}
}

func TestPermissionRefusal(t *testing.T) {
	cases := []struct {
		name string
		path func(dir string) string
		mode os.FileMode
		fix  func(dir string) string
	}{
		{"db file", func(d string) string { return filepath.Join(d, DBFileName) }, 0o644,
			func(d string) string { return "chmod 600 " + filepath.Join(d, DBFileName) }},
		{"key file", func(d string) string { return filepath.Join(d, KeyFileName) }, 0o640,
			func(d string) string { return "chmod 600 " + filepath.Join(d, KeyFileName) }},
		{"data dir", func(d string) string { return d }, 0o755,
			func(d string) string { return "chmod 700 " + d }},
		{"outputs dir", func(d string) string { return filepath.Join(d, OutputsDirName) }, 0o750,
			func(d string) string { return "chmod 700 " + filepath.Join(d, OutputsDirName) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := initStore(t)
			if err := os.Chmod(c.path(dir), c.mode); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			_, err := Open(Options{DataDir: dir})
			var pe *PermissionError
			if !errors.As(err, &pe) {
				t.Fatalf("want *PermissionError, got %v", err)
			}
			if !strings.Contains(err.Error(), c.fix(dir)) {
				t.Errorf("message %q lacks %q", err, c.fix(dir))
			}
			assertSameSnapshot(t, before, snapshot(t, dir))
			// The suggested fix works.
			if err := os.Chmod(c.path(dir), c.mode&^0o077); err != nil {
				t.Fatal(err)
			}
			s, err := Open(Options{DataDir: dir})
			if err != nil {
				t.Fatalf("after the fix: %v", err)
			}
			s.Close()
		})
	}
}

func TestShellQuoteInFix(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "it's data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chmod(filepath.Join(dir, DBFileName), 0o604)
	_, err = Open(Options{DataDir: dir})
	want := `chmod 600 '` + strings.ReplaceAll(filepath.Join(dir, DBFileName), "'", `'\''`) + `'`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %s", err, want)
	}
}

func TestKeyFileProblems(t *testing.T) {
	t.Run("wrong size", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		os.MkdirAll(dir, 0o700)
		os.WriteFile(filepath.Join(dir, KeyFileName), make([]byte, 31), 0o600)
		before := snapshot(t, dir)
		_, err := Open(Options{DataDir: dir})
		if err == nil || !strings.Contains(err.Error(), "31 bytes") {
			t.Fatalf("got %v", err)
		}
		assertSameSnapshot(t, before, snapshot(t, dir))
		os.WriteFile(filepath.Join(dir, KeyFileName), make([]byte, 33), 0o600)
		if _, err := Open(Options{DataDir: dir}); err == nil {
			t.Fatal("33-byte key accepted")
		}
	})
	t.Run("missing for an existing store", func(t *testing.T) {
		dir := initStore(t)
		os.Remove(filepath.Join(dir, KeyFileName))
		before := snapshot(t, dir)
		_, err := Open(Options{DataDir: dir})
		if !errors.Is(err, ErrKeyMissing) {
			t.Fatalf("got %v", err)
		}
		assertSameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("key of another store", func(t *testing.T) {
		dir := initStore(t)
		other := initStore(t)
		before := snapshot(t, dir)
		_, err := Open(Options{DataDir: dir, KeyFile: filepath.Join(other, KeyFileName)})
		if err == nil || !strings.Contains(err.Error(), "does not belong") {
			t.Fatalf("got %v", err)
		}
		assertSameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("custom key file", func(t *testing.T) {
		keyDir := t.TempDir()
		key := filepath.Join(keyDir, "k")
		dir := filepath.Join(t.TempDir(), "data")
		s, err := Open(Options{DataDir: dir, KeyFile: key})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !os.IsNotExist(err) {
			t.Error("default key file created although --key-file was given")
		}
		if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("custom key: %v %v", fi, err)
		}
		entries, _ := os.ReadDir(keyDir)
		if len(entries) != 1 {
			t.Errorf("temporary key files left behind: %v", entries)
		}
	})
}

// TestOpenStoreDoesNotBlockOthers: an open store that is not in a
// transaction (a console idle on Home, in the wizard) keeps nobody out:
// another process reads and writes at once (product.md section 10).
func TestOpenStoreDoesNotBlockOthers(t *testing.T) {
	dir := initStore(t)
	first, err := Open(Options{DataDir: dir, Activity: "console: idle"})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// The other process: a child that writes an audit record.
	cmd := helperCmd(t, "append-once", dir, "cli")
	cmd.Stderr = nil
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("second process took %v", el)
	}
	// The first sees its write (the store is read afresh each time).
	recs, err := first.AuditRecords(AuditFilter{Action: "test.once"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("first store sees %d records (%v), want 1", len(recs), err)
	}
	// And writes after it, on the same chain.
	if err := first.AppendAudit("test.after", "x", ""); err != nil {
		t.Fatal(err)
	}
	if res, err := first.VerifyAudit(); err != nil || !res.OK() {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
}

// TestLockHeldByOtherProcess: while another process is in a long
// transaction, an operation waits at most the lock wait and then fails with
// the holder's pid, user, time and activity (exit code 3), changing
// nothing.
func TestLockHeldByOtherProcess(t *testing.T) {
	dir := initStore(t)
	const activity = "job Rollout Q3, 3 of 10"
	holder, release := startHolder(t, dir, activity)
	// The holder writes its record once its hold is recordAfter old.
	for deadline := time.Now().Add(5 * time.Second); readHolder(dir, holder.Process.Pid) == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the holder wrote no record")
		}
		time.Sleep(10 * time.Millisecond)
	}
	before := snapshot(t, dir)
	start := time.Now()
	s, err := Open(Options{DataDir: dir, LockTimeout: 700 * time.Millisecond})
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("second Open succeeded while the store was held")
	}
	if elapsed < 700*time.Millisecond || elapsed >= 2*time.Second {
		t.Errorf("Open took %v, want the lock wait (700 ms) and not much more", elapsed)
	}
	var iu *InUseError
	if !errors.As(err, &iu) || !errors.Is(err, ErrInUse) {
		t.Fatalf("want *InUseError, got %T %v", err, err)
	}
	if iu.ExitCode() != 3 {
		t.Errorf("ExitCode %d", iu.ExitCode())
	}
	if iu.PID != holder.Process.Pid || iu.Activity != activity {
		t.Errorf("got pid %d activity %q, want %d %q", iu.PID, iu.Activity, holder.Process.Pid, activity)
	}
	if time.Since(iu.Since) > time.Minute || iu.User == "" {
		t.Errorf("implausible holder: since %v user %q", iu.Since, iu.User)
	}
	want := "store is in use by pid " + strconv.Itoa(holder.Process.Pid) + " (user " + iu.User + ") since " +
		iu.Since.Local().Format("2006-01-02 15:04:05 MST") + ": " + activity + " (waited " +
		iu.Waited.Round(time.Millisecond).String() + "; --lock-wait or $SWTOKEN_LOCK_WAIT waits longer)"
	if err.Error() != want {
		t.Errorf("message\n got  %q\n want %q", err.Error(), want)
	}
	assertSameSnapshot(t, before, snapshot(t, dir))

	// A read-only opener is refused too (shared lock against exclusive).
	if s, err := Open(Options{DataDir: dir, ReadOnly: true, LockTimeout: 200 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		if s != nil {
			s.Close()
		}
		t.Errorf("read-only open: %v", err)
	}

	// A store opened before the hold began waits in each operation.
	release()
	s, err = Open(Options{DataDir: dir, LockTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("open after release: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(recordPath(dir, holder.Process.Pid)); !os.IsNotExist(err) {
		t.Error("holder record left behind after the hold ended")
	}
	_, release2 := startHolder(t, dir, "import tokens")
	if err := s.AppendAudit("test", "x", ""); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), ": import tokens") {
		t.Errorf("write during another's hold: %v", err)
	}
	release2()
	if err := s.AppendAudit("test", "x", ""); err != nil {
		t.Errorf("write after the hold: %v", err)
	}
}

// TestInUseWithoutHolderRecord: a holder whose record cannot be read (a
// foreign bbolt user, or a short hold not recorded yet) still gives a
// clear message.
func TestInUseWithoutHolderRecord(t *testing.T) {
	dir := initStore(t)
	// flock conflicts between two open file descriptions even in one process.
	db, err := bolt.Open(filepath.Join(dir, DBFileName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	_, err = Open(Options{DataDir: dir, LockTimeout: 200 * time.Millisecond})
	if err == nil || !strings.HasPrefix(err.Error(), "store is in use by another process (waited ") {
		t.Fatalf("no holder record: got %v", err)
	}
}

// TestHolderRecordOfLongHold: a hold longer than recordAfter writes the
// holder record with the current activity, which follows SetActivity and
// is removed when the hold ends; a short hold writes nothing.
func TestHolderRecordOfLongHold(t *testing.T) {
	s, dir := newStore(t)
	path := recordPath(dir, os.Getpid())
	if err := s.AppendAudit("quick", "x", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("a short transaction wrote a holder record")
	}
	read := func() holderInfo {
		var h holderInfo
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	s.SetActivity("committing job J")
	err := s.Hold(true, func() error {
		time.Sleep(recordAfter + 150*time.Millisecond)
		if h := read(); h.Activity != "committing job J" || h.PID != os.Getpid() {
			t.Errorf("record %+v", h)
		}
		s.SetActivity("job J, 99 of 100")
		if h := read(); h.Activity != "job J, 99 of 100" {
			t.Errorf("activity %q", h.Activity)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("holder record survives the hold")
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary holder record left behind")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.AppendAudit("late", "x", ""); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
}

// TestStaleHolderRecordsRemoved: a record left by a killed process (its
// pid is gone) is removed by the next read-write open.
func TestStaleHolderRecordsRemoved(t *testing.T) {
	dir := initStore(t)
	stale := recordPath(dir, 0x7ffffff0)
	data, _ := json.Marshal(holderInfo{PID: 0x7ffffff0, User: "ghost", Since: time.Now(), Activity: "idle"})
	if err := os.WriteFile(stale, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale holder record kept")
	}
}

// TestChangeCounter: every write transaction raises the counter, reads do
// not, and another Store (process) sees it.
func TestChangeCounter(t *testing.T) {
	s, dir := newStore(t)
	c0, err := s.ChangeCounter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuditRecords(AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ChangeCounter(); c != c0 {
		t.Errorf("a read moved the counter: %d -> %d", c0, c)
	}
	if err := s.AppendAudit("a", "b", ""); err != nil {
		t.Fatal(err)
	}
	other, err := Open(Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if c, _ := other.ChangeCounter(); c != c0+1 {
		t.Errorf("after one write: %d, want %d", c, c0+1)
	}
	// A failed transaction changes nothing, the counter included.
	_ = s.Update(func(tx *Tx) error { return errors.New("no") })
	if c, _ := other.ChangeCounter(); c != c0+1 {
		t.Errorf("after a rolled-back write: %d, want %d", c, c0+1)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	dir := initStore(t)
	var created, install []byte
	readMeta := func() {
		db, err := bolt.Open(filepath.Join(dir, DBFileName), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.View(func(tx *bolt.Tx) error {
			for _, b := range allBuckets {
				if tx.Bucket(b) == nil {
					t.Errorf("bucket %s missing", b)
				}
			}
			v, err := readSchemaVersion(tx)
			if err != nil || v != SchemaVersion {
				t.Errorf("schema version %d %v", v, err)
			}
			c := tx.Bucket(bucketMeta).Get(metaCreatedAt)
			i := tx.Bucket(bucketMeta).Get(metaInstallID)
			if created != nil && (string(c) != string(created) || string(i) != string(install)) {
				t.Error("identity changed on reopen")
			}
			created, install = append([]byte(nil), c...), append([]byte(nil), i...)
			return nil
		})
	}
	readMeta()
	before := snapshot(t, filepath.Join(dir, DBFileName))
	for i := 0; i < 3; i++ {
		s, err := Open(Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	// An up-to-date store is not written to at all by Open.
	assertSameSnapshot(t, before, snapshot(t, filepath.Join(dir, DBFileName)))
	readMeta()
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := initStore(t)
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaSchemaVersion, itob(SchemaVersion+1))
	})
	before := snapshot(t, dir)
	for _, ro := range []bool{false, true} {
		_, err := Open(Options{DataDir: dir, ReadOnly: ro})
		var te *SchemaTooNewError
		if !errors.As(err, &te) || te.Found != SchemaVersion+1 || te.Supported != SchemaVersion {
			t.Fatalf("readOnly=%v: got %v", ro, err)
		}
		if !strings.Contains(err.Error(), "newer swtoken") {
			t.Errorf("message %q does not say what to do", err)
		}
	}
	assertSameSnapshot(t, before, snapshot(t, dir))
}

func TestReadOnly(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	if _, err := Open(Options{DataDir: missing, ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing store succeeded")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("read-only open created the data directory")
	}

	dir := initStore(t)
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.AppendAudit("test.action", "obj", "")
	s.Close()

	before := snapshot(t, dir)
	ro, err := Open(Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Update on read-only: %v", err)
	}
	if res, err := ro.VerifyAudit(); err != nil || !res.OK() || res.Count != 1 {
		t.Errorf("verify read-only: %+v %v", res, err)
	}
	// Two read-only openers share the lock.
	ro2, err := Open(Options{DataDir: dir, ReadOnly: true, LockTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("second read-only open: %v", err)
	}
	ro2.Close()
	ro.Close()
	assertSameSnapshot(t, before, snapshot(t, dir))
}

// TestGenericHelpers covers the helpers that the domain buckets build on.
func TestGenericHelpers(t *testing.T) {
	s, _ := newStore(t)
	type rec struct {
		V    int    `json:"v"`
		Name string `json:"name"`
	}
	err := s.Update(func(tx *Tx) error {
		b, err := createBucketIfNotExists(tx.tx, bucketTokensByUser, []byte("alice"))
		if err != nil {
			return err
		}
		if err := putJSON(b, []byte("000123456789"), rec{V: 1, Name: "x"}); err != nil {
			return err
		}
		return tx.AppendAudit("token.assign", "000123456789", "user: alice")
	})
	if err != nil {
		t.Fatal(err)
	}
	var got rec
	err = s.View(func(tx *Tx) error {
		if getBucket(tx.tx, bucketTokensByUser, []byte("bob")) != nil || getBucket(tx.tx) != nil {
			t.Error("getBucket found a missing bucket")
		}
		found, err := getJSON(getBucket(tx.tx, bucketTokensByUser, []byte("alice")), []byte("000123456789"), &got)
		if !found || err != nil {
			t.Errorf("getJSON: %v %v", found, err)
		}
		if found, _ := getJSON(nil, []byte("k"), &got); found {
			t.Error("getJSON on a nil bucket found something")
		}
		return nil
	})
	if err != nil || got != (rec{V: 1, Name: "x"}) {
		t.Fatalf("%+v %v", got, err)
	}
	if btoi(itob(1<<40+5)) != 1<<40+5 {
		t.Error("itob/btoi")
	}
}

// TestReadOnlyOpenOfAStoreWithoutLockFile: a store made before
// swtoken.lock existed, opened read-only (which creates nothing), reads
// under bbolt's own lock alone.
func TestReadOnlyOpenOfAStoreWithoutLockFile(t *testing.T) {
	dir := initStore(t)
	if err := os.Remove(filepath.Join(dir, LockFileName)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AuditRecords(AuditFilter{}); err != nil {
		t.Fatalf("read: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFileName)); !os.IsNotExist(err) {
		t.Error("a read-only open created the lock file")
	}
}

// TestCommandsStartedAtOnceOnANewDataDirectory: several processes open a
// data directory that does not exist yet, at the same moment: one creates
// the store and its key, the others use them (none says the key is
// missing).
func TestCommandsStartedAtOnceOnANewDataDirectory(t *testing.T) {
	for round := range 3 {
		dir := filepath.Join(t.TempDir(), "data")
		var cmds []*exec.Cmd
		for range 6 {
			cmd := helperCmd(t, "append-once", dir, "cli")
			cmd.Stderr = nil
			cmds = append(cmds, cmd)
		}
		outs := make([][]byte, len(cmds))
		errs := make([]error, len(cmds))
		var wg sync.WaitGroup
		for i, cmd := range cmds {
			wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
		}
		wg.Wait()
		for i := range cmds {
			if errs[i] != nil {
				t.Fatalf("round %d, process %d: %v\n%s", round, i, errs[i], outs[i])
			}
		}
		s, err := Open(Options{DataDir: dir, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := s.AuditRecords(AuditFilter{Action: "test.once"})
		s.Close()
		if err != nil || len(recs) != len(cmds) {
			t.Fatalf("round %d: %d records (%v), want %d", round, len(recs), err, len(cmds))
		}
	}
}

package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
		{filepath.Join(dir, HolderFileName), 0o600},
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

// TestLockHeldByOtherProcess: a second console fails within 2 s with the
// holder's pid and activity, exit code 3, and changes nothing.
func TestLockHeldByOtherProcess(t *testing.T) {
	dir := initStore(t)
	const activity = "job Rollout Q3, 3 of 10"
	holder, release := startHolder(t, dir, activity)

	before := snapshot(t, dir)
	start := time.Now()
	s, err := Open(Options{DataDir: dir})
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("second Open succeeded while the store was held")
	}
	if elapsed >= 2*time.Second {
		t.Errorf("Open took %v, want < 2 s", elapsed)
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
		iu.Since.Format(time.RFC3339) + ": " + activity
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

	release()
	if _, err := os.Stat(filepath.Join(dir, HolderFileName)); !os.IsNotExist(err) {
		t.Error("holder file left behind after Close")
	}
	s, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatalf("open after release: %v", err)
	}
	s.Close()
}

func TestInUseWithoutHolderInfo(t *testing.T) {
	dir := initStore(t)
	// flock conflicts between two open file descriptions even in one process.
	db, err := bolt.Open(filepath.Join(dir, DBFileName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	_, err = Open(Options{DataDir: dir, LockTimeout: 200 * time.Millisecond})
	if err == nil || err.Error() != "store is in use by another process" {
		t.Fatalf("no holder file: got %v", err)
	}

	// A stale file from a killed holder names a process that is gone.
	stale, _ := json.Marshal(holderInfo{PID: 0x7ffffff0, User: "ghost", Since: time.Now(), Activity: "idle"})
	os.WriteFile(filepath.Join(dir, HolderFileName), stale, 0o600)
	_, err = Open(Options{DataDir: dir, LockTimeout: 200 * time.Millisecond})
	if err == nil || err.Error() != "store is in use by another process" {
		t.Fatalf("stale holder file: got %v", err)
	}
}

func TestSetActivityAndClose(t *testing.T) {
	s, dir := newStore(t)
	path := filepath.Join(dir, HolderFileName)
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
	if h := read(); h.Activity != "idle" || h.PID != os.Getpid() {
		t.Errorf("initial holder %+v", h)
	}
	for i := 0; i < 100; i++ {
		if err := s.SetActivity("job J, " + strconv.Itoa(i) + " of 100"); err != nil {
			t.Fatal(err)
		}
	}
	if h := read(); h.Activity != "job J, 99 of 100" {
		t.Errorf("activity %q", h.Activity)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary holder file left behind")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("holder file survives Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
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

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
	"sync"
	"sync/atomic"
	"time"

	"github.com/swtoken/swtoken/model"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long an operation waits for the store while
// another process holds it (product.md section 10: 5 s), before it gives up
// with an *InUseError. The CLI's --lock-wait and $SWTOKEN_LOCK_WAIT set it.
const DefaultLockTimeout = 5 * time.Second

// Options configures Open. The zero value opens the default data directory
// read-write.
type Options struct {
	// DataDir is the data directory; empty means ResolveDataDir("").
	DataDir string
	// KeyFile is the store key path; empty means <DataDir>/swtoken.key.
	KeyFile string
	// ReadOnly opens the database read-only (a shared lock) for every
	// operation, never creates or migrates anything, and Update fails.
	ReadOnly bool
	// LockTimeout bounds each operation's wait for another process's hold;
	// zero means DefaultLockTimeout.
	LockTimeout time.Duration
	// Actor, when set, is who acts in the audit trail and in request
	// decisions instead of the OS user running the process (a server that
	// acts for the users it authenticates; tests of two admins).
	Actor string
	// Activity is what this process is doing, for the "in use" message of
	// a process that waits for it in vain; empty means "idle".
	Activity string
}

// Store is an open swtoken store: the data directory, the key, and the
// right to take the database for a moment. It does not keep the database
// open: every transaction (or Hold) takes the cross-process lock on
// swtoken.lock (shared to read, exclusive to write), opens bbolt, runs, then
// closes bbolt and lets go (docs/DECISIONS.md, "One store, many
// processes"). So any number of processes share a store, and none blocks
// the others while it waits for a person or writes files.
//
// It is safe for concurrent use. Do not start a transaction inside another
// one in the same goroutine: it deadlocks.
type Store struct {
	dataDir   string
	dbPath    string
	keyPath   string
	readOnly  bool
	installID string
	lockWait  time.Duration
	lock      *fileLock

	keys *keySet

	// Who is acting, captured once at open for the audit trail and the
	// holder record.
	osUser    string
	sshClient string
	host      string
	now       func() time.Time
	activity  atomic.Value // string

	// gate serialises this process's own transactions: readers share,
	// writers are alone. conn guards the open database while held.
	gate      sync.RWMutex
	conn      sync.Mutex
	db        *bolt.DB
	refs      int
	dbWrite   bool
	heldSince time.Time
	recTimer  *time.Timer
	// holds counts the holds taken (one per transaction), so that a test
	// can tell how many transactions a read took.
	holds atomic.Uint64

	recMu    sync.Mutex
	recorded bool

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool
}

// Open opens (and on first use creates) the store in the data directory.
//
// Everything that can be checked without the lock is checked first, and
// nothing is written until the lock is held and the store has been found
// usable, so a failed Open leaves an existing store untouched. When another
// process holds the store beyond the lock wait, the error is an
// *InUseError; permission problems are *PermissionError; a store from a newer
// swtoken is *SchemaTooNewError. Open holds the database only while it
// checks (and on first use creates or migrates) it.
func Open(opts Options) (*Store, error) {
	dir := opts.DataDir
	if dir == "" {
		var err error
		if dir, err = ResolveDataDir(""); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	keyPath := opts.KeyFile
	if keyPath == "" {
		keyPath = filepath.Join(dir, KeyFileName)
	}
	if keyPath, err = filepath.Abs(keyPath); err != nil {
		return nil, err
	}
	wait := opts.LockTimeout
	if wait <= 0 {
		wait = DefaultLockTimeout
	}
	activity := opts.Activity
	if activity == "" {
		activity = "idle"
	}
	dbPath := filepath.Join(dir, DBFileName)
	outputsDir := filepath.Join(dir, OutputsDirName)
	holdersDir := filepath.Join(dir, HoldersDirName)

	// 1. Read-only checks.
	dirExists, err := checkPrivate(dir, true)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	dbExists := false
	if dirExists {
		if dbExists, err = checkPrivate(dbPath, false); err != nil {
			return nil, fmt.Errorf("store file: %w", err)
		}
		if _, err = checkPrivate(outputsDir, true); err != nil {
			return nil, fmt.Errorf("outputs directory: %w", err)
		}
		if _, err = checkPrivate(holdersDir, true); err != nil {
			return nil, fmt.Errorf("holders directory: %w", err)
		}
		if _, err = checkPrivate(filepath.Join(dir, LockFileName), false); err != nil {
			return nil, fmt.Errorf("lock file: %w", err)
		}
	}
	key, keyFound, err := readKeyFile(keyPath)
	if err != nil {
		return nil, err
	}
	defer func() { clear(key) }()
	if opts.ReadOnly && !dbExists {
		return nil, fmt.Errorf("no store at %s (read-only open creates nothing)", dbPath)
	}

	// 2. The lock file. A missing data directory cannot have a holder, so
	// creating it here cannot disturb anyone. A read-only open of a store
	// made before the lock file existed creates nothing and relies on
	// bbolt's own lock.
	if !dirExists {
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	lk, err := openFileLock(filepath.Join(dir, LockFileName), !opts.ReadOnly)
	if errors.Is(err, fs.ErrNotExist) && opts.ReadOnly {
		lk, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}

	s := &Store{
		dataDir:  dir,
		dbPath:   dbPath,
		keyPath:  keyPath,
		readOnly: opts.ReadOnly,
		lockWait: wait,
		lock:     lk,
		now:      func() time.Time { return time.Now().UTC() },
	}
	if s.lock == nil {
		s.lock = &fileLock{}
	}
	s.activity.Store(activity)
	s.osUser, s.sshClient = currentActor()
	if opts.Actor != "" {
		s.osUser = opts.Actor
	}
	s.host, _ = os.Hostname()
	if err := s.finishOpen(key, keyFound, outputsDir, holdersDir); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// finishOpen validates the store, loads or creates the key and migrates,
// in one hold: exclusive for a read-write open (it may create or migrate),
// shared for a read-only one.
func (s *Store) finishOpen(key []byte, keyFound bool, outputsDir, holdersDir string) error {
	if !s.readOnly {
		for _, d := range []string{outputsDir, holdersDir} {
			if err := os.MkdirAll(d, dirMode); err != nil {
				return fmt.Errorf("create %s: %w", filepath.Base(d), err)
			}
		}
		removeStaleRecords(s.dataDir)
	}
	// One hold for the whole check: s.db is this hold's handle, used
	// directly (viewBolt would ask for the hold again and deadlock).
	if err := s.acquire(!s.readOnly); err != nil {
		return err
	}
	defer s.release(!s.readOnly)
	var version uint64
	var storedKeyID string
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if version, err = readSchemaVersion(tx); err != nil {
			return err
		}
		if meta := tx.Bucket(bucketMeta); meta != nil {
			storedKeyID = string(meta.Get(metaKeyID))
			s.installID = string(meta.Get(metaInstallID))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read store %s: %w", s.dbPath, err)
	}
	if version > SchemaVersion {
		return &SchemaTooNewError{Path: s.dbPath, Found: version, Supported: SchemaVersion}
	}

	if !keyFound && !s.readOnly {
		// Another process may have created the store, key first,
		// between our look at the key file and our hold (two
		// commands started at once on a new data directory).
		again, found, err := readKeyFile(s.keyPath)
		if err != nil {
			return err
		}
		if found {
			clear(key)
			key, keyFound = again, true
		}
	}
	if !keyFound {
		switch {
		case s.readOnly:
			return fmt.Errorf("%w: %s (read-only open creates nothing)", ErrKeyMissing, s.keyPath)
		case version > 0 || storedKeyID != "":
			return fmt.Errorf("%w: %s; this store already holds sealed data, so a new key would make it unreadable: restore the key file from its backup or pass --key-file",
				ErrKeyMissing, s.keyPath)
		}
		if key, err = createKeyFile(s.keyPath); err != nil {
			return err
		}
		defer clear(key)
	}
	if s.keys, err = deriveKeys(key); err != nil {
		return err
	}
	if storedKeyID != "" && storedKeyID != s.keys.id {
		return fmt.Errorf("store key %s does not belong to the store %s: use the key file that was created with this store (--key-file)",
			s.keyPath, s.dbPath)
	}
	if err := s.migrate(version); err != nil {
		return err
	}
	if s.installID == "" {
		return s.db.View(func(tx *bolt.Tx) error {
			s.installID = string(tx.Bucket(bucketMeta).Get(metaInstallID))
			return nil
		})
	}
	return nil
}

// Close forgets the key and closes the lock file. It waits for this
// process's transactions in flight. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.gate.Lock()
		defer s.gate.Unlock()
		s.closed.Store(true)
		if s.lock != nil && s.lock.f != nil {
			s.closeErr = s.lock.close()
		}
		if s.keys != nil {
			clear(s.keys.auditMAC)
			s.keys = nil
		}
	})
	return s.closeErr
}

// ErrReadOnly is returned by Update on a store opened with ReadOnly.
var ErrReadOnly = errors.New("store is open read-only")

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("store is closed")

// Hold keeps the database taken (exclusively when write, else shared)
// while fn runs, as a transaction would: other processes wait, at most
// their lock wait. fn must not use this Store (its transactions would wait
// for the hold fn is in). It serves what must keep other processes out for
// a moment without a transaction of its own, and tests that play a slow
// holder.
func (s *Store) Hold(write bool, fn func() error) error {
	if write && s.readOnly {
		return ErrReadOnly
	}
	if err := s.acquire(write); err != nil {
		return err
	}
	defer s.release(write)
	return fn()
}

// acquire takes the database for this goroutine: the process gate first,
// then (for the first holder in the process) the cross-process lock and a
// bbolt handle, kept in s.db until the matching release.
func (s *Store) acquire(write bool) error {
	s.holds.Add(1)
	if write {
		s.gate.Lock()
	} else {
		s.gate.RLock()
	}
	unlockGate := func() {
		if write {
			s.gate.Unlock()
		} else {
			s.gate.RUnlock()
		}
	}
	if s.closed.Load() {
		unlockGate()
		return ErrClosed
	}
	s.conn.Lock()
	defer s.conn.Unlock()
	if s.refs > 0 {
		s.refs++
		return nil
	}
	start := time.Now()
	if err := s.waitLock(write); err != nil {
		unlockGate()
		return err
	}
	db, err := bolt.Open(s.dbPath, fileMode, &bolt.Options{Timeout: s.lockWait, ReadOnly: !write})
	if err != nil {
		s.lock.unlock()
		unlockGate()
		if errors.Is(err, berrors.ErrTimeout) {
			return s.inUseError(write, time.Since(start))
		}
		return fmt.Errorf("open store %s: %w", s.dbPath, err)
	}
	s.db, s.dbWrite, s.refs = db, write, 1
	s.heldSince = time.Now().UTC() // not s.now: tests fake that clock for records
	since := s.heldSince
	s.recTimer = time.AfterFunc(recordAfter, func() {
		s.recMu.Lock()
		defer s.recMu.Unlock()
		if !s.recorded {
			s.recorded = true
			s.writeRecord(since)
		}
	})
	return nil
}

// waitLock takes the cross-process lock, polling (from 100 µs up to 5 ms
// between tries) for at most the lock wait.
func (s *Store) waitLock(write bool) error {
	start := time.Now()
	pause := 100 * time.Microsecond
	for {
		ok, err := s.lock.tryLock(write)
		if err != nil {
			return fmt.Errorf("lock store: %w", err)
		}
		if ok {
			return nil
		}
		if time.Since(start) >= s.lockWait {
			return s.inUseError(write, time.Since(start))
		}
		time.Sleep(pause)
		if pause < 5*time.Millisecond {
			pause *= 2
		}
	}
}

// release undoes acquire; the last holder in the process closes bbolt,
// removes its record and lets the other processes in.
func (s *Store) release(write bool) {
	s.conn.Lock()
	s.refs--
	if s.refs == 0 {
		s.recTimer.Stop()
		s.recMu.Lock()
		if s.recorded {
			s.removeRecord()
			s.recorded = false
		}
		s.recMu.Unlock()
		s.db.Close()
		s.db = nil
		s.lock.unlock()
	}
	s.conn.Unlock()
	if write {
		s.gate.Unlock()
	} else {
		s.gate.RUnlock()
	}
}

// viewBolt and updateBolt run one bbolt transaction inside a hold.
func (s *Store) viewBolt(fn func(tx *bolt.Tx) error) error {
	if err := s.acquire(false); err != nil {
		return err
	}
	defer s.release(false)
	return s.db.View(fn)
}

func (s *Store) updateBolt(fn func(tx *bolt.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if err := s.acquire(true); err != nil {
		return err
	}
	defer s.release(true)
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return bumpChangeCounter(tx)
	})
}

// Tx is a bbolt transaction seen through the store's schema. It is valid only
// inside the Update or View callback that received it.
type Tx struct {
	tx *bolt.Tx
	s  *Store
	// jobFacts caches the completed jobs that seed records reference
	// (seeds.go: distJob).
	jobFacts map[uint64]distJobFacts
	// heldBy caches UnfinishedJobHolder for writeToken's guard.
	heldBy func(serial string) (model.Job, bool)
}

// Writable reports whether this is an Update transaction.
func (t *Tx) Writable() bool { return t.tx.Writable() }

// Seal is Store.Seal, for use inside a transaction.
func (t *Tx) Seal(plaintext, aad []byte) ([]byte, error) { return t.s.Seal(plaintext, aad) }

// Unseal is Store.Unseal, for use inside a transaction.
func (t *Tx) Unseal(sealed, aad []byte) ([]byte, error) { return t.s.Unseal(sealed, aad) }

// Update runs fn in one read-write transaction: everything fn writes,
// including audit records, commits together or not at all, and the change
// counter moves with it.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.updateBolt(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

// View runs fn in a read-only transaction. Keep it short: other processes
// that want to write wait for it.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.viewBolt(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

// DataDir returns the absolute data directory.
func (s *Store) DataDir() string { return s.dataDir }

// Path returns the absolute path of the bbolt file.
func (s *Store) Path() string { return s.dbPath }

// KeyFile returns the absolute path of the store key file.
func (s *Store) KeyFile() string { return s.keyPath }

// OutputsDir returns the directory for job output ZIPs (mode 0700).
func (s *Store) OutputsDir() string { return filepath.Join(s.dataDir, OutputsDirName) }

// InstallID returns the random id of this installation (meta/install_id).
func (s *Store) InstallID() string { return s.installID }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// currentActor returns the OS user and the SSH client address (the first
// field of SSH_CONNECTION) for audit records and the holder file.
func currentActor() (osUser, sshClient string) {
	if u, err := user.Current(); err == nil && u.Username != "" {
		osUser = u.Username
	} else if env := os.Getenv("USER"); env != "" {
		osUser = env
	} else {
		osUser = "uid " + strconv.Itoa(os.Getuid())
	}
	if f := strings.Fields(os.Getenv("SSH_CONNECTION")); len(f) > 0 {
		sshClient = f[0]
	}
	return osUser, sshClient
}

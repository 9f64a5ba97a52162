package store

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for another holder. It leaves
// room under the 2 s budget (product.md section 4) for reading the holder
// file and printing the message.
const DefaultLockTimeout = 1500 * time.Millisecond

// Options configures Open. The zero value opens the default data directory
// read-write.
type Options struct {
	// DataDir is the data directory; empty means ResolveDataDir("").
	DataDir string
	// KeyFile is the store key path; empty means <DataDir>/swtoken.key.
	KeyFile string
	// ReadOnly takes a shared lock, never creates or migrates anything and
	// writes no holder file. Update fails.
	ReadOnly bool
	// LockTimeout bounds the wait for the bbolt file lock; zero means
	// DefaultLockTimeout. bbolt itself would wait forever with zero.
	LockTimeout time.Duration
	// Activity is the initial activity in the holder file; empty means "idle".
	Activity string
}

// Store is an open swtoken store. It is safe for concurrent use; bbolt
// serialises writers. Do not start a transaction inside another one in the
// same goroutine (bbolt deadlocks on remap).
type Store struct {
	db         *bolt.DB
	dataDir    string
	dbPath     string
	keyPath    string
	holderPath string
	readOnly   bool
	installID  string

	keys *keySet

	// Who is acting, captured once at open for the audit trail.
	osUser    string
	sshClient string
	now       func() time.Time

	holderMu sync.Mutex
	holder   *holderInfo // nil when read-only or closed

	closeOnce sync.Once
	closeErr  error
}

// Open opens (and on first use creates) the store in the data directory.
//
// Everything that can be checked without the lock is checked first, and
// nothing is written until the bbolt lock is held and the store has been
// found usable, so a failed Open leaves an existing store untouched. When
// another process holds the store beyond the timeout, the error is an
// *InUseError; permission problems are *PermissionError; a store from a newer
// swtoken is *SchemaTooNewError.
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
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	activity := opts.Activity
	if activity == "" {
		activity = "idle"
	}
	dbPath := filepath.Join(dir, DBFileName)
	outputsDir := filepath.Join(dir, OutputsDirName)

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
	}
	key, keyFound, err := readKeyFile(keyPath)
	if err != nil {
		return nil, err
	}
	defer func() { clear(key) }()
	if opts.ReadOnly && !dbExists {
		return nil, fmt.Errorf("no store at %s (read-only open creates nothing)", dbPath)
	}

	// 2. Take the lock. A missing data directory cannot have a holder, so
	// creating it here cannot disturb anyone.
	if !dirExists {
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	db, err := bolt.Open(dbPath, fileMode, &bolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, inUseError(filepath.Join(dir, HolderFileName))
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dbPath, err)
	}

	s := &Store{
		db:         db,
		dataDir:    dir,
		dbPath:     dbPath,
		keyPath:    keyPath,
		holderPath: filepath.Join(dir, HolderFileName),
		readOnly:   opts.ReadOnly,
		now:        func() time.Time { return time.Now().UTC() },
	}
	s.osUser, s.sshClient = currentActor()
	if err := s.finishOpen(key, keyFound, activity, outputsDir); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// finishOpen runs with the lock held: it validates the store, loads or
// creates the key, announces the holder and migrates.
func (s *Store) finishOpen(key []byte, keyFound bool, activity, outputsDir string) error {
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

	if !s.readOnly {
		now := s.now()
		h := &holderInfo{PID: os.Getpid(), User: s.osUser, Since: now, Activity: activity, Updated: now}
		h.Host, _ = os.Hostname()
		if err := writeHolder(s.holderPath, h); err != nil {
			return fmt.Errorf("write holder file: %w", err)
		}
		s.holder = h
		if err := os.MkdirAll(outputsDir, dirMode); err != nil {
			return fmt.Errorf("create outputs directory: %w", err)
		}
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

// Close removes the holder file and releases the lock. The holder file goes
// first: once the lock is released a new holder may write its own file, which
// must not be deleted. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.holderMu.Lock()
		if s.holder != nil {
			if err := os.Remove(s.holderPath); err != nil && !os.IsNotExist(err) {
				s.closeErr = err
			}
			s.holder = nil
		}
		s.holderMu.Unlock()
		if err := s.db.Close(); err != nil && s.closeErr == nil {
			s.closeErr = err
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

// Tx is a bbolt transaction seen through the store's schema. It is valid only
// inside the Update or View callback that received it.
type Tx struct {
	tx *bolt.Tx
	s  *Store
	// jobFacts caches the completed jobs that seed records reference
	// (seeds.go: distJob).
	jobFacts map[uint64]distJobFacts
}

// Writable reports whether this is an Update transaction.
func (t *Tx) Writable() bool { return t.tx.Writable() }

// Seal is Store.Seal, for use inside a transaction.
func (t *Tx) Seal(plaintext, aad []byte) ([]byte, error) { return t.s.Seal(plaintext, aad) }

// Unseal is Store.Unseal, for use inside a transaction.
func (t *Tx) Unseal(sealed, aad []byte) ([]byte, error) { return t.s.Unseal(sealed, aad) }

// Update runs fn in one read-write transaction: everything fn writes,
// including audit records, commits together or not at all.
func (s *Store) Update(fn func(tx *Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

// View runs fn in a read-only transaction. Keep it short: a long read
// transaction stops bbolt from reusing pages and makes the file grow.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
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

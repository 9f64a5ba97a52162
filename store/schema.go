// Package store is swtoken's persistence layer and the only package that
// imports bbolt. It owns the on-disk layout (data directory, database, store
// key, holder information), the bucket schema and its migrations, sealing of
// secrets, and the hash-chained audit trail.
//
// # Schema
//
// This comment is THE description of the bucket tree (containerd style). Any
// change to the tree or to a value encoding must be reflected here and, once a
// release has shipped, must come with a new entry in [migrations] and a bump of
// [SchemaVersion]. Keys written as <u64> are 8-byte big-endian integers, so that
// byte order equals numeric order for cursors. Values written as JSON carry a
// "v" (record version) field so that a record can evolve without a schema
// migration when a new field has a sensible zero value.
//
//	meta/                                 store-wide facts, one key each
//	  schema_version   -> <u64>           version of this tree; see SchemaVersion
//	  created_at       -> RFC 3339 (UTC)  when migration 1 ran
//	  install_id       -> 32 hex chars    random id of this installation
//	  key_id           -> 32 hex chars    HKDF fingerprint of the store key; a
//	                                      different key file is refused at open
//	  audit_head       -> JSON auditHead  seq and MAC of the newest audit record,
//	                                      itself MACed, so truncation is detected
//	  signing_key      -> sealed bytes    the installation's RSA key for SDTID
//	                                      trailers (PKCS#1 or PKCS#8 DER), sealed
//	                                      with AAD "meta:signing_key"; set once
//	                                      (signing.go)
//	  change_counter   -> <u64>           raised by every write transaction
//	                                      (changes.go); absent means 0
//	  signing_cert     -> DER bytes       its X.509 certificate, in the clear
//	  install_name     -> ASCII text      optional short name of the
//	                                      installation, the SDTID header Origin;
//	                                      absent means "swtoken-" + the first 8
//	                                      hex digits of install_id
//	                                      (distribution.go: InstallName)
//	audit/                                append-only, hash-chained (audit.go)
//	  <u64 seq>        -> JSON AuditRecord  seq starts at 1, no gaps
//	tokens/                               token inventory (tokens.go)
//	  <SerialKey>      -> JSON tokenRecord  key: model.SerialKey(serial), the
//	                                        serial zero-padded to 12 digits, so
//	                                        byte order is numeric order and two
//	                                        spellings of one number ("0123",
//	                                        "123") cannot both exist. The value
//	                                        keeps the serial as written, kind,
//	                                        dates ("YYYY-MM-DD", UTC calendar
//	                                        days), enabled flags and user; it
//	                                        holds no secret and no history
//	seeds/                                key material and issue history
//	                                      (seeds.go), one record per token
//	  <SerialKey>      -> binary seedRecord exactly the keys of tokens/ (no
//	                                      orphans, none missing); the store
//	                                      assembles model.Token from both with
//	                                      two cursors in step. Layout:
//	                                      version(1)=1, algorithm(1: 1 AES-128,
//	                                      2 SID-64), digits(1), interval(1),
//	                                      flags(1: bit 0 AddPIN), len(1) and the
//	                                      seed sealed with AAD "seed:"+serial as
//	                                      written, uvarint times distributed,
//	                                      then the last distribution's form(1):
//	                                      0 none; 1 a completed job, uvarint job
//	                                      id (its name, end time, binding and
//	                                      nickname are the job's; the job's
//	                                      selection holds the token); 2 written
//	                                      out: varint unix-ns time (0 = none),
//	                                      then uvarint-length-prefixed binding
//	                                      kind, job name, binding, nickname.
//	                                      Digits, interval and AddPIN are the
//	                                      code settings of the file handed out
//	                                      last, or of the imported file (0 =
//	                                      unknown). A job's commit rewrites only
//	                                      these records (about 60 bytes each)
//	tokens_by_user/                       index of assignments, kept in the same
//	                                      tx as the token (flat, no sub-buckets)
//	  <user id> 0x00 <SerialKey> -> empty  one key per assigned token; a user's
//	                                      tokens are a prefix scan. A user ID
//	                                      cannot contain NUL
//	users/                                users (users.go)
//	  <user id>        -> JSON userRecord key: the ID exactly as written
//	                                      (case-sensitive)
//	profiles/                             software token profiles (profiles.go)
//	  <u64 id>         -> JSON profileJSON id from profiles.NextSequence();
//	                                      "revision" is 1 at add and +1 on
//	                                      every edit that changes something.
//	                                      An edit or delete names the id and
//	                                      revision it loaded and is refused
//	                                      (ConflictError) when they differ
//	                                      (compare-and-swap, conflict.go)
//	profiles_by_name/                     uniqueness index and name order
//	  <model.NameKey(name)> -> <u64 id>
//	settings/                             self-service settings (settings.go)
//	  selfservice      -> JSON settingsJSON saved atomically, all or nothing;
//	                                      entries name profiles by name (a
//	                                      profile rename renames its entry).
//	                                      "revision" is +1 on every write (a
//	                                      save, or a profile rename or delete
//	                                      that rewrites an entry); absent
//	                                      means 0, as does no record at all.
//	                                      A save hands back the revision it
//	                                      loaded (model.Settings.Revision)
//	                                      and is refused (ConflictError) when
//	                                      it is not the stored one
//	jobs/                                 distribution jobs (jobs.go)
//	  <u64 id>         -> JSON jobJSON    id from jobs.NextSequence(); the spec
//	                                      names its profile by name (a profile
//	                                      rename carries over); a pending job
//	                                      password is sealed with AAD
//	                                      "jobpw:"+<decimal id> until the job
//	                                      ends (engine). "output" is relative
//	                                      to the data directory, always
//	                                      "outputs/<decimal id>.zip" (version
//	                                      2; absolute before, see migrateV2)
//	jobs_by_name/                         uniqueness index
//	  <model.NameKey(job name)> -> <u64 id>
//	jobs_tokens/                          frozen selections (distribution.go)
//	  <u64 job id>/                       one sub-bucket per job, written once
//	                                      at submit in the job's transaction
//	    <SerialKey> -> serial as written  the tokens the job distributes, in
//	                                      serial order. Kept after the job ends:
//	                                      it is the record of what it touched
//	jobs_passwords/                       pending job passwords (distribution.go)
//	  <u64 job id>     -> sealed bytes    the admin password of a job in mode
//	                                      password or userid+password, sealed
//	                                      with AAD "jobpw:"+<decimal id>; deleted
//	                                      in the transaction that ends the job
//	                                      (completed, failed or canceled)
//	requests/                             self-service requests (requests.go;
//	                                      version 3)
//	  <u64 seq>        -> JSON requestJSON  seq from requests.NextSequence(),
//	                                      the ID is "R-"+seq; user, kind,
//	                                      profile by name, binding, state,
//	                                      approvals, deferrals, history;
//	                                      "revision" +1 on every write
//	                                      (compare-and-swap of decisions)
//	requests_by_user/                     per-user index (open-request rule)
//	  <user ID> 0x00 <u64 seq> -> empty
//	requests_passwords/                   token-file passwords of open requests
//	  <u64 seq>        -> sealed bytes    sealed with AAD "requestpw:"+<decimal
//	                                      seq>; deleted in the transaction that
//	                                      ends the request (DestroyRequestSecret)
//
// Buckets created by the first write that needs them (a store without
// them reads as empty; no migration): requests_deliveries (fulfil.go),
// user_keys and user_keys_by_fingerprint (userkeys.go), enrollments
// (enroll.go), requests_show and requests_shown (showtoken.go),
// requests_notices (notices.go); each file describes its keys and values.
//
// A job's output lives in <data dir>/outputs/<u64 job id as decimal>.zip and
// is written as <id>.zip.tmp first; the commit transaction (Store.CommitJob)
// gives every selected token a new seed record (new sealed seed, AES-128,
// count+1, the job's id, the profile's code settings) and marks the job
// Completed with the output's path, size and SHA-256, only after the ZIP was
// fsynced and renamed into place, with one "job completion" audit record.
// The job record's output_size, output_sha256 and output_deleted (RFC 3339)
// fields describe the output. The path is stored relative to the data
// directory and resolved against wherever the directory is now
// ([Store.OutputFile]), so a copied, moved or restored data directory acts
// on its own ZIPs only; a stored path other than the job's own
// outputs/<id>.zip (absolute, leaving the directory, or another file) is
// refused when read, never acted on.
//
// Every JSON value above has a "v" field (1 for all of them today), and the
// binary seed record a version byte; a record without it, or with a higher
// one than this binary knows, is refused when read rather than misread.
//
// Output ZIPs never go into bbolt (bbolt never shrinks its file); they live in
// <data dir>/outputs and jobs only keep their path, size and hash.
//
// Rules for code added on top of this file:
//   - Every write goes through [Store.Update] so that the domain change and its
//     audit record ([Tx.AppendAudit]) commit in one transaction.
//   - Values returned by bbolt are only valid inside the transaction; getJSON
//     decodes them, which copies.
//   - Secrets are stored only as the output of [Store.Seal], with an AAD that
//     names the record, and never reach the audit trail, errors or logs.
//   - Store methods that change something (Assign, AddProfile, SaveSettings,
//     ImportTokens, ...) write their own audit record. The Tx building blocks
//     ([Tx.PutToken], [Tx.PutUser], [Tx.CreateJob], [Tx.PutJob]) check and
//     write the record and its indexes but do not audit: their caller appends
//     the record that describes its change, in the same transaction.
//   - A change that changes nothing (a no-op settings save or profile edit,
//     an auto-assign or import with nothing to do) writes nothing, not even
//     an audit record.
//   - [Store.Check] (check.go) verifies the invariants of this tree: every
//     index agrees with the records it indexes, at most
//     model.MaxTokensPerUser tokens per user, seeds sealed for their
//     serial, references by name resolve, the audit chain is intact. A new
//     bucket or index gets its check there too.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the version of the bucket tree this binary writes. A store
// with a higher version is refused (see [SchemaTooNewError]) rather than
// half-understood.
const SchemaVersion uint64 = 3

// Top-level bucket names. Declared once here, like etcd's schema package, so
// that a typo cannot silently create a second bucket.
var (
	bucketMeta           = []byte("meta")
	bucketAudit          = []byte("audit")
	bucketTokens         = []byte("tokens")
	bucketSeeds          = []byte("seeds")
	bucketTokensByUser   = []byte("tokens_by_user")
	bucketUsers          = []byte("users")
	bucketProfiles       = []byte("profiles")
	bucketProfilesByName = []byte("profiles_by_name")
	bucketSettings       = []byte("settings")
	bucketJobs           = []byte("jobs")
	bucketJobsByName     = []byte("jobs_by_name")
	bucketJobsTokens     = []byte("jobs_tokens")
	bucketJobsPasswords  = []byte("jobs_passwords")

	bucketRequests          = []byte("requests")
	bucketRequestsByUser    = []byte("requests_by_user")
	bucketRequestsPasswords = []byte("requests_passwords")

	bucketRequestsDeliveries = []byte("requests_deliveries")
)

// Keys in the meta bucket.
var (
	metaSchemaVersion = []byte("schema_version")
	metaCreatedAt     = []byte("created_at")
	metaInstallID     = []byte("install_id")
	metaKeyID         = []byte("key_id")
	metaAuditHead     = []byte("audit_head")
	metaSigningKey    = []byte("signing_key")  // sealed; see signing.go
	metaSigningCert   = []byte("signing_cert") // DER, in the clear
	metaInstallName   = []byte("install_name") // optional; see InstallName
)

// allBuckets is every top-level bucket of the current schema.
var allBuckets = [][]byte{
	bucketMeta, bucketAudit, bucketTokens, bucketSeeds, bucketTokensByUser, bucketUsers,
	bucketProfiles, bucketProfilesByName, bucketSettings, bucketJobs, bucketJobsByName,
	bucketJobsTokens, bucketJobsPasswords,
	bucketRequests, bucketRequestsByUser, bucketRequestsPasswords,
}

// migration moves the store from version to-1 to version to. Migrations run
// in order, all in ONE bbolt transaction at open, so a crash or an error
// leaves the store at its old version and the next open tries again.
type migration struct {
	to    uint64
	name  string
	apply func(tx *bolt.Tx, s *Store) error
}

// migrations is append-only once a release has shipped. Before the first
// release, new buckets may simply be added to migration 1.
var migrations = []migration{
	{to: 1, name: "create buckets and store identity", apply: migrateV1},
	{to: 2, name: "job output paths relative to the data directory", apply: migrateV2},
	{to: 3, name: "self-service request buckets", apply: migrateV3},
}

// requestBuckets are the buckets version 3 added.
var requestBuckets = [][]byte{bucketRequests, bucketRequestsByUser, bucketRequestsPasswords}

// migrateV3 creates the self-service request buckets. Nothing else
// changes: a settings record without "approval_policy" reads as
// model.DefaultApprovalPolicy. Running it again changes nothing.
func migrateV3(tx *bolt.Tx, _ *Store) error {
	for _, name := range requestBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

func migrateV1(tx *bolt.Tx, s *Store) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	// Identity values are written only if absent so that re-running the
	// migration (for example after an earlier failed attempt) cannot change
	// them.
	if meta.Get(metaCreatedAt) == nil {
		if err := meta.Put(metaCreatedAt, []byte(s.now().Format(timeLayout))); err != nil {
			return err
		}
	}
	if meta.Get(metaInstallID) == nil {
		id, err := randomHex(16)
		if err != nil {
			return err
		}
		if err := meta.Put(metaInstallID, []byte(id)); err != nil {
			return err
		}
	}
	if meta.Get(metaKeyID) == nil {
		if err := meta.Put(metaKeyID, []byte(s.keys.id)); err != nil {
			return err
		}
	}
	return nil
}

// migrateV2 rewrites the absolute output path that version 1 recorded in
// each job ("/var/lib/swtoken/outputs/12.zip") to the form relative to the
// data directory ("outputs/12.zip"). The job's output name is
// deterministic, so any absolute path that ends in /outputs/<its id>.zip is
// rewritten whatever directory it named: the store may have been copied,
// moved or restored from a backup before the upgrade, and its ZIP is the
// one beside it now. Everything else is left as it is:
//   - no output, or a relative path: nothing to do (this makes the
//     migration idempotent);
//   - an absolute path that does not end in the job's own name (no swtoken
//     wrote that, so the record is damaged): the migration does not guess.
//     The record keeps its evidence, Store.OutputFile refuses it with a
//     specific error, and Check reports it, so nothing outside the data
//     directory is ever read or deleted through it;
//   - a record that is not JSON: left for the readers, which refuse it as
//     they did before the upgrade.
//
// Only the "output" member changes; every other member is kept as stored.
func migrateV2(tx *bolt.Tx, _ *Store) error {
	b := tx.Bucket(bucketJobs)
	if b == nil {
		return errors.New("bucket jobs is missing: the store is damaged")
	}
	type change struct{ key, value []byte }
	var changes []change
	// bbolt cursors must not see writes: collect first, then write.
	err := b.ForEach(func(k, v []byte) error {
		if v == nil || len(k) != 8 {
			return nil
		}
		var rec map[string]json.RawMessage
		if json.Unmarshal(v, &rec) != nil {
			return nil
		}
		var out string
		if raw, ok := rec["output"]; !ok || json.Unmarshal(raw, &out) != nil || !filepath.IsAbs(out) {
			return nil
		}
		rel := JobOutputName(btoi(k))
		if !strings.HasSuffix(filepath.ToSlash(out), "/"+rel) {
			return nil
		}
		raw, err := json.Marshal(rel)
		if err != nil {
			return err
		}
		rec["output"] = raw
		nv, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		changes = append(changes, change{bytes.Clone(k), nv})
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := b.Put(c.key, c.value); err != nil {
			return fmt.Errorf("job %d: %w", btoi(c.key), err)
		}
	}
	return nil
}

// timeLayout is how times are written in meta and the holder file: UTC with
// nanoseconds, so that values sort and compare as text.
const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"

// SchemaTooNewError is returned by [Open] when the store was written by a
// newer swtoken. Opening it would risk misreading or damaging data that this
// binary does not understand, so nothing is touched.
type SchemaTooNewError struct {
	Path      string
	Found     uint64
	Supported uint64
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("store %s has schema version %d, but this swtoken supports up to version %d: use a newer swtoken",
		e.Path, e.Found, e.Supported)
}

// ErrUpgradeNeeded is wrapped when a read-only open finds a store with an
// older schema version: only a read-write open migrates it.
var ErrUpgradeNeeded = errors.New("needs an upgrade")

// readSchemaVersion returns 0 for a store that has never been migrated
// (a brand-new bbolt file).
func readSchemaVersion(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(metaSchemaVersion)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, errors.New("meta/schema_version is malformed: the store is damaged")
	}
	return btoi(v), nil
}

// migrate brings the store to SchemaVersion. It does not open a write
// transaction when the store is already current, so reopening an up-to-date
// store never touches the file.
func (s *Store) migrate(current uint64) error {
	if current == SchemaVersion {
		return nil
	}
	if s.readOnly {
		return fmt.Errorf("store %s has schema version %d and %w to %d: open it once without read-only mode",
			s.dbPath, current, ErrUpgradeNeeded, SchemaVersion)
	}
	// Open holds the store exclusively while it migrates: s.db is its handle.
	return s.db.Update(func(tx *bolt.Tx) error {
		// Re-read inside the write transaction: this is the authoritative value.
		v, err := readSchemaVersion(tx)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return &SchemaTooNewError{Path: s.dbPath, Found: v, Supported: SchemaVersion}
		}
		for _, m := range migrations {
			if m.to <= v {
				continue
			}
			if err := m.apply(tx, s); err != nil {
				return fmt.Errorf("schema migration to version %d (%s): %w", m.to, m.name, err)
			}
			v = m.to
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(metaSchemaVersion, itob(v))
	})
}

// ---- generic helpers for the domain code built on top of this schema ----

// itob encodes a sequence or id as an 8-byte big-endian key.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// btoi decodes an 8-byte big-endian key. Callers must check the length when
// the bytes come from disk (it panics on a short slice).
func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// getBucket walks a path of nested buckets and returns nil if any is missing.
func getBucket(tx *bolt.Tx, keys ...[]byte) *bolt.Bucket {
	if len(keys) == 0 {
		return nil
	}
	b := tx.Bucket(keys[0])
	for _, k := range keys[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(k)
	}
	return b
}

// createBucketIfNotExists walks and creates a path of nested buckets.
func createBucketIfNotExists(tx *bolt.Tx, keys ...[]byte) (*bolt.Bucket, error) {
	if len(keys) == 0 {
		return nil, errors.New("createBucketIfNotExists: no bucket name")
	}
	b, err := tx.CreateBucketIfNotExists(keys[0])
	if err != nil {
		return nil, err
	}
	for _, k := range keys[1:] {
		if b, err = b.CreateBucketIfNotExists(k); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// putJSON stores v as JSON under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// getJSON decodes the value under key into v. It reports false when the key
// is absent. Decoding copies, so v stays valid after the transaction ends.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	if b == nil {
		return false, nil
	}
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

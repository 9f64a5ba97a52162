package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// ErrNotFound is wrapped by every lookup that finds nothing, with the
// specifics: errors.Is(err, ErrNotFound) tells "missing" from "broken".
var ErrNotFound = errors.New("not found")

// SeedLen is the length of a clear token seed (sdtid-format.md: exactly 16
// bytes, also for SID-64 tokens, which use 8 of them).
const SeedLen = 16

// SeedAAD is the additional data a token seed is sealed with. It names the
// serial exactly as stored (leading zeros included), so a sealed seed copied
// to another token cannot be opened.
func SeedAAD(serial string) []byte { return []byte("seed:" + serial) }

// SealSeed seals a clear seed for the token with this serial. Callers that
// read seeds from files seal them the moment they read them and clear their
// copy; the clear seed never reaches the store in any other form.
func (s *Store) SealSeed(serial string, seed []byte) ([]byte, error) {
	if len(seed) != SeedLen {
		return nil, fmt.Errorf("token %s: the seed has %d bytes, want exactly %d", serial, len(seed), SeedLen)
	}
	if err := model.ValidateSerial(serial, model.KindHardware); err != nil {
		return nil, fmt.Errorf("token %q: %w", serial, err)
	}
	return s.Seal(seed, SeedAAD(serial))
}

// UnsealSeed returns the clear seed of t. The caller clears it after use.
// A seed sealed for another serial, under another store key or damaged fails
// with an error wrapping ErrUnseal.
func (s *Store) UnsealSeed(t model.Token) ([]byte, error) {
	seed, err := s.Unseal(t.SealedSeed, SeedAAD(t.Serial))
	if err != nil {
		return nil, fmt.Errorf("token %s: %w", t.Serial, err)
	}
	return seed, nil
}

// checkSealedSeed makes sure a token carries a seed sealed for its own
// serial: a clear seed or one sealed for another record is refused before it
// is stored. The clear value is cleared at once.
func (s *Store) checkSealedSeed(t model.Token) error {
	if len(t.SealedSeed) == 0 {
		return fmt.Errorf("token %s: the seed is missing", t.Serial)
	}
	seed, err := s.Unseal(t.SealedSeed, SeedAAD(t.Serial))
	if err != nil {
		return fmt.Errorf("token %s: the seed is not sealed for this serial with this store's key", t.Serial)
	}
	n := len(seed)
	clear(seed)
	if n != SeedLen {
		return fmt.Errorf("token %s: the sealed seed has %d bytes, want exactly %d", t.Serial, n, SeedLen)
	}
	return nil
}

// ---- encoding ----

const tokenRecordVersion = 1

// tokenRecord is the stored form of a token's descriptive part
// (tokens/<SerialKey>). Dates are calendar days (model.Date) written as
// YYYY-MM-DD. The algorithm, the sealed seed and the distribution history
// live in seeds/<SerialKey> (seeds.go); the store assembles model.Token
// from both.
type tokenRecord struct {
	V              int             `json:"v"`
	Serial         string          `json:"serial"`
	Kind           model.TokenKind `json:"kind"`
	Birth          string          `json:"birth,omitempty"`
	Death          string          `json:"death"`
	Enabled        bool            `json:"enabled"`
	EnabledByAdmin bool            `json:"enabled_by_admin,omitempty"`
	User           string          `json:"user,omitempty"`
}

func formatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return model.Date(t).Format(time.DateOnly)
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func encodeToken(t model.Token) tokenRecord {
	return tokenRecord{
		V: tokenRecordVersion, Serial: t.Serial, Kind: t.Kind,
		Birth: formatDay(t.Birth), Death: formatDay(t.Death),
		Enabled: t.Enabled, EnabledByAdmin: t.EnabledSetByAdmin, User: t.AssignedUser,
	}
}

// decodeTokenRecord decodes tokens/<key> alone: the returned token has no
// algorithm, seed or distribution (Tx.applySeedRecord adds them).
func decodeTokenRecord(key, data []byte) (model.Token, error) {
	var r tokenRecord
	if decodeTokenRecordFast(data, &r) {
		if err := checkRecordVersion("token", key, r.V, tokenRecordVersion); err != nil {
			return model.Token{}, err
		}
	} else {
		r = tokenRecord{}
		if err := unmarshalRecord("token", key, data, &r, &r.V, tokenRecordVersion); err != nil {
			return model.Token{}, err
		}
	}
	t := model.Token{
		Serial: r.Serial, Kind: r.Kind,
		Enabled: r.Enabled, EnabledSetByAdmin: r.EnabledByAdmin, AssignedUser: r.User,
	}
	var err error
	if t.Birth, err = parseDay(r.Birth); err != nil {
		return t, fmt.Errorf("token %s: stored birth date %q is unreadable", r.Serial, r.Birth)
	}
	if t.Death, err = parseDay(r.Death); err != nil {
		return t, fmt.Errorf("token %s: stored death date %q is unreadable", r.Serial, r.Death)
	}
	return t, nil
}

// assemble builds a token from its token record and its seed record (nil
// when missing, which is damage).
func (t *Tx) assemble(key, tv, sv []byte) (model.Token, error) {
	tok, err := decodeTokenRecord(key, tv)
	if err != nil {
		return tok, err
	}
	return tok, t.applySeedRecord(&tok, key, sv)
}

// tokenCursor walks tokens/ and seeds/ together in key order (both hold
// exactly the same keys), assembling one token at a time.
type tokenCursor struct {
	t      *Tx
	tc, sc *bolt.Cursor
	k, v   []byte // current token record
	sk, sv []byte // the seeds cursor's position
}

func (t *Tx) tokenCursor() *tokenCursor {
	return &tokenCursor{t: t, tc: t.tx.Bucket(bucketTokens).Cursor(), sc: t.tx.Bucket(bucketSeeds).Cursor()}
}

func (c *tokenCursor) first() []byte {
	c.k, c.v = c.tc.First()
	return c.k
}

func (c *tokenCursor) seek(key []byte) []byte {
	c.k, c.v = c.tc.Seek(key)
	return c.k
}

func (c *tokenCursor) next() []byte {
	c.k, c.v = c.tc.Next()
	return c.k
}

// token assembles the token at the cursor.
func (c *tokenCursor) token() (model.Token, error) {
	if c.sk == nil || !bytes.Equal(c.sk, c.k) {
		// In step, the seeds cursor is one key behind: Next finds it.
		if c.sk != nil && bytes.Compare(c.sk, c.k) < 0 {
			c.sk, c.sv = c.sc.Next()
		}
		if c.sk == nil || !bytes.Equal(c.sk, c.k) {
			c.sk, c.sv = c.sc.Seek(c.k)
		}
	}
	var sv []byte
	if c.sk != nil && bytes.Equal(c.sk, c.k) {
		sv = c.sv
	}
	return c.t.assemble(c.k, c.v, sv)
}

// ---- tokens_by_user index ----

// userIndexPrefix is the key prefix of one user's entries in tokens_by_user:
// the user ID and a NUL byte, which a valid user ID cannot contain.
func userIndexPrefix(userID string) []byte {
	k := make([]byte, 0, len(userID)+1+model.SoftwareSerialLen)
	k = append(k, userID...)
	return append(k, 0)
}

func userIndexKey(userID, serial string) []byte {
	return append(userIndexPrefix(userID), model.SerialKey(serial)...)
}

// userTokenKeys returns the SerialKeys of the user's tokens, in serial order.
func (t *Tx) userTokenKeys(userID string) [][]byte {
	prefix := userIndexPrefix(userID)
	var out [][]byte
	c := t.tx.Bucket(bucketTokensByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, bytes.Clone(k[len(prefix):]))
	}
	return out
}

// userTokenCount counts the tokens (software and hardware) a user holds.
func (t *Tx) userTokenCount(userID string) int { return len(t.userTokenKeys(userID)) }

// ---- transaction-level access ----

// checkSerialArg refuses a serial argument that cannot name any token.
func checkSerialArg(serial string) error {
	if serial != strings.TrimSpace(serial) {
		return fmt.Errorf("token %q: the serial has surrounding spaces", serial)
	}
	if _, err := model.ParseSerial(serial); err != nil {
		return fmt.Errorf("token %q: %w", serial, err)
	}
	return nil
}

// tokenAt returns the token stored under a SerialKey.
func (t *Tx) tokenAt(key []byte) (model.Token, bool, error) {
	v := t.tx.Bucket(bucketTokens).Get(key)
	if v == nil {
		return model.Token{}, false, nil
	}
	tok, err := t.assemble(key, v, t.tx.Bucket(bucketSeeds).Get(key))
	return tok, true, err
}

// Token returns the token with exactly this serial. Serials are kept as
// given, so "0123" and "123" are different spellings; because they are the
// same number only one of them can exist, and the error for the other says
// which one does.
func (t *Tx) Token(serial string) (model.Token, error) {
	if err := checkSerialArg(serial); err != nil {
		return model.Token{}, err
	}
	tok, found, err := t.tokenAt([]byte(model.SerialKey(serial)))
	switch {
	case err != nil:
		return model.Token{}, err
	case !found:
		return model.Token{}, fmt.Errorf("token %s: %w", serial, ErrNotFound)
	case tok.Serial != serial:
		return model.Token{}, fmt.Errorf("token %s: %w (token %s has the same number; serials are kept as written, leading zeros included)",
			serial, ErrNotFound, tok.Serial)
	}
	return tok, nil
}

// PutToken creates or replaces a token. It validates the record
// (model.Token.Validate), requires a seed sealed for this serial, refuses a
// serial that is numerically equal to a differently written one, and for a
// new assignment checks that the user exists and may hold another token
// (model.CheckAssign). The tokens_by_user index follows in the same
// transaction. PutToken writes no audit record: the caller does, with
// details that describe its change.
func (t *Tx) PutToken(tok model.Token) error {
	if err := tok.Validate(); err != nil {
		return fmt.Errorf("token %s: %w", tok.Serial, err)
	}
	if err := t.s.checkSealedSeed(tok); err != nil {
		return err
	}
	key := []byte(model.SerialKey(tok.Serial))
	old, found, err := t.tokenAt(key)
	if err != nil {
		return err
	}
	if found && old.Serial != tok.Serial {
		return fmt.Errorf("token %s: token %s already has the same number (serials compare numerically)", tok.Serial, old.Serial)
	}
	if tok.AssignedUser != "" && tok.AssignedUser != old.AssignedUser {
		if err := t.checkCanTake(old, tok.AssignedUser); err != nil {
			return err
		}
	}
	return t.writeToken(key, old.AssignedUser, tok)
}

// checkCanTake is the storage side of an assignment: the user must exist,
// and model.CheckAssign decides with the user's current token count. cur is
// the token as stored now (zero when new).
func (t *Tx) checkCanTake(cur model.Token, userID string) error {
	if err := model.ValidateUserID(userID); err != nil {
		return err
	}
	if _, err := t.User(userID); err != nil {
		return err
	}
	return model.CheckAssign(cur, userID, t.userTokenCount(userID))
}

// writeToken stores tok under key (its token record and, when it changed,
// its seed record) and moves its index entry from oldUser.
func (t *Tx) writeToken(key []byte, oldUser string, tok model.Token) error {
	if err := t.checkNotInUnfinishedJob(tok.Serial); err != nil {
		return err
	}
	if err := putJSON(t.tx.Bucket(bucketTokens), key, encodeToken(tok)); err != nil {
		return err
	}
	sb := t.tx.Bucket(bucketSeeds)
	prev := sb.Get(key)
	r, err := t.seedRecordFor(key, tok, prev)
	if err != nil {
		return err
	}
	rec, err := appendSeedRecord(nil, &r)
	if err != nil {
		return fmt.Errorf("token %s: %w", tok.Serial, err)
	}
	if !bytes.Equal(rec, prev) {
		if err := sb.Put(key, rec); err != nil {
			return err
		}
	}
	if oldUser == tok.AssignedUser {
		return nil
	}
	idx := t.tx.Bucket(bucketTokensByUser)
	if oldUser != "" {
		if err := idx.Delete(userIndexKey(oldUser, tok.Serial)); err != nil {
			return err
		}
	}
	if tok.AssignedUser != "" {
		return idx.Put(userIndexKey(tok.AssignedUser, tok.Serial), nil)
	}
	return nil
}

// TokenInJobError refuses a change to a token that a queued or running job
// holds: the job will write its file from the token as it was frozen, and
// the consistency rule (product.md sections 2 and 10) allows no other
// change until the job ends.
type TokenInJobError struct {
	Serial string
	Job    string
	State  model.JobState
}

func (e *TokenInJobError) Error() string {
	return fmt.Sprintf("token %s is in job %q (%s), which has not ended: it cannot be changed until the job ends (wait for it, or cancel it)",
		e.Serial, e.Job, e.State)
}

// checkNotInUnfinishedJob is writeToken's guard (TokenInJobError).
func (t *Tx) checkNotInUnfinishedJob(serial string) error {
	if t.heldBy == nil {
		held, err := t.UnfinishedJobHolder()
		if err != nil {
			return err
		}
		t.heldBy = held
	}
	if j, ok := t.heldBy(serial); ok {
		return &TokenInJobError{Serial: serial, Job: j.Name, State: j.State}
	}
	return nil
}

// ScanTokens calls fn for every token whose serial lies numerically between
// from and to (inclusive; "" leaves that end open), in serial order, one
// decoded token at a time. fn runs inside the transaction and must not
// start another one; an error from fn stops the scan and is returned.
func (t *Tx) ScanTokens(from, to string, fn func(model.Token) error) error {
	var hi []byte
	if to != "" {
		hi = []byte(model.SerialKey(to))
	}
	c := t.tokenCursor()
	var k []byte
	if from == "" {
		k = c.first()
	} else {
		k = c.seek([]byte(model.SerialKey(from)))
	}
	for n := 1; k != nil; k, n = c.next(), n+1 {
		if hi != nil && bytes.Compare(k, hi) > 0 {
			break
		}
		if n%releaseEvery == 0 {
			t.releaseMapped()
		}
		tok, err := c.token()
		if err != nil {
			return err
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
	return nil
}

// ---- store-level queries ----

// Token returns the token with exactly this serial (see Tx.Token).
func (s *Store) Token(serial string) (tok model.Token, err error) {
	err = s.View(func(tx *Tx) error {
		tok, err = tx.Token(serial)
		return err
	})
	return tok, err
}

// TokensInRange returns the tokens from..to inclusive, compared numerically
// (model.SerialKey), in serial order. A malformed end or from > to is a
// model.FieldErrors naming the field.
func (s *Store) TokensInRange(from, to string) ([]model.Token, error) {
	c := model.Criteria{From: from, To: to}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	lo, hi, _ := c.RangeKeys()
	var out []model.Token
	err := s.View(func(tx *Tx) error {
		return tx.ScanTokens(lo, hi, func(t model.Token) error {
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

// releaseEvery is how many tokens a long scan reads between two
// releaseMapped calls.
const releaseEvery = 4096

// scanChunk is how many records EachToken and EachUser decode per read
// transaction.
const scanChunk = 512

// walkChunks is the loop behind every streaming walk (EachUser, EachToken,
// EachJobToken). It does not hold one read transaction for the whole walk:
// read appends up to limit items that come after the key after (nil: from
// the start) to buf in one short transaction and returns the last key it
// read; fn then runs on each item outside any transaction (so fn may use
// the store), and the walk goes on after that key. The first chunk has
// firstLimit items, the others limit; a short chunk ends the walk. Memory
// stays bounded for any size, and the mapped pages a chunk touched are
// released (releaseMapped). The walk is not a snapshot: a record changed
// during it is seen either before or after the change.
func walkChunks[T any](s *Store, firstLimit, limit int,
	read func(tx *Tx, after []byte, limit int, buf []T) ([]T, []byte, error), fn func(T) error) error {
	return walkChunksPatiently(onceOnly, s, firstLimit, limit, read, fn)
}

// walkChunksPatiently is walkChunks whose chunk reads wait (Patiently)
// while another process holds the store, until patient ends; nil waits
// as any operation does (the lock wait).
func walkChunksPatiently[T any](patient context.Context, s *Store, firstLimit, limit int,
	read func(tx *Tx, after []byte, limit int, buf []T) ([]T, []byte, error), fn func(T) error) error {
	var after []byte
	buf := make([]T, 0, max(firstLimit, limit))
	for n := firstLimit; ; n = limit {
		err := Patiently(patient, func() error {
			return s.View(func(tx *Tx) error {
				var last []byte
				var err error
				buf, last, err = read(tx, after, n, buf[:0])
				if last != nil {
					after = bytes.Clone(last) // last points into the mapped file
				}
				tx.releaseMapped()
				return err
			})
		})
		if err != nil {
			return err
		}
		for _, item := range buf {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(buf) < n {
			return nil
		}
	}
}

// seekAfter positions c on the first key after after (the first key when
// after is nil).
func seekAfter(c *bolt.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return c.First()
	}
	if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
		return c.Next()
	}
	return k, v
}

// eachChunked streams a bucket in key order (walkChunks), decoding each
// record with decode.
func eachChunked[T any](s *Store, bucket []byte, decode func(k, v []byte) (T, error), fn func(T) error) error {
	return walkChunks(s, scanChunk, scanChunk, func(tx *Tx, after []byte, limit int, buf []T) ([]T, []byte, error) {
		var last []byte
		c := tx.tx.Bucket(bucket).Cursor()
		for k, v := seekAfter(c, after); k != nil && len(buf) < limit; k, v = c.Next() {
			item, err := decode(k, v)
			if err != nil {
				return buf, nil, err
			}
			buf = append(buf, item)
			last = k
		}
		return buf, last, nil
	}, fn)
}

// EachToken calls fn for every token in serial order, streaming (see
// walkChunks: fn runs outside any transaction and may use the store). An
// error from fn stops the walk and is returned.
func (s *Store) EachToken(fn func(model.Token) error) error {
	return walkChunks(s, scanChunk, scanChunk, func(tx *Tx, after []byte, limit int, buf []model.Token) ([]model.Token, []byte, error) {
		c := tx.tokenCursor()
		var k []byte
		if after == nil {
			k = c.first()
		} else if k = c.seek(after); k != nil && bytes.Equal(k, after) {
			k = c.next()
		}
		var last []byte
		for ; k != nil && len(buf) < limit; k = c.next() {
			tok, err := c.token()
			if err != nil {
				return buf, nil, err
			}
			buf = append(buf, tok)
			last = k
		}
		return buf, last, nil
	}, fn)
}

// filterTokens collects the tokens that keep accepts, in serial order.
func (s *Store) filterTokens(keep func(model.Token) bool) ([]model.Token, error) {
	var out []model.Token
	err := s.EachToken(func(t model.Token) error {
		if keep(t) {
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// TokensByUser returns the user's tokens in serial order; an unknown user is
// ErrNotFound.
func (s *Store) TokensByUser(userID string) (out []model.Token, err error) {
	err = s.View(func(tx *Tx) error {
		out, err = tx.tokensByUser(userID)
		return err
	})
	return out, err
}

// tokensByUser is TokensByUser inside a transaction.
func (t *Tx) tokensByUser(userID string) ([]model.Token, error) {
	var out []model.Token
	if _, err := t.User(userID); err != nil {
		return out, err
	}
	for _, k := range t.userTokenKeys(userID) {
		tok, found, err := t.tokenAt(k)
		if err != nil {
			return out, err
		}
		if !found {
			return out, fmt.Errorf("tokens_by_user lists token %s for %s, but the token is missing: the store is damaged", k, userID)
		}
		out = append(out, tok)
	}
	return out, nil
}

// UnassignedTokens returns every token without a user, in serial order.
func (s *Store) UnassignedTokens() ([]model.Token, error) {
	return s.filterTokens(func(t model.Token) bool { return t.AssignedUser == "" })
}

// ExpiringTokens returns the tokens that are not expired at now and expire
// within days days (model.Token.ExpiresWithin), in serial order.
func (s *Store) ExpiringTokens(now time.Time, days int) ([]model.Token, error) {
	if days < 0 {
		return nil, fmt.Errorf("expiring tokens: days must not be negative (got %d)", days)
	}
	return s.filterTokens(func(t model.Token) bool { return t.ExpiresWithin(now, days) })
}

// CountTokens returns the number of tokens.
func (s *Store) CountTokens() (int, error) { return s.countKeys(bucketTokens) }

func (s *Store) countKeys(bucket []byte) (n int, err error) {
	err = s.viewBolt(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	return n, err
}

// unmarshalRecord decodes a versioned JSON value and refuses a version this
// binary does not know (a newer swtoken wrote it) or a missing one.
func unmarshalRecord(what string, key, data []byte, v any, version *int, current int) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s record %q is unreadable: %w", what, key, err)
	}
	return checkRecordVersion(what, key, *version, current)
}

// checkRecordVersion refuses a record without a version or of a newer one.
func checkRecordVersion(what string, key []byte, version, current int) error {
	switch {
	case version < 1:
		return fmt.Errorf("%s record %q has no record version: the store is damaged", what, key)
	case version > current:
		return fmt.Errorf("%s record %q has record version %d, but this swtoken reads up to %d: use a newer swtoken", what, key, version, current)
	}
	return nil
}

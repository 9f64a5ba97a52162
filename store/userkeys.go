package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Users' SSH public keys (product.md section 13): the keys a user may log in
// to `swtoken serve` with. Two buckets, created by the first write that
// needs them (a store without them reads as "no keys"):
//
//	user_keys/                <user id> 0x00 <fingerprint> -> JSON userKeyJSON
//	user_keys_by_fingerprint/ <fingerprint> -> <user id>
//
// A key names one user: the second bucket is the uniqueness index.

var (
	bucketUserKeys     = []byte("user_keys")
	bucketUserKeysByFP = []byte("user_keys_by_fingerprint")
)

const userKeyRecordVersion = 1

// MaxKeysPerUser bounds the keys one user may have.
const MaxKeysPerUser = 32

// UserKey is a registered public key of a user.
type UserKey struct {
	model.SSHKey
	Added   time.Time
	AddedBy string // the actor
}

type userKeyJSON struct {
	V       int       `json:"v"`
	Type    string    `json:"type"`
	Line    string    `json:"line"`
	Comment string    `json:"comment,omitempty"`
	Added   time.Time `json:"added"`
	AddedBy string    `json:"added_by"`
}

// ErrKeyRegistered is wrapped when a key is registered already (for this
// user or another one).
var ErrKeyRegistered = errors.New("the key is registered already")

func userKeyKey(user, fingerprint string) []byte {
	k := make([]byte, 0, len(user)+1+len(fingerprint))
	k = append(k, user...)
	k = append(k, 0)
	return append(k, fingerprint...)
}

func decodeUserKey(key, data []byte) (UserKey, error) {
	var j userKeyJSON
	if err := unmarshalRecord("user key", key, data, &j, &j.V, userKeyRecordVersion); err != nil {
		return UserKey{}, err
	}
	k, err := model.ParseSSHKey(j.Line)
	if err != nil {
		return UserKey{}, fmt.Errorf("user key record %q: %v: the store is damaged", key, err)
	}
	return UserKey{SSHKey: k, Added: j.Added, AddedBy: j.AddedBy}, nil
}

// NormalizeFingerprint accepts "SHA256:..." or the bare base64 part.
func NormalizeFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if fp != "" && !strings.HasPrefix(fp, "SHA256:") {
		fp = "SHA256:" + fp
	}
	return fp
}

// addUserKey registers k for user (who must exist) in a write transaction,
// without audit, as added by the store's actor.
func (t *Tx) addUserKey(user string, k model.SSHKey) (UserKey, error) {
	return t.addUserKeyBy(user, k, t.s.osUser)
}

// addUserKeyBy is addUserKey with the actor recorded as AddedBy.
func (t *Tx) addUserKeyBy(user string, k model.SSHKey, addedBy string) (UserKey, error) {
	if _, err := t.User(user); err != nil {
		return UserKey{}, err
	}
	// Re-parse: the key must meet today's rules and be in normal form.
	norm, err := model.ParseSSHKey(k.Line)
	if err != nil {
		return UserKey{}, fmt.Errorf("key %s: %w", k.Fingerprint, err)
	}
	if norm.Fingerprint != k.Fingerprint && k.Fingerprint != "" {
		return UserKey{}, fmt.Errorf("key %s: the fingerprint is not the key's (%s)", k.Fingerprint, norm.Fingerprint)
	}
	k = norm
	if owner, ok, err := t.userKeyOwner(k.Fingerprint); err != nil {
		return UserKey{}, err
	} else if ok {
		if owner == user {
			return UserKey{}, fmt.Errorf("key %s: %w for user %s", k.Fingerprint, ErrKeyRegistered, user)
		}
		return UserKey{}, fmt.Errorf("key %s: %w for another user (a key names one user)", k.Fingerprint, ErrKeyRegistered)
	}
	n, err := t.countUserKeys(user)
	if err != nil {
		return UserKey{}, err
	}
	if n >= MaxKeysPerUser {
		return UserKey{}, fmt.Errorf("user %s has %d keys already, the most allowed; remove one first", user, n)
	}
	keys, err := t.tx.CreateBucketIfNotExists(bucketUserKeys)
	if err != nil {
		return UserKey{}, err
	}
	byFP, err := t.tx.CreateBucketIfNotExists(bucketUserKeysByFP)
	if err != nil {
		return UserKey{}, err
	}
	uk := UserKey{SSHKey: k, Added: t.s.now().UTC(), AddedBy: addedBy}
	if err := putJSON(keys, userKeyKey(user, k.Fingerprint), userKeyJSON{V: userKeyRecordVersion, Type: k.Type,
		Line: k.Line, Comment: k.Comment, Added: uk.Added, AddedBy: uk.AddedBy}); err != nil {
		return UserKey{}, err
	}
	if err := byFP.Put([]byte(k.Fingerprint), []byte(user)); err != nil {
		return UserKey{}, err
	}
	return uk, nil
}

// userKeyOwner names the user a key (by fingerprint) is registered for.
func (t *Tx) userKeyOwner(fingerprint string) (string, bool, error) {
	b := t.tx.Bucket(bucketUserKeysByFP)
	if b == nil {
		return "", false, nil
	}
	v := b.Get([]byte(fingerprint))
	if v == nil {
		return "", false, nil
	}
	return string(v), true, nil
}

func (t *Tx) countUserKeys(user string) (int, error) {
	n := 0
	err := t.eachUserKey(user, func(k, _ []byte) error { n++; return nil })
	return n, err
}

// eachUserKey walks the raw records of one user's keys.
func (t *Tx) eachUserKey(user string, fn func(k, v []byte) error) error {
	b := t.tx.Bucket(bucketUserKeys)
	if b == nil {
		return nil
	}
	prefix := append([]byte(user), 0)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// AddUserKey registers a public key for a user: unknown user, key already
// registered (for this or another user: a key names one user) refused;
// audited "user key add" (fingerprint, never needed otherwise).
func (s *Store) AddUserKey(user string, k model.SSHKey) (UserKey, error) {
	var out UserKey
	err := s.Update(func(tx *Tx) error {
		uk, err := tx.addUserKey(user, k)
		if err != nil {
			return err
		}
		out = uk
		return tx.AppendAudit("user key add", "user "+user, uk.Type+" "+uk.Fingerprint)
	})
	return out, err
}

// AddUserKeyFrom registers a public key that the user added themselves
// (the Self-Service Console over SSH): the rules of AddUserKey, the user
// recorded as AddedBy, and how it was added (say "by the user over SSH
// from 192.0.2.7:50122") in the audit record's details after the key:
// "user key add", "user USER", "TYPE FINGERPRINT; HOW".
func (s *Store) AddUserKeyFrom(user string, k model.SSHKey, how string) (UserKey, error) {
	var out UserKey
	err := s.Update(func(tx *Tx) error {
		uk, err := tx.addUserKeyBy(user, k, user)
		if err != nil {
			return err
		}
		out = uk
		details := uk.Type + " " + uk.Fingerprint
		if how = strings.TrimSpace(model.Printable(how)); how != "" {
			details += "; " + how
		}
		return tx.AppendAudit("user key add", "user "+user, details)
	})
	return out, err
}

// AddUserKeys registers several keys of one user in one transaction: all of
// them or none. Each is audited "user key add".
func (s *Store) AddUserKeys(user string, ks []model.SSHKey) ([]UserKey, error) {
	var out []UserKey
	err := s.Update(func(tx *Tx) error {
		out = out[:0]
		for i, k := range ks {
			uk, err := tx.addUserKey(user, k)
			if err != nil {
				if len(ks) > 1 {
					return fmt.Errorf("key %d of %d: %w", i+1, len(ks), err)
				}
				return err
			}
			if err := tx.AppendAudit("user key add", "user "+user, uk.Type+" "+uk.Fingerprint); err != nil {
				return err
			}
			out = append(out, uk)
		}
		return nil
	})
	return out, err
}

// UserKeyGrant is one key to register for one user (AddUsersKeys).
type UserKeyGrant struct {
	User string
	Key  model.SSHKey
}

// AddUsersKeys registers keys of several users in one transaction, all or
// none (the users CSV import's ssh_keys column). A key registered already
// for the same user is left as it is (an import run again adds nothing);
// a key of another user refuses the whole batch with a *KeyGrantError
// naming the grant. It returns how many keys it added.
func (s *Store) AddUsersKeys(grants []UserKeyGrant) (int, error) {
	if len(grants) == 0 {
		return 0, nil
	}
	added := 0
	err := s.Update(func(tx *Tx) error {
		added = 0
		for i, g := range grants {
			if owner, ok, err := tx.userKeyOwner(g.Key.Fingerprint); err != nil {
				return err
			} else if ok && owner == g.User {
				continue
			}
			uk, err := tx.addUserKey(g.User, g.Key)
			if err != nil {
				return &KeyGrantError{Index: i, Err: err}
			}
			if err := tx.AppendAudit("user key add", "user "+g.User, uk.Type+" "+uk.Fingerprint); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}

// KeyGrantError says which grant of AddUsersKeys was refused.
type KeyGrantError struct {
	Index int // 0-based position in the grants
	Err   error
}

func (e *KeyGrantError) Error() string { return e.Err.Error() }
func (e *KeyGrantError) Unwrap() error { return e.Err }

// KeyOwner names the user a key is registered for (by fingerprint, in any
// form NormalizeFingerprint accepts); found is false when it is not.
func (s *Store) KeyOwner(fingerprint string) (user string, found bool, err error) {
	err = s.View(func(tx *Tx) error {
		user, found, err = tx.userKeyOwner(NormalizeFingerprint(fingerprint))
		return err
	})
	return user, found, err
}

// KeyOwners names the user each registered key (by fingerprint) belongs
// to, in one read; fingerprints not registered are absent.
func (s *Store) KeyOwners(fingerprints []string) (map[string]string, error) {
	out := map[string]string{}
	err := s.View(func(tx *Tx) error {
		clear(out)
		for _, fp := range fingerprints {
			if u, ok, err := tx.userKeyOwner(fp); err != nil {
				return err
			} else if ok {
				out[fp] = u
			}
		}
		return nil
	})
	return out, err
}

// RemoveUserKey removes a user's key by fingerprint; audited "user key
// remove". An unknown user or a key the user does not have is ErrNotFound.
func (s *Store) RemoveUserKey(user, fingerprint string) error {
	fp := NormalizeFingerprint(fingerprint)
	return s.Update(func(tx *Tx) error {
		if _, err := tx.User(user); err != nil {
			return err
		}
		keys := tx.tx.Bucket(bucketUserKeys)
		var v []byte
		if keys != nil {
			v = keys.Get(userKeyKey(user, fp))
		}
		if v == nil {
			return fmt.Errorf("user %s has no key %s: %w (see swtoken users keys list %s)", user, fp, ErrNotFound, user)
		}
		uk, err := decodeUserKey(userKeyKey(user, fp), v)
		typ := "key"
		if err == nil {
			typ = uk.Type
		}
		if err := keys.Delete(userKeyKey(user, fp)); err != nil {
			return err
		}
		if byFP := tx.tx.Bucket(bucketUserKeysByFP); byFP != nil {
			if owner := byFP.Get([]byte(fp)); owner != nil && string(owner) == user {
				if err := byFP.Delete([]byte(fp)); err != nil {
					return err
				}
			}
		}
		return tx.AppendAudit("user key remove", "user "+user, typ+" "+fp)
	})
}

// UserKeys returns a user's keys, oldest first. An unknown user is
// ErrNotFound; a user without keys has none.
func (s *Store) UserKeys(user string) (out []UserKey, err error) {
	err = s.View(func(tx *Tx) error {
		out, err = tx.userKeys(user)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userKeys is UserKeys inside a transaction (nil on an error).
func (t *Tx) userKeys(user string) ([]UserKey, error) {
	if _, err := t.User(user); err != nil {
		return nil, err
	}
	var out []UserKey
	err := t.eachUserKey(user, func(k, v []byte) error {
		uk, err := decodeUserKey(k, v)
		if err != nil {
			return err
		}
		out = append(out, uk)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortUserKeys(out)
	return out, nil
}

func sortUserKeys(ks []UserKey) {
	slices.SortStableFunc(ks, func(a, b UserKey) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
}

// UserKeyAuthorized says whether the key (wire: ssh.PublicKey.Marshal()) is
// registered for user: false (nil error) for an unknown user or key, or
// wire bytes that are no key. Read-only, no audit.
func (s *Store) UserKeyAuthorized(user string, wire []byte) (bool, error) {
	k, err := model.SSHKeyFromWire(wire)
	if err != nil {
		return false, nil
	}
	ok := false
	err = s.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketUserKeys)
		if b == nil {
			return nil
		}
		v := b.Get(userKeyKey(user, k.Fingerprint))
		if v == nil {
			return nil
		}
		uk, err := decodeUserKey(userKeyKey(user, k.Fingerprint), v)
		if err != nil {
			return err
		}
		// The fingerprint is a SHA-256 of the wire form; compare the key
		// itself all the same.
		ok = uk.Type == k.Type && strings.Fields(uk.Line)[1] == strings.Fields(k.Line)[1]
		return nil
	})
	return ok, err
}

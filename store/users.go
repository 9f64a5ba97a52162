package store

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/swtoken/swtoken/model"
)

const userRecordVersion = 1

// userRecord is the stored form of a user (users/<user id>).
type userRecord struct {
	V     int    `json:"v"`
	ID    string `json:"id"`
	First string `json:"first,omitempty"`
	Last  string `json:"last,omitempty"`
	Email string `json:"email,omitempty"`
}

func encodeUser(u model.User) userRecord {
	return userRecord{V: userRecordVersion, ID: u.ID, First: u.FirstName, Last: u.LastName, Email: u.Email}
}

func decodeUser(key, data []byte) (model.User, error) {
	var r userRecord
	if decodeUserRecordFast(data, &r) {
		if err := checkRecordVersion("user", key, r.V, userRecordVersion); err != nil {
			return model.User{}, err
		}
	} else {
		r = userRecord{}
		if err := unmarshalRecord("user", key, data, &r, &r.V, userRecordVersion); err != nil {
			return model.User{}, err
		}
	}
	return model.User{ID: r.ID, FirstName: r.First, LastName: r.Last, Email: r.Email}, nil
}

// User returns the user with exactly this ID (IDs are case-sensitive).
func (t *Tx) User(id string) (model.User, error) {
	v := t.tx.Bucket(bucketUsers).Get([]byte(id))
	if v == nil {
		return model.User{}, fmt.Errorf("user %q: %w%s", id, ErrNotFound, t.caseHint(id))
	}
	return decodeUser([]byte(id), v)
}

// caseHint names a user whose ID differs from id only in case, since IDs
// are case-sensitive and that is the likely mistake. It looks at a bounded
// number of keys so that a miss stays cheap.
func (t *Tx) caseHint(id string) string {
	if id == "" {
		return ""
	}
	c := t.tx.Bucket(bucketUsers).Cursor()
	// Keys that equal id ignoring case start with a case variant of id's
	// first letter; scan from both.
	first := id[:1]
	for _, start := range []string{strings.ToUpper(first), strings.ToLower(first)} {
		n := 0
		for k, _ := c.Seek([]byte(start)); k != nil && bytes.HasPrefix(k, []byte(start)) && n < 10000; k, _ = c.Next() {
			if strings.EqualFold(string(k), id) {
				return fmt.Sprintf(" (user IDs are case-sensitive; did you mean %q?)", k)
			}
			n++
		}
	}
	return ""
}

// PutUser creates or replaces a user after model validation. It writes no
// audit record: the caller does.
func (t *Tx) PutUser(u model.User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("user %q: %w", u.ID, err)
	}
	return putJSON(t.tx.Bucket(bucketUsers), []byte(u.ID), encodeUser(u))
}

// User returns the user with exactly this ID.
func (s *Store) User(id string) (u model.User, err error) {
	err = s.View(func(tx *Tx) error {
		u, err = tx.User(id)
		return err
	})
	return u, err
}

// EachUser calls fn for every user in user ID order (byte order), streaming
// like EachToken: fn runs outside any transaction.
func (s *Store) EachUser(fn func(model.User) error) error {
	return eachChunked(s, bucketUsers, decodeUser, fn)
}

// CountUsers returns the number of users.
func (s *Store) CountUsers() (int, error) { return s.countKeys(bucketUsers) }

// UserTokenCount returns how many tokens (software and hardware) the user
// holds; an unknown user is ErrNotFound.
func (s *Store) UserTokenCount(userID string) (n int, err error) {
	err = s.View(func(tx *Tx) error {
		if _, err := tx.User(userID); err != nil {
			return err
		}
		n = tx.userTokenCount(userID)
		return nil
	})
	return n, err
}

// TokenCountsByUser returns how many tokens (software and hardware) each
// user holds, keyed by user ID; a user who holds none is absent. It is one
// read transaction and one cursor walk over tokens_by_user, so it costs
// O(assigned tokens), not one lookup per user, and agrees with
// TokensByUser and UserTokenCount.
func (s *Store) TokenCountsByUser() (map[string]int, error) {
	counts := map[string]int{}
	err := s.View(func(tx *Tx) error {
		c := tx.tx.Bucket(bucketTokensByUser).Cursor()
		// Keys are <user id> 0x00 <SerialKey>, so one user's keys are
		// adjacent: count a run, store it when the user ID changes.
		var user []byte // the current run's user ID, valid in this tx
		n := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				return fmt.Errorf("tokens_by_user key %q has no user ID separator: the store is damaged", k)
			}
			if n > 0 && !bytes.Equal(k[:i], user) {
				counts[string(user)] = n
				n = 0
			}
			user = k[:i]
			n++
		}
		if n > 0 {
			counts[string(user)] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// ---- assignment ----

func enabledWord(t model.Token) string {
	if t.Enabled {
		return "enabled"
	}
	return "disabled"
}

// Assign gives the token to the user (audit "assign"). It refuses an
// unknown token or user, a token that already has a user (naming them) and
// a user who holds model.MaxTokensPerUser tokens already; Enabled follows
// model.Token.Assign.
func (s *Store) Assign(serial, userID string) error {
	return s.Update(func(tx *Tx) error {
		tok, err := tx.Token(serial)
		if err != nil {
			return err
		}
		if err := tx.checkCanTake(tok, userID); err != nil {
			return err
		}
		tok.Assign(userID)
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), "", tok); err != nil {
			return err
		}
		return tx.AppendAudit("assign", "token "+tok.Serial, fmt.Sprintf("user %s; token %s", userID, enabledWord(tok)))
	})
}

// Unassign takes the token from its user (audit "unassign"); a token that
// has no user is refused. Enabled follows model.Token.Unassign.
func (s *Store) Unassign(serial string) error {
	return s.Update(func(tx *Tx) error {
		tok, err := tx.Token(serial)
		if err != nil {
			return err
		}
		if tok.AssignedUser == "" {
			return &model.FieldError{Field: model.FieldAssignedUser, Msg: fmt.Sprintf("token %s is not assigned to any user", tok.Serial)}
		}
		was := tok.AssignedUser
		tok.Unassign()
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), was, tok); err != nil {
			return err
		}
		return tx.AppendAudit("unassign", "token "+tok.Serial, fmt.Sprintf("user %s; token %s", was, enabledWord(tok)))
	})
}

// Pair is one assignment made by AutoAssign.
type Pair struct{ Serial, UserID string }

// autoAssignable reports whether AutoAssign may hand out a token: an
// unassigned software token that is not expired and that the admin has not
// explicitly disabled (a token disabled on purpose, for example a reported
// loss, must not reach a user by a bulk step).
func autoAssignable(t model.Token, tx *Tx) bool {
	return t.Kind == model.KindSoftware && t.AssignedUser == "" &&
		!t.Expired(tx.s.now()) && !(t.EnabledSetByAdmin && !t.Enabled)
}

// AutoAssign pairs assignable software tokens (see autoAssignable), in
// serial order, with the users who hold no token at all, in user ID order,
// one token per user, until either runs out. Everything happens in one
// transaction, with one audit record "auto-assign" per pair (object the
// token, details the user), so the trail reads like individual assigns.
// When nothing can be paired nothing is written and the result is empty.
func (s *Store) AutoAssign() ([]Pair, error) {
	var pairs []Pair
	err := s.Update(func(tx *Tx) error {
		pairs = pairs[:0]
		// Collect first: bbolt cursors must not run over a bucket that is
		// being modified.
		tc := tx.tokenCursor()
		tk := tc.first()
		nextToken := func() (model.Token, bool, error) {
			for ; tk != nil; tk = tc.next() {
				tok, err := tc.token()
				if err != nil {
					return tok, false, err
				}
				if autoAssignable(tok, tx) {
					tk = tc.next()
					return tok, true, nil
				}
			}
			return model.Token{}, false, nil
		}
		idx := tx.tx.Bucket(bucketTokensByUser).Cursor()
		var toks []model.Token
		uc := tx.tx.Bucket(bucketUsers).Cursor()
		for uk, _ := uc.First(); uk != nil; uk, _ = uc.Next() {
			prefix := userIndexPrefix(string(uk))
			if k, _ := idx.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
				continue // holds a token already
			}
			tok, ok, err := nextToken()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			toks = append(toks, tok)
			pairs = append(pairs, Pair{Serial: tok.Serial, UserID: string(uk)})
		}
		for i, p := range pairs {
			tok := toks[i]
			if err := model.CheckAssign(tok, p.UserID, 0); err != nil {
				return err
			}
			tok.Assign(p.UserID)
			if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), "", tok); err != nil {
				return err
			}
			if err := tx.AppendAudit("auto-assign", "token "+tok.Serial, fmt.Sprintf("user %s; token %s", p.UserID, enabledWord(tok))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pairs, nil
}

package store

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/swtoken/swtoken/model"
)

// ImportOptions tune an import. Overwrite replaces records that exist
// already (serials for tokens, user IDs for users) instead of skipping
// them. Partial imports the valid items even when others are rejected;
// without it an import is all or nothing.
//
// Prerejected counts items the caller's parser rejected before they reached
// the store (unreadable files, bad CSV lines; only with Partial): the audit
// record counts them with the store's own rejections, so that it says what
// the import really did.
type ImportOptions struct {
	Overwrite, Partial bool
	Prerejected        int
}

// Rejection names an item that could not be imported and why. Item is the
// serial or user ID, or "item N" (1-based position) when that is blank.
type Rejection struct{ Item, Reason string }

// ImportResult counts what an import did. Skipped items existed already
// (or, for users with Overwrite, existed unchanged).
type ImportResult struct {
	Imported, Updated, Skipped int
	Rejected                   []Rejection
	// KeysAdded counts the SSH keys a users import registered (its
	// ssh_keys column; engine/inventory).
	KeysAdded int
}

// ImportRejectedError is returned when an import without Partial had
// rejections: nothing was written, and the ImportResult returned with it
// lists every rejection.
type ImportRejectedError struct {
	What     string // "tokens" or "users"
	Source   string
	Total    int
	Rejected int
}

func (e *ImportRejectedError) Error() string {
	return fmt.Sprintf("import of %s from %s refused: %d of %d item(s) rejected, nothing was imported (fix them, or import the rest with --partial)",
		e.What, e.Source, e.Rejected, e.Total)
}

// itemName names an import item by its key, or by position when blank.
func itemName(key string, i int) string {
	if strings.TrimSpace(key) == "" {
		return fmt.Sprintf("item %d", i+1)
	}
	return key
}

// finishImport turns rejections without Partial into a refusal (the
// transaction rolls back) and otherwise writes the audit record, when
// anything changed.
func finishImport(tx *Tx, what, source string, total int, res *ImportResult, opts ImportOptions, extra string) error {
	if len(res.Rejected) > 0 && !opts.Partial {
		return &ImportRejectedError{What: what, Source: source, Total: total, Rejected: len(res.Rejected)}
	}
	if res.Imported+res.Updated == 0 {
		return nil
	}
	pre := max(opts.Prerejected, 0)
	d := fmt.Sprintf("imported %d, updated %d, skipped %d, rejected %d of %d", res.Imported, res.Updated, res.Skipped, len(res.Rejected)+pre, total+pre)
	if extra != "" {
		d += "; " + extra
	}
	return tx.AppendAudit("import "+what, source, d)
}

// ImportTokens stores tokens read from a file in one transaction. The
// tokens carry their seeds sealed already (Store.SealSeed, AAD of their own
// serial). Per item:
//   - an invalid token (model.Token.Validate), a seed not sealed for its
//     serial, a serial that appeared earlier in the same import, a serial
//     numerically equal to a differently written stored one, or an
//     assignment the user cannot take is rejected with the reason;
//   - a serial already in the store is skipped, or with Overwrite its seed,
//     kind, algorithm, birth, death and code settings (Distribution.Digits,
//     IntervalSeconds, AddPIN) are replaced while its assignment, enabled
//     flag and distribution history stay (the token record is the same
//     token; only its key material was re-issued);
//   - anything else is imported as given.
//
// With a rejection and no Partial nothing is written and the error is an
// *ImportRejectedError; the result still lists the rejections, with zero
// counts. A committed import that changed something writes one audit
// record "import tokens" (object the source) with the counts and the serial
// range, never a seed.
func (s *Store) ImportTokens(toks []model.Token, source string, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	err := s.Update(func(tx *Tx) error {
		res = ImportResult{}
		seen := make(map[string]int, len(toks))
		var first, last string
		for i, tok := range toks {
			item := itemName(tok.Serial, i)
			reject := func(format string, args ...any) {
				res.Rejected = append(res.Rejected, Rejection{Item: item, Reason: fmt.Sprintf(format, args...)})
			}
			if err := tok.Validate(); err != nil {
				reject("%v", err)
				continue
			}
			key := model.SerialKey(tok.Serial)
			if at, dup := seen[key]; dup {
				if toks[at].Serial == tok.Serial {
					reject("serial %s appears more than once in this import (first as item %d)", tok.Serial, at+1)
				} else {
					reject("serial %s is the same number as serial %s earlier in this import (item %d)", tok.Serial, toks[at].Serial, at+1)
				}
				continue
			}
			seen[key] = i
			if err := s.checkSealedSeed(tok); err != nil {
				reject("%s", strings.TrimPrefix(err.Error(), "token "+tok.Serial+": "))
				continue
			}
			old, found, err := tx.tokenAt([]byte(key))
			if err != nil {
				return err
			}
			next := tok
			switch {
			case found && old.Serial != tok.Serial:
				reject("serial %s is the same number as stored token %s", tok.Serial, old.Serial)
				continue
			case found && !opts.Overwrite:
				res.Skipped++
				continue
			case found:
				next = old
				next.Kind, next.Algorithm, next.SealedSeed = tok.Kind, tok.Algorithm, tok.SealedSeed
				next.Birth, next.Death = tok.Birth, tok.Death
				// The code settings are those of the file just imported.
				next.Distribution.Digits = tok.Distribution.Digits
				next.Distribution.IntervalSeconds = tok.Distribution.IntervalSeconds
				next.Distribution.AddPIN = tok.Distribution.AddPIN
				if err := next.Validate(); err != nil {
					reject("%v", err)
					continue
				}
			case tok.AssignedUser != "":
				if err := tx.checkCanTake(model.Token{Serial: tok.Serial}, tok.AssignedUser); err != nil {
					reject("%v", err)
					continue
				}
			}
			if err := tx.writeToken([]byte(key), old.AssignedUser, next); err != nil {
				return err
			}
			if found {
				res.Updated++
			} else {
				res.Imported++
			}
			if first == "" || model.CompareSerials(tok.Serial, first) < 0 {
				first = tok.Serial
			}
			if last == "" || model.CompareSerials(tok.Serial, last) > 0 {
				last = tok.Serial
			}
		}
		extra := ""
		if first != "" {
			extra = fmt.Sprintf("serials %s to %s", first, last)
		}
		return finishImport(tx, "tokens", source, len(toks), &res, opts, extra)
	})
	return importOutcome(res, err)
}

// importOutcome zeroes the counts of a refused import, whose writes were
// rolled back, and keeps its rejections.
func importOutcome(res ImportResult, err error) (ImportResult, error) {
	var refused *ImportRejectedError
	switch {
	case errors.As(err, &refused):
		return ImportResult{Rejected: res.Rejected}, err
	case err != nil:
		return ImportResult{}, err
	}
	return res, nil
}

// ImportUsers stores users read from a CSV file in one transaction. An
// invalid user or an ID that appeared earlier in the same import is
// rejected; an existing ID is skipped, or with Overwrite (the CLI's
// --update) its names and e-mail are replaced, counted as updated when
// something changed and as skipped otherwise. Assignments are never
// touched. Refusal and audit ("import users") work as in ImportTokens.
//
// The users are checked before the transaction starts, and written in user
// ID order: bbolt splits pages only at the commit, so keys written in
// random order into one page cost a copy of that page's entries each
// (quadratic: 150,000 users in scrambled order took 27 s or more, in ID
// order about 2 s), and keys in order can fill pages fuller (bulkFill),
// which the commit needs less memory for. What the import needs besides
// the users given is one int32 per user and the transaction's own pages.
func (s *Store) ImportUsers(users []model.User, source string, opts ImportOptions) (ImportResult, error) {
	rejected, order := checkImportUsers(users)
	if len(rejected) > 0 && !opts.Partial {
		return ImportResult{Rejected: rejected}, &ImportRejectedError{What: "users", Source: source, Total: len(users), Rejected: len(rejected)}
	}
	var res ImportResult
	err := s.Update(func(tx *Tx) error {
		res = ImportResult{Rejected: slices.Clone(rejected)}
		b := tx.tx.Bucket(bucketUsers)
		b.FillPercent = bulkFill
		for _, i := range order {
			u := users[i]
			var found bool
			if v := b.Get([]byte(u.ID)); v != nil {
				old, err := decodeUser([]byte(u.ID), v)
				if err != nil {
					return err
				}
				if !opts.Overwrite || old == u {
					res.Skipped++
					continue
				}
				found = true
			}
			if err := putJSON(b, []byte(u.ID), encodeUser(u)); err != nil {
				return err
			}
			if found {
				res.Updated++
			} else {
				res.Imported++
			}
		}
		return finishImport(tx, "users", source, len(users), &res, opts, "")
	})
	return importOutcome(res, err)
}

// checkImportUsers returns the rejections of ImportUsers in input order (an
// invalid user; an ID that appeared earlier in the import, naming the
// first) and the positions of the other users in user ID order.
func checkImportUsers(users []model.User) ([]Rejection, []int32) {
	reasons := map[int32]string{} // position -> why it is rejected
	order := make([]int32, 0, len(users))
	for i, u := range users {
		if err := u.Validate(); err != nil {
			reasons[int32(i)] = err.Error()
			continue
		}
		order = append(order, int32(i))
	}
	// Stable, so that the first of equal IDs is the one earliest in the
	// import.
	slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(users[a].ID, users[b].ID) })
	kept, first := order[:0], int32(-1)
	for _, i := range order {
		if first >= 0 && users[first].ID == users[i].ID {
			reasons[i] = fmt.Sprintf("user ID %q appears more than once in this import (first as item %d)", users[i].ID, first+1)
			continue
		}
		first = i
		kept = append(kept, i)
	}
	var rejected []Rejection
	for _, i := range slices.Sorted(maps.Keys(reasons)) {
		rejected = append(rejected, Rejection{Item: itemName(users[i].ID, int(i)), Reason: reasons[i]})
	}
	return rejected, kept
}

// ---- bulk load ----

// ErrNotEmpty is wrapped by LoadBulk on a store that holds data already.
var ErrNotEmpty = errors.New("store is not empty")

// isEmpty reports whether the domain buckets are empty, and if not, what
// they hold.
func (t *Tx) isEmpty() (bool, string) {
	var held []string
	for _, b := range []struct {
		name []byte
		what string
	}{{bucketTokens, "tokens"}, {bucketUsers, "users"}, {bucketProfiles, "profiles"}, {bucketJobs, "jobs"}} {
		if k, _ := t.tx.Bucket(b.name).Cursor().First(); k != nil {
			held = append(held, b.what)
		}
	}
	return len(held) == 0, strings.Join(held, ", ")
}

// IsEmpty reports whether the store holds no tokens, users, profiles or
// jobs (settings and the audit trail do not count).
func (s *Store) IsEmpty() (empty bool, err error) {
	err = s.View(func(tx *Tx) error {
		empty, _ = tx.isEmpty()
		return nil
	})
	return empty, err
}

// Bulk is a whole inventory for LoadBulk (the demo inventory).
type Bulk struct {
	Profiles []model.Profile
	Users    []model.User
	Tokens   []model.Token
	Settings *model.Settings
	Jobs     []model.Job
}

// bulkFill is the page fill for buckets written in key order: pages that
// are only appended to can be packed fuller than bbolt's default of 0.5.
const bulkFill = 0.9

// LoadBulk writes a whole inventory into an empty store in one transaction
// with one audit record (auditAction, object "inventory", auditDetails),
// and refuses (ErrNotEmpty) a store that holds any token, user, profile or
// job. Every record is checked as the single-record writers check it:
// profiles are valid and unique; users valid and unique; tokens valid,
// unique, sealed for their serial, assigned only to users of the inventory,
// at most model.MaxTokensPerUser per user; settings valid against the
// profiles; jobs as Tx.CreateJob checks them (Seq and BatchID are
// assigned). Tokens may carry Distribution. The first bad record refuses
// the whole load, naming it.
func (s *Store) LoadBulk(b Bulk, auditAction, auditDetails string) error {
	if auditAction == "" {
		return errors.New("bulk load: the audit action is missing")
	}
	return s.Update(func(tx *Tx) error {
		if empty, what := tx.isEmpty(); !empty {
			return fmt.Errorf("%w: it already holds %s; bulk loads only go into an empty store", ErrNotEmpty, what)
		}
		for _, p := range b.Profiles {
			if _, err := tx.insertProfile(p); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
		}

		users := slices.Clone(b.Users)
		slices.SortFunc(users, func(x, y model.User) int { return strings.Compare(x.ID, y.ID) })
		ub := tx.tx.Bucket(bucketUsers)
		ub.FillPercent = bulkFill
		for i, u := range users {
			if err := u.Validate(); err != nil {
				return fmt.Errorf("bulk load: user %q: %w", u.ID, err)
			}
			if i > 0 && users[i-1].ID == u.ID {
				return fmt.Errorf("bulk load: user %q appears more than once", u.ID)
			}
			if err := putJSON(ub, []byte(u.ID), encodeUser(u)); err != nil {
				return err
			}
		}

		toks := slices.Clone(b.Tokens)
		slices.SortFunc(toks, func(x, y model.Token) int { return model.CompareSerials(x.Serial, y.Serial) })
		tb := tx.tx.Bucket(bucketTokens)
		tb.FillPercent = bulkFill
		sb := tx.tx.Bucket(bucketSeeds)
		sb.FillPercent = bulkFill
		var recs recArena
		held := map[string]int{}
		var index [][]byte
		for i, t := range toks {
			if err := t.Validate(); err != nil {
				return fmt.Errorf("bulk load: token %s: %w", t.Serial, err)
			}
			if i > 0 && model.CompareSerials(toks[i-1].Serial, t.Serial) == 0 {
				return fmt.Errorf("bulk load: serial %s appears more than once (as %s and %s)", t.Serial, toks[i-1].Serial, t.Serial)
			}
			if err := s.checkSealedSeed(t); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
			if u := t.AssignedUser; u != "" {
				if _, ok := slices.BinarySearchFunc(users, u, func(x model.User, id string) int { return strings.Compare(x.ID, id) }); !ok {
					return fmt.Errorf("bulk load: token %s: user %q: %w", t.Serial, u, ErrNotFound)
				}
				if err := model.CheckAssign(model.Token{Serial: t.Serial}, u, held[u]); err != nil {
					return fmt.Errorf("bulk load: token %s: %w", t.Serial, err)
				}
				held[u]++
				index = append(index, userIndexKey(u, t.Serial))
			}
			key := []byte(model.SerialKey(t.Serial))
			if err := putJSON(tb, key, encodeToken(t)); err != nil {
				return err
			}
			r, err := tx.seedRecordFor(key, t, nil)
			if err != nil {
				return err
			}
			rec, err := recs.seed(&r)
			if err != nil {
				return fmt.Errorf("bulk load: token %s: %w", t.Serial, err)
			}
			if err := sb.Put(key, rec); err != nil {
				return err
			}
		}
		slices.SortFunc(index, bytes.Compare)
		ib := tx.tx.Bucket(bucketTokensByUser)
		ib.FillPercent = bulkFill
		for _, k := range index {
			if err := ib.Put(k, nil); err != nil {
				return err
			}
		}

		if b.Settings != nil {
			profiles, err := tx.modelProfiles()
			if err != nil {
				return err
			}
			if err := b.Settings.Validate(profiles); err != nil {
				return fmt.Errorf("bulk load: self-service settings: %w", err)
			}
			if err := tx.putSettings(*b.Settings); err != nil {
				return err
			}
		}
		for _, j := range b.Jobs {
			if err := tx.CreateJob(&j); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
		}
		return tx.AppendAudit(auditAction, "inventory", auditDetails)
	})
}

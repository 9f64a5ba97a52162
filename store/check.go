package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// maxCheckProblems bounds how many problems Check reports: a badly damaged
// store would otherwise produce one line per record.
const maxCheckProblems = 50

// CheckError is returned by [Store.Check] for a store that is damaged.
// Problems lists what was found (at most maxCheckProblems, then a count of
// the rest); Omitted is the number left out.
type CheckError struct {
	Path     string
	Problems []string
	Omitted  int
}

func (e *CheckError) Error() string {
	n := len(e.Problems) + e.Omitted
	var b strings.Builder
	fmt.Fprintf(&b, "store %s is damaged: %d problem(s) found", e.Path, n)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.Omitted)
	}
	return b.String()
}

// CheckedCounts says how much a [Store.CheckCounts] that passed looked at:
// records of each kind, and the audit records whose chain it verified.
type CheckedCounts struct {
	Tokens, Users, Profiles, Jobs, AuditRecords int
}

// Check verifies the whole store in one read transaction: bbolt's page
// consistency check (bolt.Tx.Check), the store's own invariants (see
// checkInvariants: every index agrees with the records it indexes, no user
// holds more than model.MaxTokensPerUser tokens, every seed is sealed for
// its token) and the audit hash chain (as VerifyAudit). It returns nil for
// a healthy store, a *CheckError listing the problems for a damaged one,
// and another error when the check itself cannot run. It reads every
// record and unseals every seed, so it takes time proportional to the
// store's size (a fraction of a second for 100,000 tokens).
func (s *Store) Check() error {
	_, err := s.CheckCounts()
	return err
}

// CheckCounts is [Store.Check], and also counts, in the same transaction,
// what it checked (swtoken check reports it). The counts are meaningful
// only when the error is nil.
func (s *Store) CheckCounts() (CheckedCounts, error) {
	var n CheckedCounts
	if s.keys == nil {
		return n, errors.New("store is closed")
	}
	ce := &CheckError{Path: s.dbPath}
	add := func(p string) {
		if len(ce.Problems) < maxCheckProblems {
			ce.Problems = append(ce.Problems, p)
		} else {
			ce.Omitted++
		}
	}
	err := s.viewBolt(func(tx *bolt.Tx) error {
		// Drain the channel completely: Check's goroutine blocks otherwise.
		for err := range tx.Check() {
			add("bbolt: " + err.Error())
		}
		for _, p := range s.checkInvariants(tx) {
			add(p)
		}
		if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketAudit) == nil {
			return nil // reported by checkInvariants
		}
		res, err := s.keys.verifyAudit(tx)
		if err != nil {
			return err
		}
		if !res.OK() {
			add(fmt.Sprintf("audit: the trail is broken at record %d: %s", res.FirstBad, res.Reason))
		}
		n = CheckedCounts{
			Tokens:       tx.Bucket(bucketTokens).Stats().KeyN,
			Users:        tx.Bucket(bucketUsers).Stats().KeyN,
			Profiles:     tx.Bucket(bucketProfiles).Stats().KeyN,
			Jobs:         tx.Bucket(bucketJobs).Stats().KeyN,
			AuditRecords: res.Count,
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if len(ce.Problems) > 0 {
		return n, ce
	}
	return n, nil
}

// checkInvariants returns what is wrong with the records of tx, as
// sentences; nil for a consistent store. It checks what the writers of this
// package guarantee, so a problem means damage or a bug:
//   - every bucket of the schema exists, meta names this schema version and
//     this store key;
//   - users: the key is the user's ID and the record is valid;
//   - tokens: the key is model.SerialKey of the serial, the record is valid,
//     it has a readable seed record whose seed is sealed for this serial with
//     this store's key (and whose job, when it names one, is a completed job
//     whose selection holds the token), and an assigned user exists and has
//     the matching tokens_by_user entry;
//   - seeds: every record belongs to a token (no orphans);
//   - tokens_by_user: every entry names a token assigned to that user, and
//     no user holds more than model.MaxTokensPerUser tokens;
//   - profiles and profiles_by_name, jobs and jobs_by_name: a one-to-one
//     match (key = record id, index key = model.NameKey of the name);
//   - a job's recorded output is its own outputs/<seq>.zip, relative to
//     the data directory;
//   - every job and every self-service settings entry names a profile that
//     exists.
func (s *Store) checkInvariants(tx *bolt.Tx) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			bad("bucket %s is missing", name)
		}
	}
	if len(out) > 0 {
		return out
	}

	meta := tx.Bucket(bucketMeta)
	if v, err := readSchemaVersion(tx); err != nil || v != SchemaVersion {
		bad("meta: schema version %d (%v), want %d", v, err, SchemaVersion)
	}
	if id := string(meta.Get(metaKeyID)); id != s.keys.id {
		bad("meta: key_id %q does not match the store key", id)
	}
	if id := meta.Get(metaInstallID); len(id) != 32 {
		bad("meta: install_id %q is malformed", id)
	}

	// users
	users := tx.Bucket(bucketUsers)
	users.ForEach(func(k, v []byte) error {
		u, err := decodeUser(k, v)
		switch {
		case err != nil:
			bad("user %q: %v", k, err)
		case u.ID != string(k):
			bad("user %q is stored under the key %q", u.ID, k)
		default:
			if err := u.Validate(); err != nil {
				bad("user %q: %v", k, err)
			}
		}
		return nil
	})

	// tokens and their seed records
	idx := tx.Bucket(bucketTokensByUser)
	tokens := tx.Bucket(bucketTokens)
	seeds := tx.Bucket(bucketSeeds)
	ttx := &Tx{tx: tx, s: s}
	tc := ttx.tokenCursor()
	for k := tc.first(); k != nil; k = tc.next() {
		t, err := decodeTokenRecord(k, tc.v)
		if err != nil {
			bad("token %q: %v", k, err)
			continue
		}
		if model.SerialKey(t.Serial) != string(k) {
			bad("token %s is stored under the key %q", t.Serial, k)
		}
		if t, err = tc.token(); err != nil {
			bad("%v", err)
			continue
		}
		if err := t.Validate(); err != nil {
			bad("token %s: %v", t.Serial, err)
		}
		if err := s.checkSealedSeed(t); err != nil {
			bad("%v", err)
		}
		if r, err := decodeSeedRecord(k, seeds.Get(k)); err == nil && r.form == distJobRef {
			if sel := getBucket(tx, bucketJobsTokens, itob(r.jobSeq)); sel == nil || sel.Get(k) == nil {
				bad("token %s names job %d as its last distribution, but that job's selection does not hold it", t.Serial, r.jobSeq)
			}
		}
		if u := t.AssignedUser; u != "" {
			if users.Get([]byte(u)) == nil {
				bad("token %s is assigned to user %q, who does not exist", t.Serial, u)
			}
			if idx.Get(userIndexKey(u, t.Serial)) == nil {
				bad("token %s is assigned to %q but tokens_by_user has no entry for it", t.Serial, u)
			}
		}
	}
	seeds.ForEach(func(k, v []byte) error {
		if tokens.Get(k) == nil {
			bad("seeds: record %q has no token", k)
		}
		return nil
	})

	// tokens_by_user
	held := map[string]int{}
	idx.ForEach(func(k, v []byte) error {
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(k)-i-1 != model.SoftwareSerialLen {
			bad("tokens_by_user: malformed key %q", k)
			return nil
		}
		user, serialKey := string(k[:i]), k[i+1:]
		if len(v) != 0 {
			bad("tokens_by_user: entry %q has a value", k)
		}
		held[user]++
		tv := tokens.Get(serialKey)
		if tv == nil {
			bad("tokens_by_user lists token %s for %q, but there is no such token", serialKey, user)
			return nil
		}
		if t, err := decodeTokenRecord(serialKey, tv); err == nil && t.AssignedUser != user {
			bad("tokens_by_user lists token %s for %q, but the token is assigned to %q", t.Serial, user, t.AssignedUser)
		}
		return nil
	})
	for user, n := range held {
		if n > model.MaxTokensPerUser {
			bad("user %q holds %d tokens; at most %d are allowed", user, n, model.MaxTokensPerUser)
		}
	}

	// profiles and their name index
	profiles := tx.Bucket(bucketProfiles)
	byName := tx.Bucket(bucketProfilesByName)
	profileNames := map[string]bool{} // NameKey of every profile
	profiles.ForEach(func(k, v []byte) error {
		r, err := decodeProfile(k, v)
		if err != nil {
			bad("profile %x: %v", k, err)
			return nil
		}
		if len(k) != 8 || btoi(k) != r.ID {
			bad("profile %q (id %d) is stored under the key %x", r.Name, r.ID, k)
		}
		nk := model.NameKey(r.Name)
		profileNames[nk] = true
		if id := byName.Get([]byte(nk)); !bytes.Equal(id, k) {
			bad("profiles_by_name[%q] is %x, but profile %q is stored under %x", nk, id, r.Name, k)
		}
		return nil
	})
	byName.ForEach(func(k, v []byte) error {
		pv := profiles.Get(v)
		if pv == nil {
			bad("profiles_by_name[%q] names profile %x, which does not exist", k, v)
			return nil
		}
		if r, err := decodeProfile(v, pv); err == nil && model.NameKey(r.Name) != string(k) {
			bad("profiles_by_name[%q] names profile %q", k, r.Name)
		}
		return nil
	})

	// jobs and their name index
	jobs := tx.Bucket(bucketJobs)
	jobsByName := tx.Bucket(bucketJobsByName)
	jobs.ForEach(func(k, v []byte) error {
		j, err := decodeJob(k, v)
		if err != nil {
			bad("job %x: %v", k, err)
			return nil
		}
		if len(k) != 8 || btoi(k) != j.Seq {
			bad("job %q (seq %d) is stored under the key %x", j.Name, j.Seq, k)
		}
		if seq := jobsByName.Get(jobNameKey(j.Name)); !bytes.Equal(seq, k) {
			bad("jobs_by_name[%q] is %x, but job %q is stored under %x", jobNameKey(j.Name), seq, j.Name, k)
		}
		if !profileNames[model.NameKey(j.Spec.Profile)] {
			bad("job %q names profile %q, which does not exist", j.Name, j.Spec.Profile)
		}
		if j.Output != "" {
			if err := checkOutputName(j.Seq, j.Output); err != nil {
				bad("job %q: %v", j.Name, err)
			}
		}
		return nil
	})
	jobsByName.ForEach(func(k, v []byte) error {
		jv := jobs.Get(v)
		if jv == nil {
			bad("jobs_by_name[%q] names job %x, which does not exist", k, v)
			return nil
		}
		if j, err := decodeJob(v, jv); err == nil && string(jobNameKey(j.Name)) != string(k) {
			bad("jobs_by_name[%q] names job %q", k, j.Name)
		}
		return nil
	})

	// requests, their per-user index and their sealed passwords
	requests := tx.Bucket(bucketRequests)
	requestsByUser := tx.Bucket(bucketRequestsByUser)
	requests.ForEach(func(k, v []byte) error {
		r, err := decodeRequest(k, v)
		if err != nil {
			bad("request %x: %v", k, err)
			return nil
		}
		if len(k) != 8 || btoi(k) != r.Seq {
			bad("request %s is stored under the key %x", r.ID(), k)
		}
		if users.Get([]byte(r.User)) == nil {
			bad("request %s names user %q, which does not exist", r.ID(), r.User)
		}
		if requestsByUser.Get(requestUserKey(r.User, r.Seq)) == nil {
			bad("requests_by_user has no entry for request %s of user %q", r.ID(), r.User)
		}
		return nil
	})
	requestsByUser.ForEach(func(k, _ []byte) error {
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(k) != i+9 {
			bad("requests_by_user key %q is malformed", k)
			return nil
		}
		v := requests.Get(k[i+1:])
		if v == nil {
			bad("requests_by_user[%q] names request %s, which does not exist", k[:i], model.RequestID(btoi(k[i+1:])))
			return nil
		}
		if r, err := decodeRequest(k[i+1:], v); err == nil && r.User != string(k[:i]) {
			bad("requests_by_user[%q] names request %s of user %q", k[:i], r.ID(), r.User)
		}
		return nil
	})
	tx.Bucket(bucketRequestsPasswords).ForEach(func(k, _ []byte) error {
		v := requests.Get(k)
		if v == nil {
			bad("a sealed request password is kept for request %x, which does not exist", k)
			return nil
		}
		if r, err := decodeRequest(k, v); err == nil && !r.State.Open() {
			bad("request %s has ended (%s) but its sealed password is still kept", r.ID(), r.State)
		}
		return nil
	})
	if deliveries := tx.Bucket(bucketRequestsDeliveries); deliveries != nil {
		deliveries.ForEach(func(k, _ []byte) error {
			v := requests.Get(k)
			if v == nil {
				bad("a sealed delivery is kept for request %x, which does not exist", k)
				return nil
			}
			if r, err := decodeRequest(k, v); err == nil && r.State != model.RequestFulfilled {
				bad("request %s is %s but a sealed delivery is kept for it", r.ID(), r.State)
			}
			return nil
		})
	}

	checkSelfServiceAccess(tx, users, requests, bad)
	checkNotices(tx, requests, bad)

	// settings
	if v := tx.Bucket(bucketSettings).Get(keySelfService); v != nil {
		set, err := decodeSettings(v)
		if err != nil {
			bad("settings: %v", err)
		}
		for _, e := range set.Entries {
			if !profileNames[model.NameKey(e.Profile)] {
				bad("the self-service settings name profile %q, which does not exist", e.Profile)
			}
		}
	}
	return out
}

// checkSelfServiceAccess checks the buckets of `swtoken serve` (issue 14):
// users' keys and their index, enrollment codes, and the show-once copies
// of CTF deliveries. Each is a walk of a small bucket, and none is
// unsealed.
func checkSelfServiceAccess(tx *bolt.Tx, users, requests *bolt.Bucket, bad func(string, ...any)) {
	keys, byFP := tx.Bucket(bucketUserKeys), tx.Bucket(bucketUserKeysByFP)
	if keys != nil {
		keys.ForEach(func(k, v []byte) error {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				bad("user_keys key %q is malformed", k)
				return nil
			}
			user, fp := k[:i], k[i+1:]
			if users.Get(user) == nil {
				bad("a key %s is kept for user %q, who does not exist", fp, user)
			}
			uk, err := decodeUserKey(k, v)
			if err != nil {
				bad("%v", err)
			} else if uk.Fingerprint != string(fp) {
				bad("the key of user %q stored as %s has the fingerprint %s", user, fp, uk.Fingerprint)
			}
			if byFP == nil || !bytes.Equal(byFP.Get(fp), user) {
				bad("user_keys_by_fingerprint does not name user %q for key %s", user, fp)
			}
			return nil
		})
	}
	if byFP != nil {
		byFP.ForEach(func(fp, user []byte) error {
			if keys == nil || keys.Get(userKeyKey(string(user), string(fp))) == nil {
				bad("user_keys_by_fingerprint names user %q for key %s, which the user does not have", user, fp)
			}
			return nil
		})
	}
	if enr := tx.Bucket(bucketEnrollments); enr != nil {
		enr.ForEach(func(user, v []byte) error {
			if users.Get(user) == nil {
				bad("an enrollment code is kept for user %q, who does not exist", user)
			}
			var j enrollmentJSON
			if err := unmarshalRecord("enrollment", user, v, &j, &j.V, enrollmentRecordVersion); err != nil {
				bad("%v", err)
			} else if len(j.MAC) != 32 || len(j.Salt) != 16 {
				bad("the enrollment code of user %q is damaged", user)
			}
			return nil
		})
	}
	shown := tx.Bucket(bucketRequestsShown)
	for _, b := range []struct {
		bucket []byte
		what   string
	}{{bucketRequestsShow, "a token copy to show"}, {bucketRequestsShown, "the time its token was shown"}} {
		bk := tx.Bucket(b.bucket)
		if bk == nil {
			continue
		}
		bk.ForEach(func(k, _ []byte) error {
			v := requests.Get(k)
			if v == nil {
				bad("%s is kept for request %x, which does not exist", b.what, k)
				return nil
			}
			if r, err := decodeRequest(k, v); err == nil && r.State != model.RequestFulfilled {
				bad("request %s is %s but %s is kept for it", r.ID(), r.State, b.what)
			}
			if string(b.bucket) == string(bucketRequestsShow) && shown != nil && shown.Get(k) != nil {
				bad("request %x: its token was shown but a copy is still kept", k)
			}
			return nil
		})
	}
}

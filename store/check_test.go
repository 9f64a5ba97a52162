package store

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// checkStore builds a closed store with a bit of everything: users alice
// (3 tokens, the most allowed) and bob, a fourth token unassigned, profiles
// Staff (offered by the settings) and Lab (named by a job), and an audit
// trail.
func checkStore(t *testing.T) string {
	t.Helper()
	dir := initStore(t)
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var toks []model.Token
	for _, sn := range []string{"100000000001", "100000000002", "100000000003", "100000000004"} {
		toks = append(toks, mkToken(t, s, sn, model.KindSoftware))
	}
	seedStore(t, s, []string{"alice", "bob"}, toks)
	for _, sn := range []string{"100000000001", "100000000002", "100000000003"} {
		if err := s.Assign(sn, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	staff, err := s.AddProfile(fileProfile("Staff"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProfile(fileProfile("Lab")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSettings(settingsOffering(staff.Profile)); err != nil {
		t.Fatal(err)
	}
	createJob(t, s, mkJob("Rollout", "Lab"))
	if err := s.Check(); err != nil {
		t.Fatalf("a healthy store fails the check: %v", err)
	}
	return dir
}

// rawToken rewrites a token record behind the store's back.
func rawToken(tx *bolt.Tx, serial string, edit func(r *tokenRecord)) error {
	b := tx.Bucket(bucketTokens)
	var r tokenRecord
	if err := json.Unmarshal(b.Get([]byte(model.SerialKey(serial))), &r); err != nil {
		return err
	}
	edit(&r)
	return putJSON(b, []byte(model.SerialKey(serial)), &r)
}

func TestCheckFindsDamage(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"index entry missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketTokensByUser).Delete(userIndexKey("alice", "100000000002"))
		}, `token 100000000002 is assigned to "alice" but tokens_by_user has no entry for it`},
		{"index entry for an unassigned token", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketTokensByUser).Put(userIndexKey("bob", "100000000004"), nil)
		}, `tokens_by_user lists token 100000000004 for "bob", but the token is assigned to ""`},
		{"index entry for a missing token", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketTokensByUser).Put(userIndexKey("bob", "999999999999"), nil)
		}, `tokens_by_user lists token 999999999999 for "bob", but there is no such token`},
		{"a fourth token", func(tx *bolt.Tx) error {
			if err := rawToken(tx, "100000000004", func(r *tokenRecord) { r.User = "alice" }); err != nil {
				return err
			}
			return tx.Bucket(bucketTokensByUser).Put(userIndexKey("alice", "100000000004"), nil)
		}, `user "alice" holds 4 tokens; at most 3 are allowed`},
		{"assigned to a missing user", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Delete([]byte("alice"))
		}, `token 100000000001 is assigned to user "alice", who does not exist`},
		{"seed of another token", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSeeds)
			other := append([]byte(nil), b.Get([]byte("100000000002"))...)
			return b.Put([]byte("100000000001"), other)
		}, "token 100000000001: the seed is not sealed for this serial"},
		{"seed record missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSeeds).Delete([]byte("100000000003"))
		}, "token 100000000003 has no seed record"},
		{"seed record unreadable", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSeeds).Put([]byte("100000000003"), []byte{1, 1, 8})
		}, `seed record "100000000003" is unreadable`},
		{"orphan seed record", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSeeds)
			return b.Put([]byte("100000000099"), append([]byte(nil), b.Get([]byte("100000000002"))...))
		}, `seeds: record "100000000099" has no token`},
		{"seed record naming a job that did not hand it out", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSeeds)
			r, err := decodeSeedRecord(nil, b.Get([]byte("100000000002")))
			if err != nil {
				return err
			}
			r.count, r.form, r.jobSeq = 1, distJobRef, 1
			v, err := appendSeedRecord(nil, &r)
			if err != nil {
				return err
			}
			return b.Put([]byte("100000000002"), v)
		}, `token 100000000002: job "Rollout", named by a seed record, is Queued, not completed`},
		{"token under the wrong key", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketTokens)
			v := append([]byte(nil), b.Get([]byte("100000000004"))...)
			if err := b.Delete([]byte("100000000004")); err != nil {
				return err
			}
			return b.Put([]byte("100000000005"), v)
		}, `token 100000000004 is stored under the key "100000000005"`},
		{"profile name index missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketProfilesByName).Delete([]byte("staff"))
		}, `profiles_by_name["staff"] is , but profile "Staff" is stored under`},
		{"profile name index dangling", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketProfilesByName).Put([]byte("ghost"), itob(99))
		}, `profiles_by_name["ghost"] names profile 0000000000000063, which does not exist`},
		{"profile deleted under settings and job", func(tx *bolt.Tx) error {
			for _, name := range []string{"staff", "lab"} {
				id := tx.Bucket(bucketProfilesByName).Get([]byte(name))
				if err := tx.Bucket(bucketProfiles).Delete(id); err != nil {
					return err
				}
				if err := tx.Bucket(bucketProfilesByName).Delete([]byte(name)); err != nil {
					return err
				}
			}
			return nil
		}, `job "Rollout" names profile "Lab", which does not exist`},
		{"job name index missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketJobsByName).Delete([]byte("rollout"))
		}, `jobs_by_name["rollout"] is , but job "Rollout" is stored under`},
		{"job name index dangling", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketJobsByName).Put([]byte("other"), itob(42))
		}, `jobs_by_name["other"] names job 000000000000002a, which does not exist`},
		{"audit record edited", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAudit)
			var r AuditRecord
			json.Unmarshal(b.Get(itob(2)), &r)
			r.Details = "imported 0"
			return putJSON(b, itob(2), &r)
		}, "audit: the trail is broken at record 2: record 2 was modified"},
		{"audit record deleted", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketAudit).Delete(itob(3))
		}, "audit: the trail is broken at record 3: record 3 is missing"},
		{"bucket dropped", func(tx *bolt.Tx) error {
			return tx.DeleteBucket(bucketJobsByName)
		}, "bucket jobs_by_name is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := checkStore(t)
			rawUpdate(t, dir, c.damage)
			s, err := Open(Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.Check()
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("want *CheckError, got %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("the report lacks %q:\n%v", c.want, err)
			}
		})
	}
}

func TestCheckBoundsTheReport(t *testing.T) {
	dir := checkStore(t)
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		for i := range maxCheckProblems + 10 {
			if err := tx.Bucket(bucketTokensByUser).Put(userIndexKey("bob", model.SerialKey(strconv.Itoa(900000+i))), nil); err != nil {
				return err
			}
		}
		return nil
	})
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// 60 stray index entries, plus bob "holding" 60 tokens: 61 problems.
	var ce *CheckError
	if err := s.Check(); !errors.As(err, &ce) || len(ce.Problems) != maxCheckProblems || ce.Omitted != 11 ||
		!strings.Contains(err.Error(), "61 problem(s) found") || !strings.HasSuffix(err.Error(), "... and 11 more") {
		t.Fatalf("got %d problems, %d omitted: %v", len(ce.Problems), ce.Omitted, err)
	}
	s.Close()
	if err := s.Check(); err == nil {
		t.Fatal("Check on a closed store succeeded")
	}
}

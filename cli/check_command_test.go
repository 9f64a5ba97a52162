package cli

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// TestCheckPassesAHealthyStoreAndChangesNothing: `swtoken check` on a
// healthy store exits 0, says what it checked, and leaves every file of the
// data directory as it was (it opens the store read-only).
func TestCheckPassesAHealthyStoreAndChangesNothing(t *testing.T) {
	dir := demoDir(t) // 20 users, 50 tokens, 4 profiles
	mustRun(t, dir, "distribute", "--job", "Checked", "--profile", "Windows desktop", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000005", "--yes")
	before := contentSnapshot(t, dir)
	out := mustRun(t, dir, "check")
	want := "store is consistent: database pages intact; 50 tokens (each seed sealed for its token), 20 users, 4 profiles and 1 job agree with their indexes; audit chain of 5 records verified\n"
	if out != want {
		t.Fatalf("check:\n got %q\nwant %q", out, want)
	}
	sameTree(t, "check", before, contentSnapshot(t, dir))
}

// TestCheckNamesTheDamage: a store damaged behind the store's back (raw
// bbolt writes, as someone with write access to the file could make) fails
// `swtoken check` with exit 1 and a line naming each problem: a missing
// index entry, a seed record without a token, a deleted audit record.
func TestCheckNamesTheDamage(t *testing.T) {
	// The demo's first assigned token, and its user.
	assigned := func(t *testing.T, dir string) (serial, user string) {
		for _, tok := range decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json")) {
			if tok.AssignedUser != "" {
				return tok.Serial, tok.AssignedUser
			}
		}
		t.Fatal("the demo store has no assigned token")
		return "", ""
	}
	raw := func(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
		t.Helper()
		bdb, err := bolt.Open(filepath.Join(dir, "swtoken.db"), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = bdb.Update(fn)
		if cerr := bdb.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
	}
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string) func(tx *bolt.Tx) error
		want   func(t *testing.T, dir string) string
	}{
		{"index entry deleted",
			func(t *testing.T, dir string) func(tx *bolt.Tx) error {
				serial, user := assigned(t, dir)
				return func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("tokens_by_user")).Delete([]byte(user + "\x00" + model.SerialKey(serial)))
				}
			},
			func(t *testing.T, dir string) string {
				serial, user := assigned(t, dir)
				return "token " + serial + ` is assigned to "` + user + `" but tokens_by_user has no entry for it`
			}},
		{"orphan seed record",
			func(t *testing.T, dir string) func(tx *bolt.Tx) error {
				serial, _ := assigned(t, dir)
				return func(tx *bolt.Tx) error {
					b := tx.Bucket([]byte("seeds"))
					return b.Put([]byte("999999999999"), append([]byte(nil), b.Get([]byte(model.SerialKey(serial)))...))
				}
			},
			func(t *testing.T, dir string) string { return `seeds: record "999999999999" has no token` }},
		{"audit record deleted",
			func(t *testing.T, dir string) func(tx *bolt.Tx) error {
				return func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("audit")).Delete(binary.BigEndian.AppendUint64(nil, 2))
				}
			},
			func(t *testing.T, dir string) string {
				return "audit: the trail is broken at record 2: record 2 is missing (the next record is 3)"
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := demoDir(t)
			serial, user := assigned(t, dir)
			mustRun(t, dir, "unassign", "--serial", serial)               // audit record 2
			mustRun(t, dir, "assign", "--serial", serial, "--user", user) // audit record 3
			mustRun(t, dir, "check")
			want := c.want(t, dir)
			raw(t, dir, c.damage(t, dir))
			code, out, errOut := runCmd(t, dir, "", "check")
			if code != ExitFailure || out != "" ||
				!strings.HasPrefix(errOut, "  "+want+"\n") ||
				!strings.HasSuffix(errOut, "swtoken: store "+filepath.Join(dir, "swtoken.db")+" is damaged: 1 problem found (listed above)\n") {
				t.Fatalf("check of a damaged store: exit %d\nstdout %q\nstderr %q\n(want exit 1 naming %q)", code, out, errOut, want)
			}
		})
	}
}

func TestCheckNeedsAStoreAndTakesNoArguments(t *testing.T) {
	dir := dataDir(t)
	expectFail(t, dir, ExitFailure, "there is no store in "+dir, "check")
	expectFail(t, dir, ExitUsage, `unexpected argument "now"`, "check", "now")
	assertNoStore(t, dir)
}

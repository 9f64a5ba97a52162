package cli

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestImportBadInputChangesNothing: the command line passes the specific
// reason for a bad import file through (exit 1) and leaves every file of
// the data directory as it was.
func TestImportBadInputChangesNothing(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid"))
	mustRun(t, dir, "import", "users", writeFile(t, "u.csv", "user_id,first_name,last_name\njdoe,John,Doe\n"))

	f02, err := os.ReadFile(vec("f02-6d-30s-nopin-nopw.sdtid"))
	if err != nil {
		t.Fatal(err)
	}
	big := writeFile(t, "big.sdtid", string(f02)+strings.Repeat("\n", 70000-len(f02)))
	empty := writeFile(t, "empty.sdtid", "")
	utf16 := writeFile(t, "users16.csv", "\xff\xfeu\x00s\x00e\x00r\x00_\x00i\x00d\x00")
	latin1 := writeFile(t, "latin1.csv", "user_id,first_name,last_name\njose,Jos\xe9,Garcia\n")
	short := writeFile(t, "short.csv", "user_id,first_name,last_name\nbob,Bob\n")

	cases := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"import", "tokens", big, vec("f05-8d-60s-nopin-devid.sdtid")},
			"rejected: " + big + ": the file is 70000 bytes, larger than 64 KiB", "1 rejected, so nothing was imported"},
		{[]string{"import", "tokens", empty},
			"rejected: " + empty + ": not an SDTID file: the file is empty", "nothing was imported"},
		{[]string{"import", "tokens", vec("f03-8d-30s-addpin-pw.sdtid"), "--password-file", writeFile(t, "pw", "wrong\n")},
			"f03-8d-30s-addpin-pw.sdtid: wrong password", "nothing was imported"},
		{[]string{"import", "tokens", vec("tamper/unclosed-tag.sdtid")},
			"malformed XML at line 39", "nothing was imported"},
		{[]string{"import", "tokens", vec("f02-6d-30s-nopin-nopw.sdtid"), vec("f02-6d-30s-nopin-nopw.sdtid")},
			"serial 987654321098 appears more than once in this import", "nothing was imported"},
		{[]string{"import", "users", utf16},
			"", utf16 + ": the file is not UTF-8 (UTF-16? it starts with a UTF-16 byte order mark); save it as UTF-8"},
		{[]string{"import", "users", latin1},
			"", latin1 + ": line 2: column first_name is not valid UTF-8 text (is the file Latin-1 or Windows-1252?)"},
		{[]string{"import", "users", short},
			"rejected: line 2, column last_name: missing", "nothing was imported"},
	}
	for _, c := range cases {
		before := contentSnapshot(t, dir)
		code, out, errOut := runCmd(t, dir, "", c.args...)
		if code != ExitFailure || !strings.Contains(out, c.stdout) || !strings.Contains(errOut, c.stderr) {
			t.Errorf("swtoken %s: exit %d\nstdout %q\nstderr %q\nwant exit 1, %q on stdout and %q on stderr",
				strings.Join(c.args, " "), code, out, errOut, c.stdout, c.stderr)
		}
		sameTree(t, strings.Join(c.args[:2], " "), before, contentSnapshot(t, dir))
	}
	if out := mustRun(t, dir, "tokens", "list"); !strings.Contains(out, "1 token") {
		t.Fatalf("tokens after the refused imports:\n%s", out)
	}
}

// TestAuditVerifyNamesTheTamperedRecord: editing or deleting one record in
// the middle of the trail makes `audit verify` fail (exit 1) naming the
// record.
func TestAuditVerifyNamesTheTamperedRecord(t *testing.T) {
	build := func(t *testing.T) string {
		dir := dataDir(t)
		mustRun(t, dir, "import", "users", writeFile(t, "u.csv", "user_id,first_name,last_name\nmarker-a,A,A\nmarker-b,B,B\n"))
		mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid"), vec("f02-6d-30s-nopin-nopw.sdtid"))
		mustRun(t, dir, "assign", "--serial", "123456789012", "--user", "marker-a") // record 3
		mustRun(t, dir, "assign", "--serial", "987654321098", "--user", "marker-b") // record 4
		mustRun(t, dir, "unassign", "--serial", "123456789012")                     // record 5
		if out := mustRun(t, dir, "audit", "verify"); !strings.Contains(out, "intact: 5 records") {
			t.Fatalf("%q", out)
		}
		return dir
	}
	db := func(dir string) string { return filepath.Join(dir, "swtoken.db") }

	// rawAudit changes the audit bucket with bbolt directly, as someone
	// with write access to the file (but not the store key) could. (bbolt
	// copies pages on write, so an old copy of a record can linger in a
	// free page: editing the file's bytes would not reliably hit the live
	// record.)
	rawAudit := func(t *testing.T, dir string, fn func(b *bolt.Bucket) error) {
		bdb, err := bolt.Open(db(dir), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = bdb.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) })
		if cerr := bdb.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
	}
	seq := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

	t.Run("edit", func(t *testing.T) {
		dir := build(t)
		rawAudit(t, dir, func(b *bolt.Bucket) error {
			var r map[string]any
			if err := json.Unmarshal(b.Get(seq(3)), &r); err != nil {
				return err
			}
			if r["details"] != "user marker-a; token enabled" {
				return fmt.Errorf("record 3 is %v", r)
			}
			r["details"] = "user marker-b; token enabled"
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			return b.Put(seq(3), data)
		})
		expectFail(t, dir, ExitFailure, "the audit trail is broken at record 3: record 3 was modified", "audit", "verify")
	})
	t.Run("delete", func(t *testing.T) {
		dir := build(t)
		rawAudit(t, dir, func(b *bolt.Bucket) error { return b.Delete(seq(3)) })
		expectFail(t, dir, ExitFailure, "the audit trail is broken at record 3: record 3 is missing (the next record is 4)", "audit", "verify")
	})
}

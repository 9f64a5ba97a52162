package storetest

import (
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WriteAbsoluteOutputs turns the closed store in dataDir into the form
// swtoken wrote before schema version 2, as a store restored from an old
// backup has it: every job's output path is absolute and names the job's ZIP
// under oldDataDir (where the store was when the job completed), and
// meta/schema_version is 1.
func WriteAbsoluteOutputs(t testing.TB, dataDir, oldDataDir string) {
	t.Helper()
	RewriteJobOutputs(t, dataDir, 1, func(seq uint64, output string) string {
		if output == "" {
			return ""
		}
		return filepath.Join(oldDataDir, "outputs", filepath.Base(output))
	})
}

// RewriteJobOutputs sets each job's recorded output path (the "output"
// member of its record; "" removes it) to what fn returns for the job's
// seq and current path, and meta/schema_version to schemaVersion, in the
// closed store in dataDir. It writes through bbolt directly, as damage or
// an old swtoken would, with the version 1 names spelled out (not the
// store package's constants): it describes that format and must not follow
// later changes.
func RewriteJobOutputs(t testing.TB, dataDir string, schemaVersion uint64, fn func(seq uint64, output string) string) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dataDir, "swtoken.db"), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		jobs := tx.Bucket([]byte("jobs"))
		type change struct{ k, v []byte }
		var changes []change
		err := jobs.ForEach(func(k, v []byte) error {
			var rec map[string]json.RawMessage
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			var out string
			if raw, ok := rec["output"]; ok {
				if err := json.Unmarshal(raw, &out); err != nil {
					return err
				}
			}
			nout := fn(binary.BigEndian.Uint64(k), out)
			if nout == out {
				return nil
			}
			if nout == "" {
				delete(rec, "output")
			} else {
				raw, err := json.Marshal(nout)
				if err != nil {
					return err
				}
				rec["output"] = raw
			}
			nv, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			changes = append(changes, change{append([]byte(nil), k...), nv})
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := jobs.Put(c.k, c.v); err != nil {
				return err
			}
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, schemaVersion)
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

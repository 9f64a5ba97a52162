package store

import (
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store/storetest"
)

// TestOutputFileResolvesOnlyTheJobsOwnZIP: a recorded output resolves
// against the data directory; anything but the job's own outputs/<seq>.zip
// (absolute, leaving the directory, another file in it) is refused as a
// damaged record.
func TestOutputFileResolvesOnlyTheJobsOwnZIP(t *testing.T) {
	s, dir := newStore(t)
	j := model.Job{Seq: 7, Name: "J", State: model.JobCompleted, Output: "outputs/7.zip"}
	if got, err := s.OutputFile(j); err != nil || got != filepath.Join(dir, "outputs", "7.zip") {
		t.Fatalf("OutputFile = %q, %v", got, err)
	}
	for output, want := range map[string]string{
		"/var/lib/swtoken/outputs/7.zip":    "is absolute",
		"../copy/outputs/7.zip":             "leaves the data directory",
		"outputs/../../other/outputs/7.zip": "leaves the data directory",
		"outputs/8.zip":                     "is not the job's own output file",
		"swtoken.db":                        "is not the job's own output file",
		"outputs/./7.zip":                   "is not the job's own output file",
	} {
		j.Output = output
		got, err := s.OutputFile(j)
		if !errors.Is(err, ErrOutputPathDamaged) || !strings.Contains(err.Error(), want) || got != "" {
			t.Errorf("OutputFile(%q) = %q, %v; want an error saying %q", output, got, err, want)
		}
	}
	j.Output = ""
	if _, err := s.OutputFile(j); err == nil || !strings.Contains(err.Error(), "has no output file") {
		t.Errorf("OutputFile of a job without output: %v", err)
	}
}

// TestCommitJobRecordsTheOutputRelativeToTheDataDirectory: the engine
// hands over the absolute path it wrote; the job records outputs/<seq>.zip,
// and a path that is not the job's ZIP in this data directory is refused
// with nothing changed.
func TestCommitJobRecordsTheOutputRelativeToTheDataDirectory(t *testing.T) {
	st := distStore(t)
	serials := []string{"100000000001", "100000000002", "100000000003"}
	j := distJob("C")
	if err := st.SubmitDistribution(&j, serials, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartJob(j.Seq); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	for _, s := range serials {
		seeds[s], _ = st.SealSeed(s, []byte("0123456789abcdef"))
	}
	abs := filepath.Join(st.DataDir(), "outputs", "1.zip")
	for _, bad := range []string{"/x.zip", filepath.Join(t.TempDir(), "outputs", "1.zip"), "outputs/2.zip", filepath.Join(st.DataDir(), "outputs", "2.zip")} {
		mark := auditMark(t, st)
		_, err := st.CommitJob(JobCommit{Seq: j.Seq, Output: bad, Size: 1, SHA256: "ab", Digits: 6, IntervalSeconds: 30, Seeds: maps.All(seeds)})
		if err == nil || !strings.Contains(err.Error(), "is not the job's output file outputs/1.zip") {
			t.Fatalf("commit with output %q: %v", bad, err)
		}
		wantAudit(t, st, mark)
		if got, _ := st.Job(j.Seq); got.State != model.JobRunning || got.Output != "" {
			t.Fatalf("a refused commit changed the job: %+v", got)
		}
	}
	mark := auditMark(t, st)
	done, err := st.CommitJob(JobCommit{Seq: j.Seq, Output: abs, Size: 1, SHA256: "ab", Digits: 6, IntervalSeconds: 30, Seeds: maps.All(seeds)})
	if err != nil || done.Output != "outputs/1.zip" {
		t.Fatalf("commit: %+v %v", done, err)
	}
	if got, _ := st.Job(j.Seq); got.Output != "outputs/1.zip" {
		t.Fatalf("stored output %q", got.Output)
	}
	// The audit record says where the file was written.
	recs := wantAudit(t, st, mark, "job completion|job C")
	if !strings.Contains(recs[0].Details, "output "+abs+",") {
		t.Errorf("the job completion record does not name %s: %q", abs, recs[0].Details)
	}
}

// rawJobs returns every job record of the closed store in dir as stored.
func rawJobs(t *testing.T, dir string) map[uint64]string {
	t.Helper()
	out := map[uint64]string{}
	db, err := bolt.Open(filepath.Join(dir, DBFileName), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			out[btoi(k)] = string(v)
			return nil
		})
	})
	return out
}

// TestUpgradeMakesJobOutputPathsRelative opens a version 1 store whose
// jobs record absolute output paths (written in other directories, as in a
// store restored from a backup or moved before the upgrade). The upgrade
// rewrites a path ending in the job's own outputs/<seq>.zip to that
// relative name, leaves everything else (relative paths, no output, an
// absolute path it cannot match) byte for byte, is refused by a read-only
// open, and changes nothing when it runs again.
func TestUpgradeMakesJobOutputPathsRelative(t *testing.T) {
	st := distStore(t)
	dir := st.DataDir()
	serials := []string{"100000000001", "100000000002", "100000000003"}
	done := distJob("Done")
	if err := st.SubmitDistribution(&done, serials, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartJob(done.Seq); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	for _, s := range serials {
		seeds[s], _ = st.SealSeed(s, []byte("0123456789abcdef"))
	}
	if _, err := st.CommitJob(JobCommit{Seq: done.Seq, Output: JobOutputName(done.Seq), Size: 1, SHA256: "ab", Digits: 6, IntervalSeconds: 30, Seeds: maps.All(seeds)}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Relative", "Elsewhere", "Other job's", "None", "Root"} {
		createJob(t, st, mkJob(name, "P"))
	}
	before := map[uint64]model.Job{}
	jobs, err := st.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		before[j.Seq] = j
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	stored := map[uint64]string{
		1: "/srv/old-place/swtoken/outputs/1.zip",
		2: "outputs/2.zip",
		3: "/home/admin/secret.zip",
		4: "/srv/old-place/swtoken/outputs/1.zip",
		5: "",
		6: "/outputs/6.zip",
	}
	storetest.RewriteJobOutputs(t, dir, 1, func(seq uint64, _ string) string { return stored[seq] })
	old := rawJobs(t, dir)

	// A read-only open cannot upgrade, says so, and changes nothing.
	snap := snapshot(t, dir)
	if _, err := Open(Options{DataDir: dir, ReadOnly: true}); !errors.Is(err, ErrUpgradeNeeded) {
		t.Fatalf("read-only open of a version 1 store: %v", err)
	}
	assertSameSnapshot(t, snap, snapshot(t, dir))

	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[uint64]string{1: "outputs/1.zip", 2: "outputs/2.zip", 3: stored[3], 4: stored[4], 5: "", 6: "outputs/6.zip"}
	for seq, output := range want {
		j, err := s.Job(seq)
		if err != nil {
			t.Fatal(err)
		}
		if j.Output != output {
			t.Errorf("job %d records output %q after the upgrade, want %q", seq, j.Output, output)
		}
		// Nothing else in the record changed.
		b := before[seq]
		b.Output = output
		if j != b {
			t.Errorf("job %d changed beyond its output:\n got %+v\nwant %+v", seq, j, b)
		}
	}
	if got, err := s.OutputFile(must(s.Job(1))); err != nil || got != filepath.Join(dir, "outputs", "1.zip") {
		t.Errorf("job 1's output resolves to %q, %v", got, err)
	}
	for _, seq := range []uint64{3, 4} {
		if got, err := s.OutputFile(must(s.Job(seq))); !errors.Is(err, ErrOutputPathDamaged) {
			t.Errorf("job %d's unmatched output resolves to %q, %v", seq, got, err)
		}
	}
	// Check reports the two records the upgrade could not match, and only
	// them.
	var ce *CheckError
	if err := s.Check(); !errors.As(err, &ce) || len(ce.Problems) != 2 ||
		!strings.Contains(ce.Problems[0], stored[3]) || !strings.Contains(ce.Problems[1], `job "Other job's"`) {
		t.Fatalf("Check after the upgrade: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after := rawJobs(t, dir)
	for _, seq := range []uint64{2, 3, 4, 5} {
		if after[seq] != old[seq] {
			t.Errorf("job %d's record was rewritten:\n%s\n%s", seq, old[seq], after[seq])
		}
	}
	for _, seq := range []uint64{1, 6} {
		if after[seq] == old[seq] {
			t.Errorf("job %d's record was not rewritten", seq)
		}
	}

	// Running the migration again changes nothing.
	rawUpdate(t, dir, func(tx *bolt.Tx) error { return migrateV2(tx, nil) })
	if again := rawJobs(t, dir); !maps.Equal(again, after) {
		t.Error("a second run of the migration changed job records")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

package store

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// commitWith runs a submitted job to its commit with a zero seed per token.
func commitWith(t *testing.T, st *Store, j model.Job, serials []string) model.Job {
	t.Helper()
	if _, err := st.StartJob(j.Seq); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	for _, s := range serials {
		seeds[s], _ = st.SealSeed(s, []byte("0123456789abcdef"))
	}
	done, err := st.CommitJob(JobCommit{Seq: j.Seq, Output: JobOutputName(j.Seq), Size: 1, SHA256: "ab", Digits: 6, IntervalSeconds: 30,
		Seeds: maps.All(seeds)})
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// TestSubmitRefusesATokenInAnUnfinishedJob: a token frozen into a queued or
// running job cannot go into another job until that one ends; the refusal
// names the token and the job and submits nothing.
func TestSubmitRefusesATokenInAnUnfinishedJob(t *testing.T) {
	st := distStore(t)
	a := distJob("A")
	if err := st.SubmitDistribution(&a, []string{"100000000001", "100000000002"}, "pw", ""); err != nil {
		t.Fatal(err)
	}
	for _, state := range []model.JobState{model.JobQueued, model.JobRunning} {
		if state == model.JobRunning {
			if _, err := st.StartJob(a.Seq); err != nil {
				t.Fatal(err)
			}
		}
		b := distJob("B " + string(state))
		err := st.SubmitDistribution(&b, []string{"100000000002", "100000000003"}, "pw", "")
		var fe *model.FieldError
		if !errors.As(err, &fe) || fe.Field != model.FieldCriteria ||
			!strings.Contains(err.Error(), `token 100000000002 is already in job "A" (`+state.String()+`), which has not ended`) {
			t.Fatalf("%s: %v", state, err)
		}
		if _, err := st.JobByName(b.Name); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: a refused job exists (%v)", state, err)
		}
		st.View(func(tx *Tx) error {
			held, err := tx.UnfinishedJobHolder()
			if err != nil {
				t.Fatal(err)
			}
			if j, ok := held("100000000001"); !ok || j.Name != "A" {
				t.Errorf("holder of 1: %v %v", j.Name, ok)
			}
			if _, ok := held("100000000003"); ok {
				t.Error("token 3 is held by no job")
			}
			return nil
		})
	}
	// A token outside every unfinished job can go into another job.
	c := distJob("C")
	if err := st.SubmitDistribution(&c, []string{"100000000003"}, "pw", ""); err != nil {
		t.Fatal(err)
	}
	// Once A ends (canceled here), its tokens are free again.
	if _, err := st.EndJob(a.Seq, model.JobCanceled, "test"); err != nil {
		t.Fatal(err)
	}
	d := distJob("D")
	if err := st.SubmitDistribution(&d, []string{"100000000002"}, "pw", ""); err != nil {
		t.Fatalf("after A ended: %v", err)
	}
}

// TestSupersededCountsTokensALaterJobDistributedAgain: after job B
// redistributes some of job A's tokens, A's ZIP holds files that no longer
// work: Superseded counts them and names B; B has none.
func TestSupersededCountsTokensALaterJobDistributedAgain(t *testing.T) {
	st := distStore(t)
	all := []string{"100000000001", "100000000002", "100000000003"}
	a := distJob("A")
	if err := st.SubmitDistribution(&a, all, "pw", ""); err != nil {
		t.Fatal(err)
	}
	commitWith(t, st, a, all)
	if n, later, err := st.Superseded(a.Seq); err != nil || n != 0 || len(later) != 0 {
		t.Fatalf("A before B: %d %v %v", n, later, err)
	}
	b := distJob("B")
	if err := st.SubmitDistribution(&b, all[1:], "pw", ""); err != nil {
		t.Fatal(err)
	}
	commitWith(t, st, b, all[1:])
	if n, later, err := st.Superseded(a.Seq); err != nil || n != 2 || !slices.Equal(later, []string{"B"}) {
		t.Fatalf("A after B: %d %v %v", n, later, err)
	}
	if n, _, err := st.Superseded(b.Seq); err != nil || n != 0 {
		t.Fatalf("B: %d %v", n, err)
	}
}

// TestFileSettingsAreFrozenWithTheJob: the profile's tokencode settings a
// job was submitted with are stored with it and cannot change afterwards.
func TestFileSettingsAreFrozenWithTheJob(t *testing.T) {
	st := distStore(t)
	j := distJob("F")
	j.File = model.FileSettings{Digits: 8, IntervalSeconds: 60, AddPIN: true}
	if err := st.SubmitDistribution(&j, []string{"100000000001"}, "pw", ""); err != nil {
		t.Fatal(err)
	}
	got, err := st.Job(j.Seq)
	if err != nil || got.File != j.File {
		t.Fatalf("read back %+v, %v", got.File, err)
	}
	err = st.Update(func(tx *Tx) error {
		got.File.Digits = 6
		return tx.PutJob(got)
	})
	if err == nil || !strings.Contains(err.Error(), "frozen at submit") {
		t.Fatalf("changing the frozen settings: %v", err)
	}
	bad := distJob("Bad")
	bad.File = model.FileSettings{Digits: 7, IntervalSeconds: 60}
	if err := st.SubmitDistribution(&bad, []string{"100000000002"}, "pw", ""); err == nil || !strings.Contains(err.Error(), "impossible") {
		t.Fatalf("7 digits: %v", err)
	}
	// A job without frozen settings (submitted by an older version) reads
	// back with none.
	old := distJob("Old")
	if err := st.SubmitDistribution(&old, []string{"100000000003"}, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Job(old.Seq); !got.File.IsZero() {
		t.Fatalf("%+v", got.File)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("check: %v", err)
	}
}

// TestRequeueAuditDoesNotClaimProgress: progress is not written while a
// job runs, so the requeue record must not say "interrupted at 0 of N".
func TestRequeueAuditDoesNotClaimProgress(t *testing.T) {
	st := distStore(t)
	j := distJob("R")
	if err := st.SubmitDistribution(&j, []string{"100000000001", "100000000002"}, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartJob(j.Seq); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RequeueOrphans(); err != nil {
		t.Fatal(err)
	}
	recs, err := st.AuditRecords(AuditFilter{Action: "job requeue"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%+v %v", recs, err)
	}
	if d := recs[0].Details; strings.Contains(d, " at 0 of") || !strings.Contains(d, "interrupted before its commit (2 tokens); nothing was changed") {
		t.Fatalf("details %q", d)
	}
}

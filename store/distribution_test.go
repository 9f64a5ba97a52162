package store

import (
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// distStore is a store with one file-based profile, two users and three
// assigned tokens.
func distStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(Options{DataDir: filepath.Join(t.TempDir(), "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := Bulk{
		Profiles: []model.Profile{model.NewProfile("P", model.DeviceIPhone)},
		Users:    []model.User{{ID: "alice"}, {ID: "bob"}},
	}
	for i, u := range []string{"alice", "alice", "bob"} {
		b.Tokens = append(b.Tokens, assignedToken(t, st, "10000000000"+string(rune('1'+i)), u))
	}
	if err := st.LoadBulk(b, "test load", ""); err != nil {
		t.Fatal(err)
	}
	return st
}

// assignedToken is a healthy AES-128 software token with a zero seed,
// sealed by st, assigned to user.
func assignedToken(t *testing.T, st *Store, serial, user string) model.Token {
	t.Helper()
	sealed, err := st.SealSeed(serial, make([]byte, SeedLen))
	if err != nil {
		t.Fatal(err)
	}
	tok := model.Token{Serial: serial, Kind: model.KindSoftware, Algorithm: model.AlgAES128, SealedSeed: sealed,
		Death: time.Now().AddDate(1, 0, 0)}
	tok.Assign(user)
	return tok
}

// distJob is a job over every token in mode password: submit it with a
// password (the store checks each token's eligibility at submit, its
// password length included).
func distJob(name string) model.Job {
	return model.Job{Name: name, Spec: model.JobSpec{Name: name, Profile: "P",
		Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
		PasswordMode: model.PasswordAdmin, Criteria: model.Criteria{All: true}}}
}

func TestSubmitFreezesSelectionAndSealsPassword(t *testing.T) {
	st := distStore(t)
	serials := []string{"100000000001", "100000000002", "100000000003"}
	j := distJob("J")
	if err := st.SubmitDistribution(&j, serials, "hunter22", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.JobSerials(j.Seq); !slices.Equal(got, serials) || j.Total != 3 || j.State != model.JobQueued {
		t.Fatalf("selection %v, job %+v", got, j)
	}
	if pw, err := st.JobPassword(j.Seq); err != nil || pw != "hunter22" {
		t.Fatalf("password: %v", err)
	}
	// Sealed under its own AAD: another job's AAD cannot open it.
	var sealed []byte
	st.View(func(tx *Tx) error {
		sealed = tx.tx.Bucket(bucketJobsPasswords).Get(itob(j.Seq))
		sealed = append([]byte(nil), sealed...)
		return nil
	})
	if _, err := st.Unseal(sealed, JobPasswordAAD(j.Seq+1)); err == nil {
		t.Fatal("the job password opens under another job's AAD")
	}
	recs, _ := st.AuditRecords(AuditFilter{Action: "job submit"})
	if len(recs) != 1 || strings.Contains(recs[0].Details, "hunter22") {
		t.Fatalf("audit %+v", recs)
	}
	// A missing token refuses the whole submit.
	j2 := distJob("J2")
	if err := st.SubmitDistribution(&j2, []string{"100000000001", "999999999999"}, "", ""); err == nil {
		t.Fatal("a missing token was frozen into a job")
	}
	if _, err := st.JobByName("J2"); err == nil {
		t.Fatal("a refused job exists")
	}
	// Ending the job deletes the password.
	if _, err := st.EndJob(j.Seq, model.JobCanceled, "test"); err != nil {
		t.Fatal(err)
	}
	if has, _ := st.HasJobPassword(j.Seq); has {
		t.Fatal("the password outlived the job")
	}
}

func TestCommitJobIsAllOrNothing(t *testing.T) {
	st := distStore(t)
	serials := []string{"100000000001", "100000000002", "100000000003"}
	j := distJob("C")
	if err := st.SubmitDistribution(&j, serials, "pw", ""); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	for _, s := range serials {
		seeds[s], _ = st.SealSeed(s, []byte("0123456789abcdef"))
	}
	commit := JobCommit{Seq: j.Seq, Output: JobOutputName(j.Seq), Size: 1, SHA256: "ab", Digits: 6, IntervalSeconds: 30,
		Seeds: maps.All(seeds)}
	// Not running yet.
	if _, err := st.CommitJob(commit); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("commit of a queued job: %v", err)
	}
	if _, err := st.StartJob(j.Seq); err != nil {
		t.Fatal(err)
	}
	// One seed short: nothing changes.
	short := maps.Clone(seeds)
	delete(short, "100000000003")
	bad := commit
	bad.Seeds = maps.All(short)
	if _, err := st.CommitJob(bad); err == nil {
		t.Fatal("a commit with a missing seed succeeded")
	}
	if tok, _ := st.Token("100000000001"); tok.Distribution.Count != 0 {
		t.Fatal("a failed commit changed a token")
	}
	// Interrupted: back to queued, then run and commit.
	if js, err := st.RequeueOrphans(); err != nil || len(js) != 1 || js[0].State != model.JobQueued {
		t.Fatalf("requeue %+v %v", js, err)
	}
	st.StartJob(j.Seq)
	done, err := st.CommitJob(commit)
	if err != nil || done.State != model.JobCompleted || done.Output != JobOutputName(j.Seq) || done.OutputSHA256 != "ab" {
		t.Fatalf("commit %+v %v", done, err)
	}
	tok, _ := st.Token("100000000002")
	seed, _ := st.UnsealSeed(tok)
	if string(seed) != "0123456789abcdef" || tok.Distribution.Count != 1 || tok.Distribution.LastJob != "C" || tok.Distribution.Digits != 6 {
		t.Fatalf("token after commit %+v", tok.Distribution)
	}
	if has, _ := st.HasJobPassword(j.Seq); has {
		t.Fatal("the password outlived the job")
	}
	if _, err := st.OutputDeleted(j.Seq); err != nil {
		t.Fatal(err)
	}
	if j, _ := st.Job(j.Seq); j.Output != "" || j.OutputDeleted.IsZero() {
		t.Fatalf("%+v", j)
	}
	if res, err := st.VerifyAudit(); err != nil || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestCommitJobWritesSeedRecords: the commit changes only the seed records,
// which reference the job for the facts every token shares; the tokens read
// back with the job's name, time, binding and nickname, SID-64 tokens become
// AES-128, a seed given twice is refused, and Check passes.
func TestCommitJobWritesSeedRecords(t *testing.T) {
	st := distStore(t)
	// Make token 3 a SID-64 token (its password limit is 8).
	if err := st.Update(func(tx *Tx) error {
		tok, err := tx.Token("100000000003")
		if err != nil {
			return err
		}
		tok.Algorithm = model.AlgSID64
		return tx.PutToken(tok)
	}); err != nil {
		t.Fatal(err)
	}
	serials := []string{"100000000001", "100000000002", "100000000003"}
	j := distJob("S")
	j.Spec.Nickname = "Phone"
	if err := st.SubmitDistribution(&j, serials, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartJob(j.Seq); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	st.View(func(tx *Tx) error {
		for _, s := range serials {
			before[s] = append([]byte(nil), tx.tx.Bucket(bucketTokens).Get([]byte(s))...)
		}
		return nil
	})
	sealed := func(s string) []byte {
		v, err := st.SealSeed(s, []byte("0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	twice := func(yield func(string, []byte) bool) {
		for _, s := range []string{"100000000001", "100000000002", "100000000002"} {
			if !yield(s, sealed(s)) {
				return
			}
		}
	}
	c := JobCommit{Seq: j.Seq, Output: JobOutputName(j.Seq), Size: 1, SHA256: "ab", Digits: 8, IntervalSeconds: 60, AddPIN: true, Seeds: twice}
	if _, err := st.CommitJob(c); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a seed given twice: %v", err)
	}
	c.Seeds = func(yield func(string, []byte) bool) {
		for _, s := range serials {
			if !yield(s, sealed(s)) {
				return
			}
		}
	}
	done, err := st.CommitJob(c)
	if err != nil {
		t.Fatal(err)
	}
	st.View(func(tx *Tx) error {
		for _, s := range serials {
			if got := tx.tx.Bucket(bucketTokens).Get([]byte(s)); string(got) != string(before[s]) {
				t.Errorf("token %s: the commit rewrote its token record", s)
			}
		}
		return nil
	})
	for _, s := range serials {
		tok, err := st.Token(s)
		if err != nil {
			t.Fatal(err)
		}
		d := tok.Distribution
		want := model.Distribution{Count: 1, LastJob: "S", LastAt: done.Ended, Binding: j.Spec.Binding.Value,
			BindingKind: model.BindingClass, Nickname: "Phone", Digits: 8, IntervalSeconds: 60, AddPIN: true}
		if !d.LastAt.Equal(want.LastAt) {
			t.Errorf("token %s: last at %v, want %v", s, d.LastAt, want.LastAt)
		}
		d.LastAt = want.LastAt
		if d != want || tok.Algorithm != model.AlgAES128 {
			t.Errorf("token %s: %s %+v, want AES-128 %+v", s, tok.Algorithm, d, want)
		}
	}
	recs, _ := st.AuditRecords(AuditFilter{Action: "job completion"})
	if len(recs) != 1 || !strings.Contains(recs[0].Details, "1 SID-64 token(s) are now AES-128") ||
		!strings.Contains(recs[0].Details, "serials 100000000001 to 100000000003") {
		t.Fatalf("audit %+v", recs)
	}
	// An assignment change keeps the job reference; Check agrees.
	if err := st.Unassign("100000000003"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := st.Token("100000000003"); tok.Distribution.LastJob != "S" || tok.Distribution.Count != 1 {
		t.Fatalf("after unassign: %+v", tok.Distribution)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestSeedRecordRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	for _, r := range []seedRecord{
		{alg: model.AlgAES128, sealed: []byte("sealed-seed"), form: distNone},
		{alg: model.AlgSID64, sealed: []byte("s"), digits: 6, interval: 30, count: 300, form: distJobRef, jobSeq: 1 << 40},
		{alg: model.AlgAES128, sealed: []byte("s"), digits: 8, interval: 60, addPIN: true, count: 2, form: distInline,
			inline: model.Distribution{LastJob: "Jöb", LastAt: at, Binding: "dev-1", BindingKind: model.BindingDevice, Nickname: "n"}},
	} {
		b, err := appendSeedRecord(nil, &r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeSeedRecord([]byte("k"), b)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.sealed) != string(r.sealed) || got.alg != r.alg || got.digits != r.digits || got.interval != r.interval ||
			got.addPIN != r.addPIN || got.count != r.count || got.form != r.form || got.jobSeq != r.jobSeq ||
			!got.inline.LastAt.Equal(r.inline.LastAt) || got.inline.LastJob != r.inline.LastJob ||
			got.inline.Binding != r.inline.Binding || got.inline.BindingKind != r.inline.BindingKind || got.inline.Nickname != r.inline.Nickname {
			t.Errorf("round trip: %+v, want %+v", got, r)
		}
		// Every truncation is refused, never misread.
		for n := range len(b) {
			if _, err := decodeSeedRecord([]byte("k"), b[:n]); err == nil {
				t.Errorf("a record cut to %d of %d bytes decodes", n, len(b))
			}
		}
	}
	if _, err := decodeSeedRecord([]byte("k"), []byte{2, 1}); err == nil || !strings.Contains(err.Error(), "newer swtoken") {
		t.Fatalf("a newer record: %v", err)
	}
}

// TestEachJobTokenChunkBoundaries walks selections whose sizes sit on either
// side of the first (small) and later read chunks: every token comes once,
// in the frozen order, with its user.
func TestEachJobTokenChunkBoundaries(t *testing.T) {
	st, err := Open(Options{DataDir: filepath.Join(t.TempDir(), "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = firstJobChunk + 2*jobChunk + 3
	b := Bulk{Profiles: []model.Profile{model.NewProfile("P", model.DeviceIPhone)}}
	var serials []string
	for i := range n {
		uid := "u" + strconv.Itoa(i/2) // two tokens per user: the walk reuses the user read
		if i%2 == 0 {
			b.Users = append(b.Users, model.User{ID: uid, FirstName: "F" + uid})
		}
		serial := strconv.Itoa(100_000_000_000 + i)
		b.Tokens = append(b.Tokens, assignedToken(t, st, serial, uid))
		serials = append(serials, serial)
	}
	if err := st.LoadBulk(b, "test load", ""); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, firstJobChunk - 1, firstJobChunk, firstJobChunk + 1,
		firstJobChunk + jobChunk - 1, firstJobChunk + jobChunk, firstJobChunk + jobChunk + 1, n} {
		j := distJob("walk " + strconv.Itoa(size))
		// The last tokens, newest first, so that the walk cannot pass by
		// following the serial order alone.
		var sel []string
		for i := n - 1; len(sel) < size; i-- {
			sel = append(sel, serials[i])
		}
		if err := st.SubmitDistribution(&j, sel, "pw", ""); err != nil {
			t.Fatal(err)
		}
		var got []string
		err := st.EachJobToken(j.Seq, func(jt JobToken) error {
			if !jt.Found || !jt.UserFound || jt.User.ID != jt.Token.AssignedUser || jt.User.FirstName != "F"+jt.User.ID {
				t.Fatalf("size %d: token %s read as %+v", size, jt.Serial, jt)
			}
			got = append(got, jt.Serial)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := st.JobSerials(j.Seq)
		if len(want) != size || !slices.Equal(got, want) {
			t.Fatalf("size %d: walked %d tokens, the frozen selection holds %d (%v...)", size, len(got), len(want), got[:min(3, len(got))])
		}
		// A token is in one unfinished job at a time: free them for the next size.
		if _, err := st.EndJob(j.Seq, model.JobCanceled, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestJobWritesOneFilePerTokenAndCommits runs a job in each password mode
// and checks the files (with the package's own reader), the manifest, the
// stored seeds (through Verify), the counters, the state and the audit.
func TestJobWritesOneFilePerTokenAndCommits(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{Now: func() time.Time { return testNow }})
	const adminPW = "S3cret-pw!"
	for i, mode := range []model.PasswordMode{model.PasswordNone, model.PasswordAdmin, model.PasswordUserID, model.PasswordUserIDAndAdmin} {
		t.Run(string(mode), func(t *testing.T) {
			pw := ""
			if mode.NeedsAdminPassword() {
				pw = adminPW
			}
			before := sealedSeeds(t, st)
			s := spec(fmt.Sprintf("Job %d", i), mode, "100000000001", "100000000020")
			if i == 1 {
				s.Binding = model.Binding{Kind: model.BindingDevice, Value: "DEVICE-42"}
			}
			j := submit(t, e, s, pw)
			if has, _ := st.HasJobPassword(j.Seq); has != mode.NeedsAdminPassword() {
				t.Fatalf("sealed password pending = %v for mode %s", has, mode)
			}
			end := runAll(t, e)
			if end.State != model.JobCompleted || end.Done != end.Total || end.Output == "" || end.OutputSHA256 == "" {
				t.Fatalf("job ended %+v", end)
			}
			if has, _ := st.HasJobPassword(j.Seq); has {
				t.Fatal("the job password outlived the job")
			}
			fi, err := os.Stat(outputOf(t, st, end))
			if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != end.OutputSize {
				t.Fatalf("output %v %v", fi, err)
			}
			files := zipFiles(t, outputOf(t, st, end))
			if len(files) != end.Total+1 {
				t.Fatalf("%d entries for %d tokens", len(files), end.Total)
			}
			rows, err := csv.NewReader(bytes.NewReader(files["manifest.csv"])).ReadAll()
			if err != nil || len(rows) != end.Total+1 {
				t.Fatalf("manifest: %d rows, %v", len(rows), err)
			}
			after := sealedSeeds(t, st)
			for _, r := range rows[1:] {
				serial, user, file := r[0], r[1], r[4]
				if r[6] != string(mode) {
					t.Fatalf("manifest password mode %q", r[6])
				}
				data := files[file]
				if data == nil {
					t.Fatalf("manifest names %s, not in the ZIP", file)
				}
				want := model.EffectivePassword(mode, user, pw)
				f, err := sdtid.ReadSingle(data, want)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				tok := f.Tokens[0]
				if mode != model.PasswordNone && !f.PasswordProtected {
					t.Fatalf("%s is not password protected", file)
				}
				if _, err := sdtid.ReadSingle(data, want+"x"); mode != model.PasswordNone && err == nil {
					t.Fatalf("%s opens with a wrong password", file)
				}
				wantDSN := model.DeviceIPhone.GUID()
				if i == 1 {
					wantDSN = "DEVICE-42"
				}
				if tok.Serial != serial || tok.Login != user || tok.DeviceSerialNumber != wantDSN || tok.Nickname != "Work phone" ||
					tok.Digits != 8 || tok.IntervalSeconds != 60 || tok.PINMode < 2 || f.Header.Name != j.BatchID || !strings.HasPrefix(f.Header.Origin, "swtoken-") {
					t.Fatalf("%s: %+v / header %+v", file, tok, f.Header)
				}
				for _, cell := range r {
					if strings.Contains(strings.ToLower(cell), hex.EncodeToString(tok.Seed[:])) || (pw != "" && strings.Contains(cell, pw)) {
						t.Fatal("the manifest holds a secret")
					}
				}
				if before[serial] == after[serial] {
					t.Fatalf("token %s kept its old seed", serial)
				}
				code, err := tok.Code(testNow, "")
				if err != nil {
					t.Fatal(err)
				}
				res, err := Verify(st, serial, code, "", testNow)
				if err != nil || !res.Match || res.Offset != 0 {
					t.Fatalf("verify %s: %+v %v", serial, res, err)
				}
				stored, _ := st.Token(serial)
				d := stored.Distribution
				if d.LastJob != j.Name || d.Digits != 8 || d.IntervalSeconds != 60 || !d.AddPIN || d.Nickname != "Work phone" {
					t.Fatalf("distribution record %+v", d)
				}
			}
			if len(files["manifest.csv"]) == 0 {
				t.Fatal("no manifest")
			}
			recs, _ := st.AuditRecords(store.AuditFilter{Object: "job " + j.Name})
			var actions []string
			for _, r := range recs {
				actions = append(actions, r.Action)
				if pw != "" && strings.Contains(r.Details, pw) {
					t.Fatal("the audit trail holds the password")
				}
			}
			if got := strings.Join(actions, ","); got != "job completion,job start,job submit" {
				t.Fatalf("audit %s", got)
			}
		})
	}
	if res, err := st.VerifyAudit(); err != nil || !res.OK() {
		t.Fatalf("audit chain %+v %v", res, err)
	}
}

// TestOutputIsTheSameForAnyNumberOfWorkers: the same random source gives
// the same ZIP byte for byte with 1 worker and with 4.
func TestOutputIsTheSameForAnyNumberOfWorkers(t *testing.T) {
	signer, err := sdtid.GenerateSigner("test")
	if err != nil {
		t.Fatal(err)
	}
	checkSameOutputFor1And4Workers(t, spec("Same", model.PasswordUserID, "100000000001", "100000000040"), func(workers int) *Engine {
		st := openDemo(t, 20, 50)
		// The demo's install id differs per store, so fix the Origin.
		return New(st, Options{Workers: workers, Rand: rand.New(rand.NewSource(7)), Now: func() time.Time { return testNow }, originOverride: "swtoken-test", signer: signer})
	})
}

// checkSameOutputFor1And4Workers runs the job s (no admin password) on the
// engine newEngine makes for 1 worker and on the one it makes for 4: both
// must complete with the same ZIP, byte for byte.
func checkSameOutputFor1And4Workers(t *testing.T, s model.JobSpec, newEngine func(workers int) *Engine) {
	t.Helper()
	var sums []string
	for _, workers := range []int{1, 4} {
		e := newEngine(workers)
		submit(t, e, s, "")
		end := runAll(t, e)
		if end.State != model.JobCompleted {
			t.Fatalf("%+v", end)
		}
		sums = append(sums, end.OutputSHA256)
	}
	if sums[0] != sums[1] {
		t.Fatalf("1 worker gave %s, 4 gave %s", sums[0], sums[1])
	}
}

// failAfter fails every write once n bytes have passed, like a full disk.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, &os.PathError{Op: "write", Path: "output", Err: syscall.ENOSPC}
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestDiskFullFailsTheJobAndChangesNothing(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{WrapOutput: func(w io.Writer) io.Writer { return &failAfter{w: w, n: 4096} }})
	before := sealedSeeds(t, st)
	j := submit(t, e, spec("Full", model.PasswordAdmin, "100000000001", "100000000040"), "pw12345")
	end := runAll(t, e)
	if end.State != model.JobFailed || !strings.Contains(end.Reason, "no space left on device") || !strings.Contains(end.Reason, "no token was changed") {
		t.Fatalf("job ended %s: %q", end.State, end.Reason)
	}
	assertUnchanged(t, st, before, j)
}

// assertUnchanged checks that no token changed and that the job left no
// output and no password behind.
func assertUnchanged(t *testing.T, st *store.Store, before map[string]string, j model.Job) {
	t.Helper()
	after := sealedSeeds(t, st)
	for s, v := range before {
		if after[s] != v {
			t.Fatalf("token %s changed", s)
		}
	}
	ents, _ := os.ReadDir(st.OutputsDir())
	if len(ents) != 0 {
		t.Fatalf("outputs left behind: %v", ents)
	}
	if has, _ := st.HasJobPassword(j.Seq); has {
		t.Fatal("the job password outlived the job")
	}
	toks, _ := st.TokensInRange("100000000001", "100000000050")
	for _, tok := range toks {
		if tok.Distribution.LastJob == j.Name {
			t.Fatalf("token %s records job %s", tok.Serial, j.Name)
		}
	}
}

// cancelAfter cancels the job once n bytes were written.
type cancelAfter struct {
	w    io.Writer
	n    int
	once sync.Once
	fn   func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n -= len(p)
	if c.n < 0 {
		c.once.Do(c.fn)
	}
	return c.w.Write(p)
}

func TestCancelQueuedAndRunningJobs(t *testing.T) {
	st := openDemo(t, 20, 50)
	var e *Engine
	var seq uint64
	e = New(st, Options{Workers: 2, WrapOutput: func(w io.Writer) io.Writer {
		return &cancelAfter{w: w, n: 1, fn: func() {
			if _, err := e.Cancel(seq); err != nil {
				t.Error(err)
			}
		}}
	}})
	before := sealedSeeds(t, st)

	// Queued: canceled by the store at once.
	q := submit(t, e, spec("Queued", model.PasswordAdmin, "100000000001", "100000000040"), "pw12345")
	c, err := e.Cancel(q.Seq)
	if err != nil || c.State != model.JobCanceled {
		t.Fatalf("cancel queued: %+v %v", c, err)
	}
	assertUnchanged(t, st, before, q)

	// Running: canceled from inside the write, after the first bytes.
	r := submit(t, e, spec("Running", model.PasswordAdmin, "100000000001", "100000000040"), "pw12345")
	seq = r.Seq
	end := runAll(t, e)
	if end.State != model.JobCanceled || end.Reason != ErrCanceled.Error() {
		t.Fatalf("job ended %s: %q", end.State, end.Reason)
	}
	assertUnchanged(t, st, before, r)
	if _, err := e.Cancel(r.Seq); err == nil {
		t.Fatal("a canceled job was canceled again")
	}
}

func TestEventsAreThrottledAndEndWithTheState(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	events, stop := e.Subscribe()
	defer stop()
	submit(t, e, spec("Events", model.PasswordNone, "100000000001", "100000000040"), "")
	runAll(t, e)
	var got []Event
	for {
		select {
		case ev := <-events:
			got = append(got, ev)
			continue
		default:
		}
		break
	}
	if len(got) < 3 || got[len(got)-1].State != model.JobCompleted || got[0].State != model.JobQueued {
		t.Fatalf("events %+v", got)
	}
	progress := 0
	for _, ev := range got {
		if ev.State == model.JobRunning && ev.Done > 0 {
			progress++
		}
	}
	if progress == 0 {
		t.Fatal("no progress event")
	}
}

func TestEngineRunnerGoroutine(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	events, stop := e.Subscribe()
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	e.Start(ctx)
	j := submit(t, e, spec("Background", model.PasswordNone, "100000000001", "100000000010"), "")
	deadline := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-events:
			done = ev.Seq == j.Seq && ev.State.Terminal()
		case <-deadline:
			t.Fatal("the runner did not finish the job")
		}
	}
	cancel()
	<-e.Done()
	if got, _ := st.Job(j.Seq); got.State != model.JobCompleted {
		t.Fatalf("%+v", got)
	}
}

// TestRedistributionBreaksTheOldFile: after a second distribution, codes
// from the first file no longer verify and codes from the second do.
func TestRedistributionBreaksTheOldFile(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	fileFor := func(j model.Job, serial string) sdtid.Token {
		t.Helper()
		tok, _ := st.Token(serial)
		data := zipFiles(t, outputOf(t, st, j))[EntryName(tok.AssignedUser, serial)]
		f, err := sdtid.ReadSingle(data, tok.AssignedUser)
		if err != nil {
			t.Fatal(err)
		}
		return f.Tokens[0]
	}
	submit(t, e, spec("First", model.PasswordUserID, "100000000001", "100000000010"), "")
	first := runAll(t, e)
	p, err := e.Plan(spec("Second", model.PasswordUserID, "100000000001", "100000000010"), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Summary.Redistributed != p.Summary.Count {
		t.Fatalf("redistributed %d of %d", p.Summary.Redistributed, p.Summary.Count)
	}
	if _, err := e.Submit(p, "", ""); err == nil || !strings.Contains(err.Error(), "type the number of tokens") {
		t.Fatalf("redistribution without confirmation: %v", err)
	}
	if _, err := e.Submit(p, "", strconv.Itoa(p.Summary.Count)); err != nil {
		t.Fatal(err)
	}
	second := runAll(t, e)
	for _, sel := range p.Selected {
		old, cur := fileFor(first, sel.Serial), fileFor(second, sel.Serial)
		oldCode, _ := old.Code(testNow, "")
		newCode, _ := cur.Code(testNow, "")
		if oldCode == newCode {
			continue // one chance in 10^8; nothing to learn from this token
		}
		if res, err := Verify(st, sel.Serial, oldCode, "", testNow); err != nil || res.Match {
			t.Fatalf("token %s: the first file's code still verifies: %+v %v", sel.Serial, res, err)
		}
		if res, err := Verify(st, sel.Serial, newCode, "", testNow); err != nil || !res.Match {
			t.Fatalf("token %s: the second file's code does not verify: %+v %v", sel.Serial, res, err)
		}
		tok, _ := st.Token(sel.Serial)
		if tok.Distribution.Count != sel.TimesDistributed+1 || tok.Distribution.LastJob != "Second" {
			t.Fatalf("distribution %+v", tok.Distribution)
		}
	}
}

func TestVerifyOffsetsAndUnsupported(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	submit(t, e, spec("V", model.PasswordNone, "100000000001", "100000000005"), "")
	j := runAll(t, e)
	serials, _ := st.JobSerials(j.Seq)
	tok, _ := st.Token(serials[0])
	f, err := sdtid.ReadSingle(zipFiles(t, outputOf(t, st, j))[EntryName(tok.AssignedUser, serials[0])], "")
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{-1, 0, 1} {
		code, _ := f.Tokens[0].Code(testNow.Add(time.Duration(off)*time.Minute), "1234")
		res, err := Verify(st, serials[0], code, "1234", testNow)
		if err != nil || !res.Match || res.Offset != off {
			t.Fatalf("offset %d: %+v %v", off, res, err)
		}
	}
	code, _ := f.Tokens[0].Code(testNow.Add(-2*time.Minute), "")
	if res, _ := Verify(st, serials[0], code, "", testNow); res.Match {
		t.Fatal("a code two intervals old matched")
	}
	if OffsetText(-1) != "-1 (previous interval)" {
		t.Fatal(OffsetText(-1))
	}
	if _, err := Verify(st, "200000000001", "12345678", "", testNow); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("SID-64: %v", err)
	}
}

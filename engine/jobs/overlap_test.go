package jobs

import (
	"errors"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestATokenIsInOneUnfinishedJobAtATime: the plan leaves out tokens that a
// queued job holds (counted as "in an unfinished job"), and a plan made
// before another job took its tokens is refused at submit, naming the token
// and the job, with nothing submitted. Without this two queued jobs both
// distributed the tokens, with no redistribution warning, and the first
// job's ZIP held files the store had already replaced.
func TestATokenIsInOneUnfinishedJobAtATime(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	// A plan over 1-10, made while nothing else is queued.
	early, err := e.Plan(spec("Early", model.PasswordNone, "100000000001", "100000000010"), "")
	if err != nil {
		t.Fatal(err)
	}
	a := submit(t, e, spec("A", model.PasswordNone, "100000000001", "100000000005"), "")

	p, err := e.Plan(spec("B", model.PasswordNone, "100000000001", "100000000010"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Summary.Ineligible[model.InUnfinishedJob]; got != a.Total {
		t.Fatalf("B leaves out %d tokens as in an unfinished job, A holds %d", got, a.Total)
	}
	aSerials, _ := st.JobSerials(a.Seq)
	for _, sel := range p.Selected {
		for _, s := range aSerials {
			if sel.Serial == s {
				t.Fatalf("B selects %s, which A holds", s)
			}
		}
	}
	if !strings.Contains(p.Summary.IneligibleText(), "in an unfinished job") {
		t.Fatalf("left out: %s", p.Summary.IneligibleText())
	}
	// Only A's tokens: nothing is eligible, and the error says why.
	if _, err := e.Plan(spec("C", model.PasswordNone, "100000000001", "100000000005"), ""); err == nil ||
		!strings.Contains(err.Error(), "in an unfinished job") {
		t.Fatalf("plan over A's tokens only: %v", err)
	}
	// The early plan is stale: the store refuses it at submit.
	_, want := model.ConfirmationRequired(early.Spec, early.Summary)
	if _, err := e.Submit(early, "", want); err == nil || !strings.Contains(err.Error(), `is already in job "A"`) {
		t.Fatalf("stale plan submitted: %v", err)
	}
	if _, err := st.JobByName("Early"); err == nil {
		t.Fatal("the refused job exists")
	}
	// Once A has run, its tokens can be distributed again (with the
	// redistribution confirmation).
	if end := runAll(t, e); end.State != model.JobCompleted {
		t.Fatalf("A: %s %s", end.State, end.Reason)
	}
	b := submit(t, e, spec("B2", model.PasswordNone, "100000000001", "100000000010"), "")
	if b.Total != len(p.Selected)+a.Total {
		t.Fatalf("B2 holds %d tokens, want %d", b.Total, len(p.Selected)+a.Total)
	}
}

// TestAQueuedJobWritesTheProfileItWasSubmittedWith: the summary showed the
// profile's digits, interval and PIN mode; editing the profile before the
// job runs does not change the files or the tokens' recorded settings.
func TestAQueuedJobWritesTheProfileItWasSubmittedWith(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	j := submit(t, e, spec("Frozen", model.PasswordNone, "100000000001", "100000000003"), "")
	rec, err := st.Profile("Staff iPhone")
	if err != nil {
		t.Fatal(err)
	}
	want := rec.FileSettings()
	if j.File != want || want.Digits != 8 || want.IntervalSeconds != 60 {
		t.Fatalf("frozen %+v, the profile had %+v", j.File, want)
	}
	edited := rec.Profile
	edited.TokencodeLength, edited.Duration = 6, 30
	if _, err := st.EditProfile(rec, edited); err != nil {
		t.Fatal(err)
	}
	end := runAll(t, e)
	if end.State != model.JobCompleted {
		t.Fatalf("%s: %s", end.State, end.Reason)
	}
	serials, _ := st.JobSerials(j.Seq)
	files := zipFiles(t, outputOf(t, st, end))
	for _, s := range serials {
		tok, _ := st.Token(s)
		f, err := sdtid.ReadSingle(files[EntryName(tok.AssignedUser, s)], "")
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Tokens[0]; got.Digits != 8 || got.IntervalSeconds != 60 {
			t.Fatalf("%s: the file has %d digits, %d s; the job was submitted with 8, 60", s, got.Digits, got.IntervalSeconds)
		}
		if d := tok.Distribution; d.Digits != 8 || d.IntervalSeconds != 60 {
			t.Fatalf("%s: the store records %d digits, %d s", s, d.Digits, d.IntervalSeconds)
		}
	}
}

// TestSupersededAfterALaterJob: after a later job redistributes some of a
// completed job's tokens, the store counts those files as superseded.
func TestSupersededAfterALaterJob(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	submit(t, e, spec("First", model.PasswordNone, "100000000001", "100000000005"), "")
	first := runAll(t, e)
	submit(t, e, spec("Second", model.PasswordNone, "100000000004", "100000000008"), "")
	second := runAll(t, e)
	n, later, err := st.Superseded(first.Seq)
	overlap := 0
	s1, _ := st.JobSerials(first.Seq)
	s2, _ := st.JobSerials(second.Seq)
	for _, a := range s1 {
		for _, b := range s2 {
			if a == b {
				overlap++
			}
		}
	}
	if err != nil || overlap == 0 || n != overlap || len(later) != 1 || later[0] != "Second" {
		t.Fatalf("superseded %d %v %v; overlap %d", n, later, err, overlap)
	}
	if n, _, err := st.Superseded(second.Seq); err != nil || n != 0 {
		t.Fatalf("second: %d %v", n, err)
	}
	if _, _, err := st.Superseded(999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
}

package jobs

import (
	"io"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// TestDiskFullAuditSaysNoTokenChangedOnce: the audit record of a job that
// failed on a full disk names the cause and says "no token was changed"
// once, although the job's reason (which the record quotes) says it too.
func TestDiskFullAuditSaysNoTokenChangedOnce(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{WrapOutput: func(w io.Writer) io.Writer { return &failAfter{w: w, n: 4096} }})
	submit(t, e, spec("Full", model.PasswordAdmin, "100000000001", "100000000040"), "pw12345")
	if end := runAll(t, e); end.State != model.JobFailed {
		t.Fatalf("job ended %s: %q", end.State, end.Reason)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Action: "job failure"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d job failure records, want 1: %+v", len(recs), recs)
	}
	d := recs[0].Details
	if !strings.Contains(d, "no space left on device") {
		t.Errorf("the record does not name the cause: %q", d)
	}
	if n := strings.Count(d, "no token was changed"); n != 1 {
		t.Errorf("the record says \"no token was changed\" %d times, want once: %q", n, d)
	}
}

// TestCanceledJobAuditSaysNoTokenChanged: a reason that does not say it
// (a cancel) still gets "no token was changed" in the record, once.
func TestCanceledJobAuditSaysNoTokenChanged(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	j := submit(t, e, spec("Stop", model.PasswordAdmin, "100000000001", "100000000010"), "pw12345")
	if _, err := e.Cancel(j.Seq); err != nil {
		t.Fatal(err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Action: "job cancel"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || strings.Count(recs[0].Details, "no token was changed") != 1 {
		t.Fatalf("job cancel records: %+v", recs)
	}
}

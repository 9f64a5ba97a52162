package jobs

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestAPlanWhoseTokensChangedMeanwhileIsRefusedAtSubmit: between the
// summary (Plan) and the submit, another process unassigns one of the
// selected tokens, or disables one. The store refuses the stale plan at
// submit, naming the token and what it is now, and submits nothing; a job
// submitted anyway would fail as a whole when it runs ("changed since the
// job was submitted"). scripts/stress.sh found such a failed job. A fresh
// plan leaves those tokens out and runs.
func TestAPlanWhoseTokensChangedMeanwhileIsRefusedAtSubmit(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	for _, c := range []struct {
		name   string
		change func(serial string) error
		now    string
	}{
		{"Unassigned meanwhile", st.Unassign, "unassigned"},
		{"Disabled meanwhile", func(serial string) error { _, err := st.SetTokenEnabled(serial, false); return err }, "disabled"},
	} {
		p, err := e.Plan(spec(c.name, model.PasswordNone, "100000000001", "100000000010"), "")
		if err != nil {
			t.Fatal(err)
		}
		victim := p.Selected[len(p.Selected)-1].Serial
		if err := c.change(victim); err != nil {
			t.Fatal(err)
		}
		_, want := model.ConfirmationRequired(p.Spec, p.Summary)
		_, err = e.Submit(p, "", want)
		if err == nil || !strings.Contains(err.Error(), "token "+victim+" changed since the summary: it is now "+c.now) {
			t.Fatalf("%s: submit of the stale plan: %v", c.name, err)
		}
		if _, err := st.JobByName(c.name); err == nil {
			t.Fatalf("%s: the refused job exists", c.name)
		}
	}
	j := submit(t, e, spec("Fresh", model.PasswordNone, "100000000001", "100000000010"), "")
	if end := runAll(t, e); end.State != model.JobCompleted || end.Seq != j.Seq {
		t.Fatalf("the fresh plan's job: %s %s", end.State, end.Reason)
	}
}

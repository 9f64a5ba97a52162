package ui

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// TestEngineBackendShowsWhereTheOutputIsNow: the job records its ZIP
// relative to the data directory; the console's backend hands the screens
// the absolute path in this data directory, in the completion event and in
// the job records.
func TestEngineBackendShowsWhereTheOutputIsNow(t *testing.T) {
	be, st := realBackend(t)
	spec := model.JobSpec{
		Name: "Shown", Profile: "Staff iPhone",
		Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
		PasswordMode: model.PasswordNone,
		Criteria:     model.Criteria{From: "100000000001", To: "100000000005"},
	}
	p, err := be.Preview(spec, "")
	if err == nil {
		err = model.CanSubmit(spec, p.Summary)
	}
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	_, typed := model.ConfirmationRequired(spec, p.Summary)
	j, err := be.Submit(spec, "", typed, p.Summary.Selection())
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(st.DataDir(), "outputs", "1.zip")
	deadline := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-be.Events():
			if ev.Seq == j.Seq && ev.State == model.JobCompleted {
				if ev.Output != want {
					t.Fatalf("completion event output %q, want %q", ev.Output, want)
				}
				done = true
			}
		case <-deadline:
			t.Fatal("the job did not complete")
		}
	}
	if stored, _ := st.Job(j.Seq); stored.Output != "outputs/1.zip" {
		t.Fatalf("stored output %q", stored.Output)
	}
	got, err := be.Job(j.Seq)
	if err != nil || got.Output != want {
		t.Fatalf("Job: output %q, %v; want %q", got.Output, err, want)
	}
	list, err := be.Jobs()
	if err != nil || len(list) != 1 || list[0].Output != want {
		t.Fatalf("Jobs: %+v, %v", list, err)
	}
}

package jobs

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// TestJobReasonShowsControlCharactersEscaped: a failed job's reason (an
// error text that may quote a path) shows escaped in the jobs list, the
// job's details and the status line announcing the failure.
func TestJobReasonShowsControlCharactersEscaped(t *testing.T) {
	be := newFakeBackend()
	be.jobs = append(be.jobs, model.Job{Seq: 1, Name: "Q3 rollout", Spec: model.JobSpec{Name: "Q3 rollout", Profile: "Staff iPhone"}, State: model.JobCompleted})
	be.jobs = append(be.jobs, model.Job{Seq: 2, Name: "Q4 rollout", Spec: model.JobSpec{Name: "Q4 rollout", Profile: "Staff iPhone"},
		State: model.JobFailed, Reason: "cannot write /out/" + forged, Ended: testNow})
	m := newTestModel(t, be, 80, 24)
	press(t, m, "2", "enter")
	press(t, m, "3")
	wantNoRawControls(t, m)
	wantFlat(t, m, `cannot write /out/x\x1b[31mred`)
	press(t, m, "enter")
	wantNoRawControls(t, m)
	wantFlat(t, m, `cannot write /out/x\x1b[31mred\x1b[2J\u202e\nFAKE RECORD`)

	update(t, m, nav.JobEventMsg(nav.JobEvent{Seq: 3, Name: "Q5", State: model.JobFailed, Reason: "disk full at /out/" + forged}))
	wantNoRawControls(t, m)
	wantScreen(t, m, `ERROR: Job #3 "Q5" failed: disk full at /out/x\x1b[31mred`)
}

package jobs

import (
	"slices"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestLiveJobsShowOtherProcesses: a job queued by another process and the
// progress of a job another process runs show at the next poll, with the
// selected job kept.
func TestLiveJobsShowOtherProcesses(t *testing.T) {
	be := jobsFixture()
	m := newTestModel(t, be, 80, 24)
	press(t, m, "2", "enter")
	press(t, m, "down") // #6 (queued) is first; select #5 (running)
	js := jobsScreenOf(m)
	if js.sel != 5 {
		t.Fatalf("selected #%d, want #5", js.sel)
	}
	wantScreen(t, m, "0 of 20,000")

	be.touch(func(f *fakeBackend) {
		f.jobs = append(f.jobs, model.Job{Seq: 7, Name: "CLI batch", State: model.JobQueued, Total: 40, Submitted: testNow})
		f.jobs[4].Done = 4000
	})
	poll(t, m)
	wantScreen(t, m, "[1 In Progress (3)]")
	wantScreen(t, m, "CLI batch")
	wantScreen(t, m, "4,000 of 20,000")
	if js.sel != 5 {
		t.Fatalf("after the reload #%d is selected, want #5 still", js.sel)
	}
	wantScreen(t, m, "> #5")
}

// TestLivePollWithoutChangeReloadsNothing: the poll is one counter read;
// with the counter where it was, no screen reads the store.
func TestLivePollWithoutChangeReloadsNothing(t *testing.T) {
	be := jobsFixture()
	m := newTestModel(t, be, 80, 24)
	press(t, m, "2", "enter")
	be.Mu.Lock()
	be.Calls = nil
	be.Mu.Unlock()
	for range 3 {
		poll(t, m)
	}
	be.Mu.Lock()
	calls := slices.Clone(be.Calls)
	be.Mu.Unlock()
	if want := []string{"change counter", "change counter", "change counter"}; !slices.Equal(calls, want) {
		t.Fatalf("calls %q, want %q", calls, want)
	}
}

// TestLiveQuitForgetsJobsEndedElsewhere: a job that was unfinished when
// the console opened and that another process ran to its end no longer
// makes quitting ask.
func TestLiveQuitForgetsJobsEndedElsewhere(t *testing.T) {
	be := jobsFixture() // #5 running, #6 queued, by another process
	m := newTestModel(t, be, 80, 24)
	be.touch(func(f *fakeBackend) {
		for _, i := range []int{4, 5} {
			f.jobs[i].State, f.jobs[i].Ended = model.JobCompleted, testNow
		}
	})
	poll(t, m)
	press(t, m, "ctrl+c")
	if !m.Quitting() {
		t.Fatalf("quitting asks about jobs that ended elsewhere:\n%s", screenText(m))
	}
}

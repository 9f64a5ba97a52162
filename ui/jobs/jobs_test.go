package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
)

// jobsFixture is a fake with a job in every state.
func jobsFixture() *fakeBackend {
	be := newFakeBackend()
	spec := func(name string) model.JobSpec {
		return model.JobSpec{Name: name, Profile: "Staff iPhone",
			Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
			PasswordMode: model.PasswordUserIDAndAdmin,
			Criteria:     model.Criteria{From: "100000000001", To: "100000020000"}}
	}
	at := func(min int) time.Time { return testNow.Add(time.Duration(min) * time.Minute) }
	be.jobs = []model.Job{
		{Seq: 1, Name: "Pilot group", State: model.JobCanceled, Reason: "canceled by the admin", Total: 12, Submitted: at(-300), Ended: at(-299)},
		{Seq: 2, Name: "Helpdesk replacements", State: model.JobFailed, Reason: "writing the output failed: no space left on device", Total: 40, Submitted: at(-200), Started: at(-200), Ended: at(-199)},
		{Seq: 3, Name: "Finance laptops", State: model.JobCompleted, Total: 75, Submitted: at(-120), Started: at(-120), Ended: at(-119), OutputDeleted: at(-60)},
		{Seq: 4, Name: "Generate Software Token Files 2026-09-30 12:00:00", Spec: spec("x"), BatchID: "SWT-000004", State: model.JobCompleted, Total: 500,
			File:      model.FileSettings{Digits: 8, IntervalSeconds: 60, AddPIN: true},
			Submitted: at(-30), Started: at(-30), Ended: at(-29), Output: "/var/lib/swtoken/outputs/4.zip", OutputSize: 1234567, OutputSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		{Seq: 5, Name: "Generate Software Token Files 2026-09-30 14:00:00", Spec: spec("y"), BatchID: "SWT-000005", State: model.JobRunning, Total: 20000, Done: 0,
			Submitted: at(-2), Started: at(-2)},
		{Seq: 6, Name: "Night batch", State: model.JobQueued, Total: 300, Submitted: at(-1)},
	}
	return be
}

// openJobs opens the jobs screen with job 5 at 9,000 of 20,000.
func openJobs(t *testing.T, be *fakeBackend, w, h int) *Model {
	t.Helper()
	m := newTestModel(t, be, w, h)
	press(t, m, "2", "enter")
	if jobsScreenOf(m) == nil {
		t.Fatalf("jobs screen not open: %s", screenText(m))
	}
	update(t, m, nav.JobEventMsg{Seq: 5, Name: be.jobs[4].Name, State: model.JobRunning, Done: 9000, Total: 20000, Rate: 1234.4})
	return m
}

func TestJobsTabsAndProgress(t *testing.T) {
	be := jobsFixture()
	m := openJobs(t, be, 80, 24)
	wantScreen(t, m, "[1 In Progress (2)]")
	wantScreen(t, m, "2 Completed (2)")
	wantScreen(t, m, "3 Failed/Canceled (2)")
	wantScreen(t, m, "45%  9,000 of 20,000  1,234/s  9s left")
	wantScreen(t, m, "0%  0 of 300  waiting")
	wantScreen(t, m, "> #6")

	press(t, m, "tab")
	wantScreen(t, m, "[2 Completed (2)]")
	wantScreen(t, m, "500 tokens, ended 2026-09-30 13:36:09 UTC, ZIP ready (d to download)")
	wantScreen(t, m, "output ZIP deleted")
	press(t, m, "tab")
	wantScreen(t, m, "ended 2026-09-30 10:46:09 UTC: writing the output failed: no space left")
	wantScreen(t, m, "canceled by the admin")
	press(t, m, "shift+tab", "shift+tab")
	wantScreen(t, m, "[1 In Progress (2)]")
	press(t, m, "3")
	wantScreen(t, m, "[3 Failed/Canceled (2)]")
}

func TestJobsEventsUpdateWithoutReadingTheStore(t *testing.T) {
	be := jobsFixture()
	m := openJobs(t, be, 80, 24)
	reads := func() int {
		n := 0
		for _, c := range be.Calls {
			if c == "jobs" {
				n++
			}
		}
		return n
	}
	be.Calls = nil
	for done := 10000; done <= 12000; done += 1000 {
		update(t, m, nav.JobEventMsg{Seq: 5, Name: "x", State: model.JobRunning, Done: done, Total: 20000, Rate: 1000})
	}
	wantScreen(t, m, "12,000 of 20,000")
	if n := reads(); n != 0 {
		t.Fatalf("progress events read the job list %d times", n)
	}
}

func TestJobsFollowTheNewJobToCompleted(t *testing.T) {
	be := jobsFixture()
	m := newTestModel(t, be, 80, 24)
	update(t, m, nav.PushMsg{S: New(uitest.Env(), be, 5)})
	js := jobsScreenOf(m)
	if js.tab != model.TabInProgress || js.sel != 5 {
		t.Fatalf("opened on tab %v seq %d", js.tab, js.sel)
	}
	be.jobs[4].State, be.jobs[4].Done, be.jobs[4].Ended = model.JobCompleted, 20000, testNow
	be.jobs[4].Output = "/var/lib/swtoken/outputs/5.zip"
	update(t, m, nav.JobEventMsg{Seq: 5, Name: be.jobs[4].Name, State: model.JobCompleted, Done: 20000, Total: 20000})
	if js.tab != model.TabCompleted || js.sel != 5 {
		t.Fatalf("after completion: tab %v seq %d", js.tab, js.sel)
	}
	wantScreen(t, m, "> #5")
	wantScreen(t, m, "Completed")
}

func TestJobsDetails(t *testing.T) {
	m := openJobs(t, jobsFixture(), 80, 24)
	press(t, m, "tab", "enter")
	for _, s := range []string{"Job details", "#4 Generate Software Token Files 2026-09-30 12:00:00", "State:       Completed",
		"Profile:     Staff iPhone", "Tokencode:   8 digits every 60 s, PIN pad (AddPIN)",
		"device class " + model.DeviceIPhone.GUID(), "User ID followed by Password",
		"serials 100000000001 to 100000020000", "SWT-000004", "/var/lib/swtoken/outputs/4.zip (1,234,567 bytes)"} {
		wantScreen(t, m, s)
	}
	press(t, m, "esc")
	wantScreen(t, m, "[2 Completed (2)]")
	if jobsScreenOf(m) == nil {
		t.Fatal("esc in details left the jobs screen")
	}
}

func TestJobsDownload(t *testing.T) {
	be := jobsFixture()
	m := openJobs(t, be, 80, 24)
	press(t, m, "tab", "d")
	wantScreen(t, m, "Download Output File of job #4")
	wantScreen(t, m, "Save to: ./Generate Software Token Files 2026-09-30 12:00:00.zip")
	if !m.Top().CapturesInput() {
		t.Fatal("the path field does not capture input")
	}
	press(t, m, "enter")
	full := "/home/admin/Generate Software Token Files 2026-09-30 12:00:00.zip"
	wantScreen(t, m, "Saved: "+full)
	wantScreen(t, m, "scp admin@tokenhost:'/home/admin/Generate Software Token Files 2026-09-30 12:0")
	wantScreen(t, m, "0:00.zip' .")
	press(t, m, "enter")

	// Again: the file exists now, so it asks before overwriting.
	press(t, m, "d", "enter")
	wantScreen(t, m, "exists.")
	wantScreen(t, m, "Overwrite it?")
	press(t, m, "n")
	wantScreen(t, m, "Save to:")
	clearField(t, m)
	typeText(t, m, "/nonexistent/x.zip")
	press(t, m, "enter")
	wantScreen(t, m, "ERROR: directory /nonexistent does not exist")
	clearField(t, m)
	typeText(t, m, "./Generate Software Token Files 2026-09-30 12:00:00.zip")
	press(t, m, "enter", "y")
	wantScreen(t, m, "Saved: "+full)
	if len(be.downloads) != 2 {
		t.Fatalf("downloads %v", be.downloads)
	}
	press(t, m, "enter")

	// No output: explained instead of opening the dialog.
	press(t, m, "down", "d")
	wantScreen(t, m, "Job #3 has no output to download: deleted 2026-09-30")
	press(t, m, "shift+tab", "d")
	wantScreen(t, m, "has no output to download: the job is")
}

// TestJobsDownloadWarnsWhenLaterJobsReplacedSeeds: a completed job's ZIP
// whose tokens later jobs distributed again is still downloaded, and the
// result says that those files no longer work.
func TestJobsDownloadWarnsWhenLaterJobsReplacedSeeds(t *testing.T) {
	be := jobsFixture()
	be.superseded = map[uint64]string{4: model.SupersededWarning(120, 500, []string{"Night batch"})}
	m := openJobs(t, be, 80, 24)
	press(t, m, "tab", "d", "enter")
	wantScreen(t, m, "Saved: /home/admin/")
	wantScreen(t, m, "WARNING: 120 of the 500 files in this ZIP no longer work")
	wantScreen(t, m, "Saved, but some files in the ZIP no longer work")
	if len(be.downloads) != 1 {
		t.Fatalf("downloads %v", be.downloads)
	}
	// Without superseded files the result has no warning.
	be.superseded = nil
	press(t, m, "enter", "d", "enter", "y")
	wantScreen(t, m, "Saved: /home/admin/")
	if strings.Contains(screenText(m), "no longer work") {
		t.Fatalf("a warning without superseded files:\n%s", screenText(m))
	}
}

func TestJobsDeleteOutputAndCancel(t *testing.T) {
	be := jobsFixture()
	m := openJobs(t, be, 80, 24)
	press(t, m, "tab", "x")
	wantScreen(t, m, "Delete the output file of job #4?")
	wantScreen(t, m, "holds token secrets")
	press(t, m, "n")
	if len(be.deleted) != 0 {
		t.Fatal("deleted after n")
	}
	press(t, m, "x", "y")
	if len(be.deleted) != 1 || be.deleted[0] != 4 {
		t.Fatalf("deleted %v", be.deleted)
	}
	wantScreen(t, m, "OK: Job #4: output file deleted.")
	wantScreen(t, m, "output ZIP deleted")

	press(t, m, "c")
	wantScreen(t, m, "only queued or running jobs can be canceled")
	press(t, m, "1") // In Progress: #6 queued is first
	press(t, m, "c")
	wantScreen(t, m, `Cancel job #6 "Night batch"?`)
	press(t, m, "y")
	if len(be.canceled) != 1 || be.canceled[0] != 6 {
		t.Fatalf("canceled %v", be.canceled)
	}
	wantScreen(t, m, "Job #6: cancel requested.")
	wantScreen(t, m, "[1 In Progress (1)]")
}

// readError returns the "ERROR: " line of the screen and the indented
// lines that continue it, joined without the wrapping: what the admin can
// read of the message.
func readError(t *testing.T, m *Model) string {
	t.Helper()
	lines := strings.Split(screenText(m), "\n")
	for i, l := range lines {
		at := strings.Index(l, "ERROR: ")
		if at < 0 || i == len(lines)-2 { // not the status line
			continue
		}
		text := l[at+len("ERROR: "):]
		pad := strings.Repeat(" ", at+len("ERROR: "))
		for _, c := range lines[i+1:] {
			if !strings.HasPrefix(c, pad) || strings.TrimSpace(c) == "" {
				break
			}
			text += "\n" + strings.TrimPrefix(c, pad)
		}
		return text
	}
	t.Fatalf("no ERROR: on the screen:\n%s", screenText(m))
	return ""
}

// TestJobsDownloadErrorIsWrappedNotCut: at 80 columns the whole error of
// a download to a missing directory is on the screen, its end included,
// even a path longer than a line.
func TestJobsDownloadErrorIsWrappedNotCut(t *testing.T) {
	for _, dir := range []string{
		"/nonexistent/explore-nodir/sub/another-level/and-one-more",
		"/nonexistent/" + strings.Repeat("d", 100),
	} {
		m := openJobs(t, jobsFixture(), 80, 24)
		press(t, m, "tab", "d")
		clearField(t, m)
		typeText(t, m, dir+"/x.zip")
		press(t, m, "enter")
		want := "directory " + dir + " does not exist"
		if got := readError(t, m); !sameText(got, want) {
			t.Errorf("the error reads %q, want %q:\n%s", got, want, screenText(m))
		}
		wantNoScreen(t, m, "…")
		wantScreen(t, m, "Save to:")
	}
}

// TestJobsDeleteAndCancelErrorsAreWrapped: a failed delete or cancel keeps
// its dialog open with the whole reason wrapped in it; the one-line status
// says only what failed, so nothing is cut.
func TestJobsDeleteAndCancelErrorsAreWrapped(t *testing.T) {
	fb := jobsFixture()
	cancelErr := errors.New("job #6 could not be canceled: the engine did not answer within 5s; the job state in /var/lib/swtoken/store.db is unchanged")
	be := &failingOutputs{fakeBackend: fb, deleteErr: errLongDelete, cancelErr: cancelErr}
	m := newTestModelOver(t, fb, be, 80, 24)
	press(t, m, "2", "enter", "tab", "x", "y")
	if got := readError(t, m); !sameText(got, errLongDelete.Error()) {
		t.Fatalf("the delete error reads %q:\n%s", got, screenText(m))
	}
	wantScreen(t, m, "Delete the output file of job #4?")
	wantScreen(t, m, "ERROR: Job #4: the output file was not deleted.")
	wantNoScreen(t, m, "…")
	press(t, m, "n")
	wantNoScreen(t, m, "permission denied")

	press(t, m, "1", "c", "y")
	if got := readError(t, m); !sameText(got, cancelErr.Error()) {
		t.Fatalf("the cancel error reads %q:\n%s", got, screenText(m))
	}
	wantScreen(t, m, `Cancel job #6 "Night batch"?`)
	wantNoScreen(t, m, "…")
	// Trying again clears the old reason; a success closes the dialog.
	be.cancelErr = nil
	press(t, m, "y")
	wantNoScreen(t, m, "did not answer")
	wantScreen(t, m, "Job #6: cancel requested.")
}

// TestJobsStatusTextsFitTheLine: the status line is one line; the jobs
// screen's notes fit in 80 columns whole, even for a six-digit job number
// and a long download path.
func TestJobsStatusTextsFitTheLine(t *testing.T) {
	be := jobsFixture()
	be.jobs[2].Seq = 123456 // Finance laptops, output deleted
	m := openJobs(t, be, 80, 24)
	statusLine := func() string {
		lines := strings.Split(screenText(m), "\n")
		return lines[len(lines)-2]
	}
	press(t, m, "tab", "down", "d")
	if s := statusLine(); !strings.HasPrefix(s, "NOTE: Job #123456 has no output to download: deleted ") || strings.Contains(s, "…") {
		t.Fatalf("status line %q", s)
	}
	press(t, m, "x")
	if s := statusLine(); !strings.HasSuffix(s, ".") || strings.Contains(s, "…") {
		t.Fatalf("status line %q", s)
	}
	press(t, m, "c")
	if s := statusLine(); !strings.HasSuffix(s, "only queued or running jobs can be canceled.") {
		t.Fatalf("status line %q", s)
	}
	long := "/srv/exports/" + strings.Repeat("long-directory-name/", 4) + "x.zip"
	press(t, m, "up", "d")
	clearField(t, m)
	typeText(t, m, long)
	press(t, m, "enter")
	wantScreen(t, m, "Saved: /srv/exports/")
	if s := statusLine(); s != "OK: Job #4: output file saved (path and scp command above)." {
		t.Fatalf("status line %q", s)
	}
	// The overwrite question names the whole path, broken, not cut.
	press(t, m, "enter", "d")
	clearField(t, m)
	typeText(t, m, long)
	press(t, m, "enter")
	wantScreen(t, m, "Overwrite it?")
	wantNoScreen(t, m, "…")
	if scr := strings.Join(strings.Fields(screenText(m)), ""); !strings.Contains(scr, "WARNING:"+long+"exists.") {
		t.Fatalf("the overwrite question lacks the path:\n%s", screenText(m))
	}
}

// TestJobDetailsWarnWhenFilesWereSuperseded: the details of a completed job
// whose tokens later jobs distributed again say so before any download; a
// job completing meanwhile makes the screen ask again.
func TestJobDetailsWarnWhenFilesWereSuperseded(t *testing.T) {
	be := jobsFixture()
	be.superseded = map[uint64]string{4: model.SupersededWarning(500, 500, []string{"Night batch"})}
	m := openJobs(t, be, 80, 24)
	press(t, m, "tab", "enter")
	wantScreen(t, m, "Job details")
	wantScreen(t, m, "WARNING: 500 of the 500 files in this ZIP no longer work")
	press(t, m, "esc")
	// The store's answer changes after another job completes.
	be.superseded = nil
	update(t, m, nav.JobEventMsg{Seq: 5, Name: be.jobs[4].Name, State: model.JobCompleted, Done: 20000, Total: 20000})
	s := jobsScreenOf(m)
	s.sel = 4
	press(t, m, "enter")
	wantScreen(t, m, "#4 Generate Software Token Files 2026-09-30 12:00:00")
	if strings.Contains(screenText(m), "no longer work") {
		t.Fatalf("a stale warning after a completion:\n%s", screenText(m))
	}
}

// TestJobsDetailsFollowAJobTheSessionDidNotStart: the details of a job
// queued from the CLI stay on that job when it completes, on the tab it
// moved to, with its actions working.
func TestJobsDetailsFollowAJobTheSessionDidNotStart(t *testing.T) {
	be := jobsFixture()
	m := openJobs(t, be, 80, 24) // opened from home: nothing followed
	press(t, m, "down")          // #6 is first; #5 is the running one
	wantScreen(t, m, "> #5")
	press(t, m, "enter")
	wantScreen(t, m, "Job details")
	wantScreen(t, m, "#5 Generate Software Token Files 2026-09-30 14:00:00")

	be.jobs[4].State, be.jobs[4].Done, be.jobs[4].Ended = model.JobCompleted, 20000, testNow
	be.jobs[4].Output, be.jobs[4].OutputSize = "/var/lib/swtoken/outputs/5.zip", 4096
	update(t, m, nav.JobEventMsg{Seq: 5, Name: be.jobs[4].Name, State: model.JobCompleted, Done: 20000, Total: 20000, Output: be.jobs[4].Output})

	wantScreen(t, m, "[2 Completed (3)]")
	wantScreen(t, m, "Job details")
	wantScreen(t, m, "#5 Generate Software Token Files 2026-09-30 14:00:00")
	wantScreen(t, m, "State:       Completed")
	wantNoScreen(t, m, "Night batch")
	press(t, m, "d")
	wantScreen(t, m, "Download Output File of job #5")
	press(t, m, "esc", "esc")
	wantScreen(t, m, "[2 Completed (3)]")
	wantScreen(t, m, "> #5")
}

// TestJobsEveryEndIsAnnounced: a job the console did not start, whose
// earlier events it never saw (queued from the CLI after the start; the
// engine drops events a lagging reader misses), still gets the status note
// when it ends, once.
func TestJobsEveryEndIsAnnounced(t *testing.T) {
	for _, tc := range []struct {
		state model.JobState
		want  string
	}{
		{model.JobCompleted, `OK: Job #7 "CLI batch" completed: 50 token files written.`},
		{model.JobFailed, `ERROR: Job #7 "CLI batch" failed: writing the output failed`},
	} {
		t.Run(tc.state.String(), func(t *testing.T) {
			be := jobsFixture()
			m := openJobs(t, be, 80, 24)
			be.jobs = append(be.jobs, model.Job{Seq: 7, Name: "CLI batch", State: tc.state, Total: 50,
				Submitted: testNow, Started: testNow, Ended: testNow})
			ev := nav.JobEventMsg{Seq: 7, Name: "CLI batch", State: tc.state, Done: 50, Total: 50}
			if tc.state == model.JobFailed {
				be.jobs[6].Reason, ev.Reason = "writing the output failed", "writing the output failed"
			}
			update(t, m, ev)
			wantScreen(t, m, tc.want)

			m.ClearStatus()
			update(t, m, ev)
			if m.Status() != "" {
				t.Fatalf("a repeated final event was announced again: %q", m.Status())
			}
		})
	}
}

// TestStatusNoteStaysWhenEscClosesOnlyTheDetails: esc that the screen
// handles itself (closing its details) leaves it open, and the note with it.
func TestStatusNoteStaysWhenEscClosesOnlyTheDetails(t *testing.T) {
	jm := openJobs(t, jobsFixture(), 80, 24)
	press(t, jm, "enter", "x")
	wantScreen(t, jm, "has no output to delete")
	press(t, jm, "esc")
	if jobsScreenOf(jm) == nil || jobsScreenOf(jm).detail {
		t.Fatal("esc did not close the details only")
	}
	wantScreen(t, jm, "has no output to delete")
}

package jobs

import (
	"testing"
)

// TestJobsDownloadSaysStaleTemporaryFilesWereRemoved: the download result
// shows the backend's note.
func TestJobsDownloadSaysStaleTemporaryFilesWereRemoved(t *testing.T) {
	be := jobsFixture()
	be.downloadNote = "removed 1 stale temporary file(s) from an interrupted download: /home/admin/.swtoken-dl-1-2-3.tmp"
	m := openJobs(t, be, 80, 24)
	press(t, m, "tab", "d", "enter")
	wantScreen(t, m, "Saved: /home/admin/")
	wantScreen(t, m, "NOTE: removed 1 stale temporary file(s) from an interrupted")
}

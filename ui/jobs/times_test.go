package jobs

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// TestMain fixes the local zone to UTC, so that goldens do not depend on
// the machine's $TZ (the times' tests change it on purpose).
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

// inZone runs the test with loc as the local zone.
func inZone(t *testing.T, loc *time.Location) {
	old := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = old })
}

// Jobs shows times as the command line does (model.FormatTime): in the
// local zone, with the zone's name; not in the clock's zone without one.
func TestJobsTimesShowTheLocalZone(t *testing.T) {
	inZone(t, time.FixedZone("EST", -5*3600))
	m := openJobs(t, jobsFixture(), 80, 24)
	press(t, m, "2")
	wantScreen(t, m, "500 tokens, ended 2026-09-30 08:36:09 EST, ZIP ready (d to download)")
	wantScreen(t, m, "75 tokens, ended 2026-09-30 07:06:09 EST, output ZIP deleted")
	press(t, m, "enter")
	wantScreen(t, m, "Ended:       2026-09-30 08:36:09 EST")
	press(t, m, "esc", "down", "d")
	wantScreen(t, m, "Job #3 has no output to download: deleted 2026-09-30 08:05:09 EST")
}

// At 80 columns a row keeps its number, state and end time: the name is
// cut with an ellipsis, never the state; long job numbers keep the names
// lined up.
func TestJobsRowsFit80Columns(t *testing.T) {
	be := jobsFixture()
	be.jobs[3].Name = "A very long job name that would push the state off the edge of the screen, surely"
	be.jobs[2].Seq = 123456
	m := openJobs(t, be, 80, 24)
	press(t, m, "2")
	line, next := uitest.LineWith(t, m, "#4")
	if got := len([]rune(line)); got != 80 || !strings.HasSuffix(line, "Completed") || !strings.Contains(line, "…") {
		t.Fatalf("row %q (%d columns): want the name cut and the state at column 80", line, got)
	}
	wantScreen(t, m, "#4      A very long")
	wantScreen(t, m, "#123456 Finance laptops")
	if !strings.Contains(next, "ended 2026-09-30 13:36:09 UTC, ZIP ready (d to download)") || len([]rune(next)) > 80 {
		t.Fatalf("second line %q: want the end time with its zone, within 80 columns", next)
	}
}

package inventory

import (
	"testing"
	"time"
)

// inZone runs the test with the process's local zone set to loc, as $TZ
// would (model.FormatTime shows times in time.Local).
func inZone(t *testing.T, loc *time.Location) {
	t.Helper()
	old := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = old })
}

// TestInventoryTimesShowTheLocalZone: the Audit Log's rows and record and
// the token detail's last distribution show times as model.FormatTime
// does: in the local zone, with its name.
func TestInventoryTimesShowTheLocalZone(t *testing.T) {
	inZone(t, time.FixedZone("EST", -5*3600))
	be := listFixture()
	be.tokens[6].Distribution.LastAt = testNow

	m := openMenu(t, be, "8", 80, 24)
	wantScreen(t, m, "2026-09-30 08:58:09 EST admin")
	press(t, m, "enter")
	wantScreen(t, m, "2026-09-30 08:58:09 EST")

	m = openMenu(t, be, "5", 80, 24)
	for range 6 {
		press(t, m, "down")
	}
	press(t, m, "enter")
	wantScreen(t, m, "Token 100000000007")
	wantScreen(t, m, "2026-09-30 09:05:09 EST")
}

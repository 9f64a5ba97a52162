package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHumanTimesAreLocalWithTheZone: jobs list, jobs show and audit show
// times in the zone of $TZ with the zone's name (model.FormatTime), not
// bare UTC; the JSON keeps RFC 3339 in UTC.
func TestHumanTimesAreLocalWithTheZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Zoned", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000005", "--yes")
	j := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Zoned", "--json"))
	if j.Submitted == nil || j.Submitted.Location() != time.UTC {
		t.Fatalf("JSON submitted: %v", j.Submitted)
	}
	want := j.Submitted.In(ny).Format("2006-01-02 15:04:05 MST")
	zoned := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T`)
	env := []string{"TZ=America/New_York"}
	for _, args := range [][]string{{"jobs", "list"}, {"jobs", "show", "Zoned"}, {"audit", "--limit", "3"}} {
		code, out, errOut, _ := runChildEnv(t, env, append([]string{"--data-dir", dir}, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if !zoned.MatchString(out) || strings.Contains(out, " UTC") || strings.Contains(out, "Z  ") {
			t.Errorf("%v with TZ=America/New_York shows no New York time:\n%s", args, out)
		}
		if args[0] == "jobs" && !strings.Contains(out, want) {
			t.Errorf("%v: want the submit time %q:\n%s", args, want, out)
		}
	}
}

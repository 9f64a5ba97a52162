package model

import "time"

// TimeLayout is how a person reads a time in swtoken: date, time to the
// second and the zone's abbreviation, in the process's local zone ($TZ).
// Machine output (JSON, the audit's stored form) stays RFC 3339.
const TimeLayout = "2006-01-02 15:04:05 MST"

// DateLayout is a calendar day. Token dates (death dates) are UTC calendar
// days with no time of day, so they carry no zone.
const DateLayout = "2006-01-02"

// FormatTime is the one way a time is shown to a person, in the command
// line and the console alike: t in the local zone with its abbreviation,
// "2026-12-03 08:05:20 EST". The zero time is "" (nothing to show).
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(time.Local).Format(TimeLayout)
}

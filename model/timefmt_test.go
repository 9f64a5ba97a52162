package model

import (
	"testing"
	"time"
)

// TestFormatTimeShowsTheZone: a time reads in the given zone, with the
// zone's name, never as bare UTC digits.
func TestFormatTimeShowsTheZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	at := time.Date(2026, 12, 3, 13, 5, 20, 0, time.UTC)
	old := time.Local
	time.Local = ny
	defer func() { time.Local = old }()
	if got, want := FormatTime(at), "2026-12-03 08:05:20 EST"; got != want {
		t.Fatalf("FormatTime with TZ=America/New_York = %q, want %q", got, want)
	}
	if FormatTime(time.Time{}) != "" {
		t.Fatal("the zero time is not blank")
	}
}

package model

import (
	"strings"
	"testing"
	"time"
)

// wantField fails unless err holds an error about field (and item, when
// item is not "*").
func wantField(t *testing.T, err error, item, field string) {
	t.Helper()
	for _, fe := range AsFieldErrors(err) {
		if fe.Field == field && (item == "*" || fe.Item == item) {
			if fe.Msg == "" {
				t.Errorf("error for %s has no message", field)
			}
			return
		}
	}
	t.Errorf("want an error on %q/%q, got %v", item, field, err)
}

// check compares err against the wanted outcome: wantErr "" means no error,
// otherwise err must mention wantErr.
func check(t *testing.T, err error, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case wantErr != "" && err == nil:
		t.Errorf("want an error mentioning %q, got nil", wantErr)
	case wantErr != "" && !strings.Contains(err.Error(), wantErr):
		t.Errorf("error %q does not mention %q", err, wantErr)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func softToken(serial, user string) Token {
	return Token{
		Serial: serial, Kind: KindSoftware, Algorithm: AlgAES128,
		Birth: day(2025, 1, 1), Death: day(2030, 12, 31),
		Enabled: user != "", AssignedUser: user,
	}
}

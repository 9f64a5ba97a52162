package model

import (
	"strings"
	"testing"
)

// rowsOf is the rows an admin gets for s (what settings show --json prints).
func rowsOf(s Settings, ps []Profile) []SettingsRow {
	var rows []SettingsRow
	for _, p := range ps {
		r := SettingsRow{Profile: p.Name, Shown: p}
		if e := s.Entry(p.Name); e != nil {
			r = SettingsRow{Profile: p.Name, Selected: e.Selected, Default: e.Default, DisplayName: e.DisplayName,
				ImageLocation: e.ImageLocation, Description: e.Description, Confirmed: e.IsConfirmed(p),
				AppDownloadURL: e.AppDownloadURL, HelpDocURL: e.HelpDocURL, AllowUserEdit: e.AllowUserEdit, Shown: p}
		}
		rows = append(rows, r)
	}
	return rows
}

func TestWithRowsOfUnchangedRowsChangesNothing(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	ps[1].TokencodeLength = 6 // Android's confirmation lapsed
	next, err := s.WithRows(ps, rowsOf(s, ps))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(s, next); len(d) != 0 {
		t.Fatalf("unchanged rows changed %v", d)
	}
	// The lapsed confirmation stays lapsed: Validate refuses it, as it
	// refuses it in the console.
	if next.Entry("Staff Android").ConfirmStatus(ps[1]) != ConfirmationLapsed {
		t.Fatal("a lapsed confirmation must stay lapsed, not be withdrawn or renewed")
	}
	if err := next.Validate(ps); err == nil || !strings.Contains(err.Error(), "Staff Android: Confirmed: the profile changed since it was confirmed") {
		t.Fatalf("%v", err)
	}
}

func TestWithRowsConfirmsOnlyWhatTheAdminSaw(t *testing.T) {
	ps := testProfiles()
	s := validSettings(ps)
	rows := rowsOf(s, ps)
	ps[1].Duration = 30 // changed after the rows were printed
	_, err := s.WithRows(ps, rows)
	fe := AsFieldErrors(err)
	if len(fe) != 1 || fe[0].Item != "Staff Android" || fe[0].Field != FieldConfirmed ||
		!strings.Contains(fe[0].Msg, "the profile changed since it was shown (Tokencode duration is 30, not 60)") {
		t.Fatalf("%v", err)
	}
	// Confirmed against the fields as they are now: confirmed.
	rows = rowsOf(s, ps)
	rows[1].Confirmed = true
	next, err := s.WithRows(ps, rows)
	if err != nil || !next.Entry("Staff Android").IsConfirmed(ps[1]) {
		t.Fatalf("%v %+v", err, next.Entry("Staff Android"))
	}
	// Unconfirmed by the admin: withdrawn.
	rows[0].Confirmed = false
	next, _ = s.WithRows(ps, rows)
	if next.Entry("Staff iPhone").ConfirmStatus(ps[0]) != NotConfirmed {
		t.Fatal("confirmed: false withdraws a confirmation that holds")
	}
}

func TestWithRowsNewlySelectedFillsInLikeTheConsole(t *testing.T) {
	ps := testProfiles()
	s := DefaultSettings()
	rows := rowsOf(s, ps)
	rows[0].Selected, rows[0].Default, rows[0].Confirmed = true, true, true
	next, err := s.WithRows(ps, rows)
	if err != nil {
		t.Fatal(err)
	}
	e := next.Entry("Staff iPhone")
	if e.DisplayName != "Staff iPhone" || e.ImageLocation != "images/iphone.png" || e.Description != "For staff iPhones" {
		t.Fatalf("%+v", e)
	}
	if err := next.Validate(ps); err != nil {
		t.Fatal(err)
	}
}

package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestSettingsDefaultAndSave(t *testing.T) {
	s, _ := newStore(t)
	got, err := s.Settings()
	if err != nil || !reflect.DeepEqual(got, model.DefaultSettings()) {
		t.Fatalf("never saved: %+v %v", got, err)
	}
	// Saving the defaults changes nothing: nothing is written.
	mark := auditMark(t, s)
	if err := s.SaveSettings(model.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, mark)

	staff, _ := s.AddProfile(fileProfile("Staff"))
	lab, _ := s.AddProfile(fileProfile("Lab"))
	good := settingsOffering(staff.Profile, lab.Profile)
	good.Entry("Staff").AppDownloadURL = "https://apps.example.com/token"
	good.ReplacementWindowDays = 14
	mark = auditMark(t, s)
	if err := s.SaveSettings(good); err != nil {
		t.Fatal(err)
	}
	good.Revision++ // the first write
	recs := wantAudit(t, s, mark, "settings save|self-service settings")
	for _, w := range []string{"Replacement window: 30 -> 14 days", `Profile "Staff": selected for request`, `Profile "Lab": selected`} {
		if !strings.Contains(recs[0].Details, w) {
			t.Errorf("details %q lack %q", recs[0].Details, w)
		}
	}
	got, _ = s.Settings()
	if !reflect.DeepEqual(got, good) {
		t.Fatalf("round trip:\n got  %+v\n want %+v", got, good)
	}

	// Bad input: field errors, stored settings unchanged, no audit.
	cases := []struct {
		name   string
		modify func(*model.Settings)
		field  string
	}{
		{"bad URL", func(st *model.Settings) { st.Entry("Lab").HelpDocURL = "ftp://x.example.com/help" }, model.FieldHelpDocURL},
		{"blank display name", func(st *model.Settings) { st.Entry("Staff").DisplayName = " " }, model.FieldDisplayName},
		{"window", func(st *model.Settings) { st.ReplacementWindowDays = 0 }, model.FieldReplacementWindow},
		{"two defaults", func(st *model.Settings) { st.Entry("Lab").Default = true }, model.FieldDefault},
		{"unconfirmed", func(st *model.Settings) { st.Entry("Lab").Confirmed = "" }, model.FieldConfirmed},
		{"unknown profile", func(st *model.Settings) {
			st.Entries = append(st.Entries, model.SettingsEntry{Profile: "Ghost", Selected: true, DisplayName: "G"})
		}, model.FieldSelected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, _ := s.Settings()
			next.UserMustProvidePassword = true // a good change in the same save
			c.modify(&next)
			mark := auditMark(t, s)
			err := s.SaveSettings(next)
			var fes model.FieldErrors
			if !errors.As(err, &fes) || len(fes.For(c.field)) == 0 {
				t.Fatalf("want FieldErrors on %s, got %v", c.field, err)
			}
			wantAudit(t, s, mark)
			if now, _ := s.Settings(); !reflect.DeepEqual(now, good) {
				t.Errorf("stored settings changed by a refused save: %+v", now)
			}
		})
	}
}

func TestConfirmationLapsesAfterProfileEdit(t *testing.T) {
	s, _ := newStore(t)
	staff, _ := s.AddProfile(fileProfile("Staff"))
	if err := s.SaveSettings(settingsOffering(staff.Profile)); err != nil {
		t.Fatal(err)
	}
	// A description edit does not touch the confirmed fields.
	p := staff.Profile
	p.Description = "new text"
	staff, err := s.EditProfile(staff, p)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := s.Settings()
	if st := set.Entry("Staff").ConfirmStatus(p); st != model.Confirmed {
		t.Fatalf("after description edit: %v", st)
	}
	// A duration edit does.
	p.Duration = 30
	mark := auditMark(t, s)
	if _, err := s.EditProfile(staff, p); err != nil {
		t.Fatal(err)
	}
	recs := wantAudit(t, s, mark, "profile edit|profile Staff")
	if !strings.Contains(recs[0].Details, "confirmation lapsed") {
		t.Errorf("details %q", recs[0].Details)
	}
	cur, _ := s.Profile("Staff")
	set, _ = s.Settings()
	if st := set.Entry("Staff").ConfirmStatus(cur.Profile); st != model.ConfirmationLapsed {
		t.Fatalf("after duration edit: %v", st)
	}
	// Saving is refused until it is confirmed again.
	set.ReplacementWindowDays = 10
	err = s.SaveSettings(set)
	wantErr(t, err, "confirm it again")
	set.Entry("Staff").Confirm(cur.Profile)
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
}

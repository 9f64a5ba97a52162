package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func profileNames(rs []ProfileRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

func TestAddProfile(t *testing.T) {
	s, _ := newStore(t)
	other := model.NewProfile("Lab", model.DeviceOther)
	other.OtherGUID = " 11111111-2222-3333-4444-555555555555 "
	bad := fileProfile("Bad")
	bad.TokencodeLength = 7
	cases := []struct {
		p    model.Profile
		want string
	}{
		{fileProfile("Staff"), ""},
		{fileProfile("contractors"), ""},
		{other, ""},
		{fileProfile("STAFF"), `"STAFF" is already used by profile "Staff"`},
		{fileProfile(" staff"), "space"},
		{bad, "6 or 8"},
		{fileProfile(""), "blank"},
		{fileProfile(strings.Repeat("n", 129)), "at most 128"},
	}
	for _, c := range cases {
		mark := auditMark(t, s)
		r, err := s.AddProfile(c.p)
		wantErr(t, err, c.want)
		if c.want != "" {
			wantAudit(t, s, mark)
			continue
		}
		wantAudit(t, s, mark, "profile add|profile "+c.p.Name)
		if r.ID == 0 || r.Revision != 1 || r.Created.IsZero() || r.Created != r.Updated {
			t.Errorf("record %+v", r)
		}
	}
	rs, err := s.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	if got := profileNames(rs); !slices.Equal(got, []string{"contractors", "Lab", "Staff"}) {
		t.Errorf("Profiles order %q", got)
	}
	r, err := s.Profile("staff")
	if err != nil || r.Name != "Staff" || r.DeviceType != model.DeviceIPhone || r.Description != "for Staff" {
		t.Errorf("Profile(staff) = %+v %v", r, err)
	}
	lab, _ := s.Profile("LAB")
	if lab.OtherGUID != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("Other GUID stored as %q", lab.OtherGUID)
	}
	_, err = s.Profile("nope")
	wantNotFound(t, err)
}

func TestEditProfile(t *testing.T) {
	s, _ := newStore(t)
	for _, n := range []string{"Staff", "Admins"} {
		if _, err := s.AddProfile(fileProfile(n)); err != nil {
			t.Fatal(err)
		}
	}
	orig, _ := s.Profile("Staff")

	android := fileProfile("Staff")
	android.DeviceType = model.DeviceAndroid
	clash := fileProfile("ADMINS")
	badLen := fileProfile("Staff")
	badLen.Duration = 45
	missing := orig
	missing.ID, missing.Name = 999, "Nope"
	cases := []struct {
		name   string
		loaded ProfileRecord
		p      model.Profile
		want   string
	}{
		{"device type locked", orig, android, "device type is locked"},
		{"rename onto another", orig, clash, `"ADMINS" is already used by profile "Admins"`},
		{"invalid", orig, badLen, "30 or 60"},
		{"missing", missing, fileProfile("Nope"), `profile "Nope" was deleted after you loaded it; nothing was saved`},
		{"not loaded", ProfileRecord{Profile: fileProfile("Staff")}, fileProfile("Staff"), "not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark := auditMark(t, s)
			_, err := s.EditProfile(c.loaded, c.p)
			wantErr(t, err, c.want)
			wantAudit(t, s, mark)
			if now, _ := s.Profile("Staff"); now != orig {
				t.Errorf("profile changed by a refused edit: %+v", now)
			}
		})
	}

	// No-op edit writes nothing.
	mark := auditMark(t, s)
	r, err := s.EditProfile(orig, orig.Profile)
	if err != nil || r != orig {
		t.Fatalf("no-op edit: %+v %v", r, err)
	}
	wantAudit(t, s, mark)

	// A real edit with a rename (case-only renames count as renames too).
	p := orig.Profile
	p.Name = "Employees"
	p.TokencodeLength = 6
	r, err = s.EditProfile(orig, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != 2 || r.ID != orig.ID || r.Name != "Employees" || !r.Updated.After(orig.Updated) && r.Updated != orig.Updated {
		t.Errorf("edited record %+v", r)
	}
	recs := wantAudit(t, s, mark, "profile edit|profile Employees")
	if d := recs[0].Details; !strings.Contains(d, `Name: "Staff" -> "Employees"`) || !strings.Contains(d, "Tokencode length: 8 -> 6") {
		t.Errorf("edit details %q", d)
	}
	_, err = s.Profile("Staff")
	wantNotFound(t, err)
	if _, err := s.AddProfile(fileProfile("staff")); err != nil {
		t.Errorf("old name should be free again: %v", err)
	}
}

// settingsOffering returns settings that offer the profiles, confirmed,
// the first as the default.
func settingsOffering(ps ...model.Profile) model.Settings {
	set := model.DefaultSettings()
	for _, p := range ps {
		set.Select(p)
		set.Entry(p.Name).Confirm(p)
	}
	return set
}

func TestProfileRenameCarriesOver(t *testing.T) {
	s, _ := newStore(t)
	staff, _ := s.AddProfile(fileProfile("Staff"))
	if err := s.SaveSettings(settingsOffering(staff.Profile)); err != nil {
		t.Fatal(err)
	}
	job := createJob(t, s, mkJob("Rollout", "staff"))
	p := staff.Profile
	p.Name = "Employees"
	mark := auditMark(t, s)
	if _, err := s.EditProfile(staff, p); err != nil {
		t.Fatal(err)
	}
	recs := wantAudit(t, s, mark, "profile edit|profile Employees")
	if d := recs[0].Details; !strings.Contains(d, "settings entry renamed") || !strings.Contains(d, "1 job(s)") {
		t.Errorf("details %q", d)
	}
	set, _ := s.Settings()
	if e := set.Entry("Employees"); e == nil || !e.Selected || e.ConfirmStatus(p) != model.Confirmed {
		t.Errorf("settings after rename: %+v", set)
	}
	j, _ := s.Job(job.Seq)
	if j.Spec.Profile != "Employees" {
		t.Errorf("job profile %q", j.Spec.Profile)
	}
	// The settings still validate, so a later save works.
	set.UserMustProvidePassword = true
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteProfile(t *testing.T) {
	s, _ := newStore(t)
	var recs []ProfileRecord
	for _, n := range []string{"Offered", "InJobs", "Unused", "OnceOffered"} {
		r, err := s.AddProfile(fileProfile(n))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	set := settingsOffering(recs[0].Profile, recs[3].Profile)
	set.Unselect("OnceOffered")
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 7; i++ {
		createJob(t, s, mkJob(fmt.Sprintf("Job %d", i), "injobs"))
	}
	cases := []struct {
		name string
		want []string
	}{
		{"offered", []string{"Offered: ", "cannot be deleted", "self-service settings"}},
		{"INJOBS", []string{"InJobs: ", `job "Job 7"`, `job "Job 3"`, "2 more job(s)"}},
		{"nope", []string{"not found"}},
	}
	for _, c := range cases {
		mark := auditMark(t, s)
		err := deleteByName(s, c.name)
		for _, w := range c.want {
			wantErr(t, err, w)
		}
		wantAudit(t, s, mark)
	}
	var fe *model.FieldError
	if err := deleteByName(s, "Offered"); !errors.As(err, &fe) || fe.Item != "Offered" {
		t.Errorf("want a model.ProfileInUseError, got %#v", err)
	}
	for _, n := range []string{"unused", "OnceOffered"} {
		mark := auditMark(t, s)
		if err := deleteByName(s, n); err != nil {
			t.Fatal(err)
		}
		wantAudit(t, s, mark, "profile delete|profile "+strings.ToUpper(n[:1])+n[1:])
	}
	rs, _ := s.Profiles()
	if got := profileNames(rs); !slices.Equal(got, []string{"InJobs", "Offered"}) {
		t.Errorf("left: %q", got)
	}
	// The unselected settings entry went with its profile.
	set, _ = s.Settings()
	if set.Entry("OnceOffered") != nil {
		t.Error("stale settings entry kept")
	}
	// Unselecting frees the profile.
	set.Unselect("Offered")
	if err := s.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := deleteByName(s, "Offered"); err != nil {
		t.Fatal(err)
	}
}

// deleteByName reads the profile and deletes it, as the CLI does.
func deleteByName(s *Store, name string) error {
	r, err := s.Profile(name)
	if err != nil {
		return err
	}
	return s.DeleteProfile(r)
}

package store

import (
	"bytes"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// otherAdmin opens a second handle on the store in dir acting as alice
// from 203.0.113.7: another admin's console on the same data directory.
func otherAdmin(t *testing.T, dir string) *Store {
	t.Helper()
	a, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.osUser, a.sshClient = "alice", "203.0.113.7"
	return a
}

// newestAudit is the newest audit record.
func newestAudit(t *testing.T, s *Store) AuditRecord {
	t.Helper()
	recs, err := s.AuditRecords(AuditFilter{Limit: 1})
	if err != nil || len(recs) == 0 {
		t.Fatalf("no audit record: %v", err)
	}
	return recs[0]
}

// wantConflict checks that err is a *ConflictError blaming rec with exactly
// the message want (in which %s is rec's time).
func wantConflict(t *testing.T, err error, rec AuditRecord, want string) {
	t.Helper()
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *ConflictError, got %T %v", err, err)
	}
	if ce.By != rec.OSUser || ce.From != rec.SSHClient || !ce.At.Equal(rec.Time) {
		t.Errorf("blames %q from %q at %v, want the audit record %q from %q at %v", ce.By, ce.From, ce.At, rec.OSUser, rec.SSHClient, rec.Time)
	}
	if got := err.Error(); got != want {
		t.Errorf("message\n got  %s\n want %s", got, want)
	}
}

func at(r AuditRecord) string { return r.Time.UTC().Format("2006-01-02 15:04:05 UTC") }

// TestSettingsSaveOverAnotherAdminsSaveIsRefused: bob and alice load the
// settings; alice saves; bob's save from what he loaded is refused, naming
// alice, her address and the time, and changes nothing. After a reload his
// change saves on top of hers.
func TestSettingsSaveOverAnotherAdminsSaveIsRefused(t *testing.T) {
	bob, dir := newStore(t)
	alice := otherAdmin(t, dir)
	staff, _ := bob.AddProfile(fileProfile("Staff"))

	bobs, _ := bob.Settings()
	alices, _ := alice.Settings()
	if bobs.Revision != 0 || alices.Revision != 0 {
		t.Fatalf("never saved: revisions %d, %d", bobs.Revision, alices.Revision)
	}
	next := settingsOffering(staff.Profile)
	next.ReplacementWindowDays = 14
	next.Revision = alices.Revision
	if err := alice.SaveSettings(next); err != nil {
		t.Fatal(err)
	}
	saved := newestAudit(t, bob)
	stored, _ := bob.Settings()
	if stored.Revision != 1 {
		t.Fatalf("revision after a save: %d", stored.Revision)
	}

	bobs.UserMustProvidePassword = true
	db, mark := readDB(t, dir), auditMark(t, bob)
	err := bob.SaveSettings(bobs)
	wantConflict(t, err, saved, "the self-service settings were changed by alice (from 203.0.113.7) at "+at(saved)+
		" after you loaded them; nothing was saved: reload them and make your change again")
	wantAudit(t, bob, mark)
	if !bytes.Equal(readDB(t, dir), db) {
		t.Fatal("a refused save changed the database")
	}

	// Reloaded, the same change saves, and alice's stays.
	bobs, _ = bob.Settings()
	bobs.UserMustProvidePassword = true
	if err := bob.SaveSettings(bobs); err != nil {
		t.Fatal(err)
	}
	got, _ := bob.Settings()
	if got.Revision != 2 || !got.UserMustProvidePassword || got.ReplacementWindowDays != 14 || got.Entry("Staff") == nil {
		t.Fatalf("after both saves: %+v", got)
	}
}

// TestProfileChangesRewritingTheSettingsRaiseTheirRevision: a profile
// rename renames its settings entry and a delete removes an unselected
// one; both are writes of the settings, so a settings save loaded before
// them is refused, naming that change (which would otherwise bring the old
// entry back).
func TestProfileChangesRewritingTheSettingsRaiseTheirRevision(t *testing.T) {
	bob, dir := newStore(t)
	alice := otherAdmin(t, dir)
	staff, _ := bob.AddProfile(fileProfile("Staff"))
	lab, _ := bob.AddProfile(fileProfile("Lab"))
	set := settingsOffering(staff.Profile, lab.Profile)
	set.Unselect("Lab")
	if err := bob.SaveSettings(set); err != nil {
		t.Fatal(err)
	}

	bobs, _ := bob.Settings()
	if err := alice.DeleteProfile(lab); err != nil {
		t.Fatal(err)
	}
	deleted := newestAudit(t, bob)
	bobs.ReplacementWindowDays = 10
	wantConflict(t, bob.SaveSettings(bobs), deleted, "the self-service settings were changed by alice (from 203.0.113.7) at "+at(deleted)+
		" after you loaded them; nothing was saved: reload them and make your change again")

	bobs, _ = bob.Settings()
	p := staff.Profile
	p.Name = "Employees"
	if _, err := alice.EditProfile(staff, p); err != nil {
		t.Fatal(err)
	}
	renamed := newestAudit(t, bob)
	bobs.ReplacementWindowDays = 10
	wantConflict(t, bob.SaveSettings(bobs), renamed, "the self-service settings were changed by alice (from 203.0.113.7) at "+at(renamed)+
		" after you loaded them; nothing was saved: reload them and make your change again")
	if err := bob.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestProfileEditOverAnotherAdminsEditIsRefused covers an edit, a rename
// and a delete by alice after bob loaded the profile: bob's edit and
// delete are refused naming her, and nothing changes.
func TestProfileEditOverAnotherAdminsEditIsRefused(t *testing.T) {
	bob, dir := newStore(t)
	alice := otherAdmin(t, dir)
	bob.AddProfile(fileProfile("Staff"))
	bob.AddProfile(fileProfile("Lab"))
	bobsStaff, _ := bob.Profile("Staff")
	alicesStaff, _ := alice.Profile("Staff")

	// Alice edits the description; bob's edit of the duration is refused.
	p := alicesStaff.Profile
	p.Description = "alice's words"
	alicesStaff, err := alice.EditProfile(alicesStaff, p)
	if err != nil {
		t.Fatal(err)
	}
	edited := newestAudit(t, bob)
	q := bobsStaff.Profile
	q.Duration = 30
	db, mark := readDB(t, dir), auditMark(t, bob)
	_, err = bob.EditProfile(bobsStaff, q)
	wantConflict(t, err, edited, `profile "Staff" was changed by alice (from 203.0.113.7) at `+at(edited)+
		" after you loaded it; nothing was saved: reload it and make your change again")
	wantAudit(t, bob, mark)
	if !bytes.Equal(readDB(t, dir), db) {
		t.Fatal("a refused edit changed the database")
	}
	// Reloaded, it saves and keeps alice's description.
	bobsStaff, _ = bob.Profile("Staff")
	q = bobsStaff.Profile
	q.Duration = 30
	r, err := bob.EditProfile(bobsStaff, q)
	if err != nil || r.Description != "alice's words" || r.Duration != 30 || r.Revision != 3 {
		t.Fatalf("after reload: %+v %v", r, err)
	}

	// Alice renames it; bob's edit and delete are refused naming the new
	// name.
	bobsStaff = r
	p = r.Profile
	p.Name = "Employees"
	if _, err := alice.EditProfile(r, p); err != nil {
		t.Fatal(err)
	}
	renamed := newestAudit(t, bob)
	mark = auditMark(t, bob)
	_, err = bob.EditProfile(bobsStaff, bobsStaff.Profile)
	wantConflict(t, err, renamed, `profile "Staff" was renamed to "Employees" by alice (from 203.0.113.7) at `+at(renamed)+
		" after you loaded it; nothing was saved: reload it and make your change again")
	wantConflict(t, bob.DeleteProfile(bobsStaff), renamed, `profile "Staff" was renamed to "Employees" by alice (from 203.0.113.7) at `+at(renamed)+
		" after you loaded it; nothing was deleted: reload it and delete it again if you still want to")
	wantAudit(t, bob, mark)

	// Alice deletes Lab and adds a new Lab: bob's edit and delete of the
	// Lab he loaded are refused as deleted, and the new Lab is untouched.
	bobsLab, _ := bob.Profile("Lab")
	alicesLab, _ := alice.Profile("Lab")
	if err := alice.DeleteProfile(alicesLab); err != nil {
		t.Fatal(err)
	}
	gone := newestAudit(t, bob)
	newLab, err := alice.AddProfile(fileProfile("Lab"))
	if err != nil {
		t.Fatal(err)
	}
	mark = auditMark(t, bob)
	q = bobsLab.Profile
	q.Description = "bob's words"
	_, err = bob.EditProfile(bobsLab, q)
	wantConflict(t, err, gone, `profile "Lab" was deleted by alice (from 203.0.113.7) at `+at(gone)+
		" after you loaded it; nothing was saved: reload the profiles")
	wantConflict(t, bob.DeleteProfile(bobsLab), gone, `profile "Lab" was deleted by alice (from 203.0.113.7) at `+at(gone)+
		" after you loaded it; nothing was deleted: reload the profiles")
	wantAudit(t, bob, mark)
	if now, _ := bob.Profile("Lab"); now != newLab {
		t.Fatalf("the new Lab changed: %+v", now)
	}
	if err := bob.Check(); err != nil {
		t.Fatal(err)
	}
}

// A settings record written before revisions existed reads as revision 0,
// and a save from it works.
func TestSettingsRecordWithoutRevisionReadsAsZero(t *testing.T) {
	s, dir := newStore(t)
	staff, _ := s.AddProfile(fileProfile("Staff"))
	if err := s.SaveSettings(settingsOffering(staff.Profile)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		v := bytes.Replace(b.Get(keySelfService), []byte(`,"revision":1`), nil, 1)
		if bytes.Contains(v, []byte("revision")) {
			t.Fatalf("revision still in %s", v)
		}
		return b.Put(keySelfService, v)
	})
	s2, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	set, _ := s2.Settings()
	if set.Revision != 0 {
		t.Fatalf("revision %d", set.Revision)
	}
	set.ReplacementWindowDays = 7
	if err := s2.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if got, _ := s2.Settings(); got.Revision != 1 || got.ReplacementWindowDays != 7 {
		t.Fatalf("after save: %+v", got)
	}
}

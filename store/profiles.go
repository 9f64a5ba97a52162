package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// ProfileRecord is a stored software token profile. Revision starts at 1
// and grows with every edit that changes something; EditProfile and
// DeleteProfile take the record the caller loaded and refuse when its
// Revision is no longer the stored one (compare-and-swap, conflict.go).
type ProfileRecord struct {
	ID uint64
	model.Profile
	Created, Updated time.Time
	Revision         int
}

const profileRecordVersion = 1

// profileJSON is the stored form (profiles/<u64 id>).
type profileJSON struct {
	V           int                  `json:"v"`
	ID          uint64               `json:"id"`
	Name        string               `json:"name"`
	Description string               `json:"description,omitempty"`
	DeviceType  model.DeviceType     `json:"device_type"`
	OtherGUID   string               `json:"other_guid,omitempty"`
	Delivery    model.DeliveryMethod `json:"delivery"`
	Length      int                  `json:"length"`
	Duration    int                  `json:"duration"`
	Auth        model.AuthType       `json:"auth"`
	Created     time.Time            `json:"created"`
	Updated     time.Time            `json:"updated"`
	Revision    int                  `json:"revision"`
}

func encodeProfile(r ProfileRecord) profileJSON {
	return profileJSON{
		V: profileRecordVersion, ID: r.ID, Name: r.Name, Description: r.Description,
		DeviceType: r.DeviceType, OtherGUID: r.OtherGUID, Delivery: r.DeliveryMethod,
		Length: r.TokencodeLength, Duration: r.Duration, Auth: r.AuthType,
		Created: r.Created, Updated: r.Updated, Revision: r.Revision,
	}
}

func decodeProfile(key, data []byte) (ProfileRecord, error) {
	var j profileJSON
	if err := unmarshalRecord("profile", key, data, &j, &j.V, profileRecordVersion); err != nil {
		return ProfileRecord{}, err
	}
	return ProfileRecord{
		ID: j.ID,
		Profile: model.Profile{
			Name: j.Name, Description: j.Description, DeviceType: j.DeviceType, OtherGUID: j.OtherGUID,
			DeliveryMethod: j.Delivery, TokencodeLength: j.Length, Duration: j.Duration, AuthType: j.Auth,
		},
		Created: j.Created, Updated: j.Updated, Revision: j.Revision,
	}, nil
}

// normalizeProfile drops what the model ignores, so that it is not stored:
// the Other GUID of a known device class.
func normalizeProfile(p model.Profile) model.Profile {
	if p.DeviceType != model.DeviceOther {
		p.OtherGUID = ""
	} else {
		p.OtherGUID = strings.TrimSpace(p.OtherGUID)
	}
	return p
}

// profileNameTaken is the error for a profile name another profile has.
func profileNameTaken(name, existing string) error {
	return &model.FieldError{Field: model.FieldProfileName,
		Msg: fmt.Sprintf("%q is already used by profile %q (names are compared ignoring case)", name, existing)}
}

// Profile returns the profile with this name, ignoring case (model.NameKey).
func (t *Tx) Profile(name string) (ProfileRecord, error) {
	id := t.tx.Bucket(bucketProfilesByName).Get([]byte(model.NameKey(name)))
	if id == nil {
		return ProfileRecord{}, fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	if len(id) != 8 {
		return ProfileRecord{}, fmt.Errorf("profiles_by_name entry for %q is malformed: the store is damaged", name)
	}
	return t.profileByID(id)
}

func (t *Tx) profileByID(id []byte) (ProfileRecord, error) {
	v := t.tx.Bucket(bucketProfiles).Get(id)
	if v == nil {
		return ProfileRecord{}, fmt.Errorf("profile %d is indexed but missing: the store is damaged", btoi(id))
	}
	return decodeProfile(id, v)
}

// Profiles returns every profile in name order (by model.NameKey).
func (t *Tx) Profiles() ([]ProfileRecord, error) {
	var out []ProfileRecord
	c := t.tx.Bucket(bucketProfilesByName).Cursor()
	for k, id := c.First(); k != nil; k, id = c.Next() {
		if len(id) != 8 {
			return nil, fmt.Errorf("profiles_by_name entry %q is malformed: the store is damaged", k)
		}
		r, err := t.profileByID(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// modelProfiles lists the current profiles as model values, for model
// checks such as Settings.Validate.
func (t *Tx) modelProfiles() ([]model.Profile, error) {
	recs, err := t.Profiles()
	if err != nil {
		return nil, err
	}
	out := make([]model.Profile, len(recs))
	for i, r := range recs {
		out[i] = r.Profile
	}
	return out, nil
}

// Profiles returns every profile in name order.
func (s *Store) Profiles() (out []ProfileRecord, err error) {
	err = s.View(func(tx *Tx) error {
		out, err = tx.Profiles()
		return err
	})
	return out, err
}

// Profile returns the profile with this name, ignoring case.
func (s *Store) Profile(name string) (r ProfileRecord, err error) {
	err = s.View(func(tx *Tx) error {
		r, err = tx.Profile(name)
		return err
	})
	return r, err
}

// insertProfile stores a new, validated profile and its name index entry.
func (t *Tx) insertProfile(p model.Profile) (ProfileRecord, error) {
	p = normalizeProfile(p)
	if err := p.Validate(); err != nil {
		return ProfileRecord{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	idx := t.tx.Bucket(bucketProfilesByName)
	if existing, err := t.Profile(p.Name); err == nil {
		return ProfileRecord{}, profileNameTaken(p.Name, existing.Name)
	}
	b := t.tx.Bucket(bucketProfiles)
	seq, err := b.NextSequence()
	if err != nil {
		return ProfileRecord{}, err
	}
	now := t.s.now()
	r := ProfileRecord{ID: seq, Profile: p, Created: now, Updated: now, Revision: 1}
	if err := putJSON(b, itob(seq), encodeProfile(r)); err != nil {
		return ProfileRecord{}, err
	}
	return r, idx.Put([]byte(model.NameKey(p.Name)), itob(seq))
}

func profileFacts(p model.Profile) string {
	dt := string(p.DeviceType)
	if p.DeviceType == model.DeviceOther {
		dt += " (" + p.ClassGUID() + ")"
	}
	return fmt.Sprintf("device type %s; delivery %s; %d digits every %d s; %s", dt, p.DeliveryMethod, p.TokencodeLength, p.Duration, p.AuthType)
}

// AddProfile validates and stores a new profile (audit "profile add"). A
// name that another profile has, ignoring case, is refused naming it.
func (s *Store) AddProfile(p model.Profile) (ProfileRecord, error) {
	var r ProfileRecord
	err := s.Update(func(tx *Tx) error {
		var err error
		if r, err = tx.insertProfile(p); err != nil {
			return err
		}
		return tx.AppendAudit("profile add", "profile "+r.Name, profileFacts(r.Profile))
	})
	if err != nil {
		return ProfileRecord{}, err
	}
	return r, nil
}

// profileChanges lists, for the audit trail, what an edit changed.
func profileChanges(o, n model.Profile) []string {
	var out []string
	text := func(label, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %q -> %q", label, a, b))
		}
	}
	text(model.FieldProfileName, o.Name, n.Name)
	text(model.FieldDescription, o.Description, n.Description)
	text(model.FieldDeliveryMethod, string(o.DeliveryMethod), string(n.DeliveryMethod))
	if o.TokencodeLength != n.TokencodeLength {
		out = append(out, fmt.Sprintf("%s: %d -> %d", model.FieldTokencodeLength, o.TokencodeLength, n.TokencodeLength))
	}
	if o.Duration != n.Duration {
		out = append(out, fmt.Sprintf("%s: %d -> %d seconds", model.FieldDuration, o.Duration, n.Duration))
	}
	text(model.FieldAuthType, string(o.AuthType), string(n.AuthType))
	return out
}

// EditProfile replaces the profile loaded (as the caller read it: its ID
// and Revision count, the name is for messages) with p
// (model.ValidateProfileEdit: the device type and class are locked). When
// the profile was edited, renamed or deleted since it was loaded, it
// returns a *ConflictError naming who did it and when, and changes nothing.
// A rename must stay unique; it carries over, in the same transaction, to
// the self-service settings entry and to every job that names the profile,
// because both refer to profiles by name. An edit that changes nothing
// writes nothing. Audit "profile edit" lists what changed, and notes when a
// selected self-service confirmation lapsed.
func (s *Store) EditProfile(loaded ProfileRecord, p model.Profile) (ProfileRecord, error) {
	return s.editProfile(func(tx *Tx) (ProfileRecord, error) { return tx.checkProfileRev(loaded, "saved") },
		func(q *model.Profile) error {
			*q = p
			return nil
		})
}

// UpdateProfile is EditProfile with the new profile made by change from
// the profile as stored, in the same write transaction: an edit that sets
// some fields (swtoken profiles edit --description D) keeps whatever
// another process changed in the other fields meanwhile, where reading the
// profile first and then saving the whole copy would write back the older
// one. change must not use the store; its error is returned as is and
// nothing is written.
func (s *Store) UpdateProfile(name string, change func(p *model.Profile) error) (ProfileRecord, error) {
	return s.editProfile(func(tx *Tx) (ProfileRecord, error) { return tx.Profile(name) }, change)
}

// editProfile is EditProfile and UpdateProfile: load reads the record to
// change inside the transaction (and refuses a stale one).
func (s *Store) editProfile(load func(tx *Tx) (ProfileRecord, error), change func(p *model.Profile) error) (ProfileRecord, error) {
	var r ProfileRecord
	err := s.Update(func(tx *Tx) error {
		old, err := load(tx)
		if err != nil {
			return err
		}
		p := old.Profile
		if err := change(&p); err != nil {
			return err
		}
		p = normalizeProfile(p)
		if err := model.ValidateProfileEdit(old.Profile, p); err != nil {
			return fmt.Errorf("profile %q: %w", old.Name, err)
		}
		changes := profileChanges(old.Profile, p)
		r = old
		if len(changes) == 0 {
			return nil
		}
		renamed := p.Name != old.Name
		if !model.SameName(p.Name, old.Name) {
			if other, err := tx.Profile(p.Name); err == nil {
				return profileNameTaken(p.Name, other.Name)
			}
		}
		r.Profile = p
		r.Updated = tx.s.now()
		r.Revision++
		if err := putJSON(tx.tx.Bucket(bucketProfiles), itob(r.ID), encodeProfile(r)); err != nil {
			return err
		}
		if renamed {
			idx := tx.tx.Bucket(bucketProfilesByName)
			if err := idx.Delete([]byte(model.NameKey(old.Name))); err != nil {
				return err
			}
			if err := idx.Put([]byte(model.NameKey(p.Name)), itob(r.ID)); err != nil {
				return err
			}
		}
		notes, err := tx.profileEdited(old.Profile, p)
		if err != nil {
			return err
		}
		return tx.AppendAudit("profile edit", "profile "+p.Name, strings.Join(append(changes, notes...), "; "))
	})
	if err != nil {
		return ProfileRecord{}, err
	}
	return r, nil
}

// profileEdited carries an edit over to what refers to the profile by name
// (the settings entry and jobs) and returns notes for the audit record.
func (t *Tx) profileEdited(o, n model.Profile) ([]string, error) {
	var notes []string
	set, saved, err := t.settings()
	if err != nil {
		return nil, err
	}
	if saved {
		changed := false
		if o.Name != n.Name {
			// A stale entry under the new name (from a profile deleted long
			// ago) would make two entries for one profile.
			if !model.SameName(o.Name, n.Name) {
				set.Entries = removeEntry(set.Entries, n.Name)
			}
			if e := set.Entry(o.Name); e != nil {
				e.Profile = n.Name
				changed = true
				notes = append(notes, noteSettingsEntryRenamed)
			}
		}
		if e := set.Entry(n.Name); e != nil && e.Selected && e.IsConfirmed(o) && !e.IsConfirmed(n) {
			notes = append(notes, "self-service confirmation lapsed: confirm the profile again in the settings")
		}
		if changed {
			if err := t.putSettings(set); err != nil {
				return nil, err
			}
		}
	}
	if o.Name != n.Name {
		jobs, err := t.jobsNamingProfile(o.Name)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			j.Spec.Profile = n.Name
			if err := t.writeJob(j); err != nil {
				return nil, err
			}
		}
		if len(jobs) > 0 {
			notes = append(notes, fmt.Sprintf("%d job(s) now refer to the new name", len(jobs)))
		}
	}
	return notes, nil
}

func removeEntry(es []model.SettingsEntry, profile string) []model.SettingsEntry {
	out := es[:0]
	for _, e := range es {
		if !model.SameName(e.Profile, profile) {
			out = append(out, e)
		}
	}
	return out
}

// maxRefsNamed bounds how many referring jobs a delete refusal lists.
const maxRefsNamed = 5

// DeleteProfile deletes the profile loaded (as the caller read it: its ID
// and Revision count) (audit "profile delete"). When the profile was
// edited, renamed or deleted since it was loaded, it returns a
// *ConflictError and deletes nothing. It is refused with
// model.ProfileInUseError while the self-service settings offer the profile
// (a selected entry) or any job names it; an unselected settings entry is
// removed with the profile.
func (s *Store) DeleteProfile(loaded ProfileRecord) error {
	return s.Update(func(tx *Tx) error {
		r, err := tx.checkProfileRev(loaded, "deleted")
		if err != nil {
			return err
		}
		var refs []string
		set, saved, err := tx.settings()
		if err != nil {
			return err
		}
		if e := set.Entry(r.Name); saved && e != nil && e.Selected {
			refs = append(refs, "the self-service settings (it is available for request)")
		}
		jobs, err := tx.jobsNamingProfile(r.Name)
		if err != nil {
			return err
		}
		for i, j := range jobs {
			if i == maxRefsNamed {
				refs = append(refs, fmt.Sprintf("%d more job(s)", len(jobs)-maxRefsNamed))
				break
			}
			refs = append(refs, fmt.Sprintf("job %q", j.Name))
		}
		if len(refs) > 0 {
			return model.ProfileInUseError(r.Name, refs)
		}
		facts := profileFacts(r.Profile)
		if saved && set.Entry(r.Name) != nil {
			set.Entries = removeEntry(set.Entries, r.Name)
			if err := tx.putSettings(set); err != nil {
				return err
			}
			facts += "; " + noteSettingsEntryRemoved
		}
		if err := tx.tx.Bucket(bucketProfiles).Delete(itob(r.ID)); err != nil {
			return err
		}
		if err := tx.tx.Bucket(bucketProfilesByName).Delete([]byte(model.NameKey(r.Name))); err != nil {
			return err
		}
		return tx.AppendAudit("profile delete", "profile "+r.Name, facts)
	})
}

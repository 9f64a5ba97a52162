package store

import (
	"strings"

	"github.com/swtoken/swtoken/model"
)

// keySelfService is the one key of the settings bucket.
var keySelfService = []byte("selfservice")

const settingsRecordVersion = 1

// settingsJSON is the stored form of settings/selfservice.
type settingsJSON struct {
	V                       int         `json:"v"`
	Entries                 []entryJSON `json:"entries"`
	UserMustProvidePassword bool        `json:"user_must_provide_password"`
	ReplacementWindowDays   int         `json:"replacement_window_days"`
	// ApprovalPolicy is model.ApprovalPolicy; a record without it (saved
	// before schema version 3) reads as model.DefaultApprovalPolicy.
	ApprovalPolicy string `json:"approval_policy,omitempty"`
	// SMTP is model.SMTPSettings (store/mailsettings.go); absent: no SMTP.
	SMTP *smtpJSON `json:"smtp,omitempty"`
	// Revision counts the writes of this record (compare-and-swap, see
	// conflict.go); a record without it reads as 0.
	Revision int `json:"revision"`
}

type entryJSON struct {
	Profile        string `json:"profile"`
	Selected       bool   `json:"selected"`
	DisplayName    string `json:"display_name,omitempty"`
	ImageLocation  string `json:"image_location,omitempty"`
	Description    string `json:"description,omitempty"`
	Confirmed      string `json:"confirmed,omitempty"` // model.ConfirmFingerprint at confirmation
	AppDownloadURL string `json:"app_download_url,omitempty"`
	HelpDocURL     string `json:"help_doc_url,omitempty"`
	Default        bool   `json:"default,omitempty"`
	AllowUserEdit  bool   `json:"allow_user_edit,omitempty"`
}

func encodeSettings(s model.Settings) settingsJSON {
	j := settingsJSON{V: settingsRecordVersion, UserMustProvidePassword: s.UserMustProvidePassword,
		ReplacementWindowDays: s.ReplacementWindowDays, ApprovalPolicy: string(s.Policy()), Revision: s.Revision, Entries: make([]entryJSON, len(s.Entries))}
	for i, e := range s.Entries {
		j.Entries[i] = entryJSON(e)
	}
	j.SMTP = encodeSMTP(s.SMTP)
	return j
}

func decodeSettings(data []byte) (model.Settings, error) {
	var j settingsJSON
	if err := unmarshalRecord("settings", keySelfService, data, &j, &j.V, settingsRecordVersion); err != nil {
		return model.Settings{}, err
	}
	s := model.Settings{UserMustProvidePassword: j.UserMustProvidePassword, ReplacementWindowDays: j.ReplacementWindowDays,
		Revision: j.Revision, ApprovalPolicy: model.ApprovalPolicy(j.ApprovalPolicy)}
	s.ApprovalPolicy = s.Policy()
	s.SMTP = decodeSMTP(j.SMTP)
	for _, e := range j.Entries {
		s.Entries = append(s.Entries, model.SettingsEntry(e))
	}
	return s, nil
}

// settings returns the stored settings and whether they were ever saved;
// model.DefaultSettings() when not.
func (t *Tx) settings() (model.Settings, bool, error) {
	v := t.tx.Bucket(bucketSettings).Get(keySelfService)
	if v == nil {
		return model.DefaultSettings(), false, nil
	}
	s, err := decodeSettings(v)
	return s, err == nil, err
}

// putSettings writes s as the next revision: the stored one plus one,
// whatever s.Revision says, so that every write is seen by a save made
// from an older read (see conflict.go).
func (t *Tx) putSettings(s model.Settings) error {
	cur, _, err := t.settings()
	if err != nil {
		return err
	}
	s.Revision = cur.Revision + 1
	return putJSON(t.tx.Bucket(bucketSettings), keySelfService, encodeSettings(s))
}

// Settings returns the self-service settings, model.DefaultSettings() when
// they were never saved.
func (t *Tx) Settings() (model.Settings, error) {
	s, _, err := t.settings()
	return s, err
}

// Settings returns the self-service settings, model.DefaultSettings() when
// they were never saved.
func (s *Store) Settings() (set model.Settings, err error) {
	err = s.View(func(tx *Tx) error {
		set, err = tx.Settings()
		return err
	})
	return set, err
}

// SettingsWithProfiles returns the self-service settings and every profile
// in name order, read in one transaction, so that what the settings say of
// each profile is judged against the same profiles.
func (s *Store) SettingsWithProfiles() (set model.Settings, profiles []model.Profile, err error) {
	err = s.View(func(tx *Tx) error {
		set, profiles, err = tx.settingsWithProfiles()
		return err
	})
	return set, profiles, err
}

// settingsWithProfiles is SettingsWithProfiles inside a transaction.
func (t *Tx) settingsWithProfiles() (model.Settings, []model.Profile, error) {
	set, err := t.Settings()
	if err != nil {
		return set, nil, err
	}
	recs, err := t.Profiles()
	if err != nil {
		return set, nil, err
	}
	profiles := make([]model.Profile, len(recs))
	for i, r := range recs {
		profiles[i] = r.Profile
	}
	return set, profiles, nil
}

// SaveSettings validates next against the current profiles
// (model.Settings.Validate) and stores it, all or nothing: bad input returns
// the model.FieldErrors and leaves the stored settings as they were. The
// save is a compare-and-swap: next.Revision must be the revision of the
// settings next was made from (as Settings returned it); when the settings
// were written since, it returns a *ConflictError naming who wrote them and
// when, and saves nothing. The audit record "settings save" lists
// model.Diff; a save that changes nothing writes nothing.
func (s *Store) SaveSettings(next model.Settings) error {
	_, err := s.ApplySettings(next)
	return err
}

// ApplySettings is SaveSettings that also returns the changes it recorded
// in the audit trail (model.Diff; the record's details are them joined by
// SettingsChangeSep), empty when nothing changed and nothing was written.
// It looks first in a read transaction and opens a write transaction only
// when there is something to write, so that a save of unchanged settings
// neither waits for a write lock nor moves the change counter (which makes
// every open console reload).
func (s *Store) ApplySettings(next model.Settings) (changes []string, err error) {
	if changes, err = s.CheckSettings(next); err != nil || len(changes) == 0 {
		return nil, err
	}
	err = s.Update(func(tx *Tx) error {
		if changes, err = tx.checkSettings(next); err != nil || len(changes) == 0 {
			return err
		}
		if err := tx.putSettings(next); err != nil {
			return err
		}
		return tx.AppendAudit("settings save", "self-service settings", strings.Join(changes, SettingsChangeSep))
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// CheckSettings runs every check of ApplySettings (the compare-and-swap and
// model.Settings.Validate) and returns the changes it would record, but
// writes nothing: a dry run.
func (s *Store) CheckSettings(next model.Settings) (changes []string, err error) {
	err = s.View(func(tx *Tx) error {
		changes, err = tx.checkSettings(next)
		return err
	})
	return changes, err
}

// SettingsChangeSep joins the changes in the details of a "settings save"
// audit record.
const SettingsChangeSep = "; "

// checkSettings refuses next when the settings changed since it was read
// (a *ConflictError) or when it breaks a rule (model.FieldErrors), and
// otherwise returns model.Diff of the stored settings and next.
func (t *Tx) checkSettings(next model.Settings) ([]string, error) {
	cur, _, err := t.settings()
	if err != nil {
		return nil, err
	}
	if next.Revision != cur.Revision {
		return nil, t.settingsConflict()
	}
	profiles, err := t.modelProfiles()
	if err != nil {
		return nil, err
	}
	if err := next.Validate(profiles); err != nil {
		return nil, err
	}
	return model.Diff(cur, next), nil
}

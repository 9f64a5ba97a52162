package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Compare-and-swap saves. The self-service settings record and every profile
// record carry a revision that each write raises. A caller hands back the
// revision it loaded (model.Settings.Revision, or the ProfileRecord it
// read), and the write transaction refuses with a *ConflictError when the
// stored revision differs: someone else changed the record after the
// caller loaded it, and saving would overwrite that change unseen. The
// error names who changed it and when, from the newest audit record about
// it; nothing is written.

// SettingsWhat is ConflictError.What for the self-service settings.
const SettingsWhat = "the self-service settings"

// ChangeDeleted is ConflictError.Change for a profile deleted meanwhile.
const ChangeDeleted = "deleted"

// ConflictError refuses a save (or delete) over a record that changed after
// the caller loaded it. By, From and At come from the audit trail and are
// empty (zero) when it does not tell.
type ConflictError struct {
	What   string    // SettingsWhat, or `profile "Staff"` (the name as loaded)
	Change string    // "changed", `renamed to "Employees"` or ChangeDeleted
	Op     string    // what was refused: "saved" or "deleted"
	By     string    // the OS user who made the change
	From   string    // their SSH client address, if any
	At     time.Time // when
}

// Deleted reports that the record no longer exists, so there is nothing to
// reload it from.
func (e *ConflictError) Deleted() bool { return e.Change == ChangeDeleted }

func (e *ConflictError) Error() string {
	var b strings.Builder
	plural := e.What == SettingsWhat
	b.WriteString(e.What)
	if plural {
		b.WriteString(" were ")
	} else {
		b.WriteString(" was ")
	}
	b.WriteString(e.Change)
	if e.By != "" {
		b.WriteString(" by " + e.By)
		if e.From != "" {
			b.WriteString(" (from " + e.From + ")")
		}
	}
	if !e.At.IsZero() {
		b.WriteString(" at " + e.At.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	it := "it"
	if plural {
		it = "them"
	}
	op := e.Op
	if op == "" {
		op = "saved"
	}
	fmt.Fprintf(&b, " after you loaded %s; nothing was %s: ", it, op)
	switch {
	case e.Deleted():
		b.WriteString("reload the profiles")
	case op == "deleted":
		fmt.Fprintf(&b, "reload %s and delete %s again if you still want to", it, it)
	default:
		fmt.Fprintf(&b, "reload %s and make your change again", it)
	}
	return b.String()
}

// blame fills in By, From and At from the newest audit record that match
// accepts. needle must occur in the raw JSON of every record match accepts
// (it skips decoding the others), so that the walk back through a long
// trail stays cheap. It runs only when a save is refused.
func (t *Tx) blame(e *ConflictError, needle string, match func(*AuditRecord) bool) (*ConflictError, error) {
	b := t.tx.Bucket(bucketAudit)
	if b == nil {
		return e, nil
	}
	raw := []byte(needle)
	if enc, err := json.Marshal(needle); err == nil {
		raw = enc[1 : len(enc)-1] // as putJSON escapes it, without the quotes
	}
	c := b.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if !bytes.Contains(v, raw) {
			continue
		}
		var r AuditRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("audit record %x is unreadable: %w", k, err)
		}
		if match(&r) {
			e.By, e.From, e.At = r.OSUser, r.SSHClient, r.Time
			break
		}
	}
	return e, nil
}

// Audit notes of profile changes that rewrite the settings record, so that
// a settings conflict can name them.
const (
	noteSettingsEntryRenamed = "self-service settings entry renamed"
	noteSettingsEntryRemoved = "its unselected self-service settings entry removed"
)

// settingsConflict is the refusal of a settings save from a stale
// revision, blaming the newest "settings save", or the newest profile
// rename or delete that rewrote the settings' entries, whichever is later.
func (t *Tx) settingsConflict() error {
	e := &ConflictError{What: SettingsWhat, Change: "changed", Op: "saved"}
	e, err := t.blame(e, "self-service settings", func(r *AuditRecord) bool {
		switch r.Action {
		case "settings save":
			return true
		case "profile edit":
			return strings.Contains(r.Details, noteSettingsEntryRenamed)
		case "profile delete":
			return strings.Contains(r.Details, noteSettingsEntryRemoved)
		}
		return false
	})
	if err != nil {
		return err
	}
	return e
}

// checkProfileRev returns the profile record loaded names (by ID), or a
// *ConflictError when it was changed, renamed or deleted since: its
// revision is no longer loaded.Revision. op is "saved" or "deleted".
func (t *Tx) checkProfileRev(loaded ProfileRecord, op string) (ProfileRecord, error) {
	if loaded.ID == 0 {
		return ProfileRecord{}, fmt.Errorf("profile %q: %w (a save names the profile record it loaded)", loaded.Name, ErrNotFound)
	}
	e := &ConflictError{What: fmt.Sprintf("profile %q", loaded.Name), Op: op}
	var cur ProfileRecord
	v := t.tx.Bucket(bucketProfiles).Get(itob(loaded.ID))
	if v != nil {
		var err error
		if cur, err = decodeProfile(itob(loaded.ID), v); err != nil {
			return ProfileRecord{}, err
		}
		if cur.Revision == loaded.Revision {
			return cur, nil
		}
		e.Change = "changed"
		if cur.Name != loaded.Name {
			e.Change = fmt.Sprintf("renamed to %q", cur.Name)
		}
		// Every edit is audited under the profile's new name.
		object := "profile " + cur.Name
		e, err = t.blame(e, object, func(r *AuditRecord) bool { return r.Object == object })
		if err != nil {
			return ProfileRecord{}, err
		}
		return ProfileRecord{}, e
	}
	// Deleted: its "profile delete" record, unless it was renamed away
	// first (then the trail has it under another name, and the message
	// says only that it is gone). A delete from before the loaded record's
	// last update was of an earlier profile with the same name.
	e.Change = ChangeDeleted
	object := "profile " + loaded.Name
	e, err := t.blame(e, object, func(r *AuditRecord) bool {
		return r.Object == object && r.Action == "profile delete" && r.Time.After(loaded.Updated)
	})
	if err != nil {
		return ProfileRecord{}, err
	}
	return ProfileRecord{}, e
}

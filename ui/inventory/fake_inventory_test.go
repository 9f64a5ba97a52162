package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// fakeInventory is the fake's state for the list screens. Users are made
// on first use from the users the fake's tokens are assigned to (plus one
// without tokens); the audit trail starts with a few records.
type fakeInventory struct {
	users              []model.User
	audit              []store.AuditRecord // oldest first
	auditBroken        bool
	imports            []string
	lastImportPassword string
	lastVerifyPIN      string

	// Users' SSH keys and live enrollment codes (expiry by user ID),
	// made on first use (keysLocked); the errors, when set, are what the
	// keys' methods answer.
	keys                            map[string][]store.UserKey
	codes                           map[string]time.Time
	accessErr, removeErr, inviteErr error

	// Profile IDs (by model.NameKey of the current name) and revisions
	// (by ID), given on first use, so that edits and deletes are
	// compare-and-swap like the store's.
	profileIDs    map[string]uint64
	profileRevs   map[uint64]int
	lastProfileID uint64
}

var fakeUserNames = map[string][3]string{
	"asmith": {"Alice", "Smith", "asmith@example.com"}, "bgarcia": {"Bruno", "Garcia", "bgarcia@example.com"},
	"cnguyen": {"Chi", "Nguyen", "cnguyen@example.com"}, "dmuller": {"Dana", "Müller", "dmuller@example.com"},
	"eokafor": {"Emeka", "Okafor", "eokafor@example.com"}, "fkowalski": {"Filip", "Kowalski", ""},
	"gtanaka": {"Gen", "Tanaka", "gtanaka@example.com"}, "hjohansson": {"Hanna", "Johansson", "hjohansson@example.com"},
	"ijones": {"Ivy", "Jones", "ijones@example.com"},
}

// invLocked initialises the inventory state; f.mu is held.
func (f *fakeBackend) invLocked() *fakeInventory {
	inv := &f.inv
	if inv.users == nil {
		ids := map[string]bool{"ijones": true}
		for _, t := range f.tokens {
			if t.AssignedUser != "" {
				ids[t.AssignedUser] = true
			}
		}
		for id := range ids {
			n, ok := fakeUserNames[id]
			if !ok {
				n = [3]string{"", "", ""}
			}
			inv.users = append(inv.users, model.User{ID: id, FirstName: n[0], LastName: n[1], Email: n[2]})
		}
		slices.SortFunc(inv.users, func(a, b model.User) int { return strings.Compare(a.ID, b.ID) })
	}
	if inv.audit == nil {
		recs := []struct{ user, action, object, details string }{
			{"admin", "profile add", "profile Staff Android", "device type Android; delivery File-based (SDTID); 6 digits every 30 s; Fob-style"},
			{"admin", "profile add", "profile Staff iPhone", "device type iPhone; delivery File-based (SDTID); 8 digits every 60 s; PINPad-style"},
			{"root", "import", "tokens", "token file batch-7.sdtid: 30 imported, 0 skipped"},
			{"admin", "assign", "token 100000000001", "user asmith; token enabled"},
			{"admin", "assign", "token 100000000002", "user bgarcia; token enabled"},
			{"root", "settings save", "self-service settings", "Staff iPhone: selected; replacement window 30 days"},
			{"admin", "unassign", "token 100000000010", "user bgarcia; token disabled"},
			{"admin", "job submit", "job Generate Software Token Files 2026-09-30", "profile Staff iPhone; 17 tokens; password: set"},
		}
		for i, r := range recs {
			inv.audit = append(inv.audit, store.AuditRecord{Seq: uint64(i + 1), Time: testNow.Add(time.Duration(i-len(recs)) * 7 * time.Minute),
				OSUser: r.user, SSHClient: "10.0.0.7", Action: r.action, Object: r.object, Details: r.details})
		}
	}
	return inv
}

func (f *fakeBackend) appendAudit(action, object, details string) {
	inv := f.invLocked()
	inv.audit = append(inv.audit, store.AuditRecord{Seq: uint64(len(inv.audit) + 1), Time: testNow,
		OSUser: "admin", Action: action, Object: object, Details: details})
}

// tokenIndex is where serial is in f.tokens, or the store's not-found
// error.
func (f *fakeBackend) tokenIndex(serial string) (int, error) {
	for i, t := range f.tokens {
		if t.Serial == serial {
			return i, nil
		}
	}
	return -1, fmt.Errorf("token %s: %w", serial, store.ErrNotFound)
}

func (f *fakeBackend) Tokens() ([]model.Token, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "tokens")
	return slices.Clone(f.tokens), nil
}

func (f *fakeBackend) Token(serial string) (model.Token, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	i, err := f.tokenIndex(serial)
	if err != nil {
		return model.Token{}, err
	}
	return f.tokens[i], nil
}

func (f *fakeBackend) ReplacementWindowDays() (int, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.settings != nil {
		return f.settings.ReplacementWindowDays, nil
	}
	return model.DefaultReplacementWindowDays, nil
}

func (f *fakeBackend) Users() ([]model.User, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return slices.Clone(f.invLocked().users), nil
}

func (f *fakeBackend) TokenCountsByUser() (map[string]int, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	counts := map[string]int{}
	for _, t := range f.tokens {
		if t.AssignedUser != "" {
			counts[t.AssignedUser]++
		}
	}
	return counts, nil
}

func (f *fakeBackend) User(id string) (model.User, []model.Token, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, u := range f.invLocked().users {
		if u.ID == id {
			var toks []model.Token
			for _, t := range f.tokens {
				if t.AssignedUser == id {
					toks = append(toks, t)
				}
			}
			return u, toks, nil
		}
	}
	return model.User{}, nil, fmt.Errorf("user %q: %w", id, store.ErrNotFound)
}

func (f *fakeBackend) Assign(serial, userID string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "assign "+serial+" "+userID)
	i, err := f.tokenIndex(serial)
	if err != nil {
		return err
	}
	n := 0
	for _, t := range f.tokens {
		if t.AssignedUser == userID {
			n++
		}
	}
	if err := model.CheckAssign(f.tokens[i], userID, n); err != nil {
		return err
	}
	f.tokens[i].Assign(userID)
	f.appendAudit("assign", "token "+serial, "user "+userID)
	return nil
}

func (f *fakeBackend) Unassign(serial string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "unassign "+serial)
	i, err := f.tokenIndex(serial)
	if err != nil {
		return err
	}
	if f.tokens[i].AssignedUser == "" {
		return &model.FieldError{Field: model.FieldAssignedUser, Msg: fmt.Sprintf("token %s is not assigned to any user", serial)}
	}
	was := f.tokens[i].AssignedUser
	f.tokens[i].Unassign()
	f.appendAudit("unassign", "token "+serial, "user "+was)
	return nil
}

func (f *fakeBackend) SetTokenEnabled(serial string, enabled bool) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, fmt.Sprintf("set enabled %s %v", serial, enabled))
	i, err := f.tokenIndex(serial)
	if err != nil {
		return err
	}
	if t := f.tokens[i]; t.EnabledSetByAdmin && t.Enabled == enabled {
		return nil
	}
	f.tokens[i].SetEnabled(enabled)
	action := "token disable"
	if enabled {
		action = "token enable"
	}
	f.appendAudit(action, "token "+serial, "")
	return nil
}

func (f *fakeBackend) SetTokenEnabledAuto(serial string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "follow assignment "+serial)
	i, err := f.tokenIndex(serial)
	if err != nil {
		return err
	}
	if !f.tokens[i].EnabledSetByAdmin {
		return nil
	}
	f.tokens[i].FollowAssignment()
	f.appendAudit("token follow assignment", "token "+serial, "")
	return nil
}

// VerifyCode: "12345678" matches now, "87654321" one interval ago; SID-64
// tokens are unsupported, as in engine/jobs.
func (f *fakeBackend) VerifyCode(serial, code, pin string) (jobs.VerifyResult, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.inv.lastVerifyPIN = pin
	i, err := f.tokenIndex(serial)
	if err != nil {
		return jobs.VerifyResult{}, err
	}
	t := f.tokens[i]
	res := jobs.VerifyResult{Serial: serial, Digits: 8, Seconds: 60, PIN: true, Assumed: true}
	if t.Algorithm == model.AlgSID64 {
		return res, fmt.Errorf("token %s is a 64-bit (SID-64) token: %w (its tokencode algorithm is not implemented, so no code can be checked)", serial, jobs.ErrUnsupported)
	}
	if len(code) != res.Digits {
		return res, fmt.Errorf("the code must be %d digits for token %s", res.Digits, serial)
	}
	switch code {
	case "12345678":
		res.Match = true
	case "87654321":
		res.Match, res.Offset = true, -1
	}
	return res, nil
}

func (f *fakeBackend) profileIndex(name string) int {
	for i, p := range f.profiles {
		if model.SameName(p.Name, name) {
			return i
		}
	}
	return -1
}

func (f *fakeBackend) AddProfile(p model.Profile) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "add profile "+p.Name)
	if err := p.Validate(); err != nil {
		return err
	}
	if i := f.profileIndex(p.Name); i >= 0 {
		return &model.FieldError{Field: model.FieldProfileName, Msg: fmt.Sprintf("%q is taken by profile %q (names ignore case)", p.Name, f.profiles[i].Name)}
	}
	f.profiles = append(f.profiles, p)
	return nil
}

// profileRecordLocked is the profile at index i as a store record; f.mu is
// held.
func (f *fakeBackend) profileRecordLocked(i int) store.ProfileRecord {
	inv := f.invLocked()
	if inv.profileIDs == nil {
		inv.profileIDs, inv.profileRevs = map[string]uint64{}, map[uint64]int{}
	}
	p := f.profiles[i]
	id := inv.profileIDs[model.NameKey(p.Name)]
	if id == 0 {
		inv.lastProfileID++
		id = inv.lastProfileID
		inv.profileIDs[model.NameKey(p.Name)] = id
		inv.profileRevs[id] = 1
	}
	return store.ProfileRecord{ID: id, Profile: p, Revision: inv.profileRevs[id]}
}

func (f *fakeBackend) ProfileRecords() ([]store.ProfileRecord, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	out := make([]store.ProfileRecord, len(f.profiles))
	for i := range f.profiles {
		out[i] = f.profileRecordLocked(i)
	}
	return out, nil
}

// profileCASLocked finds the profile loaded names, or refuses like the
// store when it changed since; f.mu is held.
func (f *fakeBackend) profileCASLocked(loaded store.ProfileRecord, op string) (int, error) {
	for i := range f.profiles {
		r := f.profileRecordLocked(i)
		if r.ID != loaded.ID {
			continue
		}
		if r.Revision == loaded.Revision {
			return i, nil
		}
		change := "changed"
		if r.Name != loaded.Name {
			change = fmt.Sprintf("renamed to %q", r.Name)
		}
		return -1, &store.ConflictError{What: fmt.Sprintf("profile %q", loaded.Name), Change: change, Op: op, By: "alice", From: "203.0.113.7", At: testNow}
	}
	return -1, &store.ConflictError{What: fmt.Sprintf("profile %q", loaded.Name), Change: store.ChangeDeleted, Op: op}
}

func (f *fakeBackend) SettingsEntry(profile string) (model.SettingsEntry, bool, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.settings == nil {
		return model.SettingsEntry{}, false, nil
	}
	if e := f.settings.Entry(profile); e != nil {
		return *e, true, nil
	}
	return model.SettingsEntry{}, false, nil
}

func (f *fakeBackend) EditProfile(loaded store.ProfileRecord, p model.Profile) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "edit profile "+loaded.Name)
	i, err := f.profileCASLocked(loaded, "saved")
	if err != nil {
		return err
	}
	if err := model.ValidateProfileEdit(f.profiles[i], p); err != nil {
		return err
	}
	if j := f.profileIndex(p.Name); j >= 0 && j != i {
		return &model.FieldError{Field: model.FieldProfileName, Msg: fmt.Sprintf("%q is taken by profile %q (names ignore case)", p.Name, f.profiles[j].Name)}
	}
	if p == f.profiles[i] {
		return nil
	}
	inv := f.invLocked()
	delete(inv.profileIDs, model.NameKey(f.profiles[i].Name))
	inv.profileIDs[model.NameKey(p.Name)] = loaded.ID
	inv.profileRevs[loaded.ID]++
	f.profiles[i] = p
	return nil
}

func (f *fakeBackend) DeleteProfile(loaded store.ProfileRecord) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	name := loaded.Name
	f.Calls = append(f.Calls, "delete profile "+name)
	i, err := f.profileCASLocked(loaded, "deleted")
	if err != nil {
		return err
	}
	var refs []string
	if f.settings != nil {
		if e := f.settings.Entry(f.profiles[i].Name); e != nil && e.Selected {
			refs = append(refs, "the self-service settings (it is available for request)")
		}
	}
	for _, j := range f.jobs {
		if model.SameName(j.Spec.Profile, name) {
			refs = append(refs, fmt.Sprintf("job %q", j.Name))
		}
	}
	if len(refs) > 0 {
		return model.ProfileInUseError(f.profiles[i].Name, refs)
	}
	delete(f.invLocked().profileIDs, model.NameKey(f.profiles[i].Name))
	f.profiles = slices.Delete(f.profiles, i, i+1)
	return nil
}

// ImportTokenFiles decides by file name: "good" files hold 5 new tokens,
// "dup" files 2 existing ones, "bad" files are rejected, "locked" files
// need the password "right".
func (f *fakeBackend) ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	inv := f.invLocked()
	inv.imports = append(inv.imports, "tokens "+strings.Join(paths, " "))
	inv.lastImportPassword = password
	var res store.ImportResult
	for _, p := range paths {
		switch {
		case strings.Contains(p, "good"):
			res.Imported += 5
		case strings.Contains(p, "dup") && opts.Overwrite:
			res.Updated += 2
		case strings.Contains(p, "dup"):
			res.Skipped += 2
		case strings.Contains(p, "locked") && password != "right":
			res.Rejected = append(res.Rejected, store.Rejection{Item: p, Reason: "wrong password: the file's password check failed"})
		case strings.Contains(p, "locked"):
			res.Imported++
		case strings.Contains(p, "bad"):
			res.Rejected = append(res.Rejected, store.Rejection{Item: p, Reason: "malformed XML at line 3: element <TKN> closed by </TKNBatch>"})
		default:
			res.Rejected = append(res.Rejected, store.Rejection{Item: p, Reason: "no such file or directory"})
		}
	}
	if len(res.Rejected) > 0 && !opts.Partial {
		total := res.Imported + res.Updated + res.Skipped + len(res.Rejected)
		return store.ImportResult{Rejected: res.Rejected}, &store.ImportRejectedError{What: "tokens", Source: "token files " + strings.Join(paths, ", "), Total: total, Rejected: len(res.Rejected)}
	}
	return res, nil
}

// ImportUsersCSV: "users.csv" holds 3 new users and 1 existing one;
// "broken.csv" has a line with a missing column.
func (f *fakeBackend) ImportUsersCSV(path string, opts store.ImportOptions) (store.ImportResult, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	inv := f.invLocked()
	inv.imports = append(inv.imports, "users "+path)
	switch {
	case strings.Contains(path, "broken"):
		rej := []store.Rejection{{Item: path + " line 4", Reason: "3 columns, the header has 4 (user_id,first_name,last_name,email): a column is missing"}}
		if !opts.Partial {
			return store.ImportResult{Rejected: rej}, &store.ImportRejectedError{What: "users", Source: path, Total: 5, Rejected: 1}
		}
		return store.ImportResult{Imported: 4, Rejected: rej}, nil
	case strings.Contains(path, "users"):
		if opts.Overwrite {
			return store.ImportResult{Imported: 3, Updated: 1}, nil
		}
		return store.ImportResult{Imported: 3, Skipped: 1}, nil
	}
	return store.ImportResult{}, fmt.Errorf("open %s: no such file or directory", path)
}

func (f *fakeBackend) AuditRecords() ([]store.AuditRecord, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	out := slices.Clone(f.invLocked().audit)
	slices.Reverse(out)
	return out, nil
}

func (f *fakeBackend) VerifyAudit() (store.VerifyResult, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	inv := f.invLocked()
	if inv.auditBroken {
		return store.VerifyResult{Count: len(inv.audit), FirstBad: 3, Reason: "record 3's MAC does not match its content: it was edited"}, nil
	}
	return store.VerifyResult{Count: len(inv.audit)}, nil
}

// fakeKey is a registered key of the fake: a fixed fingerprint (the
// goldens show it) of the given type and comment.
func fakeKey(fp, typ, comment string, added time.Time) store.UserKey {
	return store.UserKey{SSHKey: model.SSHKey{Type: typ, Fingerprint: fp, Comment: comment}, Added: added, AddedBy: "admin"}
}

// The fake's keys: dmuller has two, the others none.
const (
	fakeFP1 = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
	fakeFP2 = "SHA256:Q2lwaGVyIGtleXMgYXJlIG5vdCByZWFsIGJ1dCB0aG"
)

// fakeInviteCode is the code every fake invitation shows.
const fakeInviteCode = "7K3M-Q9TX-B2WD-H5RN"

// keysLocked are the keys by user, made on first use; f.mu is held.
func (f *fakeBackend) keysLocked() map[string][]store.UserKey {
	inv := f.invLocked()
	if inv.keys == nil {
		inv.keys = map[string][]store.UserKey{"dmuller": {
			fakeKey(fakeFP1, "ssh-ed25519", "dana@laptop", testNow.AddDate(0, 0, -20)),
			fakeKey(fakeFP2, "ecdsa-sha2-nistp256", "dana@phone", testNow.AddDate(0, 0, -3)),
		}}
		inv.codes = map[string]time.Time{}
	}
	return inv.keys
}

func (f *fakeBackend) userLocked(id string) (model.User, error) {
	for _, u := range f.invLocked().users {
		if u.ID == id {
			return u, nil
		}
	}
	return model.User{}, fmt.Errorf("user %q: %w", id, store.ErrNotFound)
}

func (f *fakeBackend) UserAccess(id string) (UserAccess, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if err := f.inv.accessErr; err != nil {
		return UserAccess{}, err
	}
	if _, err := f.userLocked(id); err != nil {
		return UserAccess{}, err
	}
	keys := f.keysLocked()[id]
	exp, live := f.inv.codes[id]
	return UserAccess{Keys: slices.Clone(keys), CodeLive: live, CodeExpires: exp}, nil
}

func (f *fakeBackend) RemoveUserKey(id, fingerprint string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "remove key "+id+" "+fingerprint)
	if err := f.inv.removeErr; err != nil {
		return err
	}
	keys := f.keysLocked()
	i := slices.IndexFunc(keys[id], func(k store.UserKey) bool { return k.Fingerprint == fingerprint })
	if i < 0 {
		return fmt.Errorf("user %s has no key %s: %w", id, fingerprint, store.ErrNotFound)
	}
	typ := keys[id][i].Type
	keys[id] = slices.Delete(keys[id], i, i+1)
	f.appendAudit("user key remove", "user "+id, typ+" "+fingerprint)
	return nil
}

func (f *fakeBackend) InviteUser(id string) (Invitation, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "invite "+id)
	if err := f.inv.inviteErr; err != nil {
		return Invitation{}, err
	}
	if _, err := f.userLocked(id); err != nil {
		return Invitation{}, err
	}
	f.keysLocked()
	exp := testNow.Add(store.EnrollmentTTL)
	f.inv.codes[id] = exp
	f.appendAudit("user invite", "user "+id, "enrollment code issued")
	return Invitation{Code: fakeInviteCode, Expires: exp, SSHCommand: "ssh -p 2222 " + id + "@console.example.org"}, nil
}

func (f *fakeBackend) MailInvitation(id string) (Invitation, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls = append(f.Calls, "mail invite "+id)
	u, err := f.userLocked(id)
	if err != nil {
		return Invitation{}, err
	}
	if strings.TrimSpace(u.Email) == "" {
		return Invitation{}, fmt.Errorf("user %s: the user has no e-mail address, so the enrollment code cannot be mailed; nothing was changed", id)
	}
	f.keysLocked()
	exp := testNow.Add(store.EnrollmentTTL)
	f.inv.codes[id] = exp
	f.appendAudit("user invite", "user "+id, "enrollment code issued")
	return Invitation{Expires: exp, SSHCommand: "ssh -p 2222 " + id + "@console.example.org", MailedTo: u.Email}, nil
}

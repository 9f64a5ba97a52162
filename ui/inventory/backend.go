package inventory

import (
	"time"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// StoreSettingsEntry is Backend.SettingsEntry over st: the profile's
// self-service entry, if the settings have one.
func StoreSettingsEntry(st *store.Store, profile string) (model.SettingsEntry, bool, error) {
	set, err := st.Settings()
	if err != nil {
		return model.SettingsEntry{}, false, err
	}
	if e := set.Entry(profile); e != nil {
		return *e, true, nil
	}
	return model.SettingsEntry{}, false, nil
}

// Backend is what the Profiles, Tokens, Users, Import and Audit
// Log screens need. Like every Backend method these may block on I/O and
// are called only inside tea.Cmds. The rules stay where they are: the
// store validates (model.Profile.Validate, model.ValidateProfileEdit,
// model.CheckAssign) and refuses with model errors the screens show.
type Backend interface {
	// Tokens returns every token in serial order, without seeds.
	Tokens() ([]model.Token, error)
	// Token returns one token, without its seed.
	Token(serial string) (model.Token, error)
	// ReplacementWindowDays is the self-service "Expiring Token
	// Parameters" setting, for the Tokens screen's expiring filter.
	ReplacementWindowDays() (int, error)
	// Users returns every user in user ID order.
	Users() ([]model.User, error)
	// TokenCountsByUser returns how many tokens each user holds, by user
	// ID; a user who holds none is absent.
	TokenCountsByUser() (map[string]int, error)
	// User returns one user and the tokens they hold, in serial order.
	User(id string) (model.User, []model.Token, error)
	// Assign gives the token to the user; Unassign takes it back. Both are
	// audited; refusals are model field errors.
	Assign(serial, userID string) error
	Unassign(serial string) error
	// SetTokenEnabled is the admin's explicit enabled flag, which then
	// stays across assignment changes; SetTokenEnabledAuto lets the flag
	// follow the assignment again. Both are audited; a token already in
	// that state is left alone.
	SetTokenEnabled(serial string, enabled bool) error
	SetTokenEnabledAuto(serial string) error
	// VerifyCode is the helpdesk check of a tokencode a user reads out
	// (engine/jobs.Verify, at the current time). A SID-64 token is an error
	// wrapping jobs.ErrUnsupported.
	VerifyCode(serial, code, pin string) (jobs.VerifyResult, error)

	// UserAccess is how the user logs in to the Self-Service Console
	// (swtoken serve): their SSH public keys, oldest first, and whether an
	// enrollment code is live. An unknown user wraps store.ErrNotFound.
	UserAccess(id string) (UserAccess, error)
	// RemoveUserKey removes one of the user's keys by fingerprint, audited
	// "user key remove" by the store as `users keys remove` is. A key the
	// user does not have (any more) wraps store.ErrNotFound.
	RemoveUserKey(id, fingerprint string) error
	// InviteUser issues a new one-time enrollment code for the user
	// (store.InviteUser, audited "user invite"); it replaces a live one.
	// The result holds the code, once: nothing else keeps it.
	InviteUser(id string) (Invitation, error)
	// MailInvitation issues a new enrollment code and puts the message
	// that carries it in the outbox (requests.MailInvitation); the result
	// has no code. A user without an e-mail address is refused and
	// nothing changes.
	MailInvitation(id string) (Invitation, error)

	// ProfileRecords returns every profile in name order with its store ID
	// and revision, for the Profiles screen: an edit or delete hands back
	// the record the screen showed.
	ProfileRecords() ([]store.ProfileRecord, error)
	// AddProfile, EditProfile and DeleteProfile change software token
	// profiles. A delete of a profile in use is refused with
	// model.ProfileInUseError, which names what refers to it. An edit or
	// delete of a profile that was changed, renamed or deleted after
	// loaded was read is refused with a *store.ConflictError naming who
	// did it and when (compare-and-swap), and changes nothing.
	// SettingsEntry is the self-service settings entry of the profile
	// named profile as stored now (found is false when it has none), so
	// that the profile form can tell the admin that an edit lapsed the
	// entry's confirmation.
	SettingsEntry(profile string) (e model.SettingsEntry, found bool, err error)
	AddProfile(p model.Profile) error
	EditProfile(loaded store.ProfileRecord, p model.Profile) error
	DeleteProfile(loaded store.ProfileRecord) error

	// ImportTokenFiles imports token record files. Each path is a file, a
	// directory (its *.sdtid files) or a glob pattern; relative paths start
	// where swtoken was started. A refused all-or-nothing import returns
	// the result listing every rejection with a *store.ImportRejectedError.
	ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error)
	// ImportUsersCSV imports users from a CSV file (opts.Overwrite updates
	// existing users).
	ImportUsersCSV(path string, opts store.ImportOptions) (store.ImportResult, error)

	// AuditRecords returns the audit trail, newest first.
	AuditRecords() ([]store.AuditRecord, error)
	// VerifyAudit checks the audit hash chain.
	VerifyAudit() (store.VerifyResult, error)
}

// UserAccess is a user's way into the Self-Service Console: their SSH
// keys and their enrollment code, if one is live (CodeLive: issued, not
// used, ended or expired).
type UserAccess struct {
	Keys        []store.UserKey
	CodeLive    bool
	CodeExpires time.Time
}

// Invitation is an enrollment code just issued: Code (shown once; "" when
// it was mailed), when it stops working, the line the user types to log in
// (SSHCommand, "ssh -p 2222 USER@HOST") and, when mailed, the address.
type Invitation struct {
	Code       string
	Expires    time.Time
	SSHCommand string
	MailedTo   string
}

// common is what the screens share: the environment and the backend.
type common struct {
	*kit.Env
	be Backend
}

func newCommon(env *kit.Env, be Backend) *common { return &common{Env: env, be: be} }

// NewProfiles is the Software Token Profiles screen.
func NewProfiles(env *kit.Env, be Backend) nav.Screen { return newProfiles(newCommon(env, be)) }

// NewTokens is the Tokens screen.
func NewTokens(env *kit.Env, be Backend) nav.Screen { return newTokens(newCommon(env, be)) }

// NewUsers is the Users screen.
func NewUsers(env *kit.Env, be Backend) nav.Screen { return newUsers(newCommon(env, be)) }

// NewImport is the Import screen (token files and a user CSV).
func NewImport(env *kit.Env, be Backend) nav.Screen { return newImport(newCommon(env, be)) }

// NewAudit is the Audit Log screen.
func NewAudit(env *kit.Env, be Backend) nav.Screen { return newAudit(newCommon(env, be)) }

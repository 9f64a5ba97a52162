// Package selfservice is the Self-Service Console a user sees over SSH
// (product.md section 13): who they are, their tokens with the
// replacement hint, their requests with the approvers' comments, a form to
// request a new token or a replacement that follows the self-service
// settings, and Show my token for a fulfilled CTF request (once, after a
// confirmation). It is a tea.Model root of its own, made once per session
// by New; the admin's console (ui/shell) is not involved.
//
// Every store access goes through Backend, which is bound to one user
// when it is made, so that nothing here can ask for another user's data.
package selfservice

import (
	"time"

	"github.com/swtoken/swtoken/model"
)

// Backend is what the console needs from the store and the engine, for
// the one user (and client address) it was made for: no method takes a
// user ID. Every method may block on I/O, so the console calls them only
// inside tea.Cmds, never in Update.
type Backend interface {
	// Load reads everything the console shows (a Snapshot), all as one
	// moment of the store saw it: the console reloads it on every store
	// change.
	Load() (Snapshot, error)
	// MakeRequest makes a request for the user. The backend sets the
	// user, the origin (self-service) and the client address; the store
	// applies every rule (a refusal is a *model.RequestError) and the
	// "received" message is queued.
	MakeRequest(in model.RequestInput) (Made, error)
	// ShowToken returns the CTF link of the user's fulfilled CTF request
	// id and records it as shown: a second call is refused, saying when
	// it was shown.
	ShowToken(requestID string) (string, error)
	// AddMyKey registers one public key line (authorized_keys form) for
	// the user, audited as added by the user over SSH from the client
	// address. A line that is no key is refused with model.ParseSSHKey's
	// error as it is; a key registered already (for this user or
	// another) is refused without naming who holds it. Users cannot
	// remove keys: an administrator does.
	AddMyKey(line string) (Key, error)
	// Changes is the store's change counter: equal values mean nothing
	// changed in between, in any process.
	Changes() (uint64, error)
}

// Snapshot is what one load reads: everything the console shows.
type Snapshot struct {
	// Me is the user.
	Me model.User
	// Tokens are the tokens the user holds, in serial order.
	Tokens []Token
	// Requests are the user's requests, newest first, with the comments
	// the approvers wrote to the user (never their private notes).
	Requests []Request
	// Choices are what the request and replacement forms offer.
	Choices Choices
	// Keys are the SSH public keys registered for the user, oldest
	// first.
	Keys []Key
}

// Token is one token the user holds.
type Token struct {
	Serial   string
	Nickname string
	// Expires is the death date (zero: never expires).
	Expires time.Time
}

// Key is one SSH public key of the user.
type Key struct {
	Fingerprint string // "SHA256:..."
	Type        string // "ssh-ed25519", ...
	Comment     string
	Added       time.Time
}

// Request is one of the user's requests as the user may see it.
type Request struct {
	ID       string
	Kind     model.RequestKind
	Replaces string // the serial a replacement replaces
	// Profile is the profile's display name in the settings (its name
	// when it is no longer offered).
	Profile  string
	Nickname string
	State    model.RequestState
	Created  time.Time
	// Comments are what the approvers (or swtoken) told the user, oldest
	// first: approval, deferral and rejection comments, why it failed or
	// was canceled. Private notes never come here.
	Comments []Comment
	// Serial is the token that fulfilled it.
	Serial string
	// CTF is true for a fulfilled request delivered as a CTF link: Show
	// my token applies to it.
	CTF bool
	// ShownAt is when the CTF link was shown (zero: not yet).
	ShownAt time.Time
	// MailedTo is, for a fulfilled file request, the e-mail address the
	// token file was sent to.
	MailedTo string
}

// Comment is one thing the user was told about a request.
type Comment struct {
	At     time.Time
	Action string // "approved", "deferred", "rejected", ...
	Text   string
}

// Choices are the forms' choices, from the self-service settings.
type Choices struct {
	// Profiles are the profiles offered for request (selected, confirmed
	// and able to deliver), in the settings' order.
	Profiles []ProfileChoice
	// Default is the name of the default profile ("" when none).
	Default string
	// PasswordRequired says the user types a token-file password, twice.
	PasswordRequired bool
	// WindowDays is the replacement window: a token may be replaced
	// within this many days of its expiry.
	WindowDays int
	// Replaceable are the serials of the user's tokens that may be
	// replaced now (inside the window, not expired).
	Replaceable []string
}

// ProfileChoice is one profile offered for request, as the settings
// describe it to users.
type ProfileChoice struct {
	Name          string
	DisplayName   string
	Description   string
	ImageLocation string
	// DeviceID says the settings allow the user to type a device serial
	// number; ClassGUID is what applies otherwise.
	DeviceID  bool
	ClassGUID string
}

// Made is a request just made: its ID and state, and a warning when the
// "received" message could not be queued (the request stands).
type Made struct {
	ID      string
	State   model.RequestState
	Warning string
}

// Package requests is the console's Requests screen: the self-service
// requests in three tabs (Pending, Completed, Rejected/Canceled/Failed)
// with a fuzzy filter, a request's details and history, the approver's
// decisions (approve, reject, defer, with a comment to the user and a
// private note), the bulk approval of the filtered pending list, and the
// form that makes a request for a user (picked from the users with a
// fuzzy filter, or typed by ID).
package requests

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Backend is what the Requests screen needs from the store and the
// engine. Every method may block on I/O, so the screen calls them only
// inside tea.Cmds, never in Update.
type Backend interface {
	// RequestList returns every request, newest first, and the approvals
	// the settings' policy needs.
	RequestList() (Listing, error)
	// DecideRequest approves, rejects or defers one request
	// (compare-and-swap on d.Revision: a *store.ConflictError says who
	// changed it). After a rejection the message to the user is queued;
	// a message that cannot be queued is Outcome.Warning, the decision
	// stands.
	DecideRequest(what Decision, d store.RequestDecision) (Outcome, error)
	// RequestChoices is what the request form offers.
	RequestChoices() (Choices, error)
	// MakeRequest makes a request for a user (origin console) and queues
	// the "received" message as DecideRequest does.
	MakeRequest(in model.RequestInput) (Outcome, error)
	// RequestUsers is every user, for the request form's user picker, in
	// user ID order.
	RequestUsers() ([]UserChoice, error)
}

// UserChoice is a user the request form offers: the ID, the full name and
// the e-mail address ("" when the user has none: the request rules refuse
// such a user, model.CheckRequest).
type UserChoice struct {
	ID    string
	Name  string
	Email string
}

// Listing is every request, newest first, and the number of approvals
// the approval policy needs.
type Listing struct {
	Requests []model.Request
	Needed   int
}

// Decision is what an approver decides.
type Decision int

const (
	Approve Decision = iota
	Reject
	Defer
)

func (d Decision) String() string {
	switch d {
	case Reject:
		return "reject"
	case Defer:
		return "defer"
	}
	return "approve"
}

// Outcome is a request as a change left it, and a warning when the
// message to its user could not be queued.
type Outcome struct {
	Request model.Request
	Warning string
}

// Choices are the request form's choices: the profiles offered for
// request in the settings' order, the default one, and whether the user
// must give a token-file password.
type Choices struct {
	Profiles         []ProfileChoice
	Default          string
	PasswordRequired bool
}

// ProfileChoice is one profile offered for request; DeviceID says a
// device serial number other than the class GUID may be given.
type ProfileChoice struct {
	Name     string
	DeviceID bool
}

// New is the Requests screen.
func New(env *kit.Env, be Backend) nav.Screen { return newScreen(&common{Env: env, be: be}) }

type common struct {
	*kit.Env
	be Backend
}

package ui

import (
	"strings"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	requestsui "github.com/swtoken/swtoken/ui/requests"
)

// mailer is the outbox a request's messages are queued in.
type mailer = swmail.Mailer

// RequestList returns every request, newest first, and the approvals the
// policy needs.
func (b *engineBackend) RequestList() (requestsui.Listing, error) {
	set, err := b.st.Settings()
	if err != nil {
		return requestsui.Listing{}, err
	}
	rs, err := b.st.Requests(store.RequestFilter{})
	if err != nil {
		return requestsui.Listing{}, err
	}
	// Newest first: the store lists them by number.
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return requestsui.Listing{Requests: rs, Needed: set.Policy().Needed()}, nil
}

// DecideRequest approves, rejects or defers a request; after a rejection
// it queues the message to the user as the CLI does (cli/requests.go): a
// message that cannot be queued is a warning, the decision stands.
func (b *engineBackend) DecideRequest(what requestsui.Decision, d store.RequestDecision) (requestsui.Outcome, error) {
	var (
		r   model.Request
		err error
	)
	switch what {
	case requestsui.Reject:
		r, err = b.st.RejectRequest(d)
	case requestsui.Defer:
		r, err = b.st.DeferRequest(d)
	default:
		r, err = b.st.ApproveRequest(d)
	}
	if err != nil {
		return requestsui.Outcome{}, err
	}
	out := requestsui.Outcome{Request: r}
	if what == requestsui.Reject {
		out.Warning = b.tellUser(func(m *mailer) error { return requests.QueueRejected(b.st, m, r, d.Comment) })
	}
	return out, nil
}

// RequestChoices are the profiles the settings offer for request, the
// default and the password rule.
func (b *engineBackend) RequestChoices() (requestsui.Choices, error) {
	set, err := b.st.Settings()
	if err != nil {
		return requestsui.Choices{}, err
	}
	recs, err := b.st.Profiles()
	if err != nil {
		return requestsui.Choices{}, err
	}
	c := requestsui.Choices{PasswordRequired: set.UserMustProvidePassword}
	for _, e := range set.Entries {
		for _, p := range recs {
			if model.SameName(p.Name, e.Profile) && e.Offered(p.Profile) {
				c.Profiles = append(c.Profiles, requestsui.ProfileChoice{Name: p.Name, DeviceID: e.AllowUserEdit})
				if e.Default {
					c.Default = p.Name
				}
			}
		}
	}
	return c, nil
}

// MakeRequest makes a request from the console and queues the "received"
// message.
func (b *engineBackend) MakeRequest(in model.RequestInput) (requestsui.Outcome, error) {
	in.Origin = model.OriginConsole
	r, err := b.st.CreateRequest(in)
	if err != nil {
		return requestsui.Outcome{}, err
	}
	return requestsui.Outcome{Request: r,
		Warning: b.tellUser(func(m *mailer) error { return requests.QueueReceived(b.st, m, r) })}, nil
}

// RequestUsers is every user for the request form's picker, in one
// streaming pass over the store (no per-user lookup: 100,000 users stay
// fast).
func (b *engineBackend) RequestUsers() ([]requestsui.UserChoice, error) {
	var out []requestsui.UserChoice
	err := b.st.EachUser(func(u model.User) error {
		out = append(out, requestsui.UserChoice{ID: u.ID, Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: strings.TrimSpace(u.Email)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// tellUser queues a message after the store committed a change; it
// returns why it could not ("" when queued).
func (b *engineBackend) tellUser(queue func(*mailer) error) string {
	m, err := requests.NewMailer(b.st)
	if err == nil {
		err = queue(m)
	}
	if err != nil {
		return model.Printable(err.Error()) + " (the change is saved)"
	}
	return ""
}

package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/selfservice"
)

// selfServiceBackend is the Self-Service Console's backend for one user
// and client address: every read is filtered to the user, and every
// request is made for the user with origin self-service.
type selfServiceBackend struct {
	st         *store.Store
	user       string
	clientAddr string
	now        func() time.Time
}

// NewSelfServiceBackend is the backend of one SSH session of user, from
// clientAddr (recorded on the requests the user makes).
func NewSelfServiceBackend(st *store.Store, user, clientAddr string) selfservice.Backend {
	return &selfServiceBackend{st: st, user: user, clientAddr: clientAddr, now: time.Now}
}

func (b *selfServiceBackend) Me() (model.User, error) { return b.st.User(b.user) }

func (b *selfServiceBackend) MyTokens() ([]selfservice.Token, error) {
	toks, err := b.st.TokensByUser(b.user)
	if err != nil {
		return nil, err
	}
	out := make([]selfservice.Token, 0, len(toks))
	for _, t := range toks {
		if t.AssignedUser != b.user {
			continue
		}
		out = append(out, selfservice.Token{Serial: t.Serial, Nickname: t.Distribution.Nickname, Expires: t.Death})
	}
	slices.SortFunc(out, func(a, c selfservice.Token) int { return model.CompareSerials(a.Serial, c.Serial) })
	return out, nil
}

// MyRequests are the user's requests, newest first. Only what the user
// is told is copied: the comments of the history, never the private
// notes, the approvers' names or the addresses.
func (b *selfServiceBackend) MyRequests() ([]selfservice.Request, error) {
	rs, err := b.st.Requests(store.RequestFilter{User: b.user})
	if err != nil {
		return nil, err
	}
	set, profiles, err := b.st.SettingsWithProfiles()
	if err != nil {
		return nil, err
	}
	u, err := b.st.User(b.user)
	if err != nil {
		return nil, err
	}
	out := make([]selfservice.Request, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if r.User != b.user {
			continue
		}
		v := selfservice.Request{ID: r.ID(), Kind: r.Kind, Replaces: r.Replaces, Profile: r.Profile, Nickname: r.Nickname,
			State: r.State, Created: r.Created, Serial: r.Serial}
		if e := set.Entry(r.Profile); e != nil && strings.TrimSpace(e.DisplayName) != "" {
			v.Profile = e.DisplayName
		}
		for _, ev := range r.History {
			if ev.Action != "created" && strings.TrimSpace(ev.Comment) != "" {
				v.Comments = append(v.Comments, selfservice.Comment{At: ev.At, Action: ev.Action, Text: ev.Comment})
			}
		}
		if r.State == model.RequestFulfilled {
			at, waiting, err := b.st.TokenShown(v.ID)
			if err != nil {
				return nil, err
			}
			v.ShownAt = at
			var method model.DeliveryMethod
			for _, p := range profiles {
				if model.SameName(p.Name, r.Profile) {
					method = p.DeliveryMethod
				}
			}
			v.CTF = waiting || !at.IsZero() || method == model.DeliveryCTF
			if !v.CTF {
				v.MailedTo = u.Email
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Choices are the profiles the settings offer for request (selected,
// confirmed, able to deliver), the default, the password rule, the
// replacement window and the user's tokens inside it.
func (b *selfServiceBackend) Choices() (selfservice.Choices, error) {
	set, profiles, err := b.st.SettingsWithProfiles()
	if err != nil {
		return selfservice.Choices{}, err
	}
	c := selfservice.Choices{PasswordRequired: set.UserMustProvidePassword, WindowDays: set.ReplacementWindowDays}
	for _, e := range set.Entries {
		for _, p := range profiles {
			if !model.SameName(p.Name, e.Profile) || !e.Offered(p) {
				continue
			}
			name := e.DisplayName
			if strings.TrimSpace(name) == "" {
				name = p.Name
			}
			c.Profiles = append(c.Profiles, selfservice.ProfileChoice{Name: p.Name, DisplayName: name, Description: e.Description,
				ImageLocation: e.ImageLocation, DeviceID: e.AllowUserEdit, ClassGUID: p.ClassGUID()})
			if e.Default {
				c.Default = p.Name
			}
		}
	}
	toks, err := b.st.TokensByUser(b.user)
	if err != nil {
		return selfservice.Choices{}, err
	}
	now := b.now()
	for _, t := range toks {
		if t.AssignedUser == b.user && t.ExpiresWithin(now, set.ReplacementWindowDays) {
			c.Replaceable = append(c.Replaceable, t.Serial)
		}
	}
	slices.SortFunc(c.Replaceable, model.CompareSerials)
	return c, nil
}

// MakeRequest makes a request for the user, from the session's client
// address, and queues the "received" message as the admin's console does
// (a message that cannot be queued is a warning; the request stands).
func (b *selfServiceBackend) MakeRequest(in model.RequestInput) (selfservice.Made, error) {
	in.User, in.Origin, in.ClientAddr, in.LostOrBroken = b.user, model.OriginSelfService, b.clientAddr, false
	r, err := b.st.CreateRequest(in)
	if err != nil {
		return selfservice.Made{}, err
	}
	made := selfservice.Made{ID: r.ID(), State: r.State}
	m, err := requests.NewMailer(b.st)
	if err == nil {
		err = requests.QueueReceived(b.st, m, r)
	}
	if err != nil {
		made.Warning = "the e-mail saying it was received could not be queued: " + model.Printable(err.Error())
	}
	return made, nil
}

// ShowToken shows the CTF link of the user's request id, once.
func (b *selfServiceBackend) ShowToken(id string) (string, error) {
	return b.st.ShowToken(id, b.user, b.now())
}

// MyKeys are the user's SSH public keys, oldest first.
func (b *selfServiceBackend) MyKeys() ([]selfservice.Key, error) {
	ks, err := b.st.UserKeys(b.user)
	if err != nil {
		return nil, err
	}
	out := make([]selfservice.Key, len(ks))
	for i, k := range ks {
		out[i] = selfservice.Key{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, Added: k.Added}
	}
	return out, nil
}

// AddMyKey registers a public key line for the user, audited as added by
// the user over SSH from the session's client address. A key registered
// already is refused without saying for whom.
func (b *selfServiceBackend) AddMyKey(line string) (selfservice.Key, error) {
	k, err := model.ParseSSHKey(line)
	if err != nil {
		return selfservice.Key{}, err
	}
	uk, err := b.st.AddUserKeyFrom(b.user, k, "by the user over SSH from "+b.clientAddr)
	if errors.Is(err, store.ErrKeyRegistered) {
		if mine, merr := b.hasKey(k.Fingerprint); merr == nil && mine {
			return selfservice.Key{}, fmt.Errorf("the key %s is registered for you already: you can log in with it", k.Fingerprint)
		}
		return selfservice.Key{}, fmt.Errorf("the key %s is registered for another user: a key names one user; make a key of your own (ssh-keygen -t ed25519) and add it", k.Fingerprint)
	}
	if err != nil {
		return selfservice.Key{}, err
	}
	return selfservice.Key{Fingerprint: uk.Fingerprint, Type: uk.Type, Comment: uk.Comment, Added: uk.Added}, nil
}

// hasKey says whether the user has the key (by fingerprint).
func (b *selfServiceBackend) hasKey(fp string) (bool, error) {
	ks, err := b.st.UserKeys(b.user)
	for _, k := range ks {
		if k.Fingerprint == fp {
			return true, nil
		}
	}
	return false, err
}

func (b *selfServiceBackend) Changes() (uint64, error) { return b.st.ChangeCounter() }

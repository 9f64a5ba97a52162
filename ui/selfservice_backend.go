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
	// changes reads the change counter: the store's, or serve's shared
	// watcher's last read (selfServiceSessions).
	changes func() (uint64, error)
}

// NewSelfServiceBackend is the backend of one SSH session of user, from
// clientAddr (recorded on the requests the user makes). Its Changes reads
// the store's change counter; serve's sessions share one reader instead
// (SelfServiceConsole).
func NewSelfServiceBackend(st *store.Store, user, clientAddr string) selfservice.Backend {
	return &selfServiceBackend{st: st, user: user, clientAddr: clientAddr, now: time.Now, changes: st.ChangeCounter}
}

// Load reads the user's overview in one store transaction
// (store.UserOverview) and maps it to what the console shows.
func (b *selfServiceBackend) Load() (selfservice.Snapshot, error) {
	ov, err := b.st.UserOverview(b.user)
	if err != nil {
		return selfservice.Snapshot{}, err
	}
	return selfservice.Snapshot{Me: ov.User, Tokens: b.tokens(ov), Requests: b.requests(ov), Choices: b.choices(ov), Keys: selfServiceKeys(ov.Keys)}, nil
}

// tokens are the tokens the user holds, in serial order.
func (b *selfServiceBackend) tokens(ov store.UserOverview) []selfservice.Token {
	out := make([]selfservice.Token, 0, len(ov.Tokens))
	for _, t := range ov.Tokens {
		if t.AssignedUser != b.user {
			continue
		}
		out = append(out, selfservice.Token{Serial: t.Serial, Nickname: t.Distribution.Nickname, Expires: t.Death})
	}
	slices.SortFunc(out, func(a, c selfservice.Token) int { return model.CompareSerials(a.Serial, c.Serial) })
	return out
}

// requests are the user's requests, newest first. Only what the user is
// told is copied: the comments of the history, never the private notes,
// the approvers' names or the addresses.
func (b *selfServiceBackend) requests(ov store.UserOverview) []selfservice.Request {
	out := make([]selfservice.Request, 0, len(ov.Requests))
	for i := len(ov.Requests) - 1; i >= 0; i-- {
		r := ov.Requests[i]
		if r.User != b.user {
			continue
		}
		v := selfservice.Request{ID: r.ID(), Kind: r.Kind, Replaces: r.Replaces, Profile: r.Profile, Nickname: r.Nickname,
			State: r.State, Created: r.Created, Serial: r.Serial}
		if e := ov.Settings.Entry(r.Profile); e != nil && strings.TrimSpace(e.DisplayName) != "" {
			v.Profile = e.DisplayName
		}
		for _, ev := range r.History {
			if ev.Action != "created" && strings.TrimSpace(ev.Comment) != "" {
				v.Comments = append(v.Comments, selfservice.Comment{At: ev.At, Action: ev.Action, Text: ev.Comment})
			}
		}
		if r.State == model.RequestFulfilled {
			shown := ov.Shown[v.ID]
			v.ShownAt = shown.At
			var method model.DeliveryMethod
			for _, p := range ov.Profiles {
				if model.SameName(p.Name, r.Profile) {
					method = p.DeliveryMethod
				}
			}
			v.CTF = shown.Waiting || !shown.At.IsZero() || method == model.DeliveryCTF
			if !v.CTF {
				v.MailedTo = ov.User.Email
			}
		}
		out = append(out, v)
	}
	return out
}

// choices are the profiles the settings offer for request (selected,
// confirmed, able to deliver), the default, the password rule, the
// replacement window and the user's tokens inside it.
func (b *selfServiceBackend) choices(ov store.UserOverview) selfservice.Choices {
	set := ov.Settings
	c := selfservice.Choices{PasswordRequired: set.UserMustProvidePassword, WindowDays: set.ReplacementWindowDays}
	for _, e := range set.Entries {
		for _, p := range ov.Profiles {
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
	now := b.now()
	for _, t := range ov.Tokens {
		if t.AssignedUser == b.user && t.ExpiresWithin(now, set.ReplacementWindowDays) {
			c.Replaceable = append(c.Replaceable, t.Serial)
		}
	}
	slices.SortFunc(c.Replaceable, model.CompareSerials)
	return c
}

// selfServiceKeys are the user's SSH public keys, oldest first.
func selfServiceKeys(ks []store.UserKey) []selfservice.Key {
	out := make([]selfservice.Key, len(ks))
	for i, k := range ks {
		out[i] = selfservice.Key{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, Added: k.Added}
	}
	return out
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

func (b *selfServiceBackend) Changes() (uint64, error) { return b.changes() }

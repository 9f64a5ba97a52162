package store

import (
	"time"

	"github.com/swtoken/swtoken/model"
)

// UserOverview is everything one user's Self-Service Console shows, as one
// transaction saw it.
type UserOverview struct {
	User model.User
	// Tokens are the user's tokens in serial order (TokensByUser).
	Tokens []model.Token
	// Requests are the user's requests, oldest first (Requests with
	// RequestFilter{User: user}).
	Requests []model.Request
	// Settings and Profiles are SettingsWithProfiles.
	Settings model.Settings
	Profiles []model.Profile
	// Shown is, for each fulfilled request of the user, by request ID,
	// what TokenShown says of it.
	Shown map[string]TokenShownState
	// Keys are the user's SSH keys, oldest first (UserKeys).
	Keys []UserKey
}

// TokenShownState is TokenShown's answer for one request: when its CTF
// link was shown (zero: not yet) and whether a copy waits to be shown.
type TokenShownState struct {
	At      time.Time
	Waiting bool
}

// UserOverview reads what the user's Self-Service Console shows in ONE
// read transaction (one short hold of the store), where the separate
// reads (User, TokensByUser, Requests, SettingsWithProfiles, TokenShown
// per fulfilled request, UserKeys) would take one each. An unknown user
// is ErrNotFound.
func (s *Store) UserOverview(user string) (ov UserOverview, err error) {
	err = s.View(func(tx *Tx) error {
		ov = UserOverview{}
		if ov.User, err = tx.User(user); err != nil {
			return err
		}
		if ov.Tokens, err = tx.tokensByUser(user); err != nil {
			return err
		}
		if ov.Requests, err = tx.requests(RequestFilter{User: user}); err != nil {
			return err
		}
		if ov.Settings, ov.Profiles, err = tx.settingsWithProfiles(); err != nil {
			return err
		}
		ov.Shown = make(map[string]TokenShownState)
		for _, r := range ov.Requests {
			if r.State != model.RequestFulfilled {
				continue
			}
			var st TokenShownState
			if st.At, st.Waiting, err = tx.tokenShown(r.Seq); err != nil {
				return err
			}
			ov.Shown[r.ID()] = st
		}
		ov.Keys, err = tx.userKeys(user)
		return err
	})
	if err != nil {
		return UserOverview{}, err
	}
	return ov, nil
}

package store

import (
	"fmt"

	"github.com/swtoken/swtoken/model"
)

// ---- the admin's enabled flag ----

// SetTokenEnabled is the admin's explicit choice to enable or disable a
// token (model.Token.SetEnabled): the flag then stays as set across later
// assigns and unassigns, until SetTokenEnabledAuto. It writes the token
// record and one audit record, "token enable" or "token disable" (object
// "token <serial>"), in one transaction. An unknown serial wraps
// ErrNotFound.
//
// A token that is already in that state by the admin's choice is left
// alone: the call succeeds and writes nothing, not even an audit record
// (schema.go: a change that changes nothing writes nothing). Callers that
// want to say "already enabled" compare with the token they read before.
// A token whose flag already has the wanted value but follows its
// assignment does change: the choice becomes the admin's.
func (s *Store) SetTokenEnabled(serial string, enabled bool) (model.Token, error) {
	return s.changeEnabled(serial, func(tok *model.Token) (string, bool) {
		if tok.EnabledSetByAdmin && tok.Enabled == enabled {
			return "", false
		}
		tok.SetEnabled(enabled)
		if enabled {
			return "token enable", true
		}
		return "token disable", true
	})
}

// SetTokenEnabledAuto drops the admin's explicit choice
// (model.Token.FollowAssignment): the token is enabled when assigned and
// disabled when unassigned again, starting now. Audit action "token follow
// assignment", object "token <serial>". A token that follows its
// assignment already is left alone, without an audit record.
func (s *Store) SetTokenEnabledAuto(serial string) (model.Token, error) {
	return s.changeEnabled(serial, func(tok *model.Token) (string, bool) {
		if !tok.EnabledSetByAdmin {
			return "", false
		}
		tok.FollowAssignment()
		return "token follow assignment", true
	})
}

// changeEnabled reads the token, lets change decide and apply the new
// flag (it returns the audit action, or false to leave the token alone),
// and writes the token and the audit record in one transaction.
func (s *Store) changeEnabled(serial string, change func(tok *model.Token) (action string, changed bool)) (model.Token, error) {
	var out model.Token
	err := s.Update(func(tx *Tx) error {
		tok, err := tx.Token(serial)
		if err != nil {
			return err
		}
		out = tok
		was := enabledState(tok)
		action, changed := change(&tok)
		if !changed {
			return nil
		}
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), tok.AssignedUser, tok); err != nil {
			return err
		}
		out = tok
		return tx.AppendAudit(action, "token "+tok.Serial,
			fmt.Sprintf("%s; token %s; was %s", assignedText(tok), enabledWord(tok), was))
	})
	if err != nil {
		return model.Token{}, err
	}
	return out, nil
}

// enabledState describes the flag and who set it, for audit details.
func enabledState(t model.Token) string {
	if t.EnabledSetByAdmin {
		return enabledWord(t) + " (set by the admin)"
	}
	return enabledWord(t) + " (following the assignment)"
}

func assignedText(t model.Token) string {
	if t.AssignedUser == "" {
		return "unassigned"
	}
	return "user " + t.AssignedUser
}

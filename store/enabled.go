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
	var out model.Token
	err := s.Update(func(tx *Tx) error {
		tok, err := tx.Token(serial)
		if err != nil {
			return err
		}
		out = tok
		if tok.EnabledSetByAdmin && tok.Enabled == enabled {
			return nil
		}
		was := enabledState(tok)
		tok.SetEnabled(enabled)
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), tok.AssignedUser, tok); err != nil {
			return err
		}
		out = tok
		action := "token disable"
		if enabled {
			action = "token enable"
		}
		return tx.AppendAudit(action, "token "+tok.Serial,
			fmt.Sprintf("%s; was %s", assignedText(tok), was))
	})
	if err != nil {
		return model.Token{}, err
	}
	return out, nil
}

// SetTokenEnabledAuto drops the admin's explicit choice
// (model.Token.FollowAssignment): the token is enabled when assigned and
// disabled when unassigned again, starting now. Audit action "token follow
// assignment", object "token <serial>". A token that follows its
// assignment already is left alone, without an audit record.
func (s *Store) SetTokenEnabledAuto(serial string) (model.Token, error) {
	var out model.Token
	err := s.Update(func(tx *Tx) error {
		tok, err := tx.Token(serial)
		if err != nil {
			return err
		}
		out = tok
		if !tok.EnabledSetByAdmin {
			return nil
		}
		was := enabledState(tok)
		tok.FollowAssignment()
		if err := tx.writeToken([]byte(model.SerialKey(tok.Serial)), tok.AssignedUser, tok); err != nil {
			return err
		}
		out = tok
		return tx.AppendAudit("token follow assignment", "token "+tok.Serial,
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

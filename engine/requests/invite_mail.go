package requests

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/store"
)

// ErrNoEmail is wrapped by MailInvitation for a user without an e-mail
// address: nothing was changed.
var ErrNoEmail = errors.New("the user has no e-mail address, so the enrollment code cannot be mailed")

// MailInvitation issues an enrollment code for user (store.InviteUser) and
// puts the message that carries it in the outbox, then audits "mail queue"
// (the recipient and the outbox name, never the code). The code is in the
// message only: the Invitation returned has no Code.
//
// Everything that can be checked is checked before the code is issued (the
// user exists and has an address, the message can be composed), so those
// refusals change nothing. When the outbox cannot take the message after
// the code was issued, the error says so: the code is in nobody's hands,
// and the next invitation replaces it.
func MailInvitation(st *store.Store, m *mail.Mailer, user, sshCommand string, now time.Time) (store.Invitation, string, error) {
	u, err := st.User(user)
	if err != nil {
		return store.Invitation{}, "", err
	}
	if strings.TrimSpace(u.Email) == "" {
		return store.Invitation{}, "", fmt.Errorf("user %s: %w; nothing was changed", u.ID, ErrNoEmail)
	}
	if err := m.CheckEnrollment(u, sshCommand); err != nil {
		return store.Invitation{}, "", fmt.Errorf("the enrollment message to user %s: %w; nothing was changed", u.ID, err)
	}
	inv, err := st.InviteUser(u.ID, now)
	if err != nil {
		return store.Invitation{}, "", err
	}
	name, err := m.QueueEnrollment(u, inv.Code, inv.Expires, sshCommand)
	inv.Code = ""
	if err != nil {
		return inv, "", fmt.Errorf("the enrollment code of user %s was issued but could not be put in the outbox (%w); it is in nobody's hands: invite the user again", u.ID, err)
	}
	if err := st.AppendAudit("mail queue", "user "+u.ID,
		fmt.Sprintf("enrollment code message to %s (user %s); outbox %s", u.Email, u.ID, name)); err != nil {
		return inv, name, fmt.Errorf("the audit record of the enrollment message to user %s: %w", u.ID, err)
	}
	return inv, name, nil
}

// DefaultServePort is the port `swtoken serve` listens on by default.
const DefaultServePort = "2222"

// SSHCommand is the line a user types to reach the Self-Service Console
// on host and port: the SSH user name is the user ID, quoted for a shell
// when it needs it ("ssh -p 2222 USER@HOST").
func SSHCommand(user, host, port string) string {
	target := user + "@" + host
	if strings.ContainsFunc(target, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._@-:[]", r))
	}) {
		target = "'" + strings.ReplaceAll(target, "'", `'\''`) + "'"
	}
	if port == "22" {
		return "ssh " + target
	}
	return "ssh -p " + port + " " + target
}

package mail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Enrollment is what the enrollment code message says: the code an admin
// issued (swtoken users invite --mail), when it expires, and how to log in
// to the Self-Service Console with it.
type Enrollment struct {
	To      Recipient
	User    string // the user ID, the SSH user name
	Code    string
	Expires time.Time
	// SSHCommand is the line to type, "ssh -p 2222 USER@host".
	SSHCommand string
}

// EnrollmentSubject is the enrollment message's subject: it never holds
// the code (the outbox lists subjects).
const EnrollmentSubject = "Your enrollment code for the self-service token console"

// Enrollment is the message "here is your one-time enrollment code". The
// code is in the body only.
func (c Composer) Enrollment(e Enrollment) (Message, error) {
	if strings.TrimSpace(e.Code) == "" || e.User == "" || e.SSHCommand == "" {
		return Message{}, errors.New("mail: the enrollment message needs the code, the user and the ssh command")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nan administrator invited you to the self-service token console, where you request and receive your software tokens.\n\n", greeting(e.To))
	fmt.Fprintf(&b, "Log in with:\n\n  %s\n\nand type this one-time enrollment code when you are asked for it:\n\n  %s\n\n", e.SSHCommand, e.Code)
	fmt.Fprintf(&b, "The code works once, until %s. Five wrong tries end it. If it expires or does not work, ask your administrator for a new one.\n",
		e.Expires.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString("Nobody from IT will ever ask you for this code.\n")
	return c.single(Request{To: e.To}, EnrollmentSubject, b.String())
}

// QueueEnrollment queues the enrollment code message to u. It returns
// ErrNoRecipient when u has no e-mail address.
func (m *Mailer) QueueEnrollment(u model.User, code string, expires time.Time, sshCommand string) (string, error) {
	if strings.TrimSpace(u.Email) == "" {
		return "", ErrNoRecipient
	}
	return m.queue(m.Composer.Enrollment(Enrollment{To: Recipient{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Address: u.Email},
		User: u.ID, Code: code, Expires: expires, SSHCommand: sshCommand}))
}

// CheckEnrollment composes an enrollment message with a stand-in code,
// so that a caller can find out that the message can be made (the from
// and to addresses are usable) before it issues the real code.
func (m *Mailer) CheckEnrollment(u model.User, sshCommand string) error {
	if strings.TrimSpace(u.Email) == "" {
		return ErrNoRecipient
	}
	_, err := m.Composer.Enrollment(Enrollment{To: Recipient{Address: u.Email}, User: u.ID, Code: "XXXX-XXXX-XXXX-XXXX",
		Expires: time.Now(), SSHCommand: sshCommand})
	return err
}

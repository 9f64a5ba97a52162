package mail

import (
	"fmt"
	"os"
	"strings"

	"github.com/swtoken/swtoken/model"
)

// Mailer is what the request flow calls to tell a user about a request:
// each Queue* composes the message and puts it in the outbox (waiting).
// Sending is separate (Mailer.SendDue, or `swtoken mail send`), so a
// message is never lost to an SMTP error and never delays a transaction.
type Mailer struct {
	Outbox   *Outbox
	Settings model.Settings
	Composer Composer
	// Sender sends what is due; nil builds one from Settings.SMTP.
	Sender Transport
}

// NewMailer opens the outbox of the data directory for the settings.
func NewMailer(dataDir string, s model.Settings) (*Mailer, error) {
	o, err := OpenOutbox(dataDir)
	if err != nil {
		return nil, err
	}
	return &Mailer{Outbox: o, Settings: s, Composer: Composer{From: FromAddress(s.SMTP)}}, nil
}

// FromAddress is the settings' from address, or swtoken@ this host's name
// when none is set (the outbox's messages, delivered by the admin).
func FromAddress(s model.SMTPSettings) string {
	if s.From != "" {
		return s.From
	}
	host, err := os.Hostname()
	if err != nil || host == "" || strings.ContainsAny(host, " @<>") {
		host = "localhost"
	}
	return "swtoken <swtoken@" + host + ">"
}

// RequestFor is the message data of a request: the user's name and
// address, the profile's display name and its two links from the settings
// entry of the request's profile.
func RequestFor(s model.Settings, r model.Request, u model.User) Request {
	out := Request{ID: r.ID(), Profile: r.Profile,
		To: Recipient{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Address: u.Email}}
	if e := s.Entry(r.Profile); e != nil {
		if strings.TrimSpace(e.DisplayName) != "" {
			out.Profile = e.DisplayName
		}
		out.AppDownloadURL, out.HelpDocURL = e.AppDownloadURL, e.HelpDocURL
	}
	return out
}

func (m *Mailer) queue(msg Message, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return m.Outbox.Enqueue(msg)
}

// QueueReceived queues "your request was received".
func (m *Mailer) QueueReceived(r model.Request, u model.User) (string, error) {
	return m.queue(m.Composer.Received(RequestFor(m.Settings, r, u)))
}

// QueueRejected queues "your request was rejected" with the comment to the
// user (r.StateReason when comment is "").
func (m *Mailer) QueueRejected(r model.Request, u model.User, comment string) (string, error) {
	if comment == "" {
		comment = r.StateReason
	}
	return m.queue(m.Composer.Rejected(RequestFor(m.Settings, r, u), comment))
}

// QueueFulfilledFile queues "your token is ready" with the .sdtid (name,
// data) attached, zipped when the SMTP settings say so.
func (m *Mailer) QueueFulfilledFile(r model.Request, u model.User, name string, data []byte) (string, error) {
	return m.queue(m.Composer.FulfilledFile(RequestFor(m.Settings, r, u), TokenFile{Name: name, Data: data, Zip: m.Settings.SMTP.ZipTokenFile}))
}

// QueueFulfilledCTF queues "your token is ready" with the CTF link and the
// PNG of its QR code.
func (m *Mailer) QueueFulfilledCTF(r model.Request, u model.User, link string, qrPNG []byte) (string, error) {
	return m.queue(m.Composer.FulfilledCTF(RequestFor(m.Settings, r, u), CTFLink{URL: link, QRPNG: qrPNG}))
}

// SendDue sends what is due when SMTP is configured; without SMTP it does
// nothing and returns ErrNotConfigured (the messages wait in the outbox).
func (m *Mailer) SendDue() (Result, error) {
	t := m.Sender
	if t == nil {
		if !m.Settings.SMTP.Configured() {
			return Result{}, ErrNotConfigured
		}
		t = &Sender{SMTP: m.Settings.SMTP}
	}
	res, err := m.Outbox.SendDue(t)
	if err != nil {
		return res, fmt.Errorf("mail: %w", err)
	}
	return res, nil
}

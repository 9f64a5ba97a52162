package requests

import (
	"errors"
	"fmt"

	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// The request e-mails (product.md section 12): "received" when a request
// is made, "rejected" with the comment, and "your token is ready" with the
// token when it is fulfilled. Every message goes to the outbox first
// (engine/mail); SendMail sends what is due when SMTP is configured.

// NewMailer opens the outbox of the store's data directory with the
// store's current settings.
func NewMailer(st *store.Store) (*mail.Mailer, error) {
	set, err := st.Settings()
	if err != nil {
		return nil, err
	}
	return mail.NewMailer(st.DataDir(), set)
}

// QueueReceived queues "your request was received" for r, which the store
// has committed. A crash between the commit and this call leaves the
// request without that message (it is a courtesy: the outcome messages
// still follow).
func QueueReceived(st *store.Store, m *mail.Mailer, r model.Request) error {
	u, err := st.User(r.User)
	if err != nil {
		return fmt.Errorf("the message to the user of request %s: %w", r.ID(), err)
	}
	if _, err := m.QueueReceived(r, u); err != nil {
		return fmt.Errorf("the message to the user of request %s: %w", r.ID(), err)
	}
	return nil
}

// QueueRejected queues "your request was rejected" for r with the comment
// to the user (the request's state reason when comment is "").
func QueueRejected(st *store.Store, m *mail.Mailer, r model.Request, comment string) error {
	u, err := st.User(r.User)
	if err != nil {
		return fmt.Errorf("the message to the user of request %s: %w", r.ID(), err)
	}
	if _, err := m.QueueRejected(r, u, comment); err != nil {
		return fmt.Errorf("the message to the user of request %s: %w", r.ID(), err)
	}
	return nil
}

// MailResult says what MailDeliveries did.
type MailResult struct {
	// Queued are the fulfilled requests whose token went to the outbox.
	Queued []model.Request
	// Problems are the deliveries that could not be mailed, one sentence
	// each (the user has no usable e-mail address, ...): they stay in the
	// store and the next pass tries again.
	Problems []string
}

// MailDeliveries writes the token of every fulfilled request still
// waiting in the store (store.PendingDeliveries) to the outbox, then
// deletes the sealed delivery in a store transaction. A crash after the
// message is queued but before the deletion queues it again on the next
// pass: at least once, never lost. Run it after each Fulfil pass and when
// the runner starts, so deliveries left by a crash are mailed.
func MailDeliveries(st *store.Store, m *mail.Mailer) (MailResult, error) {
	var res MailResult
	seqs, err := st.PendingDeliveries()
	if err != nil {
		return res, err
	}
	for _, seq := range seqs {
		r, err := st.Request(model.RequestID(seq))
		if err != nil {
			return res, err
		}
		d, found, err := st.RequestDelivery(r.ID())
		if err != nil {
			return res, err
		}
		if !found {
			continue
		}
		err = queueDelivery(st, m, r, d)
		clear(d.Data)
		clear(d.QRPNG)
		var p *problem
		if errors.As(err, &p) {
			res.Problems = append(res.Problems, p.Error())
			continue
		}
		if err != nil {
			return res, err
		}
		if err := st.Update(func(tx *store.Tx) error { return tx.DeleteRequestDelivery(seq) }); err != nil {
			return res, err
		}
		res.Queued = append(res.Queued, r)
	}
	return res, nil
}

// problem is a delivery that cannot be mailed as things are.
type problem struct{ msg string }

func (p *problem) Error() string { return p.msg }

func queueDelivery(st *store.Store, m *mail.Mailer, r model.Request, d store.Delivery) error {
	u, err := st.User(r.User)
	if errors.Is(err, store.ErrNotFound) {
		return &problem{fmt.Sprintf("request %s: its user %q no longer exists; the token was not mailed", r.ID(), r.User)}
	}
	if err != nil {
		return err
	}
	switch d.Kind {
	case store.DeliverySDTID:
		_, err = m.QueueFulfilledFile(r, u, d.FileName, d.Data)
	case store.DeliveryCTF:
		_, err = m.QueueFulfilledCTF(r, u, d.CTF, d.QRPNG)
	default:
		return &problem{fmt.Sprintf("request %s: its delivery has the unknown kind %q", r.ID(), d.Kind)}
	}
	if err != nil {
		return &problem{fmt.Sprintf("request %s: the token was not mailed: %v", r.ID(), err)}
	}
	return nil
}

// SendMail sends the outbox's due messages when SMTP is configured; with
// no SMTP it does nothing and returns nil (the messages wait in the
// outbox for `swtoken mail send` or the admin).
func SendMail(m *mail.Mailer) (mail.Result, error) {
	res, err := m.SendDue()
	if errors.Is(err, mail.ErrNotConfigured) {
		return res, nil
	}
	return res, err
}

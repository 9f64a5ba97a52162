package requests

import (
	"errors"
	"fmt"
	"regexp"

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
// has committed with its pending "received" notice (store.CreateRequest),
// and then removes that notice (notices.go). It queues nothing when the
// notice is no longer pending (a runner pass queued it first). A crash
// before the message is in the outbox leaves the notice for the next
// runner pass (MailNotices); one after it, before the notice's removal,
// sends the message twice at worst: at least once, never lost.
func QueueReceived(st *store.Store, m *mail.Mailer, r model.Request) error {
	return queueOwed(st, m, store.Notice{Seq: r.Seq, Kind: store.NoticeReceived}, "")
}

// QueueRejected queues "your request was rejected" for r with the comment
// to the user (the one its history recorded when comment is ""), as
// QueueReceived does for its "rejected" notice (store.RejectRequest).
func QueueRejected(st *store.Store, m *mail.Mailer, r model.Request, comment string) error {
	return queueOwed(st, m, store.Notice{Seq: r.Seq, Kind: store.NoticeRejected}, comment)
}

// auditQueued records a message put in the outbox: which request, which
// kind of message, to whom, and its outbox name (which the "mail sent" or
// "mail failed" record names too). Never the message's content: no
// comment, token or link.
func auditQueued(st *store.Store, r model.Request, u model.User, kind, name string) error {
	err := st.AppendAudit("mail queue", "request "+r.ID(),
		fmt.Sprintf("%s message to %s (user %s); outbox %s", kind, u.Email, u.ID, name))
	if err != nil {
		return fmt.Errorf("the audit record of the message to the user of request %s: %w", r.ID(), err)
	}
	return nil
}

// requestInSubject finds the request a message is about: every request
// message's subject names it ("Your software token request R-12 ...").
var requestInSubject = regexp.MustCompile(`\brequest (R-[0-9]+)\b`)

// AuditSent records the end of each message a send pass finished (sent,
// or failed after its retries), as the request it is about when the
// subject names one, else as "mail". The details name the recipient, the
// outbox name and for a failure the attempts and the last error (an SMTP
// reply or a network error; the password is never in one).
func AuditSent(st *store.Store, res mail.Result) error {
	for _, o := range res.Done {
		object := "mail"
		if m := requestInSubject.FindStringSubmatch(o.Subject); m != nil {
			object = "request " + m[1]
		}
		action := "mail sent"
		details := fmt.Sprintf("to %s; outbox %s", o.To, o.Name)
		if o.State == mail.Failed {
			action = "mail failed"
			details = fmt.Sprintf("to %s; outbox %s; gave up after %d attempt(s) over %s: %s",
				o.To, o.Name, o.Attempts, mail.RetryFor, o.LastError)
		}
		if err := st.AppendAudit(action, object, details); err != nil {
			return fmt.Errorf("the audit record of a sent message: %w", err)
		}
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
		queued, problem, err := mailDelivery(st, m, seq)
		if err != nil {
			return res, err
		}
		if problem != "" {
			res.Problems = append(res.Problems, problem)
		}
		if queued != nil {
			res.Queued = append(res.Queued, *queued)
		}
	}
	return res, nil
}

// mailDelivery queues one pending delivery's message and then deletes the
// delivery, under the notice lock: two runners (swtoken serve and an
// admin's console, say) that both saw it pending would otherwise both
// queue it, and the user would get the token twice. The second finds it
// gone and does nothing.
func mailDelivery(st *store.Store, m *mail.Mailer, seq uint64) (queued *model.Request, problemText string, err error) {
	release, err := lockNotices(m)
	if err != nil {
		return nil, "", err
	}
	defer release()
	r, err := st.Request(model.RequestID(seq))
	if err != nil {
		return nil, "", err
	}
	d, found, err := st.RequestDelivery(r.ID())
	if err != nil || !found {
		return nil, "", err
	}
	err = queueDelivery(st, m, r, d)
	clear(d.Data)
	clear(d.QRPNG)
	var p *problem
	if errors.As(err, &p) {
		return nil, p.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	if err := st.Update(func(tx *store.Tx) error { return tx.DeleteRequestDelivery(seq) }); err != nil {
		return nil, "", err
	}
	return &r, "", nil
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
	var name, kind string
	switch d.Kind {
	case store.DeliverySDTID:
		kind = "token file"
		name, err = m.QueueFulfilledFile(r, u, d.FileName, d.Data)
	case store.DeliveryCTF:
		kind = "token link (CTF)"
		name, err = m.QueueFulfilledCTF(r, u, d.CTF, d.QRPNG)
	default:
		return &problem{fmt.Sprintf("request %s: its delivery has the unknown kind %q", r.ID(), d.Kind)}
	}
	if err != nil {
		return &problem{fmt.Sprintf("request %s: the token was not mailed: %v", r.ID(), err)}
	}
	return auditQueued(st, r, u, kind, name)
}

// SendMail sends the outbox's due messages when SMTP is configured; with
// no SMTP it does nothing and returns nil (the messages wait in the
// outbox for `swtoken mail send` or the admin), nor while another process
// sends the outbox.
//
// The messages it finished are audited (AuditSent).
func SendMail(st *store.Store, m *mail.Mailer) (mail.Result, error) {
	res, err := m.SendDue()
	if errors.Is(err, mail.ErrNotConfigured) || errors.Is(err, mail.ErrSending) {
		// No SMTP: the messages wait for the admin. Another process
		// sending: it sends what is due.
		return res, nil
	}
	return res, errors.Join(err, AuditSent(st, res))
}

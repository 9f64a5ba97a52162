package requests

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// The "received" and "rejected" e-mails are owed from the transaction that
// creates or rejects the request: it records a pending notice in the store
// (store.PendingNotices). Whoever queues the message (the process that made
// the change, QueueReceived and QueueRejected, or a runner pass,
// MailNotices) puts it in the outbox FIRST and removes the marker after, in
// one store transaction with its "mail queue" audit record. A crash before
// the message is in the outbox leaves the marker, and the next runner pass
// queues it; a crash between the outbox and the marker's removal queues it
// a second time. At least once, never lost; at most one duplicate per crash.
// The notice lock (lockNotices: the outbox's notices.lock) keeps two
// processes from queueing the same notice at once, so without a crash each
// notice is queued once.

const (
	noticeLockName = "notices.lock"
	noticeLockWait = 30 * time.Second
)

// lockNotices takes the notice lock of m's outbox, held while a pending
// notice or token message is checked, queued and its marker or delivery
// removed.
func lockNotices(m *swmail.Mailer) (release func(), err error) {
	release, err = m.Outbox.Lock(noticeLockName, noticeLockWait)
	if err != nil {
		return nil, fmt.Errorf("the request notices: %w", err)
	}
	return release, nil
}

// noticeInOutbox, when set (tests), runs between a notice's message
// reaching the outbox and the removal of its marker.
var noticeInOutbox func(store.Notice)

// NoticeResult says what MailNotices did.
type NoticeResult struct {
	// Queued are the notices whose message went to the outbox.
	Queued []store.Notice
	// Dropped are the notices that can never be sent (the request or its
	// user no longer exists, the user has no usable e-mail address), one
	// sentence each: their marker is removed with a "mail drop" audit
	// record, as the message is a courtesy that waits for nothing.
	Dropped []string
}

// MailNotices queues the message of every pending notice (those a crash
// left between the request's commit and the queueing, or that the process
// that made the change could not queue), reading the request and its user
// as they are now. A rejection's comment is the request's (its history). An
// error other than a dropped notice (the outbox cannot be written, ...)
// keeps the marker for the next pass. Runner passes call it; so do the
// console's idle runner, `jobs run` and `swtoken serve`.
func MailNotices(st *store.Store, m *swmail.Mailer) (NoticeResult, error) {
	var res NoticeResult
	ns, err := st.PendingNotices()
	if err != nil || len(ns) == 0 {
		return res, err
	}
	release, err := lockNotices(m)
	if err != nil {
		return res, err
	}
	defer release()
	for _, n := range ns {
		queued, err := queueNotice(st, m, n, "")
		var p *problem
		if errors.As(err, &p) {
			res.Dropped = append(res.Dropped, p.Error())
			continue
		}
		if err != nil {
			return res, err
		}
		if queued {
			res.Queued = append(res.Queued, n)
		}
	}
	return res, nil
}

// queueOwed queues one notice under the notice lock (QueueReceived,
// QueueRejected).
func queueOwed(st *store.Store, m *swmail.Mailer, n store.Notice, comment string) error {
	release, err := lockNotices(m)
	if err != nil {
		return err
	}
	defer release()
	_, err = queueNotice(st, m, n, comment)
	return err
}

// queueNotice queues the notice's message if it is still pending (queued
// false when another process did it first), then removes its marker in
// the transaction of its audit record. The caller holds the notice lock.
// A notice that can never be sent is dropped (marker removed, audited)
// and returned as a *problem.
func queueNotice(st *store.Store, m *swmail.Mailer, n store.Notice, comment string) (queued bool, err error) {
	id := model.RequestID(n.Seq)
	var pending bool
	if err := st.View(func(tx *store.Tx) error {
		pending = tx.NoticePending(n.Seq, n.Kind)
		return nil
	}); err != nil || !pending {
		return false, err
	}
	r, err := st.Request(id)
	if errors.Is(err, store.ErrNotFound) {
		return false, dropNotice(st, n, fmt.Sprintf("request %s no longer exists", id))
	}
	if err != nil {
		return false, err
	}
	u, err := st.User(r.User)
	if errors.Is(err, store.ErrNotFound) {
		return false, dropNotice(st, n, fmt.Sprintf("its user %q no longer exists", r.User))
	}
	if err != nil {
		return false, err
	}
	if strings.TrimSpace(u.Email) == "" {
		return false, dropNotice(st, n, fmt.Sprintf("user %q has no e-mail address", u.ID))
	}
	if _, err := mail.ParseAddress(u.Email); err != nil {
		return false, dropNotice(st, n, fmt.Sprintf("the e-mail address of user %q, %q, is not usable", u.ID, u.Email))
	}
	var name string
	switch n.Kind {
	case store.NoticeReceived:
		name, err = m.QueueReceived(r, u)
	case store.NoticeRejected:
		if comment == "" {
			comment = rejectionComment(r)
		}
		name, err = m.QueueRejected(r, u, comment)
	default:
		return false, fmt.Errorf("request %s: the notice kind %q is unknown", id, n.Kind)
	}
	if err != nil {
		return false, fmt.Errorf("the message to the user of request %s: %w", id, err)
	}
	// The message is in the outbox: a crash from here on sends it twice
	// at worst (the marker is still there for the next pass).
	if noticeInOutbox != nil {
		noticeInOutbox(n)
	}
	err = st.Update(func(tx *store.Tx) error {
		if err := tx.AppendAudit("mail queue", "request "+id,
			fmt.Sprintf("%s message to %s (user %s); outbox %s", n.Kind, u.Email, u.ID, name)); err != nil {
			return err
		}
		return tx.NoticeQueued(n.Seq, n.Kind)
	})
	if err != nil {
		return true, fmt.Errorf("the message to the user of request %s is in the outbox, but its notice could not be marked queued (it may be sent again): %w", id, err)
	}
	return true, nil
}

// dropNotice removes a notice that can never be sent, with a "mail drop"
// audit record saying why, and returns that as a *problem.
func dropNotice(st *store.Store, n store.Notice, why string) error {
	id := model.RequestID(n.Seq)
	msg := fmt.Sprintf("request %s: the %s message was not queued: %s", id, n.Kind, why)
	err := st.Update(func(tx *store.Tx) error {
		if err := tx.AppendAudit("mail drop", "request "+id, fmt.Sprintf("%s message not queued: %s", n.Kind, why)); err != nil {
			return err
		}
		return tx.NoticeQueued(n.Seq, n.Kind)
	})
	if err != nil {
		return err
	}
	return &problem{msg}
}

// rejectionComment is the comment to the user of a rejected request: the
// one its "rejected" history event recorded (the request's state reason
// when there is none).
func rejectionComment(r model.Request) string {
	for i := len(r.History) - 1; i >= 0; i-- {
		if e := r.History[i]; e.State == model.RequestRejected && e.Comment != "" {
			return e.Comment
		}
	}
	return r.StateReason
}

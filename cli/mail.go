package cli

import (
	"errors"
	"fmt"
	"net/mail"
	"time"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("mail", command{
		summary: "the e-mail to users: list the outbox, send what is due, or send a test message",
		usage:   "mail outbox [--json] | mail send | mail test --to ADDR",
		run:     runMail,
	})
}

func runMail(g Globals, args []string, stdio IO) error {
	return runSubcommand(g, args, stdio, map[string]subcommandFunc{
		"outbox": runMailOutbox,
		"send":   runMailSend,
		"test":   runMailTest,
	}, "expected the subcommand outbox, send or test", "unknown subcommand %q; expected outbox, send or test")
}

// mailContext reads the SMTP settings (read only) and opens the outbox of
// the data directory.
func mailContext(g Globals, activity string) (model.Settings, *swmail.Outbox, error) {
	var set model.Settings
	err := withStore(g, readOnly, activity, func(st *store.Store) error {
		var err error
		set, err = st.Settings()
		return err
	})
	if err != nil {
		return set, nil, err
	}
	dir, err := store.ResolveDataDir(g.DataDir)
	if err != nil {
		return set, nil, err
	}
	o, err := swmail.OpenOutbox(dir)
	return set, o, err
}

type outboxEntryJSON struct {
	Name        string `json:"name"`
	State       string `json:"state"`
	To          string `json:"to"`
	Subject     string `json:"subject"`
	Queued      string `json:"queued"`
	Attempts    int    `json:"attempts"`
	NextAttempt string `json:"next_attempt,omitempty"`
	LastError   string `json:"last_error,omitempty"`
}

func runMailOutbox(g Globals, args []string, stdio IO) error {
	fs := newFlags("mail outbox")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	set, o, err := mailContext(g, "mail outbox")
	if err != nil {
		return err
	}
	es, err := o.List()
	if err != nil {
		return err
	}
	count := map[swmail.State]int{}
	for _, e := range es {
		count[e.State]++
	}
	if *asJSON {
		out := struct {
			Waiting  int               `json:"waiting"`
			Failed   int               `json:"failed"`
			Sent     int               `json:"sent"`
			Messages []outboxEntryJSON `json:"messages"`
		}{count[swmail.Waiting], count[swmail.Failed], count[swmail.Sent], []outboxEntryJSON{}}
		for _, e := range es {
			j := outboxEntryJSON{Name: e.Name, State: string(e.State), To: e.To, Subject: e.Subject,
				Queued: e.Queued.UTC().Format(time.RFC3339), Attempts: e.Attempts, LastError: e.LastError}
			if !e.NextAttempt.IsZero() {
				j.NextAttempt = e.NextAttempt.UTC().Format(time.RFC3339)
			}
			out.Messages = append(out.Messages, j)
		}
		return writeJSON(stdio.Stdout, out)
	}
	w := stdio.Stdout
	how := "no SMTP server is configured: deliver them from " + o.Dir + "/new (a maildir)"
	if set.SMTP.Configured() {
		how = "sent by SMTP to " + set.SMTP.Addr() + " (swtoken mail send)"
	}
	fmt.Fprintf(w, "outbox %s: %s waiting, %d failed, %d sent; %s\n", o.Dir, plural(count[swmail.Waiting], "message"), count[swmail.Failed], count[swmail.Sent], how)
	for _, e := range es {
		next := ""
		switch {
		case e.State != swmail.Waiting:
		case e.NextAttempt.IsZero():
			next = ", due now"
		default:
			next = ", next attempt " + model.FormatTime(e.NextAttempt)
		}
		fmt.Fprintf(w, "  %-7s %s  to %s  %q (queued %s, %s%s)\n", e.State, e.Name, model.Printable(e.To), model.Printable(e.Subject),
			model.FormatTime(e.Queued), plural(e.Attempts, "attempt"), next)
		if e.LastError != "" {
			fmt.Fprintf(w, "          last error: %s\n", model.Printable(e.LastError))
		}
	}
	return nil
}

func runMailSend(g Globals, args []string, stdio IO) error {
	fs := newFlags("mail send")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	set, o, err := mailContext(g, "mail send")
	if err != nil {
		return err
	}
	if !set.SMTP.Configured() {
		n, _ := o.Waiting()
		return fmt.Errorf("no SMTP server is configured (settings: smtp.host), so nothing is sent; %s wait in %s/new for you to deliver", plural(n, "message"), o.Dir)
	}
	res, err := sendWhenFree(o, &swmail.Sender{SMTP: set.SMTP}, g.LockWait)
	if len(res.Done) > 0 {
		// The messages sent or failed for good, in the audit trail.
		err = errors.Join(err, withStore(g, readWrite, "mail send", func(st *store.Store) error { return requests.AuditSent(st, res) }))
	}
	fmt.Fprintf(stdio.Stdout, "sent %d, to retry %d, failed for good %d, not due yet %d\n", res.Sent, res.Retry, res.Failed, res.NotDue)
	for _, e := range res.Errors {
		fmt.Fprintf(stdio.Stderr, "swtoken: %s\n", model.Printable(e))
	}
	if err != nil {
		return err
	}
	if n := res.Retry + res.Failed; n > 0 {
		return fmt.Errorf("%s could not be sent (swtoken mail outbox lists them)", plural(n, "message"))
	}
	return nil
}

func runMailTest(g Globals, args []string, stdio IO) error {
	fs := newFlags("mail test")
	to := fs.String("to", "", "the address to send the test message to")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usagef("--to ADDR is required")
	}
	addr, err := mail.ParseAddress(*to)
	if err != nil {
		return usagef("--to %q is not an e-mail address", *to)
	}
	set, _, err := mailContext(g, "mail test")
	if err != nil {
		return err
	}
	if !set.SMTP.Configured() {
		return fmt.Errorf("no SMTP server is configured (settings: smtp.host); set one with settings apply")
	}
	m, err := swmail.Composer{From: swmail.FromAddress(set.SMTP)}.Test(swmail.Recipient{Name: addr.Name, Address: addr.Address})
	if err != nil {
		return err
	}
	if err := (&swmail.Sender{SMTP: set.SMTP}).Send(m.Data); err != nil {
		return fmt.Errorf("the test message was not sent: %s", model.Printable(err.Error()))
	}
	fmt.Fprintf(stdio.Stdout, "test message sent to %s through %s\n", addr.Address, set.SMTP.Addr())
	return nil
}

// outboxBusyError is `mail send` finding another process still sending the
// outbox after the lock wait: exit 3, as for a store held too long.
type outboxBusyError struct{ waited time.Duration }

func (e *outboxBusyError) Error() string {
	return fmt.Sprintf("another swtoken process (swtoken serve, a console or mail send) is still sending the outbox after %v; nothing was sent: try again later", e.waited)
}

func (e *outboxBusyError) ExitCode() int { return ExitInUse }

// sendWhenFree sends the outbox's due messages, waiting up to lockWait
// (the store's default, 5 s, when 0) while another process sends it.
func sendWhenFree(o *swmail.Outbox, t swmail.Transport, lockWait time.Duration) (swmail.Result, error) {
	if lockWait <= 0 {
		lockWait = store.DefaultLockTimeout
	}
	res, err := o.SendDueWaiting(t, lockWait)
	if errors.Is(err, swmail.ErrSending) {
		return res, &outboxBusyError{waited: lockWait}
	}
	return res, err
}

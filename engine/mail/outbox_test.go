package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestOutboxMessageLandsInMaildirWith0600(t *testing.T) {
	data := t.TempDir()
	o, err := OpenOutbox(data)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := testComposer().FulfilledFile(testRequest(), TokenFile{Name: "a.sdtid", Data: sdtidBytes})
	name, err := o.Enqueue(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"outbox", "outbox/tmp", "outbox/new", "outbox/cur", "outbox/state"} {
		fi, err := os.Stat(filepath.Join(data, d))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", d, fi.Mode(), err)
		}
	}
	p := filepath.Join(data, "outbox", "new", name)
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v, want 0600", p, fi, err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != string(m.Data) {
		t.Error("the outbox file differs from the message")
	}
	if tmp, _ := os.ReadDir(filepath.Join(data, "outbox", "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ keeps %d files", len(tmp))
	}
	if n, _ := o.Waiting(); n != 1 {
		t.Errorf("Waiting = %d", n)
	}
	es, _ := o.List()
	if len(es) != 1 || es[0].Subject != m.Subject || es[0].To != "zoe@example.com" || es[0].State != Waiting {
		t.Errorf("List: %+v", es)
	}
}

func TestSMTPDownRetriesWithBackoffThenFailsAfterADay(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	o, err := OpenOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o.Now = clock.now
	m, _ := testComposer().Received(testRequest())
	if _, err := o.Enqueue(m); err != nil {
		t.Fatal(err)
	}
	queued := clock.t
	down := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: freePort(t), Security: model.SMTPPlain, From: "it@example.com"}, Timeout: 2 * time.Second}

	res, err := o.SendDue(down)
	if err != nil || res.Retry != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "cannot connect") {
		t.Fatalf("first attempt: %+v %v", res, err)
	}
	es, _ := o.List()
	if es[0].Attempts != 1 || !es[0].NextAttempt.Equal(clock.t.Add(time.Minute)) {
		t.Fatalf("after one failure: %+v", es[0])
	}
	// Not due yet: nothing is tried.
	clock.t = clock.t.Add(30 * time.Second)
	if res, _ := o.SendDue(down); res.NotDue != 1 || res.Retry != 0 {
		t.Fatalf("before the next attempt: %+v", res)
	}
	attempts := 1
	for {
		es, _ := o.List()
		if es[0].State != Waiting {
			break
		}
		clock.t = es[0].NextAttempt
		if _, err := o.SendDue(down); err != nil {
			t.Fatal(err)
		}
		attempts++
		es, _ = o.List()
		if es[0].State == Waiting {
			if wait := es[0].NextAttempt.Sub(clock.t); wait != Backoff(attempts) && !es[0].NextAttempt.Equal(queued.Add(RetryFor)) {
				t.Fatalf("attempt %d: next in %v, want %v", attempts, wait, Backoff(attempts))
			}
		}
		if attempts > 100 {
			t.Fatal("never marked failed")
		}
	}
	es, _ = o.List()
	if es[0].State != Failed || !clock.t.Equal(queued.Add(RetryFor)) || es[0].LastError == "" {
		t.Fatalf("final: %+v at %v", es[0], clock.t)
	}
	// One minute, doubling to an hour, then hourly to the day's end.
	if attempts < 24 || attempts > 30 {
		t.Errorf("%d attempts in a day", attempts)
	}
	if n, _ := o.Waiting(); n != 0 {
		t.Errorf("%d still waiting", n)
	}
}

func TestSentMessageMovesToCurAsSent(t *testing.T) {
	srv := startServer(t, "starttls", "", "")
	o, _ := OpenOutbox(t.TempDir())
	m, _ := testComposer().Received(testRequest())
	name, _ := o.Enqueue(m)
	s := &Sender{SMTP: model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port, Security: model.SMTPStartTLS, From: "it@example.com"}, TLSConfig: srv.TLS}
	res, err := o.SendDue(s)
	if err != nil || res.Sent != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "cur", name+":2,S")); err != nil {
		t.Fatal(err)
	}
	es, _ := o.List()
	if len(es) != 1 || es[0].State != Sent {
		t.Fatalf("%+v", es)
	}
	if len(srv.received(t)) != 1 {
		t.Fatal("not received")
	}
}

func TestBackoffDoublesFromAMinuteToAnHour(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

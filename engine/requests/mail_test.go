package requests

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/jobs"
	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/engine/mail/mailtest"
	"github.com/swtoken/swtoken/engine/qr/qrtest"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

const (
	fileAppURL  = "https://apps.example.com/securid-file"
	fileHelpURL = "https://help.example.com/token-file"
	ctfHelpURL  = "https://help.example.com/token-link"
	rejectText  = "Your manager has not confirmed this request."
)

// msg is a received message: its headers, raw bytes and leaf parts.
type msg struct {
	to, subject string
	raw         []byte
	parts       []mailtest.Part
}

func (m msg) text() string {
	var b strings.Builder
	for _, p := range m.parts {
		if strings.HasPrefix(p.Type, "text/") {
			b.Write(p.Body)
		}
	}
	return b.String()
}

func parseMessage(t *testing.T, raw []byte) msg {
	t.Helper()
	top, parts := mailtest.Parts(t, raw)
	to, _ := mail.ParseAddress(top.Get("To"))
	subject, _ := new(mime.WordDecoder).DecodeHeader(top.Get("Subject"))
	out := msg{subject: subject, raw: raw, parts: parts}
	if to != nil {
		out.to = to.Address
	}
	return out
}

// mailStore is a demo store with the file and CTF profiles under policy,
// the file profile's settings entry with both links and the CTF one's
// with the help link only, and smtp as its SMTP settings.
func mailStore(t *testing.T, policy model.ApprovalPolicy, smtp model.SMTPSettings) *store.Store {
	t.Helper()
	st := openStore(t, dataDir(t), 20, policy)
	set, err := st.Settings()
	if err != nil {
		t.Fatal(err)
	}
	set.Entry(fileProfile).AppDownloadURL = fileAppURL
	set.Entry(fileProfile).HelpDocURL = fileHelpURL
	set.Entry(ctfProfile).HelpDocURL = ctfHelpURL
	set.SMTP = smtp
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRequestMailsReachSMTPServerWithTokenLinksAndNoPassword runs the
// request flow against a real SMTP server (aiosmtpd on the loopback): a
// file-based request with a password and a CTF request are approved and
// fulfilled by the runner, a third request is rejected. The server gets a
// "received" message per request; the file message carries the .sdtid,
// which stoken accepts with exactly the user's password and whose code
// passes jobs.Verify; the CTF message carries the link and its QR code
// (read back by zbar), which stoken accepts; the rejection carries its
// comment; each profile's links appear exactly when set; the password is
// in no message and no audit record; the sealed deliveries are gone.
func TestRequestMailsReachSMTPServerWithTokenLinksAndNoPassword(t *testing.T) {
	stokentest.Require(t, "stoken")
	zbar := qrtest.Zbarimg(t)
	srv := mailtest.Start(t, "plain", "", "")
	st := mailStore(t, model.ApprovalOne, model.SMTPSettings{Host: "127.0.0.1", Port: srv.Port,
		Security: model.SMTPPlain, From: "IT <it@example.com>"})
	defer st.Close()
	addUsers(t, st, "req", 3)
	m, err := NewMailer(st)
	if err != nil {
		t.Fatal(err)
	}
	rFile := request(t, st, "req1", fileProfile, reqPW)
	rCTF := request(t, st, "req2", ctfProfile, "")
	rRej := request(t, st, "req3", fileProfile, "")
	for _, r := range []model.Request{rFile, rCTF, rRej} {
		if err := QueueReceived(st, m, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []model.Request{rFile, rCTF} {
		if _, err := st.ApproveRequest(storeDecision(r)); err != nil {
			t.Fatal(err)
		}
	}
	d := storeDecision(rRej)
	d.Comment = rejectText
	rej, err := st.RejectRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := QueueRejected(st, m, rej, d.Comment); err != nil {
		t.Fatal(err)
	}

	res, err := NewRunner(st, Options{Mail: true}).Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fulfilled) != 2 || len(res.Mailed.Queued) != 2 || len(res.Mailed.Problems) != 0 || res.Sent.Sent != 6 {
		t.Fatalf("pass: fulfilled %d, mailed %+v, sent %+v", len(res.Fulfilled), res.Mailed, res.Sent)
	}
	raws := srv.Received(t)
	if len(raws) != 6 {
		t.Fatalf("the server received %d messages, want 6", len(raws))
	}
	byUser := map[string][]msg{}
	for _, raw := range raws {
		if bytes.Contains(raw, []byte(reqPW)) {
			t.Errorf("a message holds the password:\n%s", raw)
		}
		mm := parseMessage(t, raw)
		for _, p := range mm.parts {
			if bytes.Contains(p.Body, []byte(reqPW)) {
				t.Errorf("message %q: a decoded part holds the password", mm.subject)
			}
		}
		byUser[mm.to] = append(byUser[mm.to], mm)
	}
	find := func(user, subjectPart string) msg {
		t.Helper()
		for _, mm := range byUser[user+"@example.com"] {
			if strings.Contains(mm.subject, subjectPart) {
				return mm
			}
		}
		t.Fatalf("no message %q for %s among %d", subjectPart, user, len(byUser[user+"@example.com"]))
		return msg{}
	}
	for _, u := range []string{"req1", "req2", "req3"} {
		find(u, "was received")
	}
	// Each profile's links, exactly when set: in the token message (the
	// one that needs them), and in no message when not set.
	for _, c := range []struct {
		user      string
		want, not []string
	}{
		{"req1", []string{fileAppURL, fileHelpURL}, []string{ctfHelpURL}},
		{"req2", []string{ctfHelpURL}, []string{fileAppURL, fileHelpURL}},
	} {
		for _, mm := range byUser[c.user+"@example.com"] {
			for _, u := range c.want {
				if strings.Contains(mm.subject, "is ready") && !strings.Contains(mm.text(), u) {
					t.Errorf("%s %q: link %s missing", c.user, mm.subject, u)
				}
			}
			for _, u := range c.not {
				if strings.Contains(string(mm.raw), u) {
					t.Errorf("%s %q: link %s, which its profile does not set", c.user, mm.subject, u)
				}
			}
		}
	}

	// The file: stoken accepts it with exactly the password; its code verifies.
	fr, err := st.Request(rFile.ID())
	if err != nil {
		t.Fatal(err)
	}
	fileMsg := find("req1", "is ready")
	var sdtid []byte
	for _, p := range fileMsg.parts {
		if strings.HasSuffix(p.FileName(), ".sdtid") {
			sdtid = p.Body
		}
	}
	if sdtid == nil {
		t.Fatalf("the file message has no .sdtid attachment: %+v", fileMsg.parts)
	}
	path := filepath.Join(t.TempDir(), "token.sdtid")
	if err := os.WriteFile(path, sdtid, 0o600); err != nil {
		t.Fatal(err)
	}
	code, err := stokenCode("--file="+path, reqPW, "")
	if err != nil {
		t.Fatalf("stoken refuses the mailed file with the password: %v", err)
	}
	if _, err := stokenCode("--file="+path, reqPW+"x", ""); err == nil {
		t.Error("stoken accepts the mailed file with a wrong password")
	}
	if v, err := jobs.Verify(st, fr.Serial, code, "0000", testNow); err != nil || !v.Match {
		t.Errorf("the mailed file's code %s does not verify: %+v %v", code, v, err)
	}

	// The CTF link: in the text, in the QR code, accepted by stoken.
	cr, err := st.Request(rCTF.ID())
	if err != nil {
		t.Fatal(err)
	}
	ctfMsg := find("req2", "is ready")
	var png []byte
	for _, p := range ctfMsg.parts {
		if p.Type == "image/png" && p.ContentID() != "" {
			png = p.Body
		}
	}
	if png == nil {
		t.Fatalf("the CTF message has no inline QR image: %+v", ctfMsg.parts)
	}
	qrFile := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(qrFile, png, 0o600); err != nil {
		t.Fatal(err)
	}
	link := qrtest.Decode(t, zbar, qrFile)[0]
	if !strings.HasPrefix(link, "com.rsa.securid.iphone://") || !strings.Contains(ctfMsg.text(), link) {
		t.Fatalf("QR code %q is not the link in the text:\n%s", link, ctfMsg.text())
	}
	code, err = stokenCode("--token="+link, "", cr.Binding.Value)
	if err != nil {
		t.Fatalf("stoken refuses the mailed link: %v", err)
	}
	if v, err := jobs.Verify(st, cr.Serial, code, "0000", testNow); err != nil || !v.Match {
		t.Errorf("the mailed link's code %s does not verify: %+v %v", code, v, err)
	}

	// The rejection carries its comment.
	if rm := find("req3", "was rejected"); !strings.Contains(rm.text(), rejectText) {
		t.Errorf("the rejection lacks its comment:\n%s", rm.text())
	}

	// The deliveries are gone from the store; nothing is left to mail.
	for _, r := range []model.Request{fr, cr} {
		if _, found, err := st.RequestDelivery(r.ID()); err != nil || found {
			t.Errorf("%s: delivery still kept (found %v, %v)", r.ID(), found, err)
		}
	}
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range recs {
		if strings.Contains(a.Details, reqPW) || strings.Contains(a.Object, reqPW) {
			t.Errorf("audit %s %s holds the password", a.Action, a.Object)
		}
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestDeliveryLeftByACrashLandsInTheOutboxWithoutSMTP fulfils a request
// without mailing (as a process killed after the fulfilment's commit
// leaves it), then a runner with no SMTP configured writes its token
// message, after the "received" message the crash left owed too, to the
// outbox (they wait there), deletes the sealed delivery and sends nothing;
// the next pass queues nothing again.
func TestDeliveryLeftByACrashLandsInTheOutboxWithoutSMTP(t *testing.T) {
	st := mailStore(t, model.ApprovalAutomatic, model.SMTPSettings{})
	defer st.Close()
	addUsers(t, st, "req", 1)
	r := request(t, st, "req1", fileProfile, reqPW)
	if res, err := Fulfil(context.Background(), st, Options{}); err != nil || len(res.Fulfilled) != 1 {
		t.Fatalf("fulfil: %+v %v", res, err)
	}
	if seqs, err := st.PendingDeliveries(); err != nil || len(seqs) != 1 || seqs[0] != r.Seq {
		t.Fatalf("pending deliveries %v (%v), want [%d]", seqs, err, r.Seq)
	}
	runner := NewRunner(st, Options{Mail: true})
	res, err := runner.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Mailed.Queued) != 1 || res.Sent.Sent+res.Sent.Retry+res.Sent.Failed != 0 {
		t.Fatalf("pass: mailed %+v, sent %+v", res.Mailed, res.Sent)
	}
	list := outboxEntries(t, st)
	if len(list) != 2 || list[0].State != swmail.Waiting || !strings.Contains(list[0].Subject, "was received") ||
		list[1].State != swmail.Waiting || !strings.Contains(list[1].Subject, "is ready") {
		t.Fatalf("outbox: %+v", list)
	}
	if seqs, err := st.PendingDeliveries(); err != nil || len(seqs) != 0 {
		t.Fatalf("pending deliveries after the pass: %v (%v)", seqs, err)
	}
	if _, err := runner.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, e := range outboxEntries(t, st) {
		if e.State == swmail.Waiting {
			waiting++
		}
	}
	if waiting != 2 {
		t.Fatalf("%d waiting after a second pass, want 2", waiting)
	}
}

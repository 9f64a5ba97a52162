package mail

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"math/rand/v2"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

var update = flag.Bool("update", false, "rewrite the golden messages in testdata")

var fixedNow = time.Date(2026, 12, 3, 14, 30, 0, 0, time.FixedZone("CET", 3600))

// testComposer has a fixed clock and a seeded random source, so boundaries
// and Message-IDs repeat exactly.
func testComposer() Composer {
	return Composer{From: "IT Service Desk <it@example.com>", Now: func() time.Time { return fixedNow }, Rand: rand.NewChaCha8([32]byte{1})}
}

func testRequest() Request {
	return Request{ID: "R-42", To: Recipient{Name: "Zoë Müller-Lüdenscheidt", Address: "zoe@example.com"}, Profile: "Android phone",
		AppDownloadURL: "https://apps.example.com/securid", HelpDocURL: "https://help.example.com/tokens"}
}

var sdtidBytes = []byte("<?xml version=\"1.0\"?>\n<TKNBatch>" + strings.Repeat("x", 300) + "</TKNBatch>\n")
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)...)

func composeAll(t *testing.T) map[string]Message {
	t.Helper()
	out := map[string]Message{}
	add := func(name string, m Message, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = m
	}
	r := testRequest()
	m, err := testComposer().Received(r)
	add("received", m, err)
	m, err = testComposer().Rejected(r, "Your manager did not confirm the request.\nPlease ask them first — thank you.")
	add("rejected", m, err)
	m, err = testComposer().FulfilledFile(r, TokenFile{Name: "000123456789.sdtid", Data: sdtidBytes})
	add("fulfilled-sdtid", m, err)
	m, err = testComposer().FulfilledFile(r, TokenFile{Name: "000123456789.sdtid", Data: sdtidBytes, Zip: true})
	add("fulfilled-zip", m, err)
	m, err = testComposer().FulfilledCTF(r, CTFLink{URL: "com.rsa.securid://ctf?ctfData=" + strings.Repeat("1234567890", 8), QRPNG: pngBytes})
	add("fulfilled-ctf", m, err)
	return out
}

func TestComposedMessagesMatchGolden(t *testing.T) {
	for name, m := range composeAll(t) {
		path := filepath.Join("testdata", name+".eml")
		if *update {
			if err := os.WriteFile(path, m.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update ./engine/mail once)", err)
		}
		if !bytes.Equal(m.Data, want) {
			t.Errorf("%s differs from %s:\n%s", name, path, m.Data)
		}
	}
}

func TestComposedMessagesHaveHeadersAndShortCRLFLines(t *testing.T) {
	for name, m := range composeAll(t) {
		if bytes.Contains(bytes.ReplaceAll(m.Data, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s has a bare LF", name)
		}
		for i, line := range strings.Split(string(m.Data), "\r\n") {
			if len(line) > 78 {
				t.Errorf("%s line %d is %d characters: %q", name, i+1, len(line), line)
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range []string{"Date", "Message-Id", "From", "To", "Subject", "Mime-Version"} {
			if msg.Header.Get(h) == "" {
				t.Errorf("%s lacks %s", name, h)
			}
		}
		if _, err := msg.Header.Date(); err != nil {
			t.Errorf("%s: Date: %v", name, err)
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Name != "Zoë Müller-Lüdenscheidt" || to[0].Address != "zoe@example.com" {
			t.Errorf("%s: To reads back as %v, %v", name, to, err)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subj != m.Subject {
			t.Errorf("%s: Subject reads back as %q, %v; want %q", name, subj, err, m.Subject)
		}
	}
}

func TestNonASCIISubjectIsEncodedAndFolded(t *testing.T) {
	c := testComposer()
	r := testRequest()
	r.ID = "R-7 für Zoë " + strings.Repeat("ü", 60)
	m, err := c.Received(r)
	if err != nil {
		t.Fatal(err)
	}
	head := string(m.Data[:bytes.Index(m.Data, []byte("\r\n\r\n"))])
	if !strings.Contains(head, "Subject: =?utf-8?q?") {
		t.Errorf("subject not encoded:\n%s", head)
	}
	msg, _ := mail.ReadMessage(bytes.NewReader(m.Data))
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("subject reads back as %q, %v", subj, err)
	}
}

func TestFulfilledFileCarriesTheTokenFileBytes(t *testing.T) {
	m, err := testComposer().FulfilledFile(testRequest(), TokenFile{Name: "000123456789.sdtid", Data: sdtidBytes})
	if err != nil {
		t.Fatal(err)
	}
	_, ls := mailtest.Parts(t, m.Data)
	if len(ls) != 2 || ls[0].Type != "text/plain" || !bytes.Equal(ls[1].Body, sdtidBytes) {
		t.Fatalf("parts: %+v", ls)
	}
	if d := mail.Header(ls[1].Header).Get("Content-Disposition"); !strings.Contains(d, `filename=000123456789.sdtid`) {
		t.Errorf("disposition %q", d)
	}
}

func TestFulfilledZipContainsTheTokenFile(t *testing.T) {
	m, err := testComposer().FulfilledFile(testRequest(), TokenFile{Name: "000123456789.sdtid", Data: sdtidBytes, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	_, ls := mailtest.Parts(t, m.Data)
	if len(ls) != 2 || ls[1].Type != "application/zip" {
		t.Fatalf("parts: %+v", ls)
	}
	zr, err := zip.NewReader(bytes.NewReader(ls[1].Body), int64(len(ls[1].Body)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "000123456789.sdtid" {
		t.Fatalf("zip: %v %v", err, zr)
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, sdtidBytes) {
		t.Error("the zipped token file differs")
	}
}

func TestFulfilledCTFHasLinkAndInlineQRByContentID(t *testing.T) {
	link := "com.rsa.securid://ctf?ctfData=" + strings.Repeat("1234567890", 8)
	m, err := testComposer().FulfilledCTF(testRequest(), CTFLink{URL: link, QRPNG: pngBytes})
	if err != nil {
		t.Fatal(err)
	}
	top, ls := mailtest.Parts(t, m.Data)
	if mt, _, _ := mime.ParseMediaType(top.Get("Content-Type")); mt != "multipart/related" {
		t.Fatalf("top type %q", mt)
	}
	if len(ls) != 3 || ls[0].Type != "text/plain" || ls[1].Type != "text/html" || ls[2].Type != "image/png" {
		t.Fatalf("parts: %+v", ls)
	}
	if !bytes.Contains(ls[0].Body, []byte(link)) {
		t.Error("the text part lacks the link")
	}
	if !bytes.Equal(ls[2].Body, pngBytes) {
		t.Error("the QR image differs")
	}
	cid := strings.Trim(mail.Header(ls[2].Header).Get("Content-Id"), "<>")
	if cid == "" || !bytes.Contains(ls[1].Body, []byte(`src="cid:`+cid+`"`)) {
		t.Errorf("the HTML does not show the image %q", cid)
	}
}

func TestURLsAppearOnlyWhereSet(t *testing.T) {
	r := testRequest()
	r.AppDownloadURL = ""
	m, err := testComposer().FulfilledFile(r, TokenFile{Name: "a.sdtid", Data: sdtidBytes})
	if err != nil {
		t.Fatal(err)
	}
	_, ls := mailtest.Parts(t, m.Data)
	text := string(ls[0].Body)
	if strings.Contains(text, "Install the app") || !strings.Contains(text, "https://help.example.com/tokens") {
		t.Errorf("text:\n%s", text)
	}
	r.HelpDocURL = ""
	m, _ = testComposer().FulfilledCTF(r, CTFLink{URL: "com.rsa.securid://ctf?ctfData=1", QRPNG: pngBytes})
	_, ls = mailtest.Parts(t, m.Data)
	for _, l := range ls[:2] {
		if bytes.Contains(l.Body, []byte("example.com/")) {
			t.Errorf("a URL appears though none is set:\n%s", l.Body)
		}
	}
}

func TestRejectedCarriesTheComment(t *testing.T) {
	m, err := testComposer().Rejected(testRequest(), "No budget — ask again in January.")
	if err != nil {
		t.Fatal(err)
	}
	_, ls := mailtest.Parts(t, m.Data)
	if !strings.Contains(string(ls[0].Body), "No budget — ask again in January.") {
		t.Errorf("text:\n%s", ls[0].Body)
	}
}

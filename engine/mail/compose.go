// Package mail composes the e-mail swtoken sends to users about their
// token requests (received, fulfilled, rejected), keeps them in an outbox
// maildir and sends them by SMTP with retries.
//
// Everything here is the Go standard library (net/mail, mime,
// mime/multipart, mime/quotedprintable, net/smtp, crypto/tls): the
// messages are a handful of fixed shapes, the standard library covers
// every encoding they need, and a third-party MIME or SMTP library would
// add a dependency to audit in a program that handles token seeds.
package mail

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"time"
)

// Recipient is the user a message goes to.
type Recipient struct {
	Name    string // display name, may be non-ASCII; "" for none
	Address string // e-mail address
}

// Request is what every message about a request says: its id, the user,
// the profile's display name and the profile's two links from the
// self-service settings (each shown only when set).
type Request struct {
	ID             string // "R-12"
	To             Recipient
	Profile        string // the settings entry's display name
	AppDownloadURL string
	HelpDocURL     string
}

// TokenFile is a file-based delivery: the .sdtid bytes as written for the
// request. Zip sends them inside a .zip (the SMTP settings' choice).
type TokenFile struct {
	Name string // file name, for example "000123456789.sdtid"
	Data []byte
	Zip  bool
}

// CTFLink is a CTF delivery: the link and the PNG of its QR code.
type CTFLink struct {
	URL   string
	QRPNG []byte
}

// Composer builds messages. Zero fields take defaults: Now is time.Now,
// Rand is crypto/rand (boundaries and Message-ID).
type Composer struct {
	From string // "Name <address>" or an address (model.SMTPSettings.From)
	Now  func() time.Time
	Rand io.Reader
}

// Message is one composed message: the raw RFC 5322 bytes (CRLF line
// ends) and its subject, for listings.
type Message struct {
	Subject string
	Data    []byte
}

// ErrNoRecipient is returned for a request without an e-mail address.
var ErrNoRecipient = errors.New("the user has no e-mail address")

// Received is the message "we received your request".
func (c Composer) Received(r Request) (Message, error) {
	subject := fmt.Sprintf("Your software token request %s was received", r.ID)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nwe received your request %s for a software token (%s).\n", greeting(r.To), r.ID, r.Profile)
	b.WriteString("An administrator will review it; you will get another message when it is approved or rejected.\n")
	return c.single(r, subject, b.String())
}

// Rejected is the message "your request was rejected", with the admin's
// comment to the user (never the private note).
func (c Composer) Rejected(r Request, comment string) (Message, error) {
	subject := fmt.Sprintf("Your software token request %s was rejected", r.ID)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nyour request %s for a software token (%s) was rejected.\n", greeting(r.To), r.ID, r.Profile)
	if strings.TrimSpace(comment) != "" {
		fmt.Fprintf(&b, "\nComment from the administrator:\n\n%s\n", indent(comment))
	}
	return c.single(r, subject, b.String())
}

// Test is the message of `swtoken mail test`.
func (c Composer) Test(to Recipient) (Message, error) {
	return c.single(Request{To: to}, "swtoken test message",
		"This is a test message from swtoken. If you read this, e-mail from swtoken reaches this address.\n")
}

// FulfilledFile is the message "your token is ready" with the token file
// attached (.sdtid, or .zip containing it).
func (c Composer) FulfilledFile(r Request, f TokenFile) (Message, error) {
	if len(f.Data) == 0 || f.Name == "" {
		return Message{}, errors.New("mail: the token file is empty or has no name")
	}
	name, ctype, data := path.Base(f.Name), "application/octet-stream", f.Data
	if f.Zip {
		z, err := zipOne(name, f.Data, c.now())
		if err != nil {
			return Message{}, err
		}
		name, ctype, data = strings.TrimSuffix(name, path.Ext(name))+".zip", "application/zip", z
	}
	subject := fmt.Sprintf("Your software token for request %s is ready", r.ID)
	text := fulfilledText(r, fmt.Sprintf("Your software token is attached to this message as %s.", name)+
		" Import it into the RSA SecurID Authenticator app; you need the token file password you chose or were given separately.")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.SetBoundary(c.boundary()); err != nil {
		return Message{}, err
	}
	if err := textPart(mw, "text/plain; charset=utf-8", text); err != nil {
		return Message{}, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType(ctype, map[string]string{"name": name}))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Transfer-Encoding", "base64")
	if err := base64Part(mw, h, data); err != nil {
		return Message{}, err
	}
	if err := mw.Close(); err != nil {
		return Message{}, err
	}
	return c.assemble(r, subject, "multipart/mixed; boundary="+quoteBoundary(mw.Boundary()), "", body.Bytes())
}

// FulfilledCTF is the message "your token is ready" with the CTF link in
// the body and its QR code as an inline image (multipart/related: an
// alternative of text and HTML, the HTML showing the image by Content-ID).
func (c Composer) FulfilledCTF(r Request, l CTFLink) (Message, error) {
	if l.URL == "" || len(l.QRPNG) == 0 {
		return Message{}, errors.New("mail: the CTF link or its QR code is empty")
	}
	subject := fmt.Sprintf("Your software token for request %s is ready", r.ID)
	intro := "Open this link on the device with the RSA SecurID Authenticator app, or scan the QR code in this message with it; you need the token file password you chose or were given separately."
	text := fulfilledText(r, intro+"\n\n"+l.URL)
	cid := hex.EncodeToString(c.random(8)) + "@swtoken"

	var body bytes.Buffer
	related := multipart.NewWriter(&body)
	if err := related.SetBoundary(c.boundary()); err != nil {
		return Message{}, err
	}
	altHeader := textproto.MIMEHeader{}
	var alt bytes.Buffer
	aw := multipart.NewWriter(&alt)
	if err := aw.SetBoundary(c.boundary()); err != nil {
		return Message{}, err
	}
	altHeader.Set("Content-Type", "multipart/alternative; boundary="+quoteBoundary(aw.Boundary()))
	if err := textPart(aw, "text/plain; charset=utf-8", text); err != nil {
		return Message{}, err
	}
	if err := textPart(aw, "text/html; charset=utf-8", fulfilledHTML(r, intro, l.URL, cid)); err != nil {
		return Message{}, err
	}
	if err := aw.Close(); err != nil {
		return Message{}, err
	}
	w, err := related.CreatePart(altHeader)
	if err != nil {
		return Message{}, err
	}
	if _, err := w.Write(alt.Bytes()); err != nil {
		return Message{}, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": "token-qr.png"}))
	h.Set("Content-Id", "<"+cid+">")
	h.Set("Content-Transfer-Encoding", "base64")
	if err := base64Part(related, h, l.QRPNG); err != nil {
		return Message{}, err
	}
	if err := related.Close(); err != nil {
		return Message{}, err
	}
	ctype := `multipart/related; type="multipart/alternative"; boundary=` + quoteBoundary(related.Boundary())
	return c.assemble(r, subject, ctype, "", body.Bytes())
}

func fulfilledText(r Request, delivery string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nyour request %s was approved and your software token (%s) is ready.\n\n%s\n", greeting(r.To), r.ID, r.Profile, delivery)
	if r.AppDownloadURL != "" {
		fmt.Fprintf(&b, "\nInstall the app: %s\n", r.AppDownloadURL)
	}
	if r.HelpDocURL != "" {
		fmt.Fprintf(&b, "\nHelp for your device: %s\n", r.HelpDocURL)
	}
	return b.String()
}

func fulfilledHTML(r Request, intro, link, cid string) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	fmt.Fprintf(&b, "<p>Hello %s,</p>\n<p>your request %s was approved and your software token (%s) is ready.</p>\n", e(greeting(r.To)), e(r.ID), e(r.Profile))
	fmt.Fprintf(&b, "<p>%s</p>\n<p><a href=\"%s\">%s</a></p>\n", e(intro), e(link), e(link))
	fmt.Fprintf(&b, "<p><img src=\"cid:%s\" alt=\"QR code of the token link\"></p>\n", e(cid))
	if r.AppDownloadURL != "" {
		fmt.Fprintf(&b, "<p>Install the app: <a href=\"%s\">%s</a></p>\n", e(r.AppDownloadURL), e(r.AppDownloadURL))
	}
	if r.HelpDocURL != "" {
		fmt.Fprintf(&b, "<p>Help for your device: <a href=\"%s\">%s</a></p>\n", e(r.HelpDocURL), e(r.HelpDocURL))
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func greeting(to Recipient) string {
	if strings.TrimSpace(to.Name) != "" {
		return to.Name
	}
	return to.Address
}

func indent(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimRight(s, "\n"), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

// single is a message of one text/plain part.
func (c Composer) single(r Request, subject, text string) (Message, error) {
	var body bytes.Buffer
	if err := writeQP(&body, text); err != nil {
		return Message{}, err
	}
	return c.assemble(r, subject, "text/plain; charset=utf-8", "quoted-printable", body.Bytes())
}

// assemble writes the top-level headers and the body.
func (c Composer) assemble(r Request, subject, ctype, cte string, body []byte) (Message, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return Message{}, fmt.Errorf("mail: the from address %q is not an e-mail address", c.From)
	}
	if r.To.Address == "" {
		return Message{}, ErrNoRecipient
	}
	to := &mail.Address{Name: r.To.Name, Address: r.To.Address}
	if _, err := mail.ParseAddress(to.String()); err != nil {
		return Message{}, fmt.Errorf("mail: the recipient %q is not an e-mail address", r.To.Address)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	var b bytes.Buffer
	header(&b, "Date", c.now().Format(time.RFC1123Z))
	header(&b, "From", from.String())
	header(&b, "To", to.String())
	header(&b, "Subject", encodeText(subject))
	header(&b, "Message-ID", "<"+fmt.Sprintf("%d.%s", c.now().Unix(), hex.EncodeToString(c.random(8)))+"@"+domain+">")
	header(&b, "MIME-Version", "1.0")
	header(&b, "Content-Type", ctype)
	if cte != "" {
		header(&b, "Content-Transfer-Encoding", cte)
	}
	b.WriteString("\r\n")
	b.Write(body)
	return Message{Subject: subject, Data: b.Bytes()}, nil
}

// encodeText returns s as is when it is printable ASCII, else as RFC 2047
// encoded words.
func encodeText(s string) string {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// header writes "Name: value" folded at spaces so that no line passes 78
// characters where a space allows it (RFC 5322 2.1.1, 2.2.3).
func header(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(word) > 78 {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

func quoteBoundary(b string) string { return `"` + b + `"` }

func textPart(mw *multipart.Writer, ctype, text string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", ctype)
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	return writeQP(w, text)
}

// writeQP writes text as quoted-printable with CRLF line ends; lines stay
// within 76 characters whatever the text.
func writeQP(w io.Writer, text string) error {
	qw := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qw, strings.ReplaceAll(text, "\r\n", "\n")); err != nil {
		return err
	}
	return qw.Close()
}

// base64Part writes data base64-encoded in lines of 76 characters.
func base64Part(mw *multipart.Writer, h textproto.MIMEHeader, data []byte) error {
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		if _, err := io.WriteString(w, enc[:76]+"\r\n"); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = io.WriteString(w, enc+"\r\n")
	return err
}

func zipOne(name string, data []byte, mod time.Time) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod.UTC()})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (c Composer) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Composer) random(n int) []byte {
	b := make([]byte, n)
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b); err != nil {
		panic("mail: no randomness: " + err.Error())
	}
	return b
}

func (c Composer) boundary() string { return "swtoken-" + hex.EncodeToString(c.random(10)) }

package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// Part is one leaf part of a MIME message: its media type, its header and
// its body, decoded from base64 or quoted-printable.
type Part struct {
	Type   string
	Header mail.Header
	Body   []byte
}

// FileName is the file name of the part's Content-Disposition, if any.
func (p Part) FileName() string {
	if _, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil {
		return params["filename"]
	}
	return ""
}

// ContentID is the part's Content-ID without its angle brackets.
func (p Part) ContentID() string { return strings.Trim(p.Header.Get("Content-Id"), "<>") }

// Parts reads a raw message: its top-level header and every leaf part,
// depth first. A message or part that does not parse fails the test.
func Parts(t testing.TB, raw []byte) (top mail.Header, leaves []Part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("unparsable message: %v\n%s", err, raw)
	}
	var walk func(h mail.Header, body io.Reader)
	walk = func(h mail.Header, body io.Reader) {
		ctype := h.Get("Content-Type")
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("content type %q: %v", ctype, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(mail.Header(p.Header), p)
			}
		}
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("part %s: %v", mt, err)
		}
		leaves = append(leaves, Part{Type: mt, Header: h, Body: data})
	}
	walk(msg.Header, msg.Body)
	return msg.Header, leaves
}

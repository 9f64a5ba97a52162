package sdtid

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxInput is how much of a file stoken reads; everything after is never seen.
const maxInput = 65535

// Limits on the tree. The input is at most 64 KiB, so these only stop
// pathological nesting from costing recursion depth and prefix building.
const (
	maxDepth    = 256 // libxml2's own default limit
	maxElements = 20000
)

// node is the small DOM the reader needs: element local names, children and
// the text content (all descendant text and CDATA, like xmlNodeGetContent).
type node struct {
	name     string
	children []*node
	content  string
}

// child returns the first direct child called name.
func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// find searches n's subtree the way stoken does: depth first in document
// order, a child's descendants before the child itself.
func (n *node) find(name string) *node {
	for _, c := range n.children {
		if r := c.find(name); r != nil {
			return r
		}
		if c.name == name {
			return c
		}
	}
	return nil
}

// findXMLDecl finds "<?xml " case-insensitively, as stoken does.
func findXMLDecl(data []byte) int {
	const pat = "<?xml "
	for i := 0; i+len(pat) <= len(data); i++ {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if i+len(pat) <= len(data) && strings.EqualFold(string(data[i:i+len(pat)]), pat) {
			return i
		}
	}
	return -1
}

// parseDocument applies stoken's framing (first 65535 bytes, start at the
// XML declaration) and parses what follows into a tree.
func parseDocument(data []byte) (*node, error) {
	if len(data) > maxInput {
		data = data[:maxInput]
	}
	start := findXMLDecl(data)
	if start < 0 {
		what := "no \"<?xml \" declaration in the first 65535 bytes"
		if len(data) == 0 {
			what = "the file is empty"
		} else if looksUTF16(data) {
			what = "the file is UTF-16; only UTF-8 and ISO-8859-1 are read"
		}
		return nil, &Error{Kind: KindNotSDTID, Token: -1, Detail: what}
	}
	lineBase := bytes.Count(data[:start], []byte{'\n'})
	root, err := parseXML(data[start:])
	if err != nil {
		var se *xml.SyntaxError
		line := 0
		msg := err.Error()
		if errors.As(err, &se) {
			line, msg = se.Line, se.Msg
		}
		if line <= 0 {
			line = 1
		}
		return nil, &Error{Kind: KindMalformedXML, Line: lineBase + line, Token: -1, Detail: msg}
	}
	return root, nil
}

func looksUTF16(b []byte) bool {
	return len(b) >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) || b[0] == 0 || b[1] == 0)
}

func parseXML(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	syntax := func(msg string) error {
		line, _ := d.InputPos()
		return &xml.SyntaxError{Msg: msg, Line: line}
	}
	var (
		stack []*node
		root  *node
		text  strings.Builder
		// starts[i] is where stack[i]'s text begins in text: an element's
		// content is everything appended while it is open.
		starts   []int
		elements int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, syntax("extra content at the end of the document")
			}
			if len(stack) >= maxDepth {
				return nil, syntax(fmt.Sprintf("elements nested deeper than %d", maxDepth))
			}
			elements++
			if elements > maxElements {
				return nil, syntax(fmt.Sprintf("more than %d elements", maxElements))
			}
			n := &node{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			starts = append(starts, text.Len())
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.content = text.String()[starts[len(starts)-1]:]
			stack = stack[:len(stack)-1]
			starts = starts[:len(starts)-1]
			if len(stack) == 0 {
				// Nothing outside the root counts as text.
				text.Reset()
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
					if root == nil {
						return nil, syntax("text before the document element")
					}
					return nil, syntax("extra content at the end of the document")
				}
				continue
			}
			text.Write(t)
		case xml.Directive:
			if root != nil {
				return nil, syntax("extra content at the end of the document")
			}
		}
	}
	if root == nil {
		return nil, syntax("no document element")
	}
	if len(stack) != 0 {
		return nil, syntax("premature end of data")
	}
	return root, nil
}

// charsetReader accepts the encodings stoken was seen to accept; UTF-8 needs
// no reader at all.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// latin1Reader converts ISO-8859-1 to UTF-8. Each input byte becomes at most
// two output bytes, so reading half of len(p) always fits.
type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, errors.New("sdtid: latin1 read buffer too small")
	}
	buf := make([]byte, len(p)/2)
	n, err := l.r.Read(buf)
	out := p[:0]
	for _, c := range buf[:n] {
		out = utf8.AppendRune(out, rune(c))
	}
	return len(out), err
}

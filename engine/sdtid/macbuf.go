package sdtid

import (
	"errors"
	"strings"
	"sync"
)

// maxMACInput is stoken's limit on one MAC input buffer (sdtid-format.md 8).
const maxMACInput = 65536

// maxSigInput bounds the signature input (header + tokens, unpadded).
const maxSigInput = 1 << 20

var errMACInputTooLong = errors.New("the MAC input is longer than 64 KiB")

// isMACName reports whether an element is left out of MAC input: a name
// longer than 3 characters that ends in "MAC", at any depth (2.4).
func isMACName(name string) bool { return len(name) > 3 && strings.HasSuffix(name, "MAC") }

// hashLines walks n's element children as 2.4 describes and calls emit with
// each leaf line and whether its value was empty. emit returns false to stop.
// prefix is extended in place (one buffer for the whole walk), so a deep tree
// of skipped or empty-parent elements costs no allocation per node.
func hashLines(n *node, prefix []byte, skipMAC bool, emit func(line []byte, empty bool) bool) bool {
	for _, c := range n.children {
		if skipMAC && isMACName(c.name) {
			continue
		}
		p := append(append(prefix, '.'), c.name...)
		if len(c.children) > 0 {
			if !hashLines(c, p, skipMAC, emit) {
				return false
			}
			continue
		}
		empty := c.content == ""
		line := p
		if empty {
			line = append(append(append(line, " </"...), c.name...), '>', '\n')
		} else {
			line = append(append(append(line, ' '), c.content...), '\n')
		}
		if !emit(line, empty) {
			return false
		}
	}
	return true
}

// linePrefix starts a hashLines walk with room to grow, so that the walk's
// lines are built in one buffer instead of one allocation per element.
func linePrefix(name string) []byte {
	return append(make([]byte, 0, 512), name...)
}

// macScratch holds the buffers of one Write's MAC and signature inputs, so
// that a writer reuses them from file to file (scratchPool) instead of
// allocating about 9 KB per file. They hold the file's fields, the Secret
// among them, so release clears them before they go back.
type macScratch struct {
	prefix []byte
	mac    [2][]byte
	sig    []byte
}

var scratchPool = sync.Pool{New: func() any {
	return &macScratch{
		prefix: make([]byte, 0, 512),
		mac:    [2][]byte{make([]byte, 0, 1024), make([]byte, 0, 1024)},
		sig:    make([]byte, 0, 4096),
	}
}}

func (s *macScratch) release() {
	clear(s.prefix[:cap(s.prefix)])
	clear(s.mac[0][:cap(s.mac[0])])
	clear(s.mac[1][:cap(s.mac[1])])
	clear(s.sig[:cap(s.sig)])
	scratchPool.Put(s)
}

// macInput builds the MAC input of a section (TKNHeader or TKN) with the
// short-line placement rule of 2.4, copied exactly, overwrites included.
func macInput(section *node) ([]byte, error) {
	return macInputTo(make([]byte, 0, 1024), linePrefix(section.name), section)
}

// macInputTo is macInput building in buf (from its start) with prefix as the
// line buffer.
func macInputTo(buf, prefix []byte, section *node) ([]byte, error) {
	buf = buf[:0]
	pos, pad := 0, 0
	tooLong := false
	hashLines(section, append(prefix[:0], section.name...), true, func(l []byte, empty bool) bool {
		start := pos
		if !empty && len(l)+pad <= 16 {
			start = pos - pad
		}
		end := start + len(l) + pad
		if end > maxMACInput {
			tooLong = true
			return false
		}
		if end > len(buf) {
			buf = append(buf, make([]byte, end-len(buf))...)
		}
		copy(buf[start:], l)
		clear(buf[start+len(l) : end])
		pos = end
		pad = pos % 16
		if pad == 0 {
			pad = 16
		}
		return true
	})
	if tooLong {
		return nil, errMACInputTooLong
	}
	return buf[:pos], nil
}

// sigInput is the BatchSignature input (2.7): the header lines and then each
// TKN's lines, MAC elements included, simply concatenated.
func sigInput(header *node, tokens []*node) ([]byte, error) {
	return sigInputTo(make([]byte, 0, 4096), make([]byte, 0, 512), header, tokens)
}

// sigInputTo is sigInput building in buf (from its start) with prefix as the
// line buffer.
func sigInputTo(buf, prefix []byte, header *node, tokens []*node) ([]byte, error) {
	buf = buf[:0]
	emit := func(l []byte, _ bool) bool {
		if len(buf)+len(l) > maxSigInput {
			return false
		}
		buf = append(buf, l...)
		return true
	}
	if !hashLines(header, append(prefix[:0], header.name...), false, emit) {
		return nil, errors.New("the signature input is longer than 1 MiB")
	}
	for _, t := range tokens {
		if !hashLines(t, append(prefix[:0], t.name...), false, emit) {
			return nil, errors.New("the signature input is longer than 1 MiB")
		}
	}
	return buf, nil
}

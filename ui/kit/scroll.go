package kit

import (
	"fmt"
	"strings"
)

// Scroll is a window of Height lines over Lines, for a detail, a preview
// or a form taller than the screen. Every change of the offset happens in
// methods called from Update (or SetSize); View only reads, so that a
// render can never move what the admin sees.
type Scroll struct {
	lines  []string
	height int
	offset int
}

// SetLines replaces the content, keeping the offset where it still fits
// (a reload keeps the admin's place).
func (s *Scroll) SetLines(lines []string) {
	s.lines = lines
	s.clamp()
}

// SetHeight sets how many lines the window shows (at least 1).
func (s *Scroll) SetHeight(h int) {
	s.height = max(1, h)
	s.clamp()
}

// Lines is the content.
func (s *Scroll) Lines() []string { return s.lines }

// Height is the window's height.
func (s *Scroll) Height() int { return max(1, s.height) }

// Offset is the index of the first line shown.
func (s *Scroll) Offset() int { return s.offset }

// maxOffset is the offset that shows the last line at the bottom.
func (s *Scroll) maxOffset() int { return max(0, len(s.lines)-s.Height()) }

func (s *Scroll) clamp() { s.offset = max(0, min(s.offset, s.maxOffset())) }

// By moves the window n lines (down when n > 0).
func (s *Scroll) By(n int) {
	s.offset += n
	s.clamp()
}

// PageDown moves one whole window down, so that the line after the last
// one shown becomes the first (pgdn never skips or repeats a line while
// there is a full page left).
func (s *Scroll) PageDown() { s.By(s.Height()) }

// PageUp moves one whole window up.
func (s *Scroll) PageUp() { s.By(-s.Height()) }

// Top shows the first line.
func (s *Scroll) Top() { s.offset = 0 }

// Bottom shows the last line.
func (s *Scroll) Bottom() { s.offset = s.maxOffset() }

// Show moves the window as little as possible so that lines from..to
// (inclusive) are in view; from wins when they do not fit (a focused
// field's first line is the one that must be seen).
func (s *Scroll) Show(from, to int) {
	if to < from {
		to = from
	}
	if to >= s.offset+s.Height() {
		s.offset = to - s.Height() + 1
	}
	if from < s.offset {
		s.offset = from
	}
	s.clamp()
}

// AtTop and AtBottom report whether there is more above or below.
func (s *Scroll) AtTop() bool    { return s.offset == 0 }
func (s *Scroll) AtBottom() bool { return s.offset >= s.maxOffset() }

// View is the lines in the window, joined by newlines. It does not pad.
func (s *Scroll) View() string {
	end := min(len(s.lines), s.offset+s.Height())
	if s.offset >= end {
		return ""
	}
	return strings.Join(s.lines[s.offset:end], "\n")
}

// Position says which lines are shown ("lines 11-20 of 34"), or "" when
// everything fits.
func (s *Scroll) Position() string {
	if len(s.lines) <= s.Height() {
		return ""
	}
	end := min(len(s.lines), s.offset+s.Height())
	return fmt.Sprintf("lines %d-%d of %d", s.offset+1, end, len(s.lines))
}

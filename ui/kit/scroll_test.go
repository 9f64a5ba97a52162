package kit

import (
	"fmt"
	"testing"
)

func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return out
}

func TestScrollPageDownShowsTheNextWholePage(t *testing.T) {
	var s Scroll
	s.SetHeight(10)
	s.SetLines(numbered(18))
	s.PageDown()
	if s.Offset() != 8 || s.Position() != "lines 9-18 of 18" {
		t.Fatalf("after pgdn over 18 lines in 10: offset %d, %q; want the last line at the bottom", s.Offset(), s.Position())
	}
	s.SetLines(numbered(35))
	s.Top()
	s.PageDown()
	if s.Position() != "lines 11-20 of 35" {
		t.Fatalf("pgdn from the top: %q", s.Position())
	}
	s.PageUp()
	if !s.AtTop() {
		t.Fatalf("pgup back: offset %d", s.Offset())
	}
}

func TestScrollShowKeepsARangeInView(t *testing.T) {
	var s Scroll
	s.SetHeight(5)
	s.SetLines(numbered(30))
	s.Show(12, 13)
	if s.Offset() != 9 {
		t.Fatalf("show 12-13 from the top: offset %d, want 9 (moved as little as possible)", s.Offset())
	}
	s.Show(2, 2)
	if s.Offset() != 2 {
		t.Fatalf("show 2: offset %d", s.Offset())
	}
	s.Show(20, 40) // taller than the window: its first line wins
	if s.Offset() != 20 {
		t.Fatalf("show 20-40: offset %d", s.Offset())
	}
}

func TestScrollViewIsPure(t *testing.T) {
	var s Scroll
	s.SetHeight(3)
	s.SetLines(numbered(10))
	s.By(100)
	before := s.Offset()
	first := s.View()
	second := s.View()
	if first != "8\n9\n10" || second != first || s.Offset() != before {
		t.Fatalf("views %q then %q, offset %d then %d", first, second, before, s.Offset())
	}
	s.SetLines(numbered(4)) // a reload that shrinks keeps a valid place
	if s.View() != "2\n3\n4" {
		t.Fatalf("after shrinking: %q", s.View())
	}
}

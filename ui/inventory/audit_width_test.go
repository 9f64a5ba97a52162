package inventory

import (
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// TestAuditRowsFitEightyColumnsWithTheEssentialColumns: at 80 columns an
// Audit Log row shows the time with its zone, the admin, the action and
// the object whole; only the free-text details end in an ellipsis.
func TestAuditRowsFitEightyColumnsWithTheEssentialColumns(t *testing.T) {
	m := openMenu(t, listFixture(), "8", 80, 24)
	row, _ := lineWith(t, m, "token 100000000010")
	for _, want := range []string{"2026-09-30 13:51:09 UTC", "admin", "unassign", "token 100000000010"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
	if !strings.HasSuffix(strings.TrimRight(row, " "), "…") {
		t.Errorf("the details are not cut with an ellipsis: %q", row)
	}
	for i, l := range strings.Split(screenText(m), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line %d is %d columns: %q", i, n, l)
		}
	}
}

// TestAuditDetailScrollMovesOnlyInUpdate: the open record's offset is set
// by the keys and by a resize, never by rendering it.
func TestAuditDetailScrollMovesOnlyInUpdate(t *testing.T) {
	m := openLongAuditRecord(t, 80, 24)
	s := m.Top().(*auditScreen)
	update(t, m, tea.KeyPressMsg{Code: tea.KeyEnd})
	end := s.scroll.Offset()
	if end == 0 {
		t.Fatal("end did not move the record")
	}
	_ = screenText(m)
	_ = screenText(m)
	if s.scroll.Offset() != end {
		t.Fatalf("rendering moved the record from line %d to %d", end, s.scroll.Offset())
	}
	update(t, m, tea.WindowSizeMsg{Width: 80, Height: 40})
	if got := s.scroll.Offset(); got >= end || !s.scroll.AtBottom() {
		t.Fatalf("after a taller resize the offset is %d (was %d), at the bottom %v", got, end, s.scroll.AtBottom())
	}
	wantScreen(t, m, "User must provide the token file password: no -> yes")
}

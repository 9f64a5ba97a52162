package inventory

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestTokensQuickFiltersAndAssignmentUpdateTheList(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 120, 40)
	s := m.Top().(*tokensScreen)
	want := [numTokenFilters]int{30, 3, 1, 1, 2}
	if s.counts != want {
		t.Fatalf("counts %v, want %v", s.counts, want)
	}
	press(t, m, "2")
	if s.list.Len() != 3 {
		t.Fatalf("unassigned shows %d", s.list.Len())
	}
	// tab cycles, also while the filter is focused.
	press(t, m, "/", "tab")
	if s.quick != tfExpiring || s.list.Len() != 1 {
		t.Fatalf("tab: quick %d, %d rows", s.quick, s.list.Len())
	}
	press(t, m, "esc", "2", "enter", "a")
	typeText(t, m, "ijones")
	press(t, m, "enter")
	be.WantCalled(t, "assign 100000000010 ijones")
	wantScreen(t, m, "OK: Token 100000000010 assigned to ijones.")
	wantScreen(t, m, "User:              ijones")
	press(t, m, "esc")
	// Back on the list: the token left the unassigned filter.
	if s.counts[tfUnassigned] != 2 || s.list.Len() != 2 {
		t.Fatalf("after assign: %d unassigned, %d rows", s.counts[tfUnassigned], s.list.Len())
	}
}

func TestTokenAssignRefusalIsShown(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 120, 40)
	press(t, m, "2", "enter", "a")
	typeText(t, m, "dmuller") // holds 3 tokens already
	// The picker shows how many tokens each user holds, as the Users list
	// does, so a full user can be seen before picking.
	wantScreen(t, m, "Tokens")
	p, ok := m.Top().(*picker)
	if !ok || p.list.Len() != 1 {
		t.Fatalf("top is %T", m.Top())
	}
	if it, _, _ := p.list.Selected(); it.(*userRow).tokens != 3 {
		t.Fatalf("the picker counts %d tokens for dmuller, want 3", it.(*userRow).tokens)
	}
	press(t, m, "enter")
	wantScreen(t, m, "ERROR: Assigned user: dmuller already holds")
	if _, ok := m.Top().(*tokenDetail); !ok {
		t.Fatalf("top is %T", m.Top())
	}
}

func TestVerifyPINIsMaskedAndCleared(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "5", 120, 40)
	press(t, m, "enter", "v")
	typeText(t, m, "87654321")
	press(t, m, "tab")
	typeText(t, m, "9731")
	wantNoScreen(t, m, "9731")
	wantScreen(t, m, "PIN:        ****")
	press(t, m, "enter")
	wantScreen(t, m, "MATCH: offset -1 (previous interval).")
	d := m.Top().(*tokenDetail)
	if be.inv.lastVerifyPIN != "9731" || d.pin.Value() != "" {
		t.Fatalf("PIN passed %q, kept %q", be.inv.lastVerifyPIN, d.pin.Value())
	}
	// Keys are text while verifying: q does not quit.
	press(t, m, "q")
	if m.Quitting() || m.ConfirmingQuit() {
		t.Fatal("q quit from the PIN field")
	}
}

// TestTokenDetailShowsLongValuesWhole: a 64-character device ID and a long
// job name are wrapped on the token detail screen, never cut.
func TestTokenDetailShowsLongValuesWhole(t *testing.T) {
	be := listFixture()
	dev := "DEV" + strings.Repeat("0123456789", 6) + "X" // 64 characters, no break point
	job := "Quarterly replacement for the finance department and the helpdesk team"
	be.tokens[0].Distribution = model.Distribution{Count: 1, LastJob: job, LastAt: testNow,
		Binding: dev, BindingKind: model.BindingDevice}
	m := openMenu(t, be, "5", 80, 24)
	press(t, m, "enter")
	text := screenText(m)
	if strings.Contains(text, "…") {
		t.Fatalf("a value was cut:\n%s", text)
	}
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{dev, strings.ReplaceAll(job, " ", "")} {
		if !strings.Contains(flat, want) {
			t.Fatalf("%q is not shown whole:\n%s", want, text)
		}
	}
}

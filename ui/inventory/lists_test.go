package inventory

import (
	"slices"
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
	if !slices.Contains(be.calls, "assign 100000000010 ijones") {
		t.Fatalf("calls %v", be.calls)
	}
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

func TestProfilesAddEditDelete(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "4", 120, 40)
	press(t, m, "n")
	typeText(t, m, "Contractors Android")
	press(t, m, "tab")
	typeText(t, m, "For contractors")
	press(t, m, "tab", "right") // Android
	// Quitting asks while the form holds changes.
	press(t, m, "ctrl+c")
	wantScreen(t, m, "The profile form's changes will be lost.")
	press(t, m, "n", "enter")
	if !slices.Contains(be.calls, "add profile Contractors Android") {
		t.Fatalf("calls %v", be.calls)
	}
	wantScreen(t, m, `OK: Profile "Contractors Android" added.`)
	ps, _ := be.Profiles()
	if p := ps[len(ps)-1]; p.DeviceType != model.DeviceAndroid || p.Description != "For contractors" {
		t.Fatalf("added %+v", p)
	}
	s := m.Top().(*profilesScreen)
	if s.list.Len() != 5 {
		t.Fatalf("list shows %d profiles", s.list.Len())
	}
	// Edit: the device type is skipped (locked); rename.
	press(t, m, "/")
	typeText(t, m, "contractors")
	press(t, m, "enter")
	f := m.Top().(*profileForm)
	press(t, m, "tab", "tab")
	if f.focus == pfDevice {
		t.Fatal("focus reached the locked device type")
	}
	press(t, m, "shift+tab", "shift+tab")
	typeText(t, m, " EU")
	press(t, m, "enter")
	wantScreen(t, m, `OK: Profile "Contractors Android EU" saved.`)
	// Delete a profile nobody uses.
	press(t, m, "esc")
	press(t, m, "/")
	typeText(t, m, "EU")
	press(t, m, "tab") // keep the filter, leave the input
	if s.list.FilterValue() != "EU" || s.list.FilterFocused() {
		t.Fatalf("filter %q focused %v", s.list.FilterValue(), s.list.FilterFocused())
	}
	if p, _ := s.selected(); p.Name != "Contractors Android EU" {
		t.Fatalf("selected %q", p.Name)
	}
	press(t, m, "x", "y")
	wantScreen(t, m, `OK: Profile "Contractors Android EU" deleted.`)
	if ps, _ := be.Profiles(); len(ps) != 4 || len(s.ps) != 4 {
		t.Fatalf("%d profiles, the screen has %d, after delete", len(ps), len(s.ps))
	}
}

func TestImportClearsThePassword(t *testing.T) {
	be := listFixture()
	m := openMenu(t, be, "7", 120, 40)
	press(t, m, "tab")
	typeText(t, m, "/in/locked.sdtid")
	press(t, m, "tab")
	typeText(t, m, "right")
	wantNoScreen(t, m, "right")
	press(t, m, "enter")
	wantScreen(t, m, "Imported: 1")
	s := m.Top().(*importScreen)
	if be.inv.lastImportPassword != "right" || s.password.Value() != "" {
		t.Fatalf("password passed %q, kept %q", be.inv.lastImportPassword, s.password.Value())
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

package home

import (
	"strings"
	"testing"
)

func TestFirstRunOffersDemoAndImport(t *testing.T) {
	be := newFakeBackend()
	be.Empty = true
	m := newTestModel(t, be, 80, 24)
	wantScreen(t, m, "Welcome: this store is empty")
	wantScreen(t, m, "> 1  Load demo inventory")
	wantScreen(t, m, "Import")
	press(t, m, "down", "enter")
	if m.Top().Title() != "Import" {
		t.Fatalf("Import opened %T", m.Top())
	}
	press(t, m, "esc", "up", "enter")
	wantScreen(t, m, "OK: Demo inventory loaded: 4 profiles, 8 users, 30 tokens")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("top after demo load is %T", m.Top())
	}
}

func TestHomeListsTheWorkflows(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	for _, w := range []string{"Distribute Software Tokens", "Jobs", "Self-Service Settings", "Software Token Profiles", "Tokens", "Users", "Import", "Audit Log"} {
		wantScreen(t, m, w)
	}
	press(t, m, "j", "j", "enter")
	if !strings.HasPrefix(m.Top().Title(), "Self-Service Settings") {
		t.Fatalf("item 3 opened %T", m.Top())
	}
	press(t, m, "esc", "k", "enter")
	if m.Top().Title() != "Jobs" {
		t.Fatalf("item 2 opened %T", m.Top())
	}
}

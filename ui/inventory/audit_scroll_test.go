package inventory

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// longAuditDetails is a settings save with many changes, long profile
// names and a name longer than any line: more lines than a screen holds.
func longAuditDetails() string {
	var changes []string
	for i := 1; i <= 32; i++ {
		changes = append(changes, fmt.Sprintf("Profile %q: selected -> not selected", fmt.Sprintf("Regional office %02d Android phones for the field service teams", i)))
	}
	changes = append(changes,
		`Profile "Contractors-EMEA-Android-devices-with-hardware-backed-keystore-only-2026-pilot": added, selected`,
		"Replacement window: 30 -> 45 days",
		"User must provide the token file password: no -> yes")
	return strings.Join(changes, "; ")
}

// openLongAuditRecord opens the Audit Log on a fixture whose newest record
// is the long settings save, and opens that record.
func openLongAuditRecord(t *testing.T, w, h int) *Model {
	t.Helper()
	be := listFixture()
	be.appendAudit("settings save", "self-service settings", longAuditDetails())
	m := openMenu(t, be, "8", w, h)
	press(t, m, "enter")
	wantScreen(t, m, "Audit record #9")
	return m
}

var linesRE = regexp.MustCompile(`lines (\d+)-(\d+) of (\d+)`)

// shownLines is the "lines a-b of N" of the screen.
func shownLines(t *testing.T, m *Model) (a, b, n int) {
	t.Helper()
	g := linesRE.FindStringSubmatch(screenText(m))
	if g == nil {
		t.Fatalf("no \"lines a-b of N\":\n%s", screenText(m))
	}
	a, _ = strconv.Atoi(g[1])
	b, _ = strconv.Atoi(g[2])
	n, _ = strconv.Atoi(g[3])
	return a, b, n
}

// TestAuditDetailScrolls: a record longer than the screen scrolls with the
// keys the help line names, down to its last line, and its values are
// wrapped, never cut.
func TestAuditDetailScrolls(t *testing.T) {
	m := openLongAuditRecord(t, 80, 24)
	a, b, n := shownLines(t, m)
	if a != 1 || n <= b {
		t.Fatalf("lines %d-%d of %d: the record should not fit", a, b, n)
	}
	page := b - a + 1
	for _, h := range []string{"↓/j down", "↑/k up", "pgdn next page", "esc back"} {
		wantScreen(t, m, h)
	}
	footer := strings.Split(screenText(m), "\n")[23]
	if strings.Contains(footer, "…") || !strings.HasSuffix(footer, "ctrl+c quit") {
		t.Fatalf("help line cut: %q", footer)
	}

	step := func(want int, keys ...tea.KeyPressMsg) {
		t.Helper()
		for _, k := range keys {
			update(t, m, k)
		}
		if a, _, _ := shownLines(t, m); a != want {
			t.Fatalf("after %v the first line is %d, want %d:\n%s", keys, a, want, screenText(m))
		}
	}
	home, end := tea.KeyPressMsg{Code: tea.KeyHome}, tea.KeyPressMsg{Code: tea.KeyEnd}
	pgup := tea.KeyPressMsg{Code: tea.KeyPgUp}
	step(2, keyPress("down"))
	step(3, keyPress("j"))
	step(2, keyPress("k"))
	step(1, keyPress("up"), keyPress("up")) // stops at the top
	step(1+page, keyPress("pgdown"))
	step(1, pgup)
	last := n - page + 1
	step(last, end)
	step(last, keyPress("down"), keyPress("pgdown")) // stops at the end
	wantScreen(t, m, fmt.Sprintf("lines %d-%d of %d", last, n, n))
	wantScreen(t, m, "User must provide the token file password: no -> yes")
	step(1, home)
	wantScreen(t, m, "Time:")

	// Every line, read page by page, gives back the whole details.
	all := make([]string, n)
	for {
		lines := strings.Split(screenText(m), "\n")
		a, b, _ := shownLines(t, m)
		for i := a; i <= b; i++ {
			all[i-1] = lines[2+i-a+1]
		}
		if b == n {
			break
		}
		update(t, m, keyPress("pgdown"))
	}
	var details []string
	for i, l := range all {
		if strings.HasPrefix(l, "Details:") || (len(details) > 0 && i > 0) {
			details = append(details, l[len("Details:         "):])
		}
		if strings.Contains(l, "…") {
			t.Errorf("line %d is cut: %q", i+1, l)
		}
	}
	if got := strings.Join(details, " "); !uitest.SameText(got, longAuditDetails()) {
		t.Fatalf("the details read\n%s\nwant\n%s", got, longAuditDetails())
	}

	// enter and esc still go back to the list; a new record starts at the top.
	press(t, m, "enter")
	wantScreen(t, m, "(newest first)")
	press(t, m, "enter")
	if a, _, _ := shownLines(t, m); a != 1 {
		t.Fatalf("reopened at line %d", a)
	}
	press(t, m, "esc")
	wantScreen(t, m, "(newest first)")
}

// TestAuditShortDetailHasNoScroll: a record that fits shows no line count
// and keeps the short help.
func TestAuditShortDetailHasNoScroll(t *testing.T) {
	m := openMenu(t, listFixture(), "8", 80, 24)
	press(t, m, "enter")
	wantScreen(t, m, "Audit record #8")
	wantNoScreen(t, m, "lines ")
	wantScreen(t, m, "enter back to the list")
	press(t, m, "down", "pgdown")
	wantScreen(t, m, "Time:")
}

func TestGoldenAuditDetailScrolled(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openLongAuditRecord(t, w, h)
		snap(t, m, "1_top")
		update(t, m, tea.KeyPressMsg{Code: tea.KeyEnd})
		snap(t, m, "2_end")
	})
}

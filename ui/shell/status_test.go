package shell_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// A key that does nothing now says why, in the status line, as a note.
func TestDisabledKeyShowsItsReason(t *testing.T) {
	m, home := newModel(t, 80, 24)
	home.reply = func() tea.Msg { return nav.DisabledMsg{Reason: "Job #3 has no output to download."} }
	pressKey(t, m, "x")
	uitest.WantScreen(t, m, "NOTE: Job #3 has no output to download.")
}

// A status belongs to the moment it was shown: navigating by a later key
// clears it, and a newer status replaces it.
func TestStaleStatusIsClearedByNavigation(t *testing.T) {
	moves := map[string]tea.Cmd{
		"push":    nav.Push(newScreen("Pushed")),
		"pop":     nav.Pop,
		"home":    nav.Home,
		"open":    nav.Open(nav.PageImport, nil),
		"replace": nav.Replace(newScreen("Instead")),
	}
	for name, move := range moves {
		t.Run(name, func(t *testing.T) {
			m, home, second := secondWithStatus(t)
			uitest.WantScreen(t, m, "OK: Import done")
			second.reply, home.reply = move, move
			pressKey(t, m, "x")
			if m.Status() != "" {
				t.Fatalf("after %s the status still says %q", name, m.Status())
			}
		})
	}
}

// A status that the navigating key's own action shows stays, whichever
// message arrives first (tea.Batch runs its commands concurrently).
func TestStatusOfTheNavigatingKeyStays(t *testing.T) {
	for _, name := range []string{"status first", "pop first"} {
		t.Run(name, func(t *testing.T) {
			m, _, second := secondWithStatus(t)
			second.reply = nil
			// The key, then its action's messages in the order named.
			pressKey(t, m, "x")
			for _, msg := range replyMsgs(name) {
				uitest.Update(t, m, msg)
			}
			uitest.WantScreen(t, m, "Refused: the file is damaged")
		})
	}
}

func replyMsgs(order string) []tea.Msg {
	st := nav.StatusMsg{Level: nav.StatusError, Text: "Refused: the file is damaged"}
	if order == "status first" {
		return []tea.Msg{st, nav.PopMsg{}}
	}
	return []tea.Msg{nav.PopMsg{}, st}
}

// A newer status replaces the older one.
func TestNewerStatusReplacesTheOlder(t *testing.T) {
	m, home := newModel(t, 80, 24)
	home.reply = status("OK: Import done")
	pressKey(t, m, "x")
	home.reply = status("Import refused: nothing was changed")
	pressKey(t, m, "x")
	uitest.WantScreen(t, m, "Import refused: nothing was changed")
	uitest.WantNoScreen(t, m, "Import done")
}

func status(text string) tea.Cmd { return nav.Status(nav.StatusOK, text) }

func pushMsg(s nav.Screen) tea.Msg { return nav.PushMsg{S: s} }

// secondWithStatus is a root at 80x24 with a second screen pushed over
// home, whose key x has just shown the status "OK: Import done".
func secondWithStatus(t *testing.T) (m *shell.Model, home, second *screen) {
	t.Helper()
	m, home = newModel(t, 80, 24)
	second = newScreen("Second")
	uitest.Update(t, m, pushMsg(second))
	second.reply = status("OK: Import done")
	pressKey(t, m, "x")
	return m, home, second
}

package filterlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// str is the simplest Item.
type str string

func (s str) FilterValue() string { return string(s) }

func items(ss ...string) []Item {
	out := make([]Item, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return out
}

var (
	firstInitials = []string{"a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w"}
	surnames      = []string{
		"smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "robinson", "wright",
		"thompson", "evans", "walker", "white", "roberts", "green", "hall", "wood", "jackson", "clarke",
		"patel", "khan", "lewis", "james", "phillips", "mason", "mitchell", "rose", "davis", "rodriguez",
		"cox", "alexander", "garden", "campbell", "johnston", "moore", "smyth", "oneill", "doherty", "stewart",
	}
	algorithms = []string{"AES-128", "SID-64"}
)

// tokenValues returns n FilterValues shaped like the Tokens list:
// "100000012345 jsmith AES-128" (12-digit serial, user id, algorithm).
// Deterministic.
func tokenValues(n int) []string {
	r := rand.New(rand.NewPCG(42, 1))
	out := make([]string, n)
	for i := range out {
		serial := 100000000000 + r.Int64N(900000000000)
		user := firstInitials[r.IntN(len(firstInitials))] + surnames[r.IntN(len(surnames))]
		if r.IntN(3) == 0 {
			user += fmt.Sprint(r.IntN(100))
		}
		out[i] = fmt.Sprintf("%d %s %s", serial, user, algorithms[r.IntN(len(algorithms))])
	}
	return out
}

// press is a key press: one character as typed, any other name as
// navtest.Key names it.
func press(s string) tea.KeyPressMsg {
	if r := []rune(s); len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: s}
	}
	return navtest.Key(s)
}

// runCmd executes cmd (and nested batches) and returns the messages.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// settle feeds the messages of cmd back into m until no Cmd is left, like
// a program would, and collects the SelectedMsgs.
func settle(t testing.TB, m Model, cmd tea.Cmd) (Model, []SelectedMsg) {
	t.Helper()
	var sel []SelectedMsg
	queue := runCmd(cmd)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		if s, ok := msg.(SelectedMsg); ok {
			sel = append(sel, s)
			continue
		}
		var c tea.Cmd
		m, c = m.Update(msg)
		queue = append(queue, runCmd(c)...)
	}
	return m, sel
}

// typ sends each rune of s as a key press and settles after each.
func typ(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		var cmd tea.Cmd
		m, cmd = m.Update(press(string(r)))
		m, _ = settle(t, m, cmd)
	}
	return m
}

// shownIndexes returns the item indexes of every row, in display order.
func shownIndexes(m Model) []int {
	out := make([]int, m.Len())
	for r := range out {
		out[r] = m.IndexAt(r)
	}
	return out
}

// want returns the indexes fuzzy.Find reports over all values.
func want(values []string, pattern string) []int {
	if pattern == "" {
		out := make([]int, len(values))
		for i := range out {
			out[i] = i
		}
		return out
	}
	ms := fuzzy.Find(pattern, values)
	out := make([]int, len(ms))
	for i, mt := range ms {
		out[i] = mt.Index
	}
	return out
}

// checkShows reports whether m shows exactly fuzzy.Find(pattern) and is
// settled on pattern.
func checkShows(m Model, values []string, pattern string) error {
	if m.Pending() {
		return fmt.Errorf("still pending")
	}
	if m.FilterValue() != pattern {
		return fmt.Errorf("filter is %q, want %q", m.FilterValue(), pattern)
	}
	if m.shown != nil && m.shown.pattern != pattern {
		return fmt.Errorf("shows the result of %q, the filter is %q", m.shown.pattern, pattern)
	}
	got, exp := shownIndexes(m), want(values, pattern)
	if !slices.Equal(got, exp) {
		return fmt.Errorf("shows %d rows %v…, fuzzy.Find(%q) has %d %v…",
			len(got), head(got), pattern, len(exp), head(exp))
	}
	return nil
}

func head(s []int) []int { return s[:min(5, len(s))] }

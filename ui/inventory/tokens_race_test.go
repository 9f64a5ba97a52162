package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/swtoken/swtoken/model"
)

// The acceptance test of issue 6 at the screen level: "Typing a
// 12-character filter at paste speed into the Tokens list of a 100,000-token
// store always ends on the correct result, never a stale one." It goes
// through the root model and the Tokens screen (not only ui/filterlist):
// every keystroke's search Cmd runs to completion right after its
// keystroke, but the results reach the program only after the last
// keystroke and an enter, in reverse or shuffled order. In reverse order
// the result of the first keystroke (a one-character pattern matching most
// tokens) arrives last, so a screen that applied whatever arrived would end
// on it; the test then finds far more rows than fuzzy.Find reports for the
// whole pattern, and enter would open the wrong token.

var (
	bigOnce   sync.Once
	bigTokens []model.Token
)

var bigSurnames = []string{"smith", "jones", "taylor", "brown", "walker", "wilson", "johnson", "davies", "robinson", "wright",
	"thompson", "evans", "white", "roberts", "green", "hall", "wood", "jackson", "clarke", "patel", "khan", "lewis"}

// bigInventory is 100,000 tokens in serial order, assigned to users like
// "jwalker42", a third unassigned, with both algorithms. Deterministic.
func bigInventory() []model.Token {
	bigOnce.Do(func() {
		r := rand.New(rand.NewPCG(6, 2026))
		seen := map[int64]bool{}
		for len(bigTokens) < 100_000 {
			n := 100_000_000_000 + r.Int64N(900_000_000_000)
			if seen[n] {
				continue
			}
			seen[n] = true
			t := model.Token{Serial: fmt.Sprint(n), Kind: model.KindSoftware, Algorithm: model.AlgAES128,
				Birth: testNow.AddDate(-1, 0, 0), Death: testNow.AddDate(0, 0, r.IntN(1200)-100)}
			if r.IntN(4) == 0 {
				t.Algorithm = model.AlgSID64
			}
			if r.IntN(3) != 0 {
				t.Assign(string(rune('a'+r.IntN(26))) + bigSurnames[r.IntN(len(bigSurnames))] + fmt.Sprint(r.IntN(100)))
			}
			bigTokens = append(bigTokens, t)
		}
		slices.SortFunc(bigTokens, func(a, b model.Token) int { return model.CompareSerials(a.Serial, b.Serial) })
	})
	return bigTokens
}

func bigFake() *fakeBackend {
	be := newFakeBackend()
	be.tokens = slices.Clone(bigInventory())
	return be
}

// racePatterns are 12-character filters: one token's serial (one match)
// and a serial fragment + user + algorithm fragment (several matches with
// different scores, so the order is checked too).
func tokenRacePatterns(toks []model.Token) []string {
	t := toks[31337]
	for i := 4242; ; i++ {
		if u := toks[i].AssignedUser; len(u) >= 6 {
			return []string{t.Serial, toks[i].Serial[9:11] + " " + u[:6] + " " + string(toks[i].Algorithm)[:2]}
		}
	}
}

// collect runs cmd (and nested batches) to completion and returns the
// messages without delivering them.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

func openBigTokens(t *testing.T) (*Model, *tokensScreen) {
	t.Helper()
	m := newTestModel(t, bigFake(), 120, 40)
	press(t, m, "5", "enter")
	s, ok := m.Top().(*tokensScreen)
	if !ok || !s.loaded || s.list.Len() != 100_000 {
		t.Fatalf("tokens screen not loaded with 100,000 tokens: %T\n%s", m.Top(), screenText(m))
	}
	press(t, m, "/")
	return m, s
}

func TestTokensFilterAtPasteSpeedNeverStale(t *testing.T) {
	toks := bigInventory()
	values := make([]string, len(toks))
	for i, tk := range toks {
		values[i] = tk.Serial + " " + tk.AssignedUser + " " + string(tk.Algorithm)
	}
	orders := map[string]func([]tea.Msg){
		"reverse": func(ms []tea.Msg) { slices.Reverse(ms) },
		"shuffle": func(ms []tea.Msg) {
			r := rand.New(rand.NewPCG(1, 2))
			r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		},
		"in-order": func([]tea.Msg) {},
	}
	for _, pattern := range tokenRacePatterns(toks) {
		if n := len([]rune(pattern)); n != 12 {
			t.Fatalf("pattern %q has %d characters", pattern, n)
		}
		ms := fuzzy.Find(pattern, values)
		if len(ms) == 0 {
			t.Fatalf("pattern %q matches nothing", pattern)
		}
		for name, order := range orders {
			t.Run(fmt.Sprintf("%s/%s", pattern, name), func(t *testing.T) {
				m, s := openBigTokens(t)
				var msgs []tea.Msg
				for _, r := range pattern {
					_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
					msgs = append(msgs, collect(cmd)...)
				}
				if len(msgs) != len(pattern) {
					t.Fatalf("%d messages for %d keystrokes", len(msgs), len(pattern))
				}
				// enter at paste speed, before any result: it must wait for
				// the result of the whole pattern.
				_, cmd := m.Update(keyPress("enter"))
				if cmd != nil {
					msgs = append(msgs, collect(cmd)...)
				}
				order(msgs)
				for _, msg := range msgs {
					update(t, m, msg)
				}
				if s.list.Pending() || s.list.FilterValue() != pattern {
					t.Fatalf("list pending=%v filter %q, want settled on %q", s.list.Pending(), s.list.FilterValue(), pattern)
				}
				got := make([]string, s.list.Len())
				for r := range got {
					got[r] = s.list.Items()[s.list.IndexAt(r)].(*tokenRow).t.Serial
				}
				want := make([]string, len(ms))
				for i, mt := range ms {
					want[i] = toks[mt.Index].Serial
				}
				if !slices.Equal(got, want) {
					t.Fatalf("the Tokens screen shows %d rows %v…; fuzzy.Find(%q) has %d %v…", len(got), got[:min(5, len(got))], pattern, len(want), want[:min(5, len(want))])
				}
				if d, ok := m.Top().(*tokenDetail); !ok || d.tok.Serial != want[0] {
					t.Fatalf("enter opened %q, want the detail of token %s (the best match)", m.Top().Title(), want[0])
				}
			})
		}
	}
}

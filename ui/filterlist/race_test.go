package filterlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// The acceptance test of the issue: "Typing a 12-character filter at paste
// speed into the Tokens list of a 100,000-token store always ends on the
// correct result, never a stale one."
//
// How these tests fail without the sequence tags (checked by
// TestRaceTestsCatchMissingSeqCheck below, which switches the check off
// with the test-only noSeqCheck field and requires the pure-Update tests to
// fail): every keystroke starts a search in a Cmd; without tags, Update
// applies each result as it arrives. Delivered in reverse order, the last
// result applied is the one for the first keystroke, "9" (the serial is
// 988274600247), so the list ends on the matches of "9" instead of
// the one token whose serial it is, and checkShows reports `shows the
// result of "9", the filter is "988274600247"` (~74,000 rows). In the teatest version the
// searches really run concurrently on 2 cores; the short prefixes have the
// most matches and usually finish last, so a stale result wins in most runs
// (measured: 18 of 20 runs ended on a prefix's rows with the check off),
// but the order is up to the scheduler there, which is why the
// deterministic pure-Update versions are the ones that prove it.

var (
	raceOnce   sync.Once
	raceValues []string
	raceItems  []Item
)

// raceData is the 100,000-token store, built once for all race tests.
func raceData() ([]string, []Item) {
	raceOnce.Do(func() {
		raceValues = tokenValues(100000)
		raceItems = itemsOf(raceValues)
	})
	return raceValues, raceItems
}

// racePatterns are 12-character filters: the serial of one token (one
// match), and a serial fragment + user + algorithm (421 matches over 31
// distinct scores, so the order is checked too).
func racePatterns(values []string) []string {
	return []string{values[31337][:12], "42 walker SI"}
}

// typeAll sends each rune of pattern to m without delivering any result and
// returns the Cmd of every keystroke.
func typeAll(m Model, pattern string) (Model, []tea.Cmd) {
	var cmds []tea.Cmd
	for _, r := range pattern {
		var c tea.Cmd
		m, c = m.Update(press(string(r)))
		cmds = append(cmds, c)
	}
	return m, cmds
}

func newRaceList(noSeqCheck bool) Model {
	_, its := raceData()
	m := New(WithDebounce(0), WithSyncLimit(0))
	m.noSeqCheck = noSeqCheck
	m.SetItems(its)
	m.SetSize(80, 24)
	m.Focus()
	return m
}

// raceOutOfOrder types the 12-character pattern; every search completes
// (each Cmd runs right after its keystroke, before the next one, so none is
// stopped early), but the results reach Update only after the last
// keystroke, in the order given by perm. Then enter is pressed.
func raceOutOfOrder(t testing.TB, noSeqCheck bool, pattern string, perm func([]tea.Msg)) error {
	values, _ := raceData()
	m := newRaceList(noSeqCheck)
	var msgs []tea.Msg
	for _, r := range pattern {
		var c tea.Cmd
		m, c = m.Update(press(string(r)))
		msgs = append(msgs, runCmd(c)...)
	}
	if len(msgs) != len(pattern) {
		return fmt.Errorf("%d results for %d keystrokes", len(msgs), len(pattern))
	}
	m, c := m.Update(press("enter")) // at paste speed, before any result
	if c != nil {
		return fmt.Errorf("enter selected while results were pending")
	}
	perm(msgs)
	var sel []SelectedMsg
	for _, msg := range msgs {
		var c tea.Cmd
		m, c = m.Update(msg)
		var s []SelectedMsg
		m, s = settle(t, m, c)
		sel = append(sel, s...)
	}
	if err := checkShows(m, values, pattern); err != nil {
		return err
	}
	exp := want(values, pattern)
	if len(sel) != 1 || sel[0].Index != exp[0] {
		return fmt.Errorf("enter selected %v, want exactly item %d", sel, exp[0])
	}
	return nil
}

func reverse(msgs []tea.Msg) { slices.Reverse(msgs) }

func shuffle(seed uint64) func([]tea.Msg) {
	return func(msgs []tea.Msg) {
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
	}
}

func TestRaceResultsOutOfOrder(t *testing.T) {
	values, _ := raceData()
	for _, pattern := range racePatterns(values) {
		t.Run(pattern+"/reverse", func(t *testing.T) {
			if err := raceOutOfOrder(t, false, pattern, reverse); err != nil {
				t.Fatal(err)
			}
		})
		for seed := range uint64(2) {
			t.Run(fmt.Sprint(pattern, "/shuffle", seed), func(t *testing.T) {
				if err := raceOutOfOrder(t, false, pattern, shuffle(seed)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestRaceCmdsRunInReverse executes the keystrokes' Cmds after all the
// typing, last first: the superseded searches notice it and stop, their
// (empty) answers are dropped, and the current search's result is applied.
func TestRaceCmdsRunInReverse(t *testing.T) {
	values, _ := raceData()
	for _, pattern := range racePatterns(values) {
		m, cmds := typeAll(newRaceList(false), pattern)
		slices.Reverse(cmds)
		for _, c := range cmds {
			m, _ = settle(t, m, c)
		}
		if err := checkShows(m, values, pattern); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRaceTestsCatchMissingSeqCheck proves that the tests above would catch
// the bubbles/list bug: with the stale-result check switched off they fail.
func TestRaceTestsCatchMissingSeqCheck(t *testing.T) {
	values, _ := raceData()
	for _, pattern := range racePatterns(values) {
		if err := raceOutOfOrder(t, true, pattern, reverse); err == nil {
			t.Fatalf("%q: without seq tags the reverse-order race test still passed", pattern)
		} else {
			t.Logf("%q: without seq tags, as expected: %v", pattern, err)
		}
		if err := raceOutOfOrder(t, true, pattern, shuffle(0)); err == nil {
			t.Fatalf("%q: without seq tags the shuffle0 race test still passed", pattern)
		}
	}
}

// host is the smallest program around a list; it records what the tests
// wait on. Its snapshot holds plain values computed in Update, so that the
// test goroutine never reads the live Model.
type host struct {
	list Model
	snap *atomic.Pointer[snapshot]
	sel  []SelectedMsg
}

type snapshot struct {
	pattern string
	pending bool
	rows    []int
	sel     []SelectedMsg
}

func (h host) Init() tea.Cmd { return nil }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.list.SetSize(msg.Width, msg.Height)
	case SelectedMsg:
		h.sel = append(slices.Clip(h.sel), msg)
	default:
		h.list, cmd = h.list.Update(msg)
	}
	s := &snapshot{pattern: h.list.FilterValue(), pending: h.list.Pending(), sel: slices.Clone(h.sel)}
	if !s.pending {
		s.rows = shownIndexes(h.list)
	}
	h.snap.Store(s)
	return h, cmd
}

func (h host) View() tea.View { return tea.NewView(h.list.View()) }

// waitSnap polls the probe until cond holds (tui-conventions §4: wait on
// model state, not on output bytes).
func waitSnap(t *testing.T, p *atomic.Pointer[snapshot], cond func(*snapshot) bool) *snapshot {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if s := p.Load(); s != nil && cond(s) {
			return s
		}
		time.Sleep(2 * time.Millisecond)
	}
	s := p.Load()
	t.Fatalf("timed out; last snapshot: pattern %q pending %v rows %d", s.pattern, s.pending, len(s.rows))
	return nil
}

// TestRaceThroughProgram types the 12-character filter and enter into a
// real tea.Program (teatest), one KeyPressMsg per rune with no delay, with
// and without debounce, and checks the settled rows and the selection
// against fuzzy.Find over all 100,000 values.
func TestRaceThroughProgram(t *testing.T) {
	values, its := raceData()
	for _, tc := range []struct {
		pattern  string
		debounce time.Duration
	}{
		{racePatterns(values)[0], 0},
		{racePatterns(values)[1], 0},
		{racePatterns(values)[1], DefaultDebounce},
	} {
		pattern, debounce := tc.pattern, tc.debounce
		exp := want(values, pattern)
		t.Run(fmt.Sprint(pattern, "/debounce=", debounce), func(t *testing.T) {
			l := New(WithDebounce(debounce))
			l.SetItems(its)
			l.Focus()
			snap := new(atomic.Pointer[snapshot])
			tm := teatest.NewTestModel(t, host{list: l, snap: snap}, teatest.WithInitialTermSize(80, 24))
			for _, r := range pattern {
				tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
			s := waitSnap(t, snap, func(s *snapshot) bool {
				return s.pattern == pattern && !s.pending && len(s.sel) > 0
			})
			if !slices.Equal(s.rows, exp) {
				t.Fatalf("rows %v, fuzzy.Find(%q) = %v", head(s.rows), pattern, head(exp))
			}
			if len(s.sel) != 1 || s.sel[0].Index != exp[0] {
				t.Fatalf("selected %+v, want item %d", s.sel, exp[0])
			}
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(host)
			if err := checkShows(final.list, values, pattern); err != nil {
				t.Fatal(err)
			}
			if len(final.sel) != 1 {
				t.Fatalf("%d selections", len(final.sel))
			}
		})
	}
}

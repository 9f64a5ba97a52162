package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

func TestTooSmallScreenAndBack(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	update(t, m, tea.WindowSizeMsg{Width: 50, Height: 12})
	wantScreen(t, m, "Terminal too small: need 80x24, have 50x12.")
	// Keys other than quit do nothing while nothing can be seen.
	press(t, m, "enter")
	update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	wantScreen(t, m, "Distribute Software Tokens")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("a key acted while the screen was too small: top %T", m.Top())
	}
	update(t, m, tea.WindowSizeMsg{Width: 79, Height: 24})
	wantScreen(t, m, "have 79x24")
	update(t, m, tea.WindowSizeMsg{Width: 80, Height: 23})
	wantScreen(t, m, "have 80x23")
}

func TestQuitAsksWhileAJobRuns(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobRunning, Done: 10, Total: 100})
	press(t, m, "q")
	wantScreen(t, m, "1 job(s) not finished (#4)")
	press(t, m, "esc")
	if m.ConfirmingQuit() {
		t.Fatal("esc did not close the question")
	}
	update(t, m, nav.JobEventMsg{Seq: 4, Name: "Night batch", State: model.JobCompleted, Done: 100, Total: 100})
	wantScreen(t, m, `OK: Job #4 "Night batch" completed: 100 token files written.`)
	_, cmd := m.Update(keyPress("q"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q did not quit once the job ended")
	}
}

func TestHelpToggles(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	press(t, m, "?")
	wantScreen(t, m, "Keys: Home")
	wantScreen(t, m, "ctrl+c")
	press(t, m, "?")
	wantScreen(t, m, "Pick a workflow")
}

func TestFatalErrorState(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	press(t, m, "1", "enter")
	update(t, m, nav.FatalMsg{Err: errors.New("store read failed: disk I/O error")})
	wantScreen(t, m, "ERROR: the console cannot go on")
	wantScreen(t, m, "disk I/O error")
	press(t, m, "esc")
	if m.Fatal() != nil {
		t.Fatal("esc did not leave the error state")
	}
	if ok := m.Top().IsHome(); !ok || len(m.Stack()) != 1 {
		t.Fatalf("after the error: %T, %d screens", m.Top(), len(m.Stack()))
	}
}

func TestEnvironmentRules(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, v := range []string{"1", "true", "yes", "x"} {
		if !kit.NoColor(env("NO_COLOR", v)) {
			t.Errorf("NO_COLOR=%s not honoured", v)
		}
	}
	if kit.NoColor(env()) {
		t.Error("no NO_COLOR read as set")
	}
	for _, tc := range []struct {
		env  []string
		want bool
	}{
		{[]string{"LANG", "en_US.UTF-8"}, true},
		{[]string{"LANG", "C.utf8"}, true},
		{[]string{"LANG", "C"}, false},
		{nil, false},
		{[]string{"LC_ALL", "C", "LANG", "en_US.UTF-8"}, false},
		{[]string{"LC_CTYPE", "de_DE.UTF-8", "LANG", "C"}, true},
	} {
		if got := kit.UnicodeLocale(env(tc.env...)); got != tc.want {
			t.Errorf("UnicodeLocale(%v) = %v", tc.env, got)
		}
	}
	// ASCII glyphs and plain styles: the markers are text.
	th := kit.NewTheme(false, false)
	if th.G.Cursor != "> " || th.G.StepNow != "[>]" || th.G.BarFull != '#' || th.G.Crumb != " > " {
		t.Fatalf("ASCII glyphs %+v", th.G)
	}
	opts := testOptions()
	opts.Theme = th
	m := New(newFakeBackend(), opts)
	run(t, m, m.Init())
	update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, r := range screenText(m) {
		if r > 127 {
			t.Fatalf("non-ASCII %q on an ASCII terminal:\n%s", r, screenText(m))
		}
	}
}

func TestPreflightRefusesWithoutTerminal(t *testing.T) {
	err := Preflight(nil, nil, "xterm")
	if !errors.Is(err, ErrNoTerminal) || !strings.Contains(err.Error(), "ssh -t") {
		t.Fatalf("no tty: %v", err)
	}
}

// TestLongStatusTakesTwoLines: a status wider than the screen is shown on
// two lines (the body gives one up) instead of being cut, and the frame
// still has exactly the terminal's height.
func TestLongStatusTakesTwoLines(t *testing.T) {
	m := newTestModel(t, newFakeBackend(), 80, 24)
	long := "Demo inventory loaded: 4 profiles, 200 users, 500 tokens (400 assigned, 30 distributed before)."
	update(t, m, nav.StatusMsg{Level: nav.StatusOK, Text: long})
	lines := strings.Split(screenText(m), "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines, want 24", len(lines))
	}
	got := strings.TrimSpace(lines[21]) + " " + strings.TrimSpace(lines[22])
	if got != "OK: "+long {
		t.Fatalf("status lines:\n%s\n%s", lines[21], lines[22])
	}
	// A short one keeps one line.
	update(t, m, nav.StatusMsg{Level: nav.StatusOK, Text: "Saved."})
	lines = strings.Split(screenText(m), "\n")
	if len(lines) != 24 || strings.TrimSpace(lines[22]) != "OK: Saved." {
		t.Fatalf("short status: %q", lines[21:23])
	}
}

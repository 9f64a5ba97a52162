package main

import (
	"slices"
	"testing"
)

// TestLedgerAllowsExactlyWhatTheCommandsMayHaveDone: a command that exited
// 0 fixes the value, a refused one changes nothing, a killed one may or
// may not have landed; the store must hold one of the values left.
func TestLedgerAllowsExactlyWhatTheCommandsMayHaveDone(t *testing.T) {
	l := newLedger()
	l.init("assign/1", "")
	steps := []struct {
		value string
		o     outcome
		want  []string
	}{
		{"alice", done, []string{"alice"}},
		{"", refused, []string{"alice"}},     // e.g. the token was in a job
		{"", unknown, []string{"", "alice"}}, // killed: maybe unassigned
		{"bob", unknown, []string{"", "alice", "bob"}},
		{"", done, []string{""}}, // exit 0 settles it
		{"carol", refused, []string{""}},
	}
	for i, s := range steps {
		l.record("assign/1", s.value, "", s.o)
		if got := l.possible("assign/1"); !slices.Equal(got, s.want) {
			t.Fatalf("step %d (%q %s): possible %q, want %q", i, s.value, s.o, got, s.want)
		}
	}

	// An item first seen in a command starts absent; compare names the
	// items whose stored value the ledger does not allow.
	l.record("import/token/7", "present", "absent", unknown)
	l.record("import/token/8", "present", "absent", done)
	l.record("import/token/9", "present", "absent", refused)
	bad := l.compare("import/", map[string]string{"import/token/8": "present", "import/token/9": "present"}, "absent")
	if len(bad) != 1 || bad[0] != `import/token/9 is "present" in the store; the ledger allows ["absent"]` {
		t.Fatalf("compare: %q", bad)
	}
	if bad := l.compare("import/", map[string]string{}, "absent"); len(bad) != 1 || bad[0] != `import/token/8 is "absent" in the store; the ledger allows ["present"]` {
		t.Fatalf("compare, a lost import: %q", bad)
	}
}

// TestJobLedgerAllowedStates: a job that was never surely submitted may be
// missing; a queued or running job, or a failed one, is never allowed at
// the end.
func TestJobLedgerAllowedStates(t *testing.T) {
	cases := []struct {
		j    jobEntry
		want []string
	}{
		{jobEntry{submit: refused}, []string{"(none)"}},
		{jobEntry{submit: unknown}, []string{"(none)", "completed"}},
		{jobEntry{submit: done}, []string{"completed"}},
		{jobEntry{submit: done, cancel: "canceled"}, []string{"canceled"}},
		{jobEntry{submit: done, cancel: "completed"}, []string{"completed"}},
		{jobEntry{submit: done, cancel: "either"}, []string{"canceled", "completed"}},
	}
	for _, c := range cases {
		if got := keys(c.j.allowed()); !slices.Equal(got, c.want) {
			t.Errorf("%+v: allowed %q, want %q", c.j, got, c.want)
		}
	}
}

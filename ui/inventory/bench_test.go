package inventory

import (
	"testing"
)

func BenchmarkTokensKeystroke100k(b *testing.B) {
	t := &testing.T{}
	m := newTestModel(t, bigFake(), 120, 40)
	m.Update(keyPress("5"))
	_, cmd := m.Update(keyPress("enter"))
	run(t, m, cmd)
	s := m.Top().(*tokensScreen)
	_, cmd = m.Update(keyPress("/"))
	run(t, m, cmd)
	for _, r := range "smi" {
		_, cmd = m.Update(keyPress(string(r)))
		run(t, m, cmd)
	}
	if s.list.Pending() || s.list.FilterValue() != "smi" {
		b.Fatal("not settled on smi")
	}
	key := func(b *testing.B, from, r, want string) {
		// A fresh item generation: no cached result survives from an
		// earlier run of this sub-benchmark (-count re-runs it on the same
		// screen).
		_ = s.list.SetFilterValue("")
		_ = s.list.SetItems(s.quickItems())
		run(t, m, s.list.SetFilterValue(from))
		base := s.list
		for b.Loop() {
			s.list = base // back to from, whose cache does not know want
			_, cmd := m.Update(keyPress(r))
			run(t, m, cmd)
			_ = m.Render()
		}
		if s.list.FilterValue() != want || s.list.Pending() {
			b.Fatalf("not settled on %q", want)
		}
		b.ReportMetric(float64(s.list.Len()), "matches")
	}
	b.Run("narrow-smi-to-smit", func(b *testing.B) { key(b, "smi", "t", "smit") })
	b.Run("fresh-first-char-j", func(b *testing.B) { key(b, "", "j", "j") })
	b.Run("fresh-first-char-1", func(b *testing.B) { key(b, "", "1", "1") })
}

package filterlist

import (
	"testing"

	"github.com/sahilm/fuzzy"
)

// Run: go test -run='^$' -bench=. -benchmem ./ui/filterlist/
//
// BenchmarkKeystroke100k measures what one keystroke costs over 100,000
// token-shaped items: the search a Cmd runs (job.run), from scratch or
// narrowed from the previous result. The "cycle" cases add the Update that
// handles the key and the Update that applies the result.

var bench100k = tokenValues(100000)

func BenchmarkKeystroke100k(b *testing.B) {
	values := bench100k
	run := func(b *testing.B, pattern string, base *result) {
		job := searchJob{values: values, pattern: pattern}
		if base != nil {
			job.base = base.asc
		}
		var res *result
		for b.Loop() {
			res = job.run()
		}
		b.ReportMetric(float64(len(res.order)), "matches")
	}
	b.Run("fresh-1char-j", func(b *testing.B) { run(b, "j", nil) })
	b.Run("fresh-1char-1", func(b *testing.B) { run(b, "1", nil) }) // every serial starts with 1
	b.Run("fresh-3char-smi", func(b *testing.B) { run(b, "smi", nil) })
	b.Run("fresh-12char-serial", func(b *testing.B) { run(b, values[4242][:12], nil) })
	for _, step := range [][2]string{{"smi", "smit"}, {"jsm", "jsmi"}, {"1", "12"}} {
		base := (&searchJob{values: values, pattern: step[0]}).run()
		b.Run("narrow-"+step[0]+"-to-"+step[1], func(b *testing.B) { run(b, step[1], base) })
	}
	// For comparison: what a plain fuzzy.Find over everything costs.
	b.Run("fuzzy.Find-smit", func(b *testing.B) {
		for b.Loop() {
			fuzzy.Find("smit", values)
		}
	})
	// The whole cycle: key → Update → Cmd → Update(result).
	b.Run("cycle-narrow-smi-to-smit", func(b *testing.B) {
		m := New(WithDebounce(0))
		m.SetItems(itemsOf(values))
		m.Focus()
		m, _ = settle(b, m, m.SetFilterValue("smi"))
		for b.Loop() {
			m2, cmd := m.Update(press("t"))
			m2, _ = settle(b, m2, cmd)
			if m2.Pending() {
				b.Fatal("pending")
			}
		}
	})
}

func itemsOf(values []string) []Item {
	out := make([]Item, len(values))
	for i, v := range values {
		out[i] = str(v)
	}
	return out
}

func BenchmarkView100k(b *testing.B) {
	m := New(WithDebounce(0))
	m.SetItems(itemsOf(bench100k))
	m.SetSize(120, 40)
	b.Run("unfiltered", func(b *testing.B) {
		m, _ := m.Update(press("pgdown"))
		for b.Loop() {
			_ = m.View()
		}
	})
	b.Run("filtered-smi", func(b *testing.B) {
		m := m
		m.Focus()
		m, _ = settle(b, m, m.SetFilterValue("smi"))
		for b.Loop() {
			_ = m.View()
		}
	})
}

func BenchmarkSetItems100k(b *testing.B) {
	its := itemsOf(bench100k)
	m := New()
	for b.Loop() {
		m.SetItems(its)
	}
}

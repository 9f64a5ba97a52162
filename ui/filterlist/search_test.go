package filterlist

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sahilm/fuzzy"
)

// randomValues mixes ASCII, separators, upper case and multi-byte runes.
func randomValues(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	alphabet := []rune("abcdeABCDE-_ ./0123ü日本é")
	out := make([]string, n)
	for i := range out {
		rs := make([]rune, 1+r.IntN(24))
		for j := range rs {
			rs[j] = alphabet[r.IntN(len(alphabet))]
		}
		out[i] = string(rs)
	}
	return out
}

func matchSet(pattern string, values []string) map[int]bool {
	set := map[int]bool{}
	for _, m := range fuzzy.FindNoSort(pattern, values) {
		set[m.Index] = true
	}
	return set
}

// TestNarrowingIsMonotone checks the property narrowing relies on, on the
// fuzzy version in go.mod: whatever matches pattern+x also matches pattern.
func TestNarrowingIsMonotone(t *testing.T) {
	values := randomValues(3000, 1)
	r := rand.New(rand.NewPCG(2, 3))
	alphabet := []rune("abcdeABCDE-_ ./0123ü日本é")
	for range 200 {
		rs := make([]rune, 1+r.IntN(6))
		for j := range rs {
			rs[j] = alphabet[r.IntN(len(alphabet))]
		}
		long := string(rs)
		for k := 1; k < len(rs); k++ {
			short := string(rs[:k])
			shortSet := matchSet(short, values)
			for i := range matchSet(long, values) {
				if !shortSet[i] {
					t.Fatalf("%q matches %q but its prefix %q does not", values[i], long, short)
				}
			}
		}
	}
}

// TestSearchEqualsFind: full scans (single and multi-goroutine) and
// narrowed scans give exactly fuzzy.Find's indexes in fuzzy.Find's order.
func TestSearchEqualsFind(t *testing.T) {
	for _, n := range []int{500, 3 * parallelMin} {
		values := randomValues(n, uint64(n))
		for _, p := range []string{"a", "ab", "abc", "a-b", "日", "日本", "ü", "ÜB", "e.1", "zzz"} {
			exp := want(values, p)
			res := (&searchJob{values: values, pattern: p}).run()
			if !slices.Equal(toInts(res.order), exp) {
				t.Fatalf("n=%d %q: full scan differs from fuzzy.Find", n, p)
			}
			asc := slices.Clone(exp)
			slices.Sort(asc)
			if !slices.Equal(toInts(res.asc), asc) {
				t.Fatalf("n=%d %q: asc is not the sorted set", n, p)
			}
			// Narrow from every prefix.
			rs := []rune(p)
			for k := 1; k < len(rs); k++ {
				base := (&searchJob{values: values, pattern: string(rs[:k])}).run()
				nr := (&searchJob{values: values, pattern: p, base: base.asc}).run()
				if !slices.Equal(toInts(nr.order), exp) {
					t.Fatalf("n=%d %q narrowed from %q differs from fuzzy.Find", n, p, string(rs[:k]))
				}
			}
		}
	}
}

func toInts(s []int32) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = int(v)
	}
	return out
}

func TestSearchStops(t *testing.T) {
	values := randomValues(3*chunkSize, 5)
	if res := (&searchJob{values: values, pattern: "a", stop: func() bool { return true }}).run(); res != nil {
		t.Fatal("a stopped search must return nil")
	}
}

func TestSortByScoreWideRange(t *testing.T) {
	es := []entry{{0, 5}, {1, 1 << 20}, {2, 5}, {3, -1 << 20}, {4, 1 << 20}}
	if got := sortByScore(es); !slices.Equal(got, []int32{1, 4, 0, 2, 3}) {
		t.Fatalf("got %v", got)
	}
	if got := sortByScore(es[:3:3]); !slices.Equal(got, []int32{1, 0, 2}) {
		t.Fatalf("counting path: got %v", got)
	}
}

func TestByteToRuneIndexes(t *testing.T) {
	cases := []struct {
		s, pattern string
		runes      []int
	}{
		// fuzzy reports bytes [3 4 5] for "ric" in "Zürich": ü is 2 bytes.
		{"Zürich-job", "ric", []int{2, 3, 4}},
		{"日本-export", "本ex", []int{1, 3, 4}},
		{"Genève nightly", "ève", []int{3, 4, 5}},
		{"plain", "pn", []int{0, 4}},
	}
	for _, c := range cases {
		ms := fuzzy.Find(c.pattern, []string{c.s})
		if len(ms) != 1 {
			t.Fatalf("%q does not match %q", c.pattern, c.s)
		}
		if got := byteToRuneIndexes(c.s, ms[0].MatchedIndexes); !slices.Equal(got, c.runes) {
			t.Fatalf("%q in %q: bytes %v → runes %v, want %v", c.pattern, c.s, ms[0].MatchedIndexes, got, c.runes)
		}
		// The highlighted runes are the pattern's (case aside).
		rs := []rune(c.s)
		var hl strings.Builder
		for _, i := range c.runes {
			hl.WriteRune(rs[i])
		}
		if !strings.EqualFold(hl.String(), c.pattern) {
			t.Fatalf("highlight would show %q for pattern %q", hl.String(), c.pattern)
		}
	}
}

func TestCacheLookup(t *testing.T) {
	var cache []*result
	for _, p := range []string{"a", "ab", "abc", "x", "abcd"} {
		cache = remember(cache, &result{gen: 1, pattern: p})
	}
	if len(cache) != cacheSize {
		t.Fatalf("cache has %d entries", len(cache))
	}
	if ex, _ := lookup(cache, 1, "abc"); ex == nil || ex.pattern != "abc" {
		t.Fatal("exact hit")
	}
	if _, b := lookup(cache, 1, "abcz"); b == nil || b.pattern != "abc" {
		t.Fatal("longest prefix")
	}
	if ex, b := lookup(cache, 1, "ac"); ex != nil || b != nil {
		t.Fatal(`"ac" extends no cached pattern ("a" was evicted)`)
	}
	if ex, b := lookup(cache, 2, "abc"); ex != nil || b != nil {
		t.Fatal("results of another item generation must not be used")
	}
}

// TestPrefilter: the ASCII prefilter never hides a string fuzzy matches,
// including non-ASCII runes that fold to ASCII letters, and strings with
// a NUL (fuzzy stops matching there).
func TestPrefilter(t *testing.T) {
	values := []string{
		"ſmith", "\u212Aelvin", "KELVIN", "abc\x00def", "ABCdef", "a-b_c d.e/f",
		"smith", "Smith", "xyz", "",
	}
	for _, p := range []string{"smith", "SMITH", "kelvin", "def", "abcdef", "ABC", "a b", "-_", "zz", "s"} {
		res := (&searchJob{values: values, pattern: p}).run()
		if exp := want(values, p); !slices.Equal(toInts(res.order), exp) {
			t.Fatalf("%q: got %v, fuzzy.Find %v", p, toInts(res.order), exp)
		}
	}
	// And at random over ASCII-only values, where the prefilter decides.
	r := rand.New(rand.NewPCG(9, 9))
	alphabet := "abcdeABCDE-_ ./0123"
	values = make([]string, 5000)
	for i := range values {
		b := make([]byte, 1+r.IntN(24))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		values[i] = string(b)
	}
	for range 200 {
		b := make([]byte, 1+r.IntN(5))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		p := string(b)
		res := (&searchJob{values: values, pattern: p}).run()
		if exp := want(values, p); !slices.Equal(toInts(res.order), exp) {
			t.Fatalf("%q: prefiltered search differs from fuzzy.Find", p)
		}
	}
}

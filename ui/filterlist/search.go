package filterlist

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// result is the outcome of one completed search: the rows to show for
// pattern, best match first, plus the same set in ascending item order,
// which is what a later, longer pattern narrows from. A result is never
// modified after it is built, so Cmd goroutines may read it freely.
type result struct {
	gen     uint64  // items generation the result was computed against
	pattern string  // never empty (the empty pattern shows all items)
	order   []int32 // item indexes, in fuzzy.Find order (score desc, stable)
	asc     []int32 // the same indexes, ascending
}

// searchJob is everything a search needs, captured by value when the Cmd is
// built so that the goroutine running it never touches the Model.
type searchJob struct {
	values  []string // FilterValue of every item; immutable
	base    []int32  // ascending candidate subset; nil = all values
	pattern string
	gen     uint64
	// stop reports whether the job has been superseded. It is polled between
	// chunks so that a stale search gives its CPU back early. Nil: never.
	stop func() bool
}

const (
	// chunkSize is how many candidates are scanned between two stop checks.
	chunkSize = 1024
	// parallelMin is the candidate count above which the scan is split
	// across GOMAXPROCS goroutines.
	parallelMin = 16384
)

// entry is a match reduced to what we keep: the item index and its score.
type entry struct {
	idx   int32
	score int32
}

// subset is a fuzzy.Source over values restricted to idx.
type subset struct {
	values []string
	idx    []int32
}

func (s subset) String(i int) string { return s.values[s.idx[i]] }
func (s subset) Len() int            { return len(s.idx) }

// candidates returns the number of strings the job scans.
func (j *searchJob) candidates() int {
	if j.base != nil {
		return len(j.base)
	}
	return len(j.values)
}

// run performs the search. It returns nil if the job was stopped.
//
// The result is, by construction, identical to fuzzy.Find(pattern, values)
// (same set, same order): the scan returns matches in ascending item order
// (fuzzy.FindNoSort semantics, chunks concatenated in order) and they are then
// sorted by descending score with a stable sort, exactly what fuzzy.Find does
// with sort.Stable. When base is set it must contain every item that can
// match pattern; see the package documentation for why a previous result for
// a prefix of pattern satisfies that.
func (j *searchJob) run() *result {
	n := j.candidates()
	workers := 1
	if n >= parallelMin {
		workers = min(runtime.GOMAXPROCS(0), n/(parallelMin/2))
	}
	parts := make([][]entry, workers)
	stopped := make([]bool, workers)
	if workers == 1 {
		parts[0], stopped[0] = j.scan(0, n)
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := w*n/workers, (w+1)*n/workers
			wg.Go(func() { parts[w], stopped[w] = j.scan(lo, hi) })
		}
		wg.Wait()
	}
	if slices.Contains(stopped, true) {
		return nil
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	all := parts[0]
	if workers > 1 {
		all = make([]entry, 0, total)
		for _, p := range parts {
			all = append(all, p...)
		}
	}
	res := &result{gen: j.gen, pattern: j.pattern, asc: make([]int32, total)}
	for i, e := range all {
		res.asc[i] = e.idx
	}
	res.order = sortByScore(all)
	return res
}

// scan matches candidates [lo, hi) and returns the matches in ascending item
// order; stopped is true if the job was superseded half way.
func (j *searchJob) scan(lo, hi int) (out []entry, stopped bool) {
	lp := asciiLower(j.pattern)
	var maybe []int32 // candidates that pass the prefilter, reused per chunk
	if lp != nil {
		maybe = make([]int32, 0, min(chunkSize, hi-lo))
	}
	for c := lo; c < hi; c += chunkSize {
		if j.stop != nil && j.stop() {
			return nil, true
		}
		e := min(c+chunkSize, hi)
		var ms fuzzy.Matches
		if lp != nil {
			maybe = maybe[:0]
			for i := c; i < e; i++ {
				idx := int32(i)
				if j.base != nil {
					idx = j.base[i]
				}
				if mayMatch(j.values[idx], lp) {
					maybe = append(maybe, idx)
				}
			}
			ms = fuzzy.FindFromNoSort(j.pattern, subset{j.values, maybe})
			for _, m := range ms {
				out = append(out, entry{maybe[m.Index], int32(m.Score)})
			}
		} else if j.base == nil {
			ms = fuzzy.FindNoSort(j.pattern, j.values[c:e])
			for _, m := range ms {
				out = append(out, entry{int32(c + m.Index), int32(m.Score)})
			}
		} else {
			ms = fuzzy.FindFromNoSort(j.pattern, subset{j.values, j.base[c:e]})
			for _, m := range ms {
				out = append(out, entry{j.base[c+m.Index], int32(m.Score)})
			}
		}
	}
	return out, false
}

// asciiLower returns pattern with ASCII letters lower-cased, or nil if the
// pattern is not all ASCII (then there is no prefilter).
func asciiLower(pattern string) []byte {
	lp := []byte(pattern)
	for i, c := range lp {
		if c >= utf8.RuneSelf {
			return nil
		}
		if 'A' <= c && c <= 'Z' {
			lp[i] = c + 'a' - 'A'
		}
	}
	return lp
}

// mayMatch is a cheap prefilter in front of fuzzy: it returns false only if
// the ASCII pattern lp (lower-cased) is not a case-insensitive subsequence
// of s, in which case fuzzy cannot match s either (fuzzy matches exactly
// the strings that contain the pattern as a subsequence under
// unicode.SimpleFold equivalence, greedily, up to the first NUL). It gives
// up (true) at the first non-ASCII byte, because non-ASCII runes can fold to
// ASCII letters (U+212A KELVIN SIGN ~ k, U+017F LONG S ~ s). It only saves
// time: every string it lets through is decided, and scored, by fuzzy.
func mayMatch(s string, lp []byte) bool {
	k := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == lp[k] {
			k++
			if k == len(lp) {
				return true
			}
		}
	}
	return false
}

// sortByScore returns the indexes of es ordered by descending score, ties
// kept in their current (ascending item) order: the order of fuzzy.Find.
// Scores span a small range, so a stable counting sort (O(n)) is used; a
// comparison sort is the fallback for exotic ranges.
func sortByScore(es []entry) []int32 {
	order := make([]int32, len(es))
	if len(es) == 0 {
		return order
	}
	lo, hi := es[0].score, es[0].score
	for _, e := range es {
		lo, hi = min(lo, e.score), max(hi, e.score)
	}
	if span := int(hi) - int(lo) + 1; span <= 1<<16 {
		// Bucket k holds score hi-k, so that bucket 0 is the best score.
		start := make([]int32, span+1)
		for _, e := range es {
			start[hi-e.score+1]++
		}
		for k := 1; k <= span; k++ {
			start[k] += start[k-1]
		}
		for _, e := range es {
			b := hi - e.score
			order[start[b]] = e.idx
			start[b]++
		}
		return order
	}
	sorted := slices.Clone(es)
	slices.SortStableFunc(sorted, func(a, b entry) int { return cmp.Compare(b.score, a.score) })
	for i, e := range sorted {
		order[i] = e.idx
	}
	return order
}

// cacheSize is how many completed results a Model remembers. Each holds
// two []int32 of its match count (at most 800 KB for 100,000 items).
const cacheSize = 4

// lookup finds, among cached results of generation gen, the one for pattern
// exactly (exact != nil), or else the one for the longest proper prefix of
// pattern (base != nil), the narrowest safe candidate set.
func lookup(cache []*result, gen uint64, pattern string) (exact, base *result) {
	for _, r := range cache {
		if r.gen != gen {
			continue
		}
		if r.pattern == pattern {
			return r, nil
		}
		if strings.HasPrefix(pattern, r.pattern) && (base == nil || len(r.pattern) > len(base.pattern)) {
			base = r
		}
	}
	return nil, base
}

// remember returns a new cache (the old slice is not modified, so Model
// copies do not share mutations) with r in front.
func remember(cache []*result, r *result) []*result {
	out := make([]*result, 0, cacheSize)
	out = append(out, r)
	for _, c := range cache {
		if len(out) == cacheSize {
			break
		}
		if c.gen == r.gen && c.pattern != r.pattern {
			out = append(out, c)
		}
	}
	return out
}

// byteToRuneIndexes converts ascending byte offsets into s (fuzzy's
// MatchedIndexes) to rune indexes (what highlighting counts in).
func byteToRuneIndexes(s string, offsets []int) []int {
	if len(offsets) == 0 {
		return nil
	}
	out := make([]int, 0, len(offsets))
	k, r := 0, 0
	for b := range s { // b walks rune start offsets, r counts runes
		for k < len(offsets) && offsets[k] < b {
			k++ // not a rune start (cannot happen with fuzzy); skip it
		}
		if k == len(offsets) {
			break
		}
		if offsets[k] == b {
			out = append(out, r)
			k++
		}
		r++
	}
	return out
}

// matchedRunes returns the rune indexes of s that pattern matches, as
// fuzzy.Find would report them (converted from bytes), or nil.
func matchedRunes(pattern, s string) []int {
	if pattern == "" {
		return nil
	}
	ms := fuzzy.FindNoSort(pattern, []string{s})
	if len(ms) == 0 {
		return nil
	}
	return byteToRuneIndexes(s, ms[0].MatchedIndexes)
}

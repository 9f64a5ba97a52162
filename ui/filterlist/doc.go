// Package filterlist is the console's fuzzy-filtered list: a filter line, a
// page of rows and a status line, built for 100,000 items (tokens, users,
// profiles, audit records). Every list in the console uses it instead of
// bubbles/list, whose pitfalls (tui-conventions §2.4) do not occur here:
// filter results are tagged (#1), the paginator is O(1) Arabic text (#2),
// there is no quit binding at all (#3), highlighting counts runes (#11),
// and every glyph has an ASCII fallback (#12).
//
// # Use
//
//	l := filterlist.New(filterlist.WithRender(renderToken), filterlist.WithASCII(!utf8))
//	cmd := l.SetItems(items)           // FilterValue is read once, here
//	l.SetSize(w, h)                    // filter line + h-2 rows + status line
//	l, cmd = l.Update(msg)             // forward keys, pastes and every unknown msg
//	case filterlist.SelectedMsg:       // enter on a row (check ListID)
//
// A parent must forward messages it does not know to the list, since the
// list's own debounce and result messages travel through the program;
// ListID(msg) tells which list one belongs to, so a root with a screen stack
// can route it even when that screen is not on top (or call Refilter when
// the screen comes back). A new filter result puts the cursor on its first
// (best) row. The parent should give esc to the list while Filtering() is true and not treat
// printable keys as shortcuts while FilterFocused() is true. Keys: ↑/↓
// (k/j when the filter is not focused), pgup/pgdown, home/end, "/" focuses
// the filter, esc leaves and clears it, enter selects. ctrl+v is disabled
// (it would exec xclip on the server); a terminal paste (tea.PasteMsg) is
// inserted into the filter.
//
// # Why every result carries a sequence number
//
// A search over 100,000 strings takes tens of milliseconds, so it runs in a
// tea.Cmd, off the Update goroutine. Cmds run concurrently and finish in any
// order: when "a", "ab", "abc" are typed at paste speed, the search for "a"
// (the most matches, the slowest) typically finishes last. bubbles/list
// applies whatever arrives, so it ends up showing the result of a prefix
// and enter picks from it. Here every change of the pattern or of the items
// bumps Model.seq; the debounce tick and the result message carry the seq
// they were started for, and Update drops any whose seq is not the current
// one. The rows therefore only ever change to the result of the pattern
// that is in the filter line now. While that result is outstanding,
// Pending() is true, the status line says "filtering…", and an enter is
// queued and performed when the current result is applied: it never selects
// from an older result. A running search also polls a shared copy of seq
// between 1,024-item chunks and gives up once superseded; that only saves
// CPU, correctness comes from the check in Update.
//
// Searches are debounced (40 ms by default, WithDebounce): a keystroke
// schedules a tea.Tick carrying its seq, and only the tick that is still
// current when it fires starts a search. Lists of up to 2,000 candidates
// (WithSyncLimit) are filtered directly in Update, which costs less than a
// frame.
//
// # Why narrowing is safe
//
// sahilm/fuzzy matches a pattern as a case-insensitive subsequence, and its
// matcher is monotone under extension. It walks the string once and fixes
// the pattern's runes left to right, each before it looks for the next; the
// last rune only has to occur somewhere after the one before it. So the run
// for "ab" is the run for "abc" until "a" is fixed, and a string that
// matches "abc" has a "b" after that point, which is all "ab" needs. Hence
// matches("abc") ⊆ matches("ab"), and the search for a pattern only needs
// to scan the items that matched the longest cached prefix of it
// (TestNarrowingIsMonotone checks this on random data, so a change in the
// fuzzy library would be caught). The cache holds the last few completed
// results of the current item set (SetItems empties it) keyed by exact
// pattern, so backspace either hits an exact entry or narrows from a
// shorter prefix; a longer, narrower result is never used for a shorter
// pattern.
//
// Results equal fuzzy.Find(pattern, all values) exactly, order included:
// the scan visits candidates in ascending item order (as FindNoSort does,
// also when split across cores), and the matches are then ordered by
// descending score with a stable counting sort, which is what fuzzy.Find's
// sort.Stable produces. Scores depend only on the pattern and the string, so
// they are the same whether or not the scan was narrowed.
//
// # Why rune indexes
//
// fuzzy's MatchedIndexes are BYTE offsets into the string ("ric" in
// "Zürich" is [3 4 5], since "ü" takes two bytes), while highlighting walks
// runes (lipgloss.StyleRunes, our Highlight). Passing byte offsets shifts
// the highlight on every non-ASCII value. The list converts offsets to rune
// indexes before calling the RenderFunc, and only for the rows on screen.
//
// # Cost
//
// An ASCII pattern first goes through a byte-level subsequence check that
// rejects the strings fuzzy could not match (most of them, for a selective
// pattern) at a fraction of fuzzy's cost; every string it lets through is
// matched and scored by fuzzy itself, and non-ASCII strings always are.
// Above 16,384 candidates the scan is split across GOMAXPROCS goroutines.
// SetItems reads every FilterValue once into a []string that the searches
// share without copying. A result keeps two []int32 (score order and item
// order) instead of fuzzy.Match values; the matched positions of the
// visible rows are recomputed in View by matching the pattern against
// those few strings. View renders only the page on screen and its status
// line is O(1).
package filterlist

package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// outcome is what a worker may believe about a command it ran.
type outcome int

const (
	// done: the command exited 0, so it did what it says.
	done outcome = iota
	// refused: the command exited 1 (bad input, a rule such as "in an
	// unfinished job"); swtoken's rule is that it then changed nothing.
	refused
	// unknown: the command was SIGKILLed (or gave up waiting for the
	// store, exit 3): it may or may not have done it.
	unknown
)

func (o outcome) String() string {
	return [...]string{"done", "refused", "unknown"}[o]
}

// ledger is one worker's exact account of what its commands did: for each
// item it changes (a token's assignment, a profile field, whether a serial
// was imported), the set of values the item may hold now. A command that
// exited 0 fixes the value; a refused one leaves the set as it was; a
// killed one adds its value to the set (it may or may not have landed).
// The store must hold one of the values, always: a value outside the set
// is a lost (or phantom) update.
type ledger struct {
	mu    sync.Mutex
	items map[string]map[string]bool
	// last is the value of each item's last command that was done or
	// unknown: what the worker guesses is there, to choose its next move.
	last map[string]string
}

func newLedger() *ledger {
	return &ledger{items: map[string]map[string]bool{}, last: map[string]string{}}
}

// init records an item's known value (before the run).
func (l *ledger) init(item, value string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items[item] = map[string]bool{value: true}
	l.last[item] = value
}

// record applies a command that set item to value with outcome o. An item
// never seen has the value absent until then.
func (l *ledger) record(item, value, absent string, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.items[item]
	if !ok {
		p = map[string]bool{absent: true}
		l.items[item] = p
		l.last[item] = absent
	}
	switch o {
	case done:
		clear(p)
		p[value] = true
		l.last[item] = value
	case unknown:
		p[value] = true
		l.last[item] = value
	}
}

// guess is the value the worker believes item has (see last).
func (l *ledger) guess(item string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last[item]
}

// allows reports whether item may hold value.
func (l *ledger) allows(item, value string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.items[item][value]
}

// possible lists the values item may hold, sorted, for messages.
func (l *ledger) possible(item string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for v := range l.items[item] {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// itemsWithPrefix lists the items whose name starts with prefix, sorted.
func (l *ledger) itemsWithPrefix(prefix string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k := range l.items {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// compare checks the store's values (item -> value; a missing item holds
// absent) against every ledger item with prefix, and returns one line per
// item the store holds a value the ledger does not allow. Store items that
// the ledger does not know are the caller's to check.
func (l *ledger) compare(prefix string, store map[string]string, absent string) []string {
	var bad []string
	for _, item := range l.itemsWithPrefix(prefix) {
		got, ok := store[item]
		if !ok {
			got = absent
		}
		if !l.allows(item, got) {
			bad = append(bad, fmt.Sprintf("%s is %q in the store; the ledger allows %q", item, got, l.possible(item)))
		}
	}
	return bad
}

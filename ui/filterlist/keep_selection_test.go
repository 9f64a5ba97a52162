package filterlist

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// sameStr matches items by their value: a reload builds new Items for the
// same records.
func sameStr(a, b Item) bool { return a.(str) == b.(str) }

func selectedValue(m Model) string {
	it, _, ok := m.Selected()
	if !ok {
		return ""
	}
	return string(it.(str))
}

// TestSetItemsKeepKeepsTheItem: a reload with an item added before the
// selected one keeps the cursor on that item, with and without a filter,
// whether the filter runs in Update or in a Cmd; SetItems keeps the row.
func TestSetItemsKeepKeepsTheItem(t *testing.T) {
	more := append([]string{"avocado", "bilberry"}, fruit...)
	for _, sync := range []int{DefaultSyncLimit, 0} {
		for _, pattern := range []string{"", "rr"} {
			m := newList(t, fruit, WithSyncLimit(sync))
			m = typ(t, m, pattern)
			m.Blur()
			for range 3 {
				m, _ = m.Update(press("down"))
			}
			was := selectedValue(m)
			// Plain SetItems keeps the row (or, filtered, goes to the
			// best row), not the item: the case this test tells apart.
			plain := m
			cmd := plain.SetItems(items(more...))
			plain, _ = settle(t, plain, cmd)
			if selectedValue(plain) == was {
				t.Fatalf("sync %d, filter %q: SetItems kept the item too", sync, pattern)
			}
			cmd = m.SetItemsKeep(items(more...), sameStr)
			m, _ = settle(t, m, cmd)
			if err := checkShows(m, more, pattern); err != nil {
				t.Fatalf("sync %d, filter %q: %v", sync, pattern, err)
			}
			if got := selectedValue(m); got != was {
				t.Fatalf("sync %d, filter %q: selected %q after the reload, want %q", sync, pattern, got, was)
			}
			if m.FilterFocused() {
				t.Fatalf("sync %d, filter %q: the reload focused the filter", sync, pattern)
			}
		}
	}
}

// TestSetItemsKeepItemGone: when the selected item is gone, the cursor
// stays at its row.
func TestSetItemsKeepItemGone(t *testing.T) {
	m := newList(t, fruit)
	m.Blur()
	for range 5 {
		m, _ = m.Update(press("down"))
	}
	gone := selectedValue(m)
	var rest []string
	for _, f := range fruit {
		if f != gone {
			rest = append(rest, f)
		}
	}
	cmd := m.SetItemsKeep(items(rest...), sameStr)
	m, _ = settle(t, m, cmd)
	if m.Cursor() != 5 {
		t.Fatalf("cursor %d, want 5 (the row of the item that is gone)", m.Cursor())
	}
}

// TestSetItemsKeepYieldsToTyping: a key typed into the filter while the
// reload's result is outstanding wins: its result starts at its best row.
func TestSetItemsKeepYieldsToTyping(t *testing.T) {
	m := newList(t, fruit, WithSyncLimit(0))
	m = typ(t, m, "e")
	for range 4 {
		m, _ = m.Update(press("down"))
	}
	reload := m.SetItemsKeep(items(fruit...), sameStr)
	var typed tea.Cmd
	m, typed = m.Update(press("r"))
	m, _ = settle(t, m, tea.Batch(reload, typed))
	if err := checkShows(m, fruit, "er"); err != nil {
		t.Fatal(err)
	}
	if m.Cursor() != 0 {
		t.Fatalf("cursor %d after typing, want 0 (the best row)", m.Cursor())
	}
}

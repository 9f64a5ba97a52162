package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// pageSize is the first page of a token list, as the console and
// `tokens list` show it.
const pageSize = 50

var errPageFull = errors.New("page full")

// firstPage returns the first pageSize tokens in serial order, stopping the
// walk early.
func firstPage(s *Store) ([]model.Token, error) {
	page := make([]model.Token, 0, pageSize)
	err := s.EachToken(func(t model.Token) error {
		page = append(page, t)
		if len(page) == pageSize {
			return errPageFull
		}
		return nil
	})
	if errors.Is(err, errPageFull) {
		err = nil
	}
	return page, err
}

// bigStoreDir makes a closed store with n users and n tokens (every token
// assigned to its user), as LoadBulk writes it.
func bigStoreDir(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.LoadBulk(bulkInventory(b, s, n), "demo load", "bench"); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkOpenFirstPage100k: open a store holding 100,000 tokens and
// 100,000 users, answer the first page of the token list (50 tokens in
// serial order) and close it, as a console start or `tokens list` does.
// ReadWrite is the console's open (holder file, lock); ReadOnly is the
// list commands' shared-lock open.
func BenchmarkOpenFirstPage100k(b *testing.B) {
	dir := bigStoreDir(b, 100_000)
	for _, mode := range []struct {
		name     string
		readOnly bool
	}{{"ReadWrite", false}, {"ReadOnly", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := Open(Options{DataDir: dir, ReadOnly: mode.readOnly})
				if err != nil {
					b.Fatal(err)
				}
				page, err := firstPage(s)
				if err != nil || len(page) != pageSize || page[0].Serial != "100000000000" {
					b.Fatalf("%d tokens, %v", len(page), err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFirstPage100k is the query alone, on an open store.
func BenchmarkFirstPage100k(b *testing.B) {
	s, err := Open(Options{DataDir: bigStoreDir(b, 100_000), ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if page, err := firstPage(s); err != nil || len(page) != pageSize {
			b.Fatal(len(page), err)
		}
	}
}

// BenchmarkCheck100k is a full Store.Check (bbolt check, invariants with
// every seed unsealed, audit chain) of the 100,000-token store.
func BenchmarkCheck100k(b *testing.B) {
	s, err := Open(Options{DataDir: bigStoreDir(b, 100_000), ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if err := s.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFirstPage checks the benchmark's query on a small store.
func TestFirstPage(t *testing.T) {
	s, _ := newStore(t)
	if err := s.LoadBulk(bulkInventory(t, s, 120), "demo load", "test"); err != nil {
		t.Fatal(err)
	}
	page, err := firstPage(s)
	if err != nil || len(page) != pageSize || page[0].Serial != "100000000000" || page[pageSize-1].Serial != "100000000049" {
		t.Fatalf("%v %v", serials(page), err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

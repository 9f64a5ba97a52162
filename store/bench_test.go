package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// bulkInventory builds n users and n software tokens, every token assigned
// to its user, with seeds sealed by s.
func bulkInventory(tb testing.TB, s *Store, n int) Bulk {
	tb.Helper()
	b := Bulk{Users: make([]model.User, n), Tokens: make([]model.Token, n)}
	for i := range n {
		id := fmt.Sprintf("user%06d", i)
		b.Users[i] = mkUser(id)
		tok := mkToken(tb, s, fmt.Sprintf("%012d", 100000000000+i), model.KindSoftware)
		tok.Assign(id)
		b.Tokens[i] = tok
	}
	return b
}

func BenchmarkLoadBulk100k(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "data")
		s, err := Open(Options{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		inv := bulkInventory(b, s, n)
		b.StartTimer()
		if err := s.LoadBulk(inv, "demo load", "bench"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

func BenchmarkEachToken100k(b *testing.B) {
	s, err := Open(Options{DataDir: filepath.Join(b.TempDir(), "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.LoadBulk(bulkInventory(b, s, 100_000), "demo load", "bench"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		if err := s.EachToken(func(model.Token) error { n++; return nil }); err != nil || n != 100_000 {
			b.Fatal(n, err)
		}
	}
}

// TestLoadBulkLarge checks a 20k inventory end to end; the 100k figure is
// the benchmark's.
func TestLoadBulkLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s, _ := newStore(t)
	const n = 20_000
	inv := bulkInventory(t, s, n)
	start := time.Now()
	if err := s.LoadBulk(inv, "demo load", "large"); err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadBulk %d users + %d tokens: %v", n, n, time.Since(start))
	if c, _ := s.CountTokens(); c != n {
		t.Fatalf("CountTokens %d", c)
	}
	if c, _ := s.CountUsers(); c != n {
		t.Fatalf("CountUsers %d", c)
	}
	got, err := s.TokensInRange("100000000100", "100000000199")
	if err != nil || len(got) != 100 {
		t.Fatalf("range: %d %v", len(got), err)
	}
	toks, err := s.TokensByUser("user019999")
	if err != nil || len(toks) != 1 || toks[0].Serial != "100000019999" {
		t.Fatalf("by user: %v %v", serials(toks), err)
	}
	verifyOK(t, s)
}

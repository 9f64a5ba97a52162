package store

import (
	"fmt"
	"maps"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestTokenCountsByUser walks assign/unassign steps over users holding 0 to
// 3 tokens and checks the counts after each step, and that they agree with
// TokensByUser and UserTokenCount for every user. "al" is a prefix of
// "alice" and "alice2": the index's NUL separator keeps their runs apart.
func TestTokenCountsByUser(t *testing.T) {
	s, _ := newStore(t)
	users := []string{"al", "alice", "alice2", "bob", "carol", "émile"}
	var toks []model.Token
	for i := 1; i <= 8; i++ {
		toks = append(toks, mkToken(t, s, fmt.Sprintf("%012d", i), model.KindSoftware))
	}
	toks = append(toks, mkToken(t, s, "77", model.KindHardware)) // hardware counts too
	seedStore(t, s, users, toks)

	steps := []struct {
		name string
		op   func() error
		want map[string]int
	}{
		{"empty", nil, map[string]int{}},
		{"assign one", func() error { return s.Assign("000000000001", "alice") }, map[string]int{"alice": 1}},
		{"alice holds three", func() error {
			if err := s.Assign("000000000002", "alice"); err != nil {
				return err
			}
			return s.Assign("77", "alice")
		}, map[string]int{"alice": 3}},
		{"prefix users", func() error {
			for _, a := range [][2]string{{"000000000003", "al"}, {"000000000004", "alice2"}, {"000000000005", "alice2"}} {
				if err := s.Assign(a[0], a[1]); err != nil {
					return err
				}
			}
			return nil
		}, map[string]int{"al": 1, "alice": 3, "alice2": 2}},
		{"last user in order", func() error { return s.Assign("000000000006", "émile") },
			map[string]int{"al": 1, "alice": 3, "alice2": 2, "émile": 1}},
		{"unassign", func() error { return s.Unassign("77") },
			map[string]int{"al": 1, "alice": 2, "alice2": 2, "émile": 1}},
		{"unassign to none", func() error { return s.Unassign("000000000003") },
			map[string]int{"alice": 2, "alice2": 2, "émile": 1}},
		{"reassign", func() error { return s.Assign("77", "bob") },
			map[string]int{"alice": 2, "alice2": 2, "bob": 1, "émile": 1}},
	}
	for _, st := range steps {
		if st.op != nil {
			if err := st.op(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got, err := s.TokenCountsByUser()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !maps.Equal(got, st.want) {
			t.Errorf("%s: counts %v, want %v", st.name, got, st.want)
		}
		for _, id := range users {
			held, err := s.TokensByUser(id)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.UserTokenCount(id)
			if err != nil {
				t.Fatal(err)
			}
			if got[id] != len(held) || got[id] != n {
				t.Errorf("%s: %s: TokenCountsByUser %d, TokensByUser %d, UserTokenCount %d", st.name, id, got[id], len(held), n)
			}
			if _, ok := got[id]; ok != (len(held) > 0) {
				t.Errorf("%s: %s holds %d tokens, present in the map: %v", st.name, id, len(held), ok)
			}
		}
	}
	verifyOK(t, s)
}

// TestTokenCountsByUserBulk checks the counts of a LoadBulk inventory
// (every user holds one token), the benchmark's shape.
func TestTokenCountsByUserBulk(t *testing.T) {
	s, _ := newStore(t)
	const n = 300
	if err := s.LoadBulk(bulkInventory(t, s, n), "demo load", "test"); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenCountsByUser()
	if err != nil || len(got) != n || got["user000000"] != 1 || got[fmt.Sprintf("user%06d", n-1)] != 1 {
		t.Fatalf("%d users, %v", len(got), err)
	}
}

// BenchmarkTokenCountsByUser100k counts every user's tokens in a store of
// 100,000 users and 100,000 tokens, all assigned (the Users list's and
// `users list`'s query).
func BenchmarkTokenCountsByUser100k(b *testing.B) {
	s, err := Open(Options{DataDir: bigStoreDir(b, 100_000), ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if m, err := s.TokenCountsByUser(); err != nil || len(m) != 100_000 {
			b.Fatal(len(m), err)
		}
	}
}

package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

func TestUsers(t *testing.T) {
	s, _ := newStore(t)
	ids := []string{"zoe", "Alice", "alice", "bob", "émile"}
	seedStore(t, s, ids, nil)
	u, err := s.User("alice")
	if err != nil || u != mkUser("alice") {
		t.Fatalf("User(alice) = %+v %v", u, err)
	}
	_, err = s.User("ALICE")
	wantNotFound(t, err)
	_, err = s.User("Bob")
	wantErr(t, err, `did you mean "bob"`)
	var got []string
	if err := s.EachUser(func(u model.User) error { got = append(got, u.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("EachUser order %q, want %q", got, want)
	}
	if n, _ := s.CountUsers(); n != len(ids) {
		t.Errorf("CountUsers = %d", n)
	}
	err = s.Update(func(tx *Tx) error { return tx.PutUser(model.User{ID: " x"}) })
	wantErr(t, err, "space")
	err = s.Update(func(tx *Tx) error { return tx.PutUser(model.User{ID: "x", Email: "nope"}) })
	wantErr(t, err, "E-mail")
}

func TestAssignUnassign(t *testing.T) {
	s, _ := newStore(t)
	var toks []model.Token
	for i := 1; i <= 5; i++ {
		toks = append(toks, mkToken(t, s, fmt.Sprintf("%012d", i), model.KindSoftware))
	}
	hw := mkToken(t, s, "77", model.KindHardware)
	toks = append(toks, hw)
	seedStore(t, s, []string{"alice", "bob"}, toks)

	steps := []struct {
		op, serial, user string
		want             string // error substring, "" for success
		audit            string // expected audit action on success
	}{
		{"assign", "000000000001", "alice", "", "assign"},
		{"assign", "77", "alice", "", "assign"}, // hardware counts too
		{"assign", "000000000002", "alice", "", "assign"},
		{"assign", "000000000003", "alice", "alice already holds 3 tokens, the most a user may hold", ""},
		{"assign", "000000000001", "bob", "already assigned to alice", ""},
		{"assign", "000000000001", "alice", "already assigned to alice", ""},
		{"assign", "000000000009", "bob", "token 000000000009: not found", ""},
		{"assign", "000000000003", "carol", `user "carol": not found`, ""},
		{"assign", "000000000003", "", "User ID", ""},
		{"unassign", "000000000003", "", "token 000000000003 is not assigned to any user", ""},
		{"unassign", "000000000009", "", "not found", ""},
		{"unassign", "77", "", "", "unassign"},
		{"assign", "000000000003", "alice", "", "assign"},
	}
	for i, st := range steps {
		mark := auditMark(t, s)
		var err error
		if st.op == "assign" {
			err = s.Assign(st.serial, st.user)
		} else {
			err = s.Unassign(st.serial)
		}
		if st.want != "" {
			if err == nil || !strings.Contains(err.Error(), st.want) {
				t.Fatalf("step %d %s %s %s: got %v, want %q", i, st.op, st.serial, st.user, err, st.want)
			}
			wantAudit(t, s, mark)
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		recs := wantAudit(t, s, mark, st.audit+"|token "+st.serial)
		if len(recs) == 1 && !strings.Contains(recs[0].Details, "user ") {
			t.Errorf("audit details %q do not name the user", recs[0].Details)
		}
		tok, _ := s.Token(st.serial)
		if assigned := st.op == "assign"; tok.Enabled != assigned {
			t.Errorf("step %d: enabled = %v after %s", i, tok.Enabled, st.op)
		}
	}
	alice, _ := s.TokensByUser("alice")
	if !slices.Equal(serials(alice), []string{"000000000001", "000000000002", "000000000003"}) {
		t.Errorf("alice holds %v", serials(alice))
	}
	if n, _ := s.UserTokenCount("alice"); n != 3 {
		t.Errorf("UserTokenCount = %d", n)
	}

	// An admin's explicit choice survives assignment changes.
	tok, _ := s.Token("000000000004")
	tok.SetEnabled(true)
	if err := s.Update(func(tx *Tx) error {
		if err := tx.PutToken(tok); err != nil {
			return err
		}
		return tx.AppendAudit("token enable", "token "+tok.Serial, "")
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign("000000000004", "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unassign("000000000004"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.Token("000000000004"); !tok.Enabled {
		t.Error("admin-enabled token was disabled by unassign")
	}
}

func TestAutoAssign(t *testing.T) {
	build := func(t *testing.T) *Store {
		s, _ := newStore(t)
		now := time.Now().UTC()
		var toks []model.Token
		for _, sn := range []string{"000000000050", "000000000010", "000000000030", "000000000020", "000000000040", "000000000060", "000000000070"} {
			toks = append(toks, mkToken(t, s, sn, model.KindSoftware))
		}
		toks = append(toks, mkToken(t, s, "5", model.KindHardware)) // not software: never auto-assigned
		toks[2].Death = now.AddDate(0, 0, -1)                       // 030 expired
		toks[2].Birth = now.AddDate(-1, 0, 0)
		toks[5].SetEnabled(false) // 060 disabled on purpose
		seedStore(t, s, []string{"dave", "carol", "bob", "alice", "erin"}, toks)
		if err := s.Assign("000000000050", "bob"); err != nil { // bob holds one: skipped
			t.Fatal(err)
		}
		return s
	}
	want := []Pair{{"000000000010", "alice"}, {"000000000020", "carol"}, {"000000000040", "dave"}, {"000000000070", "erin"}}
	var first []Pair
	for run := 0; run < 2; run++ { // determinism: same inventory, same pairs
		s := build(t)
		mark := auditMark(t, s)
		pairs, err := s.AutoAssign()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pairs, want) {
			t.Fatalf("pairs %v, want %v", pairs, want)
		}
		if run == 0 {
			first = pairs
		} else if !slices.Equal(first, pairs) {
			t.Fatal("AutoAssign is not deterministic")
		}
		var wantRecs []string
		for _, p := range want {
			wantRecs = append(wantRecs, "auto-assign|token "+p.Serial)
			tok, _ := s.Token(p.Serial)
			if tok.AssignedUser != p.UserID || !tok.Enabled {
				t.Errorf("%s: user %q enabled %v", p.Serial, tok.AssignedUser, tok.Enabled)
			}
		}
		wantAudit(t, s, mark, wantRecs...)

		// Nothing left to pair: nothing written.
		mark = auditMark(t, s)
		pairs, err = s.AutoAssign()
		if err != nil || len(pairs) != 0 {
			t.Fatalf("second AutoAssign: %v %v", pairs, err)
		}
		wantAudit(t, s, mark)
	}
}

func TestAutoAssignMoreUsersThanTokens(t *testing.T) {
	s, _ := newStore(t)
	seedStore(t, s, []string{"u1", "u2", "u3"}, []model.Token{mkToken(t, s, "000000000001", model.KindSoftware)})
	pairs, err := s.AutoAssign()
	if err != nil || !slices.Equal(pairs, []Pair{{"000000000001", "u1"}}) {
		t.Fatalf("%v %v", pairs, err)
	}
	if _, err := s.User("u2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokensByUser("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

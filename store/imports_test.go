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

func TestImportTokens(t *testing.T) {
	type want struct {
		imported, updated, skipped int
		rejected                   []string // items
		refused                    bool
		audit                      bool
	}
	// The store holds 000000000001 (assigned to alice, distributed once)
	// and hardware 77 before each case.
	setup := func(t *testing.T) *Store {
		s, _ := newStore(t)
		seedStore(t, s, []string{"alice"}, []model.Token{
			mkToken(t, s, "000000000001", model.KindSoftware), mkToken(t, s, "77", model.KindHardware)})
		if err := s.Assign("000000000001", "alice"); err != nil {
			t.Fatal(err)
		}
		return s
	}
	replacement := func(s *Store) model.Token {
		tok := mkToken(t, s, "000000000001", model.KindSoftware)
		tok.Algorithm = model.AlgSID64
		tok.Death = day(2031, 6, 30)
		tok.AssignedUser = "" // an import never carries over or drops an assignment on replace
		return tok
	}
	invalid := func(s *Store) model.Token {
		tok := mkToken(t, s, "000000000009", model.KindSoftware)
		tok.Algorithm = "DES"
		return tok
	}
	foreignSeed := func(s *Store) model.Token {
		tok := mkToken(t, s, "000000000008", model.KindSoftware)
		tok.SealedSeed = mkToken(t, s, "000000000002", model.KindSoftware).SealedSeed
		return tok
	}
	mk := func(s *Store, sn string) model.Token {
		kind := model.KindSoftware
		if len(sn) < 12 {
			kind = model.KindHardware
		}
		return mkToken(t, s, sn, kind)
	}
	cases := []struct {
		name  string
		items func(s *Store) []model.Token
		opts  ImportOptions
		want  want
	}{
		{"all new", func(s *Store) []model.Token { return []model.Token{mk(s, "000000000002"), mk(s, "000000000003")} },
			ImportOptions{}, want{imported: 2, audit: true}},
		{"duplicate skipped", func(s *Store) []model.Token { return []model.Token{mk(s, "000000000002"), replacement(s)} },
			ImportOptions{}, want{imported: 1, skipped: 1, audit: true}},
		{"duplicate overwritten", func(s *Store) []model.Token { return []model.Token{mk(s, "000000000002"), replacement(s)} },
			ImportOptions{Overwrite: true}, want{imported: 1, updated: 1, audit: true}},
		{"only duplicates: nothing changes", func(s *Store) []model.Token { return []model.Token{replacement(s)} },
			ImportOptions{}, want{skipped: 1}},
		{"rejections refuse all", func(s *Store) []model.Token {
			return []model.Token{mk(s, "000000000002"), invalid(s), mk(s, "000000000002"), foreignSeed(s), mk(s, "077")}
		}, ImportOptions{}, want{rejected: []string{"000000000009", "000000000002", "000000000008", "077"}, refused: true}},
		{"partial imports the rest", func(s *Store) []model.Token {
			return []model.Token{mk(s, "000000000002"), invalid(s), mk(s, "000000000002"), foreignSeed(s), mk(s, "077"), replacement(s)}
		}, ImportOptions{Partial: true}, want{imported: 1, skipped: 1, rejected: []string{"000000000009", "000000000002", "000000000008", "077"}, audit: true}},
		{"blank serial named by position", func(s *Store) []model.Token {
			tok := mk(s, "000000000002")
			tok.Serial = ""
			return []model.Token{mk(s, "000000000003"), tok}
		}, ImportOptions{Partial: true}, want{imported: 1, rejected: []string{"item 2"}, audit: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := setup(t)
			before, _ := s.CountTokens()
			mark := auditMark(t, s)
			items := c.items(s)
			res, err := s.ImportTokens(items, "batch.xml", c.opts)
			var refused *ImportRejectedError
			if c.want.refused {
				if !errors.As(err, &refused) || refused.Rejected != len(c.want.rejected) || refused.Total != len(items) {
					t.Fatalf("want *ImportRejectedError, got %v", err)
				}
				wantErr(t, err, fmt.Sprintf("%d of %d item(s) rejected", len(c.want.rejected), len(items)))
			} else if err != nil {
				t.Fatal(err)
			}
			var items2 []string
			for _, r := range res.Rejected {
				items2 = append(items2, r.Item)
				if r.Reason == "" {
					t.Errorf("rejection of %s has no reason", r.Item)
				}
			}
			if res.Imported != c.want.imported || res.Updated != c.want.updated || res.Skipped != c.want.skipped || !slices.Equal(items2, c.want.rejected) {
				t.Errorf("result %+v, want %+v", res, c.want)
			}
			after, _ := s.CountTokens()
			if after != before+c.want.imported {
				t.Errorf("token count %d -> %d", before, after)
			}
			if c.want.audit {
				recs := wantAudit(t, s, mark, "import tokens|batch.xml")
				w := fmt.Sprintf("imported %d, updated %d, skipped %d, rejected %d of %d", res.Imported, res.Updated, res.Skipped, len(res.Rejected), len(items))
				if !strings.Contains(recs[0].Details, w) {
					t.Errorf("details %q, want %q", recs[0].Details, w)
				}
			} else {
				wantAudit(t, s, mark)
			}
			tok, _ := s.Token("000000000001")
			if c.want.updated == 1 {
				if tok.Algorithm != model.AlgSID64 || !tok.Death.Equal(day(2031, 6, 30)) || tok.AssignedUser != "alice" || !tok.Enabled {
					t.Errorf("overwritten token %+v", tok)
				}
				seed, err := s.UnsealSeed(tok)
				if err != nil || string(seed) != string(testSeed("000000000001")) {
					t.Errorf("overwritten seed: %v", err)
				}
			} else if tok.Algorithm != model.AlgAES128 {
				t.Errorf("token changed without overwrite: %+v", tok)
			}
			noSeedInAudit(t, s, testSeed("000000000001"), testSeed("000000000002"), testSeed("000000000003"))
		})
	}
}

func TestImportTokensReasons(t *testing.T) {
	s, _ := newStore(t)
	seedStore(t, s, []string{"alice"}, []model.Token{mkToken(t, s, "123", model.KindHardware)})
	assigned := mkToken(t, s, "000000000005", model.KindSoftware)
	assigned.AssignedUser = "ghost"
	res, err := s.ImportTokens([]model.Token{
		mkToken(t, s, "0123", model.KindHardware),
		mkToken(t, s, "000000000004", model.KindSoftware),
		mkToken(t, s, "4", model.KindHardware),
		assigned,
	}, "f.xml", ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{
		{"0123", "serial 0123 is the same number as stored token 123"},
		{"4", "serial 4 is the same number as serial 000000000004 earlier in this import (item 2)"},
		{"000000000005", `user "ghost": not found`},
	}
	if !slices.Equal(res.Rejected, want) {
		t.Errorf("rejections:\n got  %q\n want %q", res.Rejected, want)
	}
}

func TestImportUsers(t *testing.T) {
	cases := []struct {
		name                       string
		opts                       ImportOptions
		imported, updated, skipped int
		rejected                   []string
		refused                    bool
	}{
		{"plain", ImportOptions{}, 0, 0, 0, []string{"bad@", "item 5", "carol"}, true},
		{"partial", ImportOptions{Partial: true}, 1, 0, 2, []string{"bad@", "item 5", "carol"}, false},
		{"update partial", ImportOptions{Partial: true, Overwrite: true}, 1, 1, 1, []string{"bad@", "item 5", "carol"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			seedStore(t, s, []string{"alice", "bob"}, []model.Token{mkToken(t, s, "000000000001", model.KindSoftware)})
			if err := s.Assign("000000000001", "alice"); err != nil {
				t.Fatal(err)
			}
			renamed := mkUser("alice")
			renamed.LastName = "Married"
			in := []model.User{
				renamed,                               // exists, changed
				mkUser("bob"),                         // exists, unchanged
				mkUser("carol"),                       // new
				{ID: "bad@", Email: "not an address"}, // invalid
				{ID: ""},                              // invalid, named by position
				mkUser("carol"),                       // duplicate in the import
			}
			mark := auditMark(t, s)
			res, err := s.ImportUsers(in, "people.csv", c.opts)
			var refused *ImportRejectedError
			if c.refused != errors.As(err, &refused) {
				t.Fatalf("refused: %v", err)
			}
			var items []string
			for _, r := range res.Rejected {
				items = append(items, r.Item)
			}
			if res.Imported != c.imported || res.Updated != c.updated || res.Skipped != c.skipped || !slices.Equal(items, c.rejected) {
				t.Errorf("result %+v", res)
			}
			if c.refused {
				wantAudit(t, s, mark)
				if _, err := s.User("carol"); !errors.Is(err, ErrNotFound) {
					t.Error("refused import wrote carol")
				}
				return
			}
			wantAudit(t, s, mark, "import users|people.csv")
			a, _ := s.User("alice")
			if c.opts.Overwrite != (a.LastName == "Married") {
				t.Errorf("alice = %+v", a)
			}
			if toks, _ := s.TokensByUser("alice"); len(toks) != 1 {
				t.Error("an update touched alice's assignment")
			}
		})
	}
}

func TestLoadBulk(t *testing.T) {
	s, _ := newStore(t)
	if empty, _ := s.IsEmpty(); !empty {
		t.Fatal("new store not empty")
	}
	p := fileProfile("Staff")
	set := settingsOffering(p)
	var toks []model.Token
	for i := 5; i >= 1; i-- {
		tok := mkToken(t, s, fmt.Sprintf("%012d", i), model.KindSoftware)
		if i <= 2 {
			tok.Assign("u1")
			tok.Distribution = model.Distribution{Count: 1, LastJob: "Demo", LastAt: time.Now().UTC()}
		}
		toks = append(toks, tok)
	}
	b := Bulk{
		Profiles: []model.Profile{p},
		Users:    []model.User{mkUser("u2"), mkUser("u1")},
		Tokens:   toks,
		Settings: &set,
		Jobs:     []model.Job{mkJob("Demo", "Staff")},
	}
	// Bad bulks are refused whole, naming the record.
	tooMany := b
	tooMany.Tokens = slices.Clone(toks)
	for i := range tooMany.Tokens {
		if i >= 1 {
			tooMany.Tokens[i].Assign("u1")
		}
	}
	dup := b
	dup.Users = append(slices.Clone(b.Users), mkUser("u1"))
	ghost := b
	ghost.Tokens = slices.Clone(toks)
	ghost.Tokens[4].Assign("ghost")
	for _, c := range []struct {
		b    Bulk
		want string
	}{
		{tooMany, "u1 already holds 3 tokens"},
		{dup, `user "u1" appears more than once`},
		{ghost, `user "ghost": not found`},
	} {
		err := s.LoadBulk(c.b, "demo load", "x")
		wantErr(t, err, c.want)
		if empty, _ := s.IsEmpty(); !empty {
			t.Fatal("a refused bulk load wrote something")
		}
	}

	mark := auditMark(t, s)
	if err := s.LoadBulk(b, "demo load", "5 tokens, 2 users"); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, s, mark, "demo load|inventory")
	if n, _ := s.CountTokens(); n != 5 {
		t.Errorf("tokens %d", n)
	}
	u1, _ := s.TokensByUser("u1")
	if !slices.Equal(serials(u1), []string{"000000000001", "000000000002"}) {
		t.Errorf("u1 holds %v", serials(u1))
	}
	if j, err := s.JobByName("demo"); err != nil || j.BatchID != model.BatchID(1) {
		t.Errorf("job %+v %v", j, err)
	}
	if got, _ := s.Settings(); got.Entry("Staff") == nil {
		t.Error("settings not loaded")
	}
	if empty, _ := s.IsEmpty(); empty {
		t.Error("IsEmpty after load")
	}
	err := s.LoadBulk(Bulk{Users: []model.User{mkUser("u9")}}, "demo load", "")
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second load: %v", err)
	}
	wantErr(t, err, "holds tokens, users, profiles, jobs")
	noSeedInAudit(t, s, testSeed("000000000001"))
}

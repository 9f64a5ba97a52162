package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

func TestSealSeedBindsSerial(t *testing.T) {
	s, _ := newStore(t)
	seed := testSeed("000000000001")
	sealed, err := s.SealSeed("000000000001", seed)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, seed) {
		t.Fatal("clear seed visible in sealed value")
	}
	tok := model.Token{Serial: "000000000001", SealedSeed: sealed}
	got, err := s.UnsealSeed(tok)
	if err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("unseal: %q %v", got, err)
	}
	// The same sealed bytes moved to another serial are useless.
	moved := model.Token{Serial: "000000000002", SealedSeed: sealed}
	if _, err := s.UnsealSeed(moved); !errors.Is(err, ErrUnseal) {
		t.Fatalf("moved seed: want ErrUnseal, got %v", err)
	}
	// And the store refuses to keep it.
	bad := mkToken(t, s, "000000000002", model.KindSoftware)
	bad.SealedSeed = sealed
	mark := auditMark(t, s)
	err = s.Update(func(tx *Tx) error { return tx.PutToken(bad) })
	wantErr(t, err, "not sealed for this serial")
	wantAudit(t, s, mark)

	for _, c := range []struct {
		serial string
		seed   []byte
		want   string
	}{
		{"000000000001", make([]byte, 8), "8 bytes, want exactly 16"},
		{"000000000001", make([]byte, 17), "17 bytes"},
		{"12a", make([]byte, 16), "digits only"},
	} {
		_, err := s.SealSeed(c.serial, c.seed)
		wantErr(t, err, c.want)
	}
}

func TestPutTokenChecks(t *testing.T) {
	s, _ := newStore(t)
	seedStore(t, s, []string{"alice"}, nil)
	base := mkToken(t, s, "000000000123", model.KindSoftware)
	if err := s.Update(func(tx *Tx) error { return tx.PutToken(base) }); err != nil {
		t.Fatal(err)
	}
	hw := mkToken(t, s, "123", model.KindHardware)
	clearSeed := mkToken(t, s, "000000000777", model.KindSoftware)
	clearSeed.SealedSeed = testSeed("000000000777")
	noSeed := mkToken(t, s, "000000000778", model.KindSoftware)
	noSeed.SealedSeed = nil
	short := mkToken(t, s, "12345678901", model.KindSoftware)
	badKind := mkToken(t, s, "000000000779", "tablet")
	unknownUser := mkToken(t, s, "000000000780", model.KindSoftware)
	unknownUser.AssignedUser = "bob"
	wrongCase := mkToken(t, s, "000000000781", model.KindSoftware)
	wrongCase.AssignedUser = "Alice"
	noDeath := mkToken(t, s, "000000000782", model.KindSoftware)
	noDeath.Death = time.Time{}

	cases := []struct {
		name string
		tok  model.Token
		want string
	}{
		{"same number, other spelling", hw, "token 000000000123 already has the same number"},
		{"clear seed", clearSeed, "not sealed"},
		{"no seed", noSeed, "seed is missing"},
		{"software with 11 digits", short, "exactly 12"},
		{"unknown kind", badKind, "not a token kind"},
		{"unknown user", unknownUser, `user "bob": not found`},
		{"user ID case", wrongCase, `did you mean "alice"`},
		{"no death date", noDeath, "expiry date is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := s.CountTokens()
			err := s.Update(func(tx *Tx) error { return tx.PutToken(c.tok) })
			wantErr(t, err, c.want)
			if after, _ := s.CountTokens(); after != before {
				t.Errorf("token count changed %d -> %d", before, after)
			}
		})
	}
}

func TestTokenRoundTripAndLookup(t *testing.T) {
	s, _ := newStore(t)
	seedStore(t, s, []string{"alice"}, nil)
	tok := mkToken(t, s, "0042", model.KindHardware)
	tok.Algorithm = model.AlgSID64
	tok.Birth = time.Date(2025, 3, 4, 23, 30, 0, 0, time.FixedZone("x", -3600)) // 2025-03-05 UTC
	tok.AssignedUser = "alice"
	tok.Enabled = true
	tok.Distribution = model.Distribution{Count: 2, LastJob: "Rollout", LastAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Binding: "dev-1", BindingKind: model.BindingDevice, Nickname: "phone"}
	if err := s.Update(func(tx *Tx) error { return tx.PutToken(tok) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Token("0042")
	if err != nil {
		t.Fatal(err)
	}
	want := tok
	want.Birth = day(2025, 3, 5)
	if !tokenEqual(got, want) {
		t.Errorf("round trip:\n got  %+v\n want %+v", got, want)
	}
	_, err = s.Token("42")
	wantNotFound(t, err)
	wantErr(t, err, "token 0042 has the same number")
	_, err = s.Token("000000000999")
	wantNotFound(t, err)
	_, err = s.Token("12x")
	wantErr(t, err, "digits only")
	if byUser, _ := s.TokensByUser("alice"); !slices.Equal(serials(byUser), []string{"0042"}) {
		t.Errorf("index: %v", serials(byUser))
	}
	// Reassigning through PutToken is refused like any assignment.
	seedStore(t, s, []string{"bob"}, nil)
	tok.AssignedUser = "bob"
	err = s.Update(func(tx *Tx) error { return tx.PutToken(tok) })
	wantErr(t, err, "already assigned to alice")
	// Unassigning moves the index entry away.
	tok.AssignedUser = ""
	if err := s.Update(func(tx *Tx) error { return tx.PutToken(tok) }); err != nil {
		t.Fatal(err)
	}
	if byUser, _ := s.TokensByUser("alice"); len(byUser) != 0 {
		t.Errorf("index after unassign: %v", serials(byUser))
	}
}

func tokenEqual(a, b model.Token) bool {
	return a.Serial == b.Serial && a.Kind == b.Kind && a.Algorithm == b.Algorithm &&
		bytes.Equal(a.SealedSeed, b.SealedSeed) && a.Birth.Equal(b.Birth) && a.Death.Equal(b.Death) &&
		a.Enabled == b.Enabled && a.EnabledSetByAdmin == b.EnabledSetByAdmin &&
		a.AssignedUser == b.AssignedUser && a.Distribution.Count == b.Distribution.Count &&
		a.Distribution.LastJob == b.Distribution.LastJob && a.Distribution.LastAt.Equal(b.Distribution.LastAt) &&
		a.Distribution.Binding == b.Distribution.Binding && a.Distribution.BindingKind == b.Distribution.BindingKind &&
		a.Distribution.Nickname == b.Distribution.Nickname
}

func TestTokensInRangeNumericOrder(t *testing.T) {
	s, _ := newStore(t)
	// Inserted in an order that is neither numeric nor textual.
	all := []string{"000123456789", "12345678", "999", "5", "123456789012", "0000100", "100000000000"}
	var toks []model.Token
	for _, sn := range all {
		kind := model.KindHardware
		if len(sn) == 12 {
			kind = model.KindSoftware
		}
		toks = append(toks, mkToken(t, s, sn, kind))
	}
	seedStore(t, s, nil, toks)
	cases := []struct {
		from, to string
		want     []string
		err      string
	}{
		{"1", "999999999999", []string{"5", "0000100", "999", "12345678", "000123456789", "100000000000", "123456789012"}, ""},
		{"100", "999", []string{"0000100", "999"}, ""},
		{"000000000100", "12345678", []string{"0000100", "999", "12345678"}, ""},
		{"12345678", "123456789012", []string{"12345678", "000123456789", "100000000000", "123456789012"}, ""},
		{"6", "99", nil, ""},
		{"5", "5", []string{"5"}, ""},
		{"999", "100", nil, "greater than"},
		{"", "100", nil, "must not be blank"},
		{"1x", "100", nil, "digits only"},
	}
	for _, c := range cases {
		t.Run(c.from+".."+c.to, func(t *testing.T) {
			got, err := s.TokensInRange(c.from, c.to)
			wantErr(t, err, c.err)
			if !slices.Equal(serials(got), c.want) {
				t.Errorf("got %v, want %v", serials(got), c.want)
			}
		})
	}
	var each []string
	if err := s.EachToken(func(tok model.Token) error { each = append(each, tok.Serial); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := cases[0].want; !slices.Equal(each, want) {
		t.Errorf("EachToken order %v, want %v", each, want)
	}
}

func TestTokenQueries(t *testing.T) {
	s, _ := newStore(t)
	now := time.Now().UTC()
	// More tokens than one EachToken chunk, to cross chunk boundaries.
	const n = 2*scanChunk + 7
	var toks []model.Token
	for i := n; i >= 1; i-- { // reverse order on input
		tok := mkToken(t, s, fmt.Sprintf("%012d", i), model.KindSoftware)
		switch i {
		case 10: // expired yesterday
			tok.Death = now.AddDate(0, 0, -1)
			tok.Birth = now.AddDate(-1, 0, 0)
		case 11: // dies today: not expired, 0 days left
			tok.Death = now
			tok.Birth = now.AddDate(-1, 0, 0)
		case 12:
			tok.Death = now.AddDate(0, 0, 30)
		case 13:
			tok.Death = now.AddDate(0, 0, 31)
		}
		toks = append(toks, tok)
	}
	seedStore(t, s, []string{"alice", "bob"}, toks)
	for _, a := range []struct{ serial, user string }{{"000000000003", "alice"}, {"000000000001", "alice"}, {"000000000700", "bob"}} {
		if err := s.Assign(a.serial, a.user); err != nil {
			t.Fatal(err)
		}
	}

	var got []string
	err := s.EachToken(func(tok model.Token) error {
		got = append(got, tok.Serial)
		// fn may use the store: it runs outside any transaction.
		if tok.Serial == "000000000512" {
			if _, err := s.Token("000000000001"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || !slices.IsSorted(got) || got[0] != "000000000001" {
		t.Fatalf("EachToken: %d tokens, sorted %v", len(got), slices.IsSorted(got))
	}
	stop := errors.New("stop")
	count := 0
	err = s.EachToken(func(model.Token) error {
		count++
		if count == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || count != 3 {
		t.Errorf("early stop: %v after %d", err, count)
	}

	if c, _ := s.CountTokens(); c != n {
		t.Errorf("CountTokens = %d", c)
	}
	alice, err := s.TokensByUser("alice")
	if err != nil || !slices.Equal(serials(alice), []string{"000000000001", "000000000003"}) {
		t.Errorf("TokensByUser(alice) = %v %v", serials(alice), err)
	}
	if none, err := s.TokensByUser("carol"); !errors.Is(err, ErrNotFound) || none != nil {
		t.Errorf("TokensByUser(carol) = %v %v", none, err)
	}
	un, _ := s.UnassignedTokens()
	if len(un) != n-3 || slices.Contains(serials(un), "000000000700") {
		t.Errorf("UnassignedTokens: %d", len(un))
	}
	for _, c := range []struct {
		days int
		want []string
		err  string
	}{
		{0, []string{"000000000011"}, ""},
		{30, []string{"000000000011", "000000000012"}, ""},
		{31, []string{"000000000011", "000000000012", "000000000013"}, ""},
		{-1, nil, "negative"},
	} {
		exp, err := s.ExpiringTokens(now, c.days)
		wantErr(t, err, c.err)
		if !slices.Equal(serials(exp), c.want) {
			t.Errorf("ExpiringTokens(%d) = %v, want %v", c.days, serials(exp), c.want)
		}
	}
}

// TestStoredValuesHaveVersionAndNoClearSeed looks at the raw bbolt values.
func TestStoredValuesHaveVersionAndNoClearSeed(t *testing.T) {
	s, dir := newStore(t)
	tok := mkToken(t, s, "000000000001", model.KindSoftware)
	seedStore(t, s, []string{"alice"}, []model.Token{tok})
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(dir+"/"+DBFileName, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTokens, bucketUsers, bucketProfiles} {
			tx.Bucket(b).ForEach(func(k, v []byte) error {
				if !bytes.HasPrefix(v, []byte(`{"v":1,`)) {
					t.Errorf("%s/%q: no version field first: %s", b, k, v)
				}
				return nil
			})
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(v, testSeed("000000000001")) {
					t.Errorf("clear seed in %s/%q", name, k)
				}
				return nil
			})
		})
	})
}

package requests

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

var testNow = time.Now().UTC().Truncate(time.Second)

const (
	fileProfile = "Staff iPhone"             // demo: file-based, iPhone class
	ctfProfile  = "iPhone quick setup (CTF)" // demo: CTF, iPhone link
	reqPW       = "Req-pw-9xQ"
)

// openStore opens a demo store in dir with tokens tokens (one demo user)
// whose settings offer the file and CTF profiles under policy.
func openStore(t testing.TB, dir string, tokens int, policy model.ApprovalPolicy) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.LoadDemo(st, 1, tokens, testNow); err != nil {
		t.Fatal(err)
	}
	set, err := st.Settings()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{fileProfile, ctfProfile} {
		p, err := st.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		set.Select(p.Profile)
		set.Entry(name).Confirm(p.Profile)
	}
	set.ApprovalPolicy = policy
	set.UserMustProvidePassword = false
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	return st
}

// addUsers imports users prefix1..prefixN with e-mail addresses.
func addUsers(t testing.TB, st *store.Store, prefix string, n int) []string {
	t.Helper()
	var us []model.User
	var ids []string
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		us = append(us, model.User{ID: id, FirstName: "Req", LastName: fmt.Sprint(i), Email: id + "@example.com"})
		ids = append(ids, id)
	}
	if _, err := st.ImportUsers(us, "users.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func request(t testing.TB, st *store.Store, user, profile, pw string) model.Request {
	t.Helper()
	r, err := st.CreateRequest(model.RequestInput{User: user, Profile: profile, Origin: model.OriginCLI,
		Nickname: "Work phone", Password: pw, PasswordConfirm: pw})
	if err != nil {
		t.Fatalf("request for %s: %v", user, err)
	}
	return r
}

// deliveredSeed decodes a delivery with the password and binding and
// returns its seed.
func deliveredSeed(d store.Delivery, pw, devid string) ([16]byte, error) {
	switch d.Kind {
	case store.DeliverySDTID:
		f, err := sdtid.ReadSingle(d.Data, pw)
		if err != nil {
			return [16]byte{}, err
		}
		return f.Tokens[0].Seed, nil
	case store.DeliveryCTF:
		tok, err := ctf.Decode(d.CTF, pw, devid)
		if err != nil {
			return [16]byte{}, err
		}
		return tok.Seed, nil
	}
	return [16]byte{}, fmt.Errorf("delivery kind %q", d.Kind)
}

// checkDelivered checks a fulfilled request: its token is assigned to its
// user, its delivery decodes with the request's password and binding, and
// the delivered seed equals the stored one.
func checkDelivered(t testing.TB, st *store.Store, r model.Request, pw string) store.Delivery {
	t.Helper()
	if r.State != model.RequestFulfilled || r.Serial == "" {
		t.Fatalf("request %s is %s (serial %q), want fulfilled", r.ID(), r.State, r.Serial)
	}
	tok, err := st.Token(r.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AssignedUser != r.User {
		t.Fatalf("request %s: token %s is assigned to %q, want %q", r.ID(), tok.Serial, tok.AssignedUser, r.User)
	}
	d, found, err := st.RequestDelivery(r.ID())
	if err != nil || !found {
		t.Fatalf("request %s: delivery found=%v: %v", r.ID(), found, err)
	}
	if d.Serial != r.Serial {
		t.Fatalf("request %s: delivery for token %s, want %s", r.ID(), d.Serial, r.Serial)
	}
	got, err := deliveredSeed(d, pw, r.Binding.Value)
	if err != nil {
		t.Fatalf("request %s: the delivery does not decode: %v", r.ID(), err)
	}
	stored, err := st.UnsealSeed(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:], stored) {
		t.Fatalf("request %s: the delivered seed differs from the stored seed of token %s", r.ID(), tok.Serial)
	}
	return d
}

func dataDir(t testing.TB) string { return filepath.Join(t.TempDir(), "data") }

func storeDecision(r model.Request) store.RequestDecision {
	return store.RequestDecision{ID: r.ID(), Revision: r.Revision}
}

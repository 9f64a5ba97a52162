package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// realBackend is the engine backend over a demo store (200 users, 500
// tokens).
func realBackend(t *testing.T) (*engineBackend, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(store.Options{DataDir: filepath.Join(dir, "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.LoadDemo(st, inventory.DefaultDemoUsers, inventory.DefaultDemoTokens, time.Now()); err != nil {
		t.Fatal(err)
	}
	return startEngine(t, st), st
}

// startEngine runs the engine over st and returns the engine backend over
// both; the test's end stops the engine and closes the backend and st.
func startEngine(t *testing.T, st *store.Store) *engineBackend {
	t.Helper()
	eng := jobs.New(st, jobs.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	eng.Start(ctx)
	be := NewEngineBackend(st, eng).(*engineBackend)
	t.Cleanup(func() {
		cancel()
		<-eng.Done()
		be.Close()
		st.Close()
	})
	return be
}

// TestEngineBackendInventory checks the list screens' backend methods
// against the real store and engine.
func TestEngineBackendInventory(t *testing.T) {
	be, _ := realBackend(t)
	toks, err := be.Tokens()
	if err != nil || len(toks) != inventory.DefaultDemoTokens {
		t.Fatalf("Tokens: %d, %v", len(toks), err)
	}
	us, err := be.Users()
	if err != nil || len(us) != inventory.DefaultDemoUsers {
		t.Fatalf("Users: %d, %v", len(us), err)
	}
	for _, tk := range toks {
		if tk.SealedSeed != nil {
			t.Fatal("Tokens returned a sealed seed")
		}
	}
	if d, err := be.ReplacementWindowDays(); err != nil || d < model.MinReplacementWindowDays {
		t.Fatalf("window %d, %v", d, err)
	}

	// Assign a free software token to a user without tokens, then unassign.
	var free, sid model.Token
	for _, tk := range toks {
		if tk.AssignedUser == "" && tk.Kind == model.KindSoftware && free.Serial == "" {
			free = tk
		}
		if tk.Algorithm == model.AlgSID64 && sid.Serial == "" {
			sid = tk
		}
	}
	// A new user from a CSV file holds no token yet.
	dir := t.TempDir()
	csv := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(csv, []byte("user_id,first_name,last_name,email\nuitest1,Ui,Test,uitest1@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := be.ImportUsersCSV(csv, store.ImportOptions{}); err != nil || res.Imported != 1 {
		t.Fatalf("users CSV: %+v, %v", res, err)
	}
	user := "uitest1"
	if free.Serial == "" || user == "" || sid.Serial == "" {
		t.Fatalf("demo lacks a free token (%q), a user without tokens (%q) or a SID-64 token (%q)", free.Serial, user, sid.Serial)
	}
	if err := be.Assign(free.Serial, user); err != nil {
		t.Fatal(err)
	}
	if _, ut, _ := be.User(user); len(ut) != 1 || ut[0].Serial != free.Serial {
		t.Fatalf("user %s holds %v after assign", user, ut)
	}
	// The Users list's counts agree with every user's tokens.
	counts, err := be.TokenCountsByUser()
	if err != nil || counts[user] != 1 {
		t.Fatalf("TokenCountsByUser: %s holds %d, %v", user, counts[user], err)
	}
	for _, u := range us {
		if _, ut, err := be.User(u.ID); err != nil || len(ut) != counts[u.ID] {
			t.Fatalf("%s: User lists %d tokens, TokenCountsByUser %d, %v", u.ID, len(ut), counts[u.ID], err)
		}
	}
	if err := be.Assign(free.Serial, user); err == nil {
		t.Fatal("assigning an assigned token was accepted")
	}
	if err := be.Unassign(free.Serial); err != nil {
		t.Fatal(err)
	}
	if tk, _ := be.Token(free.Serial); tk.AssignedUser != "" {
		t.Fatalf("still assigned to %q", tk.AssignedUser)
	}

	// Verify: SID-64 is unsupported; a wrong-length code is an error.
	if _, err := be.VerifyCode(sid.Serial, "12345678", ""); !errors.Is(err, jobs.ErrUnsupported) {
		t.Fatalf("SID-64 verify: %v", err)
	}
	if _, err := be.VerifyCode(free.Serial, "12", ""); err == nil {
		t.Fatal("a 2-digit code was checked")
	}

	// Profiles: add, edit, delete; the locked device type is refused.
	p := model.NewProfile("UI test profile", model.DeviceAndroid)
	if err := be.AddProfile(p); err != nil {
		t.Fatal(err)
	}
	loaded := func() store.ProfileRecord {
		rs, err := be.ProfileRecords()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Name == p.Name {
				return r
			}
		}
		t.Fatalf("no profile %q in %+v", p.Name, rs)
		return store.ProfileRecord{}
	}
	rec := loaded()
	q := p
	q.DeviceType = model.DeviceIPhone
	if err := be.EditProfile(rec, q); len(model.AsFieldErrors(err).For(model.FieldDeviceType)) == 0 {
		t.Fatalf("device type change: %v", err)
	}
	q = p
	q.Description = "edited"
	if err := be.EditProfile(rec, q); err != nil {
		t.Fatal(err)
	}
	// The record loaded before the edit is stale now.
	var ce *store.ConflictError
	if err := be.DeleteProfile(rec); !errors.As(err, &ce) {
		t.Fatalf("delete from a stale record: %v", err)
	}
	if err := be.DeleteProfile(loaded()); err != nil {
		t.Fatal(err)
	}

	// A missing token file is a rejection naming it.
	res, err := be.ImportTokenFiles([]string{filepath.Join(dir, "missing.sdtid")}, "", store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) || len(res.Rejected) != 1 || res.Rejected[0].Item != filepath.Join(dir, "missing.sdtid") {
		t.Fatalf("missing file: %+v, %v", res, err)
	}

	// Audit: newest first, the chain intact, the changes above recorded.
	recs, err := be.AuditRecords()
	if err != nil || len(recs) < 5 || recs[0].Seq < recs[len(recs)-1].Seq {
		t.Fatalf("audit: %d records, %v", len(recs), err)
	}
	if v, err := be.VerifyAudit(); err != nil || !v.OK() {
		t.Fatalf("verify audit: %+v, %v", v, err)
	}
}

// TestEngineBackendDemoMakesTheSigningKey: the console's demo offer leaves
// a ready installation, so the first job does not pay for the key.
func TestEngineBackendDemoMakesTheSigningKey(t *testing.T) {
	st, err := store.Open(store.Options{DataDir: filepath.Join(t.TempDir(), "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := jobs.New(st, jobs.Options{})
	be := NewEngineBackend(st, eng).(*engineBackend)
	defer be.Close()
	if _, _, err := st.SigningKey(); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a new store has a signing key (%v)", err)
	}
	if _, err := be.LoadDemo(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SigningKey(); err != nil {
		t.Fatalf("no signing key after the demo: %v", err)
	}
}

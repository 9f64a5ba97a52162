package inventory

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

var demoNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func TestGenerateDemoIsDeterministic(t *testing.T) {
	a := GenerateDemo(DefaultDemoUsers, DefaultDemoTokens, demoNow)
	b := GenerateDemo(DefaultDemoUsers, DefaultDemoTokens, demoNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two demo inventories with the same inputs differ")
	}
	// Later on the same day: the same inventory.
	c := GenerateDemo(DefaultDemoUsers, DefaultDemoTokens, demoNow.Add(3*time.Hour))
	if !reflect.DeepEqual(a, c) {
		t.Fatal("the demo inventory changes within a day")
	}
}

func TestGenerateDemoDefaults(t *testing.T) {
	b := GenerateDemo(DefaultDemoUsers, DefaultDemoTokens, demoNow)
	s := Summarize(b, demoNow)
	want := DemoSummary{Profiles: 4, Users: 200, Tokens: 500, AES128: 480, SID64: 20,
		Assigned: 400, Expiring: 25, Expired: 5, Distrib: 30, SelectedProfiles: 2, ReplacementWindowDays: 30}
	if s != want {
		t.Fatalf("summary\n%+v\nwant\n%+v", s, want)
	}

	// Profiles: three file-based on different device types with different
	// length/duration, one CTF; all valid.
	devices, shapes := map[model.DeviceType]bool{}, map[[2]int]bool{}
	fileBased, ctf := 0, 0
	for _, p := range b.Profiles {
		if err := p.Validate(); err != nil {
			t.Fatalf("profile %q: %v", p.Name, err)
		}
		switch p.DeliveryMethod {
		case model.DeliveryFile:
			fileBased++
			devices[p.DeviceType] = true
			shapes[[2]int{p.TokencodeLength, p.Duration}] = true
		case model.DeliveryCTF:
			ctf++
		}
	}
	if fileBased != 3 || len(devices) != 3 || len(shapes) != 3 || ctf != 1 {
		t.Fatalf("profiles: %d file-based on %d device types with %d shapes, %d CTF", fileBased, len(devices), len(shapes), ctf)
	}

	// Settings: valid, two selected and confirmed, one default.
	if err := b.Settings.Validate(b.Profiles); err != nil {
		t.Fatalf("settings: %v", err)
	}
	defaults := 0
	for _, e := range b.Settings.Entries {
		if e.Selected && e.Default {
			defaults++
		}
	}
	if defaults != 1 {
		t.Fatalf("%d defaults", defaults)
	}

	// Users valid and unique.
	ids := map[string]bool{}
	for _, u := range b.Users {
		if err := u.Validate(); err != nil {
			t.Fatalf("user %q: %v", u.ID, err)
		}
		if ids[u.ID] {
			t.Fatalf("user %q twice", u.ID)
		}
		ids[u.ID] = true
	}

	// Tokens valid, at most 3 per user, enabled when assigned, distributed
	// ones plausible.
	held := map[string]int{}
	serials := map[string]bool{}
	for _, tok := range b.Tokens {
		if err := tok.Validate(); err != nil {
			t.Fatalf("token %s: %v", tok.Serial, err)
		}
		if serials[tok.Serial] || tok.Kind != model.KindSoftware {
			t.Fatalf("token %s twice or not software", tok.Serial)
		}
		serials[tok.Serial] = true
		if tok.SealedSeed != nil {
			t.Fatal("GenerateDemo must not make seeds")
		}
		if tok.AssignedUser != "" {
			if !ids[tok.AssignedUser] {
				t.Fatalf("token %s assigned to unknown %q", tok.Serial, tok.AssignedUser)
			}
			held[tok.AssignedUser]++
		}
		if tok.Enabled != (tok.AssignedUser != "") {
			t.Fatalf("token %s: enabled %v, user %q", tok.Serial, tok.Enabled, tok.AssignedUser)
		}
		if d := tok.Distribution; d.Distributed() {
			switch {
			case d.Count != 1 || tok.AssignedUser == "" || tok.Expired(demoNow):
				t.Fatalf("distributed token %s: %+v", tok.Serial, tok)
			case !d.LastAt.Before(demoNow) || d.LastAt.Before(tok.Birth):
				t.Fatalf("token %s last distributed at %v (birth %v)", tok.Serial, d.LastAt, tok.Birth)
			case d.Binding == "" || d.BindingKind == model.BindingNone || d.Nickname == "" || d.LastJob == "":
				t.Fatalf("token %s distribution lacks binding, nickname or job: %+v", tok.Serial, d)
			}
			if err := model.ValidateNickname(d.Nickname); err != nil {
				t.Fatal(err)
			}
			if d.BindingKind == model.BindingDevice {
				if err := model.ValidateDeviceID(d.Binding); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for u, n := range held {
		if n > model.MaxTokensPerUser {
			t.Fatalf("%s holds %d tokens", u, n)
		}
	}
}

func TestGenerateDemoScales(t *testing.T) {
	for _, c := range []struct{ users, tokens int }{{0, 0}, {1, 10}, {10, 0}, {1000, 5000}, {50, 1000}} {
		b := GenerateDemo(c.users, c.tokens, demoNow)
		s := Summarize(b, demoNow)
		if s.Users != c.users || s.Tokens != c.tokens {
			t.Fatalf("%+v: %+v", c, s)
		}
		wantAssigned := min(scale(c.tokens, 400, 500), 3*c.users)
		if s.Assigned != wantAssigned || s.SID64 != scale(c.tokens, 20, 500) ||
			s.Expired != scale(c.tokens, 5, 500) || s.Expiring != scale(c.tokens, 25, 500) {
			t.Fatalf("%+v: %+v", c, s)
		}
		if s.Distrib > scale(c.tokens, 30, 500) {
			t.Fatalf("%+v: %d distributed", c, s.Distrib)
		}
	}
	// 50 users can hold at most 150 tokens.
	if s := Summarize(GenerateDemo(50, 1000, demoNow), demoNow); s.Assigned != 150 {
		t.Fatalf("assigned %d", s.Assigned)
	}
}

func TestLoadDemo(t *testing.T) {
	st := openStore(t)
	s, err := LoadDemo(st, DefaultDemoUsers, DefaultDemoTokens, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	if s.Tokens != 500 || s.Users != 200 {
		t.Fatalf("%+v", s)
	}
	if n, _ := st.CountTokens(); n != 500 {
		t.Fatalf("%d tokens stored", n)
	}
	if n, _ := st.CountUsers(); n != 200 {
		t.Fatalf("%d users stored", n)
	}
	ps, _ := st.Profiles()
	if len(ps) != 4 {
		t.Fatalf("%d profiles", len(ps))
	}
	set, _ := st.Settings()
	if err := set.Validate(func() []model.Profile {
		var out []model.Profile
		for _, p := range ps {
			out = append(out, p.Profile)
		}
		return out
	}()); err != nil {
		t.Fatal(err)
	}

	// Every seed is fresh, 16 bytes, sealed for its serial; SID-64 seeds
	// have 8 significant bytes.
	seen := map[string]bool{}
	err = st.EachToken(func(tok model.Token) error {
		seed, err := st.UnsealSeed(tok)
		if err != nil {
			return err
		}
		if len(seed) != 16 || seen[string(seed)] {
			t.Fatalf("token %s: seed of %d bytes, or repeated", tok.Serial, len(seed))
		}
		seen[string(seed)] = true
		if tok.Algorithm == model.AlgSID64 && !bytes.Equal(seed[8:], make([]byte, 8)) {
			t.Fatalf("SID-64 token %s has more than 8 significant seed bytes", tok.Serial)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Action: "demo load"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit: %v, %v", recs, err)
	}

	// A second load is refused, naming what the store holds.
	_, err = LoadDemo(st, 10, 10, demoNow)
	var ne *NotEmptyError
	if !errors.As(err, &ne) {
		t.Fatalf("second load: %v", err)
	}
	const want = "the store is not empty (500 tokens, 200 users, 4 profiles); the demo inventory loads only into an empty store"
	if err.Error() != want {
		t.Fatalf("message %q", err)
	}
	if n, _ := st.CountTokens(); n != 500 {
		t.Fatalf("a refused load changed the store: %d tokens", n)
	}
}

func TestLoadDemoRefusesBadSizes(t *testing.T) {
	st := openStore(t)
	for _, c := range [][2]int{{-1, 10}, {10, -1}, {MaxDemoSize + 1, 0}} {
		if _, err := LoadDemo(st, c[0], c[1], demoNow); err == nil {
			t.Fatalf("%v accepted", c)
		}
	}
	if empty, _ := st.IsEmpty(); !empty {
		t.Fatal("a refused load wrote something")
	}
}

// BenchmarkLoadDemo100k loads 100,000 users and 100,000 tokens into a fresh
// store, the size the demo must load in under a minute.
func BenchmarkLoadDemo100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st := openStore(b)
		b.StartTimer()
		if _, err := LoadDemo(st, 100_000, 100_000, demoNow); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

package inventory

import (
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Demo inventory sizes.
const (
	DefaultDemoUsers  = 200
	DefaultDemoTokens = 500
	// MaxDemoSize bounds --users and --tokens: the demo is for trying the
	// console, and a typo with extra zeros should not fill the disk.
	MaxDemoSize = 1_000_000
)

// demoSeed fixes the demo's pseudo-random choices: the same sizes and day
// give the same inventory (except the seeds, which are always fresh).
const demoSeed1, demoSeed2 = 0x5357_544f_4b45_4e31, 0x4445_4d4f_2d76_3031

// NotEmptyError refuses the demo on a store that holds anything.
type NotEmptyError struct{ Tokens, Users, Profiles int }

func (e *NotEmptyError) Error() string {
	what := fmt.Sprintf("%d tokens, %d users", e.Tokens, e.Users)
	if e.Profiles > 0 {
		what += fmt.Sprintf(", %d profiles", e.Profiles)
	}
	return "the store is not empty (" + what + "); the demo inventory loads only into an empty store"
}

// DemoSummary counts what a demo inventory holds, for the command line and
// the console to report.
type DemoSummary struct {
	Profiles, Users, Tokens              int
	AES128, SID64                        int
	Assigned, Expiring, Expired, Distrib int
	SelectedProfiles                     int
	ReplacementWindowDays                int
}

// Summarize counts b's contents as of now. Expiring means within the
// replacement window of b's settings (30 days in the demo).
func Summarize(b store.Bulk, now time.Time) DemoSummary {
	s := DemoSummary{Profiles: len(b.Profiles), Users: len(b.Users), Tokens: len(b.Tokens)}
	s.ReplacementWindowDays = model.DefaultReplacementWindowDays
	if b.Settings != nil {
		s.ReplacementWindowDays = b.Settings.ReplacementWindowDays
		for _, e := range b.Settings.Entries {
			if e.Selected {
				s.SelectedProfiles++
			}
		}
	}
	for _, t := range b.Tokens {
		if t.Algorithm == model.AlgSID64 {
			s.SID64++
		} else {
			s.AES128++
		}
		if t.AssignedUser != "" {
			s.Assigned++
		}
		if t.Expired(now) {
			s.Expired++
		} else if t.ExpiresWithin(now, s.ReplacementWindowDays) {
			s.Expiring++
		}
		if t.Distribution.Distributed() {
			s.Distrib++
		}
	}
	return s
}

// scale is n * part / whole, rounded to nearest: the default demo's counts
// (out of 500 tokens) scaled to another size.
func scale(n, part, whole int) int { return (n*part + whole/2) / whole }

// demoProfiles are the demo's software token profiles: three file-based on
// different device classes with different lengths and durations, and one
// CTF profile.
func demoProfiles() []model.Profile {
	return []model.Profile{
		{
			Name:        "Staff iPhone",
			Description: "SecurID software token for iPhone, 8-digit code every 60 seconds, PIN entered in the app.",
			DeviceType:  model.DeviceIPhone, DeliveryMethod: model.DeliveryFile,
			TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad,
		},
		{
			Name:        "Staff Android",
			Description: "SecurID software token for Android phones, 6-digit code every 30 seconds, PIN typed before the code.",
			DeviceType:  model.DeviceAndroid, DeliveryMethod: model.DeliveryFile,
			TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob,
		},
		{
			Name:        "Windows desktop",
			Description: "Token for the Windows desktop app, tokencode only, for service desks and shared kiosks.",
			DeviceType:  model.DeviceWindows, DeliveryMethod: model.DeliveryFile,
			TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly,
		},
		{
			Name:        "iPhone quick setup (CTF)",
			Description: "iPhone token delivered as a CTF link in e-mail.",
			DeviceType:  model.DeviceIPhone, DeliveryMethod: model.DeliveryCTF,
			TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad,
		},
	}
}

// demoSettings offers the iPhone and Android profiles for self-service,
// both confirmed, iPhone the default.
func demoSettings(profiles []model.Profile) model.Settings {
	s := model.DefaultSettings()
	s.UserMustProvidePassword = true
	for _, p := range profiles[:2] {
		s.Select(p)
		s.Entry(p.Name).Confirm(p)
	}
	_ = s.SetDefault(profiles[0].Name)
	ios := s.Entry(profiles[0].Name)
	ios.DisplayName = "iPhone (recommended)"
	ios.AppDownloadURL = "https://apps.example.com/securid/ios"
	ios.HelpDocURL = "https://help.example.com/tokens/iphone"
	ios.AllowUserEdit = true
	// Android has an app link but no help document: the approval e-mail
	// leaves that link out.
	s.Entry(profiles[1].Name).AppDownloadURL = "https://apps.example.com/securid/android"
	return s
}

type demoName struct{ first, last, login string }

var demoFirst = []demoName{
	{"Alice", "", "alice"}, {"Bob", "", "bob"}, {"Carmen", "", "carmen"}, {"David", "", "david"},
	{"Elena", "", "elena"}, {"Farid", "", "farid"}, {"Grace", "", "grace"}, {"Hiroshi", "", "hiroshi"},
	{"Ingrid", "", "ingrid"}, {"José", "", "jose"}, {"Kwame", "", "kwame"}, {"Lena", "", "lena"},
	{"Mohammed", "", "mohammed"}, {"Nadia", "", "nadia"}, {"Oliver", "", "oliver"}, {"Priya", "", "priya"},
	{"Quentin", "", "quentin"}, {"Rosa", "", "rosa"}, {"Søren", "", "soren"}, {"Tomasz", "", "tomasz"},
	{"Uma", "", "uma"}, {"Victor", "", "victor"}, {"Wei", "", "wei"}, {"Ximena", "", "ximena"},
	{"Yusuf", "", "yusuf"}, {"Zoë", "", "zoe"}, {"Aiko", "", "aiko"}, {"Björn", "", "bjorn"},
	{"Chloé", "", "chloe"}, {"Dmitri", "", "dmitri"}, {"Esther", "", "esther"}, {"Fatima", "", "fatima"},
}

var demoLast = []demoName{
	{"", "Smith", "smith"}, {"", "García", "garcia"}, {"", "Nguyen", "nguyen"}, {"", "Müller", "muller"},
	{"", "Okafor", "okafor"}, {"", "Kowalski", "kowalski"}, {"", "Tanaka", "tanaka"}, {"", "Johansson", "johansson"},
	{"", "Rossi", "rossi"}, {"", "Haddad", "haddad"}, {"", "Patel", "patel"}, {"", "O'Brien", "obrien"},
	{"", "Dubois", "dubois"}, {"", "Silva", "silva"}, {"", "Novak", "novak"}, {"", "Andersen", "andersen"},
	{"", "Kim", "kim"}, {"", "Fischer", "fischer"}, {"", "Ivanova", "ivanova"}, {"", "Mensah", "mensah"},
	{"", "López", "lopez"}, {"", "Chen", "chen"}, {"", "Schmidt", "schmidt"}, {"", "Byrne", "byrne"},
}

// GenerateDemo builds the demo inventory for the given sizes as of now. It
// is deterministic: the same sizes and the same day give the same
// inventory. Tokens carry no seed; LoadDemo seals a fresh random one for
// each. For the default sizes (200 users, 500 tokens) it holds 4 profiles,
// 480 AES-128 and 20 SID-64 tokens, 400 of them assigned (at most 3 per
// user), 25 expiring within 30 days, 5 expired, 30 distributed once, and
// self-service settings offering two confirmed profiles with one default.
// Other sizes scale these proportions.
func GenerateDemo(users, tokens int, now time.Time) store.Bulk {
	users, tokens = max(users, 0), max(tokens, 0)
	today := model.Date(now)
	rng := rand.New(rand.NewPCG(demoSeed1, demoSeed2^uint64(users)<<32^uint64(tokens)))

	profiles := demoProfiles()
	settings := demoSettings(profiles)
	b := store.Bulk{Profiles: profiles, Settings: &settings}

	// Users: unique logins from first initial and last name.
	b.Users = make([]model.User, users)
	taken := make(map[string]int, users)
	for i := range b.Users {
		f := demoFirst[rng.IntN(len(demoFirst))]
		l := demoLast[rng.IntN(len(demoLast))]
		last := l.last
		login := f.login[:1] + l.login
		taken[login]++
		if n := taken[login]; n > 1 {
			login = fmt.Sprintf("%s%d", login, n)
		}
		b.Users[i] = model.User{ID: login, FirstName: f.first, LastName: last, Email: login + "@example.com"}
	}

	// Tokens: AES-128 in one serial range, the legacy SID-64 batch in another.
	sid := scale(tokens, 20, 500)
	b.Tokens = make([]model.Token, tokens)
	for i := range b.Tokens {
		t := &b.Tokens[i]
		t.Kind = model.KindSoftware
		if i < tokens-sid {
			t.Serial = fmt.Sprintf("%012d", 100_000_000_001+i)
			t.Algorithm = model.AlgAES128
		} else {
			t.Serial = fmt.Sprintf("%012d", 200_000_000_001+i-(tokens-sid))
			t.Algorithm = model.AlgSID64
		}
		// Healthy tokens expire 60 days to about 5 years from now. Every
		// token's birth is five years before its death (set below).
		t.Death = today.AddDate(0, 0, 60+rng.IntN(1700))
	}

	// Expired and expiring tokens, picked at random.
	expired, expiring := scale(tokens, 5, 500), scale(tokens, 25, 500)
	perm := rng.Perm(tokens)
	for k, i := range perm[:expired+expiring] {
		if k < expired {
			b.Tokens[i].Death = today.AddDate(0, 0, -1-rng.IntN(90))
		} else {
			b.Tokens[i].Death = today.AddDate(0, 0, rng.IntN(model.DefaultReplacementWindowDays+1))
		}
	}
	for i := range b.Tokens {
		b.Tokens[i].Birth = b.Tokens[i].Death.AddDate(-5, 0, 0)
	}

	// Assignment: each user may take 1-3 tokens; shuffle those slots and
	// fill them with randomly chosen tokens.
	assigned := min(scale(tokens, 400, 500), users*model.MaxTokensPerUser)
	slots := make([]int, 0, users*2)
	capacity := make([]int, users)
	for u := range users {
		capacity[u] = 1 + rng.IntN(model.MaxTokensPerUser)
		for range capacity[u] {
			slots = append(slots, u)
		}
	}
	for u := 0; len(slots) < assigned; u = (u + 1) % users {
		if capacity[u] < model.MaxTokensPerUser {
			capacity[u]++
			slots = append(slots, u)
		}
	}
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	perm = rng.Perm(tokens)
	userOf := make([]int, tokens) // token index -> user index, for assigned tokens
	for k, i := range perm[:assigned] {
		b.Tokens[i].Assign(b.Users[slots[k]].ID)
		userOf[i] = slots[k]
	}

	// Distributed once: assigned, unexpired tokens handed out by a few
	// earlier jobs, with class binding, plus some single-device jobs.
	distributed := scale(tokens, 30, 500)
	jobs := []struct {
		at      time.Time
		profile model.Profile
	}{
		{today.AddDate(0, 0, -150).Add(9*time.Hour + 12*time.Minute + 5*time.Second), profiles[0]},
		{today.AddDate(0, 0, -61).Add(14*time.Hour + 3*time.Minute + 41*time.Second), profiles[1]},
		{today.AddDate(0, 0, -9).Add(11*time.Hour + 30*time.Minute + 17*time.Second), profiles[0]},
	}
	n := 0
	for _, i := range perm[:assigned] {
		if n == distributed {
			break
		}
		t := &b.Tokens[i]
		if t.Expired(now) || t.Algorithm != model.AlgAES128 {
			continue
		}
		j := jobs[n%len(jobs)]
		if j.at.Before(t.Birth) {
			continue // not yet issued when that job ran
		}
		d := model.Distribution{Count: 1, LastAt: j.at.UTC(), LastJob: model.SuggestedJobName(j.at.UTC())}
		user := b.Users[userOf[i]]
		d.Nickname = nickname(user.FirstName, j.profile.DeviceType)
		if n%10 == 9 {
			// A device-bound file for one user's own device.
			d.BindingKind, d.Binding = model.BindingDevice, fmt.Sprintf("%016X", rng.Uint64())
			d.LastJob = fmt.Sprintf("Replacement for %s", t.AssignedUser)
		} else {
			d.BindingKind, d.Binding = model.BindingClass, j.profile.ClassGUID()
		}
		t.Distribution = d
		n++
	}
	return b
}

// nickname is "<first name>'s <device>", cut to the model's limit.
func nickname(first string, dt model.DeviceType) string {
	n := first + "'s " + string(dt)
	if r := []rune(n); len(r) > model.MaxNicknameLen {
		n = strings.TrimSpace(string(r[:model.MaxNicknameLen]))
	}
	return n
}

// LoadDemo generates the demo inventory (GenerateDemo), gives every token a
// fresh random seed from crypto/rand, sealed at once, and loads it all in
// one transaction with one audit record. It refuses a store that holds
// anything (*NotEmptyError).
func LoadDemo(st *store.Store, users, tokens int, now time.Time) (DemoSummary, error) {
	if users < 0 || users > MaxDemoSize || tokens < 0 || tokens > MaxDemoSize {
		return DemoSummary{}, fmt.Errorf("the demo takes 0 to %d users and tokens (got %d users, %d tokens)", MaxDemoSize, users, tokens)
	}
	if err := checkEmpty(st); err != nil {
		return DemoSummary{}, err
	}
	b := GenerateDemo(users, tokens, now)
	if err := sealDemoSeeds(st, b.Tokens); err != nil {
		return DemoSummary{}, err
	}
	sum := Summarize(b, now)
	details := fmt.Sprintf("%d profiles, %d users, %d tokens (%d AES-128, %d SID-64; %d assigned, %d expiring within %d days, %d expired, %d distributed)",
		sum.Profiles, sum.Users, sum.Tokens, sum.AES128, sum.SID64, sum.Assigned, sum.Expiring, sum.ReplacementWindowDays, sum.Expired, sum.Distrib)
	if err := st.LoadBulk(b, "demo load", details); err != nil {
		return DemoSummary{}, err
	}
	return sum, nil
}

// checkEmpty returns a *NotEmptyError naming what the store holds.
func checkEmpty(st *store.Store) error {
	empty, err := st.IsEmpty()
	if err != nil || empty {
		return err
	}
	e := &NotEmptyError{}
	if e.Tokens, err = st.CountTokens(); err != nil {
		return err
	}
	if e.Users, err = st.CountUsers(); err != nil {
		return err
	}
	ps, err := st.Profiles()
	if err != nil {
		return err
	}
	e.Profiles = len(ps)
	return e
}

// sealDemoSeeds gives each token a fresh random seed and seals it. SID-64
// seeds have 8 significant bytes; the rest is zero.
func sealDemoSeeds(st *store.Store, toks []model.Token) error {
	const chunk = 4096
	buf := make([]byte, 16*chunk)
	defer clear(buf)
	for start := 0; start < len(toks); start += chunk {
		n := min(chunk, len(toks)-start)
		if _, err := crand.Read(buf[:16*n]); err != nil {
			return fmt.Errorf("random seeds: %w", err)
		}
		for k := range n {
			t := &toks[start+k]
			seed := buf[16*k : 16*k+16]
			if t.Algorithm == model.AlgSID64 {
				clear(seed[8:])
			}
			sealed, err := st.SealSeed(t.Serial, seed)
			clear(seed)
			if err != nil {
				return fmt.Errorf("seal the seed of token %s: %w", t.Serial, err)
			}
			t.SealedSeed = sealed
		}
	}
	return nil
}

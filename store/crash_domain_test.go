package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// crashKills is how many times TestCrashSafetyDomainWrites kills its writer.
const crashKills = 40

// helperDomainWriter changes the store the way the console and the CLI do,
// through the store's domain API only, in an endless loop until it is
// killed: user and token imports, assign, unassign and auto-assign,
// profile add, edit (with renames, which carry over to settings and jobs)
// and delete, settings saves and job submits. Refusals (a user who holds 3
// tokens already, a name that is taken, a profile in use) are part of the
// mix and are ignored; any other failure shows in the parent's checks.
func helperDomainWriter() int {
	s, err := Open(Options{DataDir: os.Getenv(helperDirEnv), Activity: "crash test writer"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "domain-writer: open:", err)
		return 1
	}
	pid := os.Getpid()
	rng := rand.New(rand.NewPCG(uint64(pid), uint64(time.Now().UnixNano())))
	nUsers, err1 := s.CountUsers()
	nTokens, err2 := s.CountTokens()
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "domain-writer: count:", err1, err2)
		return 1
	}
	serial := func(i int) string { return fmt.Sprintf("%012d", 500000000000+i) }
	userID := func(i int) string { return fmt.Sprintf("crash-user-%05d", i) }
	profileNames := func() []string {
		ps, err := s.Profiles()
		if err != nil {
			return nil
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Name
		}
		return out
	}
	pick := func(names []string) string { return names[rng.IntN(len(names))] }

	for i := 0; ; i++ {
		switch rng.IntN(12) {
		case 0: // import users
			if nUsers >= 400 {
				continue
			}
			us := make([]model.User, 1+rng.IntN(5))
			for k := range us {
				us[k] = mkUser(userID(nUsers + k))
			}
			if res, err := s.ImportUsers(us, "crash users.csv", ImportOptions{}); err == nil {
				nUsers += res.Imported
			}
		case 1: // import tokens, each seed sealed for its serial
			if nTokens >= 1500 {
				continue
			}
			toks := make([]model.Token, 1+rng.IntN(10))
			for k := range toks {
				sn := serial(nTokens + k)
				seed := make([]byte, SeedLen)
				for b := range seed {
					seed[b] = byte(rng.Uint32())
				}
				sealed, err := s.SealSeed(sn, seed)
				if err != nil {
					fmt.Fprintln(os.Stderr, "domain-writer: seal:", err)
					return 1
				}
				toks[k] = model.Token{Serial: sn, Kind: model.KindSoftware, Algorithm: model.AlgAES128, SealedSeed: sealed,
					Birth: day(2025, 1, 1), Death: day(2035, 12, 31)}
			}
			if res, err := s.ImportTokens(toks, "crash tokens.sdtid", ImportOptions{}); err == nil {
				nTokens += res.Imported
			}
		case 2, 3: // assign: refused for a user who holds 3 tokens or a token already assigned
			if nTokens > 0 && nUsers > 0 {
				s.Assign(serial(rng.IntN(nTokens)), userID(rng.IntN(nUsers)))
			}
		case 4: // unassign: refused for an unassigned token
			if nTokens > 0 {
				s.Unassign(serial(rng.IntN(nTokens)))
			}
		case 5:
			if rng.IntN(4) == 0 {
				s.AutoAssign()
			}
		case 6: // profile add
			if len(profileNames()) < 25 {
				s.AddProfile(fileProfile(fmt.Sprintf("Crash profile %d-%d", pid, i)))
			}
		case 7: // profile edit; sometimes a rename
			names := profileNames()
			if len(names) == 0 {
				continue
			}
			r, err := s.Profile(pick(names))
			if err != nil {
				continue
			}
			p := r.Profile
			p.Description = fmt.Sprintf("edited by %d at %d", pid, i)
			if rng.IntN(2) == 0 {
				p.Duration = 90 - p.Duration // 30 <-> 60
			}
			if rng.IntN(4) == 0 {
				p.Name = fmt.Sprintf("Renamed %d-%d", pid, i)
			}
			s.EditProfile(r, p)
		case 8: // settings save: a random selection, confirmed
			names := profileNames()
			set := model.DefaultSettings()
			for _, n := range names {
				if rng.IntN(2) == 0 {
					continue
				}
				if r, err := s.Profile(n); err == nil {
					set.Select(r.Profile)
					set.Entry(r.Name).Confirm(r.Profile)
				}
			}
			set.ReplacementWindowDays = 1 + rng.IntN(365)
			set.UserMustProvidePassword = rng.IntN(2) == 0
			if cur, err := s.Settings(); err == nil {
				set.Revision = cur.Revision // a save replaces what it read
			}
			s.SaveSettings(set)
		case 9: // job submit
			if names := profileNames(); len(names) > 0 {
				j := mkJob(fmt.Sprintf("Crash job %d-%d", pid, i), pick(names))
				s.SubmitJob(&j, "")
			}
		case 10: // profile delete: refused while settings offer it or a job names it
			if names := profileNames(); len(names) > 3 {
				if r, err := s.Profile(pick(names)); err == nil {
					s.DeleteProfile(r)
				}
			}
		case 11:
			if err := s.SetActivity(fmt.Sprintf("crash writer, step %d", i)); err != nil {
				fmt.Fprintln(os.Stderr, "domain-writer: activity:", err)
				return 1
			}
		}
	}
}

// crashTally is what the audit trail says the store should hold.
type crashTally struct {
	records                       int
	users, tokens, profiles, jobs int
	assigned                      int
	actions                       map[string]int
	lastUsers, lastTokens         int
}

var importedRe = regexp.MustCompile(`^imported (\d+),`)

// checkCrashedStore reopens the store after a kill and checks everything:
// bbolt's consistency check and the store's invariants (Store.Check, which
// includes the audit chain), and that every committed domain change has
// its audit record and vice versa (a torn transaction would break one of
// the counts). It returns the tally for the final summary.
func checkCrashedStore(t *testing.T, dir string, iter int, prev *crashTally) *crashTally {
	t.Helper()
	s, err := Open(Options{DataDir: dir, LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("kill %d: reopen: %v", iter, err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("kill %d: %v", iter, err)
	}
	res, err := s.VerifyAudit()
	if err != nil || !res.OK() {
		t.Fatalf("kill %d: audit verify %+v %v", iter, res, err)
	}

	recs, err := s.AuditRecords(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := &crashTally{records: len(recs), actions: map[string]int{}}
	for _, r := range recs {
		want.actions[r.Action]++
		switch r.Action {
		case "import users", "import tokens":
			m := importedRe.FindStringSubmatch(r.Details)
			if m == nil {
				t.Fatalf("kill %d: audit record %d: unexpected details %q", iter, r.Seq, r.Details)
			}
			n, _ := strconv.Atoi(m[1])
			if r.Action == "import users" {
				want.users += n
			} else {
				want.tokens += n
			}
		case "profile add":
			want.profiles++
		case "profile delete":
			want.profiles--
		case "job submit":
			want.jobs++
		case "assign", "auto-assign":
			want.assigned++
		case "unassign":
			want.assigned--
		}
	}
	users, _ := s.CountUsers()
	tokens, _ := s.CountTokens()
	profiles, err := s.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	assigned := 0
	if err := s.EachToken(func(tok model.Token) error {
		if tok.AssignedUser != "" {
			assigned++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"users", users, want.users}, {"tokens", tokens, want.tokens}, {"profiles", len(profiles), want.profiles},
		{"jobs", len(jobs), want.jobs}, {"assigned tokens", assigned, want.assigned},
	} {
		if c.got != c.want {
			t.Errorf("kill %d: the store holds %d %s but the audit trail accounts for %d: a transaction was torn", iter, c.got, c.what, c.want)
		}
	}
	if prev != nil && (want.records < prev.records || users < prev.lastUsers || tokens < prev.lastTokens) {
		t.Errorf("kill %d: the store went back: %d records, %d users, %d tokens after %d, %d, %d",
			iter, want.records, users, tokens, prev.records, prev.lastUsers, prev.lastTokens)
	}
	want.lastUsers, want.lastTokens = users, tokens
	return want
}

// TestCrashSafetyDomainWrites SIGKILLs a process that changes the store
// through its domain API (imports, assignments, profiles, settings, jobs)
// at random moments, crashKills times. After every kill the store must
// open, pass bbolt's consistency check and the store's own invariants
// (Store.Check: indexes agree with records, at most 3 tokens per user,
// seeds sealed, audit chain intact), and the audit trail must account for
// exactly the changes the store holds.
func TestCrashSafetyDomainWrites(t *testing.T) {
	dir := initStore(t)
	start := time.Now()
	var tally *crashTally
	progressed := 0
	for iter := 1; iter <= crashKills; iter++ {
		cmd := helperCmd(t, "domain-writer", dir, "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(15+rand.IntN(136)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || err.Error() != "signal: killed" {
			t.Fatalf("kill %d: the writer ended with %v before it was killed", iter, err)
		}
		before := 0
		if tally != nil {
			before = tally.records
		}
		tally = checkCrashedStore(t, dir, iter, tally)
		if tally.records > before {
			progressed++
		}
	}
	// The test proves something only if the writer really wrote, and
	// did every kind of change.
	for _, action := range []string{"import users", "import tokens", "assign", "unassign", "auto-assign",
		"profile add", "profile edit", "profile delete", "settings save", "job submit"} {
		if tally.actions[action] == 0 {
			t.Errorf("no %q committed in %d runs: the writer did not exercise it", action, crashKills)
		}
	}
	if progressed < crashKills/2 {
		t.Errorf("only %d of %d runs committed anything", progressed, crashKills)
	}
	t.Logf("%d kills in %v: %d audit records, %d users, %d tokens, %d assigned, actions %v",
		crashKills, time.Since(start).Round(time.Millisecond), tally.records, tally.lastUsers, tally.lastTokens, tally.assigned, tally.actions)
}

package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// The JSON forms of swtoken's list commands, as much as the checks read.
type tokenJSON struct {
	Serial       string `json:"serial"`
	AssignedUser string `json:"assigned_user"`
	Distribution struct {
		Count   int    `json:"count"`
		LastJob string `json:"last_job"`
	} `json:"distribution"`
}

type userJSON struct {
	UserID string `json:"user_id"`
}

type profileJSON struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	TokencodeLength int    `json:"tokencode_length"`
	DurationSeconds int    `json:"duration_seconds"`
	Revision        int    `json:"revision"`
}

type settingsJSON struct {
	Profiles []struct {
		Profile     string `json:"profile"`
		DisplayName string `json:"display_name"`
	} `json:"profiles"`
}

type jobJSON struct {
	Name   string     `json:"name"`
	State  string     `json:"state"`
	Reason string     `json:"reason"`
	Total  int        `json:"total"`
	Ended  *time.Time `json:"ended"`
}

type auditJSON struct {
	Seq    uint64 `json:"seq"`
	Action string `json:"action"`
	Object string `json:"object"`
}

// baseline is the store as the setup left it.
type baseline struct {
	tokens   map[string]tokenJSON
	profiles map[string]profileJSON
	auditSeq uint64
}

// read runs a read command for a check and decodes its JSON; ok is false
// when the command was killed. Outside the run (final), any failure is a
// problem.
func read[T any](d *driver, w *runner, kind string, args ...string) (v T, ok bool) {
	r := w.run(kind, args...)
	if r.killed || r.code == 3 { // exit 3 is counted, and judged at the end
		return v, false
	}
	if r.code != 0 {
		d.problem("%s: %v", kind, r)
		return v, false
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		d.problem("%s: bad JSON: %v", kind, err)
		return v, false
	}
	return v, true
}

// must runs a command outside the run (setup, final checks) that must
// succeed.
func (d *driver) must(w *runner, args ...string) result {
	r := w.run("-"+args[0], args...)
	if r.code != 0 {
		d.problem("%v", r)
	}
	return r
}

// setup makes the demo store and the pool of worker 2, and takes the
// baseline.
func (d *driver) setup() baseline {
	w := &runner{name: "setup", d: d}
	mustOK := func(args ...string) {
		if r := w.run("-setup", args...); r.code != 0 {
			d.fatalf("setup: %v", r)
		}
	}
	mustOK("demo") // 200 users, 500 tokens (480 AES-128), 4 profiles, settings
	ids := make([]string, poolUsers)
	for i := range ids {
		ids[i] = poolUser(i)
	}
	csvFile, err := d.gen.usersCSV(ids)
	if err != nil {
		d.fatalf("%v", err)
	}
	mustOK("import", "users", csvFile)
	args := []string{"import", "tokens"}
	for i := range poolTokens {
		f, err := d.gen.tokenFile(poolSerial(i), "")
		if err != nil {
			d.fatalf("%v", err)
		}
		args = append(args, f)
	}
	mustOK(args...)
	for i := range poolTokens {
		user := ""
		if i < poolUsers {
			user = poolUser(i)
			mustOK("assign", "--serial", poolSerial(i), "--user", user)
		}
		d.assign.init(itemAssign(poolSerial(i)), user)
	}

	var b baseline
	toks, _ := read[[]tokenJSON](d, w, "-setup", "tokens", "list", "--json")
	b.tokens = map[string]tokenJSON{}
	for _, t := range toks {
		b.tokens[t.Serial] = t
	}
	profs, _ := read[[]profileJSON](d, w, "-setup", "profiles", "list", "--json")
	b.profiles = map[string]profileJSON{}
	for _, p := range profs {
		b.profiles[p.Name] = p
	}
	for _, name := range []string{profileDesc, profileCode} {
		p, ok := b.profiles[name]
		if !ok {
			d.fatalf("setup: the demo has no profile %q", name)
		}
		d.profiles.init(itemProfile(name, "description"), p.Description)
		if name == profileCode {
			d.profiles.init(itemProfile(name, "code"), fmt.Sprintf("%d digits/%d s", p.TokencodeLength, p.DurationSeconds))
		}
	}
	set, _ := read[settingsJSON](d, w, "-setup", "settings", "show", "--json")
	for _, e := range set.Profiles {
		if e.Profile == settingsTarget {
			d.settings.init(itemSettingsName, e.DisplayName)
		}
	}
	recs, _ := read[[]auditJSON](d, w, "-setup", "audit", "--limit", "1", "--json")
	if len(recs) == 1 {
		b.auditSeq = recs[0].Seq
	}
	if len(d.problems) > 0 {
		d.fatalf("setup: %s", strings.Join(d.problems, "; "))
	}
	return b
}

// checkImports compares worker 1's ledger with the store: every imported
// serial and user ID is there, none that an import refused, and nothing
// the workers never imported.
func (d *driver) checkImports(w *runner, when string) {
	toks, ok := read[[]tokenJSON](d, w, "read: tokens list", "tokens", "list", "--json",
		"--from", fmt.Sprintf("%012d", importSerialBase), "--to", fmt.Sprintf("%012d", importSerialBase+99_999_999))
	if !ok {
		return
	}
	users, ok := read[[]userJSON](d, w, "read: users list", "users", "list", "--json")
	if !ok {
		return
	}
	have := map[string]string{}
	for _, t := range toks {
		have[itemImportedToken(t.Serial)] = "present"
	}
	for _, u := range users {
		if strings.HasPrefix(u.UserID, "stress-u-") {
			have[itemImportedUser(u.UserID)] = "present"
		}
	}
	d.compare(d.imports, "import/", have, "absent", when)
	if atTheEnd(when) {
		for _, kind := range []string{"token", "user"} {
			sure, maybe, landed := 0, 0, 0
			for _, item := range d.imports.itemsWithPrefix("import/" + kind + "/") {
				switch {
				case !d.imports.allows(item, "present"):
				case !d.imports.allows(item, "absent"):
					sure++
				default:
					maybe++
					if have[item] == "present" {
						landed++
					}
				}
			}
			fmt.Printf("stress: %ss imported: %d by commands that exited 0, all in the store; %d by killed commands, %d of them in the store\n",
				kind, sure, maybe, landed)
		}
	}
}

func atTheEnd(when string) bool { return when == "at the end" }

// compare reports the ledger's disagreements with the store, and items in
// the store that the ledger never saw.
func (d *driver) compare(l *ledger, prefix string, have map[string]string, absent, when string) {
	for _, p := range l.compare(prefix, have, absent) {
		d.problem("%s: %s", when, p)
	}
	for item := range have {
		if l.possible(item) == nil {
			d.problem("%s: %s is in the store, but no command made it", when, item)
		}
	}
}

// checkAssignments compares worker 2's ledger with the pool tokens.
func (d *driver) checkAssignments(w *runner, when string) {
	toks, ok := read[[]tokenJSON](d, w, "read: tokens list", "tokens", "list", "--json",
		"--from", poolSerial(0), "--to", poolSerial(poolTokens-1))
	if !ok {
		return
	}
	have := map[string]string{}
	for _, t := range toks {
		have[itemAssign(t.Serial)] = t.AssignedUser
	}
	d.compare(d.assign, "assign/", have, "(no such token)", when)
}

// checkProfiles compares worker 3's ledgers with the profiles and the
// settings.
func (d *driver) checkProfiles(w *runner, when string) {
	profs, ok := read[[]profileJSON](d, w, "read: profiles list", "profiles", "list", "--json")
	if !ok {
		return
	}
	have := map[string]string{}
	for _, p := range profs {
		switch p.Name {
		case profileDesc:
			have[itemProfile(p.Name, "description")] = p.Description
		case profileCode:
			have[itemProfile(p.Name, "description")] = p.Description
			have[itemProfile(p.Name, "code")] = fmt.Sprintf("%d digits/%d s", p.TokencodeLength, p.DurationSeconds)
		}
	}
	d.compare(d.profiles, "profile/", have, "(no such profile)", when)
	set, ok := read[settingsJSON](d, w, "read: settings show", "settings", "show", "--json")
	if !ok {
		return
	}
	have = map[string]string{}
	for _, e := range set.Profiles {
		if e.Profile == settingsTarget {
			have[itemSettingsName] = e.DisplayName
		}
	}
	d.compare(d.settings, "settings/", have, "(no such entry)", when)
}

// checkJobs compares worker 4's account with the jobs: each job is in a
// state its ledger allows (which is never queued, running or failed), and
// there is no job that no command submitted. It returns the jobs.
func (d *driver) checkJobs(w *runner, when string, final bool) map[string]jobJSON {
	list, ok := read[[]jobJSON](d, w, "read: jobs list", "jobs", "list", "--json")
	if !ok {
		return nil
	}
	byName := map[string]jobJSON{}
	for _, j := range list {
		byName[j.Name] = j
	}
	d.mu.Lock()
	entries := slices.Clone(d.jobs)
	d.mu.Unlock()
	known := map[string]bool{}
	for _, e := range entries {
		known[e.name] = true
		j := byName[e.name]
		if !e.allowed()[j.State] {
			state := j.State
			if state == "" {
				state = "not in the store"
			}
			if j.Reason != "" {
				state += " (" + j.Reason + ")"
			}
			d.problem("%s: job %s is %s; its ledger (submit %s, cancel %q) allows %v", when, e.name, state, e.submit, e.cancel, keys(e.allowed()))
		}
	}
	states := map[string]int{}
	for name, j := range byName {
		states[j.State]++
		if !known[name] && strings.HasPrefix(name, "stress-") {
			d.problem("%s: job %s (%s) is in the store, but no command submitted it", when, name, j.State)
		}
	}
	if atTheEnd(when) {
		unknownSubmits := 0
		for _, e := range entries {
			if e.submit == unknown {
				unknownSubmits++
			}
		}
		fmt.Printf("stress: jobs: %d submitted (%d by killed commands), %d in the store: %d completed, %d canceled, %d otherwise\n",
			len(entries), unknownSubmits, len(byName), states["completed"], states["canceled"], len(byName)-states["completed"]-states["canceled"])
	}
	return byName
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		if k == "" {
			k = "(none)"
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// final runs after the workers stopped: the leftover jobs run, then every
// check.
func (d *driver) final(base baseline) {
	w := &runner{name: "final", d: d}
	// Jobs interrupted by a kill are requeued (their lease is free) and
	// run now; nothing may be left queued or running after.
	d.must(w, "jobs", "run")
	jobs := d.checkJobs(w, "at the end", true)
	d.must(w, "audit", "verify")
	if r := d.must(w, "check"); r.code == 0 {
		fmt.Print(r.out)
	}
	d.checkImports(w, "at the end")
	d.checkAssignments(w, "at the end")
	d.checkProfiles(w, "at the end")
	d.checkRevisions(w, base)
	d.checkAudit(w, base, jobs)
	d.checkDistribution(w, base, jobs)
	d.checkImportedSeeds(w)
	d.leftovers()
}

// checkRevisions: a profile's revision rises by one per edit that changed
// it, so it counts the edits that landed: at least those surely done, at
// most those done or killed.
func (d *driver) checkRevisions(w *runner, base baseline) {
	profs, ok := read[[]profileJSON](d, w, "-final", "profiles", "list", "--json")
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range profs {
		if p.Name != profileDesc && p.Name != profileCode {
			continue
		}
		rise := p.Revision - base.profiles[p.Name].Revision
		if rise < d.revLow[p.Name] || rise > d.revHigh[p.Name] {
			d.problems = append(d.problems, fmt.Sprintf("profile %s: revision rose by %d; the edits allow %d to %d",
				p.Name, rise, d.revLow[p.Name], d.revHigh[p.Name]))
		}
	}
}

// checkAudit counts the audit records of the run: one per command that
// did something (between the commands done and those done or killed), and
// exactly one completion per completed job (a job never commits twice).
func (d *driver) checkAudit(w *runner, base baseline, jobs map[string]jobJSON) {
	recs, ok := read[[]auditJSON](d, w, "-final", "audit", "--json")
	if !ok {
		return
	}
	count := map[string]int{}
	completions := map[string]int{}
	inRun := 0
	for _, r := range recs {
		if r.Seq <= base.auditSeq {
			continue
		}
		inRun++
		count[r.Action]++
		if r.Action == "job completion" {
			completions[strings.TrimPrefix(r.Object, "job ")]++
		}
	}
	d.stats.mu.Lock()
	bounds := func(kind string) (int, int) {
		k := d.stats.kinds[kind]
		if k == nil {
			return 0, 0
		}
		return k.done - k.noop, k.done - k.noop + k.killed + k.exit3
	}
	type want struct{ action, kind string }
	var checks []struct {
		action string
		lo, hi int
	}
	for _, c := range []want{{"import tokens", "import tokens"}, {"import users", "import users"}, {"assign", "assign"},
		{"unassign", "unassign"}, {"settings save", "settings save"}, {"job submit", "distribute"}} {
		lo, hi := bounds(c.kind)
		checks = append(checks, struct {
			action string
			lo, hi int
		}{c.action, lo, hi})
	}
	d.stats.mu.Unlock()
	d.mu.Lock()
	lo, hi := d.revLow[profileDesc]+d.revLow[profileCode], d.revHigh[profileDesc]+d.revHigh[profileCode]
	d.mu.Unlock()
	checks = append(checks, struct {
		action string
		lo, hi int
	}{"profile edit", lo, hi})
	for _, c := range checks {
		if n := count[c.action]; n < c.lo || n > c.hi {
			d.problem("audit: %d %q records in the run; the commands allow %d to %d", n, c.action, c.lo, c.hi)
		}
	}
	fmt.Printf("stress: audit: %d records in the run; %d jobs requeued (their runner was killed), %d started, %d completed, %d cancel requests to a running job\n",
		inRun, count["job requeue"], count["job start"], count["job completion"], count["job cancel request"])
	for name, j := range jobs {
		want := 0
		if j.State == "completed" {
			want = 1
		}
		if completions[name] != want {
			d.problem("audit: job %s (%s) has %d completion records, want %d", name, j.State, completions[name], want)
		}
	}
}

// manifestRow is one file of a job's ZIP.
type manifestRow struct{ serial, user, file string }

// checkDistribution downloads every completed job's ZIP and checks it
// against the store: the ZIP holds the job's tokens; each token's
// distribution count rose by exactly the completed jobs that hold it, and
// its last job is the latest of them; and on a sample, a code that stoken
// computes from the latest file of a token matches (swtoken verify), and
// one from an older, superseded file does not.
func (d *driver) checkDistribution(w *runner, base baseline, jobs map[string]jobJSON) {
	zips := filepath.Join(d.work, "zips")
	if err := os.MkdirAll(zips, 0o700); err != nil {
		d.fatalf("%v", err)
	}
	type jobFiles struct {
		job   jobJSON
		entry *jobEntry
		zip   *zip.ReadCloser
		rows  []manifestRow
	}
	d.mu.Lock()
	entries := map[string]*jobEntry{}
	for _, e := range d.jobs {
		entries[e.name] = e
	}
	d.mu.Unlock()
	var done []*jobFiles
	for name, j := range jobs {
		if j.State != "completed" || entries[name] == nil {
			continue
		}
		out := filepath.Join(zips, name+".zip")
		if r := d.must(w, "jobs", "download", name, "--out", out, "--force"); r.code != 0 {
			continue
		}
		zr, err := zip.OpenReader(out)
		if err != nil {
			d.problem("job %s: its ZIP does not open: %v", name, err)
			continue
		}
		defer zr.Close()
		rows, err := readManifest(zr)
		if err != nil {
			d.problem("job %s: manifest: %v", name, err)
			continue
		}
		if len(rows) != j.Total {
			d.problem("job %s: its ZIP holds %d files; the job has %d tokens", name, len(rows), j.Total)
		}
		done = append(done, &jobFiles{job: j, entry: entries[name], zip: zr, rows: rows})
	}
	// Commit order: the order in which the jobs ended.
	slices.SortFunc(done, func(a, b *jobFiles) int { return a.job.Ended.Compare(*b.job.Ended) })
	latest := map[string]*jobFiles{} // serial -> the last completed job that holds it
	times := map[string]int{}
	for _, jf := range done {
		for _, r := range jf.rows {
			latest[r.serial] = jf
			times[r.serial]++
		}
	}
	toks, ok := read[[]tokenJSON](d, w, "-final", "tokens", "list", "--json")
	if !ok {
		return
	}
	for _, t := range toks {
		rise := t.Distribution.Count - base.tokens[t.Serial].Distribution.Count
		if rise != times[t.Serial] {
			d.problem("token %s: distributed %d more time(s) during the run; %d completed job(s) hold it", t.Serial, rise, times[t.Serial])
		}
		if jf := latest[t.Serial]; jf != nil && t.Distribution.LastJob != jf.job.Name {
			d.problem("token %s: its last job is %q; the last completed job that holds it is %q", t.Serial, t.Distribution.LastJob, jf.job.Name)
		}
	}

	// The sample: one current file per job (up to 30 jobs), and up to 10
	// superseded files.
	current, superseded := 0, 0
	for _, i := range d.rng.Perm(len(done)) {
		jf := done[i]
		for _, k := range d.rng.Perm(len(jf.rows)) {
			r := jf.rows[k]
			isLatest := latest[r.serial] == jf
			if (isLatest && current >= 30) || (!isLatest && superseded >= 10) {
				continue
			}
			code, err := d.stokenCode(jf.zip, r, jf.entry.mode)
			if err != nil {
				d.problem("job %s, %s: %v", jf.job.Name, r.file, err)
				break
			}
			v := w.run("-verify", "verify", r.serial, code, "--pin", "0000")
			switch {
			case isLatest && v.code != 0:
				d.problem("job %s, %s: stoken's code for the token's current file does not verify: %v", jf.job.Name, r.file, v)
			case !isLatest && (v.code != 1 || !strings.Contains(v.errOut, "no match") && !strings.Contains(v.errOut, "the code must be")):
				// A later job may have changed the digits: then the old
				// code has the wrong length, which is refused too.
				d.problem("job %s, %s: a code from a superseded file still verifies (or verify failed otherwise): %v", jf.job.Name, r.file, v)
			}
			if isLatest {
				current++
				break // one current file per job
			}
			superseded++
		}
	}
	fmt.Printf("stress: %d completed jobs checked against the store; stoken codes checked: %d current files (match), %d superseded files (no match)\n",
		len(done), current, superseded)
}

func readManifest(zr *zip.ReadCloser) ([]manifestRow, error) {
	f, err := zr.Open("manifest.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) < 1 || len(recs[0]) < 5 || recs[0][0] != "serial" || recs[0][4] != "file" {
		return nil, fmt.Errorf("unexpected header %v", recs)
	}
	var rows []manifestRow
	for _, r := range recs[1:] {
		rows = append(rows, manifestRow{serial: r[0], user: r[1], file: r[4]})
	}
	return rows, nil
}

// stokenCode extracts one file of a job's ZIP and asks stoken for its
// current tokencode (PIN 0000), with the file's password on stoken's
// standard input (--stdin), never on its command line.
func (d *driver) stokenCode(zr *zip.ReadCloser, r manifestRow, mode model.PasswordMode) (string, error) {
	f, err := zr.Open(r.file)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return "", err
	}
	path := filepath.Join(d.work, "zips", "token.sdtid")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", err
	}
	defer os.Remove(path)
	return stoken(path, model.EffectivePassword(mode, r.user, adminPassword))
}

// stoken runs `timeout 10 stoken --batch --rcfile=/dev/null tokencode
// --file F --pin=0000` with standard input /dev/null, or, when the file has
// a password, with --stdin and the password as the one line of standard
// input (a pipe that then ends: --batch still refuses any other prompt).
func stoken(file, password string) (string, error) {
	args := []string{"10", "stoken", "--batch", "--rcfile=/dev/null", "tokencode", "--file=" + file, "--pin=0000"}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "timeout", args...)
	if password != "" {
		cmd.Args = append(cmd.Args, "--stdin")
		cmd.Stdin = strings.NewReader(password + "\n")
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("stoken tokencode: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	code := strings.TrimSpace(out.String())
	if _, err := strconv.ParseUint(code, 10, 64); err != nil {
		return "", fmt.Errorf("stoken tokencode printed %q", code)
	}
	return code, nil
}

// checkImportedSeeds: on a sample of tokens that imports surely brought,
// stoken's code from the imported file matches the stored seed.
func (d *driver) checkImportedSeeds(w *runner) {
	d.mu.Lock()
	var serials []string
	for s := range d.imported {
		if d.imports.allows(itemImportedToken(s), "present") && !d.imports.allows(itemImportedToken(s), "absent") {
			serials = append(serials, s)
		}
	}
	files := d.imported
	d.mu.Unlock()
	slices.Sort(serials)
	n := 0
	for _, i := range d.rng.Perm(len(serials)) {
		if n == 5 {
			break
		}
		f := files[serials[i]]
		code, err := stoken(f.path, f.password)
		if err != nil {
			d.problem("imported token %s: %v", serials[i], err)
			continue
		}
		if v := w.run("-verify", "verify", serials[i], code, "--pin", "0000"); v.code != 0 {
			d.problem("imported token %s: stoken's code from its import file does not verify: %v", serials[i], v)
		}
		n++
	}
	fmt.Printf("stress: %d imported tokens checked with stoken codes from their files\n", n)
}

// leftovers notes files that killed processes left in the data directory
// (not a failure: holder records and leases of dead processes are
// harmless, and the next runner cleans outputs/).
func (d *driver) leftovers() {
	for _, sub := range []string{"holders", "outputs"} {
		ents, err := os.ReadDir(filepath.Join(d.data, sub))
		if err != nil {
			continue
		}
		var left []string
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".zip") {
				left = append(left, e.Name())
			}
		}
		if len(left) > 0 {
			d.note("%d file(s) left in %s/ after the run (other than ZIPs): %s", len(left), sub, strings.Join(left[:min(len(left), 5)], ", "))
		}
	}
}

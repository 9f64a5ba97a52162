package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// The items the workers change. Each belongs to one worker, so that the
// worker's ledger is the only account of it.
const (
	// Worker 1 imports tokens 7000000000NN (new serials) and users
	// stress-u-NNNNN.
	importSerialBase = 700_000_000_000
	importUserFmt    = "stress-u-%05d"
	// Worker 2 assigns and unassigns the pool tokens 6000000000NN among
	// the pool users stress-a-NN (set up before the run).
	poolSerialBase = 600_000_000_000
	poolTokens     = 40
	poolUsers      = 20
	poolUserFmt    = "stress-a-%02d"
	// Worker 4 distributes the demo's AES-128 tokens 100000000001-480 and,
	// sometimes, pool tokens (assigned ones are eligible).
	demoFirst = 100_000_000_001
	demoLast  = 100_000_000_480
	// Worker 3 edits these demo profiles and settings entry.
	profileDesc    = "Staff iPhone"    // offered in the settings: description edits only
	profileCode    = "Windows desktop" // used by jobs: description and tokencode edits
	settingsTarget = "Staff Android"   // the settings entry whose display name is saved
)

func poolSerial(i int) string { return fmt.Sprintf("%012d", poolSerialBase+1+i) }
func poolUser(i int) string   { return fmt.Sprintf(poolUserFmt, i+1) }

// Ledger item names.
func itemImportedToken(serial string) string { return "import/token/" + serial }
func itemImportedUser(id string) string      { return "import/user/" + id }
func itemAssign(serial string) string        { return "assign/" + serial }
func itemProfile(name, field string) string  { return "profile/" + name + "/" + field }

const itemSettingsName = "settings/" + settingsTarget + "/display_name"

// importer is worker 1: imports of new token files (one to three files a
// command, with or without a file password) and of users CSV files.
func (d *driver) importer(ctx context.Context, w *runner) {
	serials, users := 0, 0
	for op := 1; ctx.Err() == nil; op++ {
		if w.rng.IntN(10) < 7 {
			pw := ""
			if w.rng.IntN(2) == 0 {
				pw = importPassword
			}
			args := []string{"import", "tokens"}
			var batch []string
			for range 1 + w.rng.IntN(3) {
				serials++
				serial := fmt.Sprintf("%012d", importSerialBase+serials)
				f, err := d.gen.tokenFile(serial, pw)
				if err != nil {
					d.fatalf("token file: %v", err)
				}
				d.importedFile(serial, f, pw)
				args = append(args, f)
				batch = append(batch, serial)
			}
			if pw != "" {
				args = append(args, "--password-file", d.importPWFile)
			}
			r := w.run("import tokens", args...)
			w.expect(r) // new serials from good files: never refused
			for _, s := range batch {
				d.imports.record(itemImportedToken(s), "present", "absent", r.outcome())
			}
		} else {
			var ids []string
			for range 1 + w.rng.IntN(5) {
				users++
				ids = append(ids, fmt.Sprintf(importUserFmt, users))
			}
			f, err := d.gen.usersCSV(ids)
			if err != nil {
				d.fatalf("users file: %v", err)
			}
			r := w.run("import users", "import", "users", f)
			w.expect(r)
			for _, id := range ids {
				d.imports.record(itemImportedUser(id), "present", "absent", r.outcome())
			}
		}
		if op%10 == 0 {
			d.checkImports(w, "during the run")
		}
	}
}

// assigner is worker 2: assign and unassign the pool tokens. A token in a
// queued or running job (worker 4 sometimes picks the pool) cannot be
// changed, and a user holds at most three tokens: those refusals change
// nothing.
func (d *driver) assigner(ctx context.Context, w *runner) {
	for op := 1; ctx.Err() == nil; op++ {
		serial := poolSerial(w.rng.IntN(poolTokens))
		item := itemAssign(serial)
		if d.assign.guess(item) != "" && w.rng.IntN(10) < 9 {
			r := w.run("unassign", "unassign", "--serial", serial)
			w.expect(r, "which has not ended", "is not assigned to any user")
			d.assign.record(item, "", "", r.outcome())
		} else {
			user := poolUser(w.rng.IntN(poolUsers))
			r := w.run("assign", "assign", "--serial", serial, "--user", user)
			w.expect(r, "which has not ended", "the most a user may hold", "is already assigned to")
			d.assign.record(item, user, "", r.outcome())
		}
		if op%8 == 0 {
			d.checkAssignments(w, "during the run")
		}
	}
}

// profileEditor is worker 3: profile edits and self-service settings
// saves. Each field has one sequence of edits, but two edits of different
// fields of one profile sometimes run at once (as two admins would): the
// profile must then hold both.
func (d *driver) profileEditor(ctx context.Context, w *runner) {
	for op := 1; ctx.Err() == nil; op++ {
		switch x := w.rng.IntN(20); {
		case x < 8:
			v := fmt.Sprintf("Staff iPhone token (stress edit %d)", op)
			r := w.run("profiles edit", "profiles", "edit", profileDesc, "--description", v)
			w.expect(r)
			d.recordEdit(profileDesc, itemProfile(profileDesc, "description"), v, r, true)
		case x < 16:
			v := fmt.Sprintf("Windows desktop token (stress edit %d)", op)
			length, dur := []int{6, 8}[w.rng.IntN(2)], []int{30, 60}[w.rng.IntN(2)]
			code := fmt.Sprintf("%d digits/%d s", length, dur)
			waitA := w.start("profiles edit", "profiles", "edit", profileCode, "--description", v)
			waitB := w.start("profiles edit", "profiles", "edit", profileCode,
				"--length", strconv.Itoa(length), "--duration", strconv.Itoa(dur))
			ra, rb := waitA(), waitB()
			w.expect(ra)
			w.expect(rb)
			d.recordEdit(profileCode, itemProfile(profileCode, "description"), v, ra, true)
			d.recordEdit(profileCode, itemProfile(profileCode, "code"), code, rb, false)
			d.checkProfiles(w, "after two edits at once")
		default:
			v := fmt.Sprintf("Android (stress save %d)", op)
			r := w.runSelf("settings save", "settings-save", "-data-dir", d.data, "-display-name", v)
			w.expect(r)
			d.settings.record(itemSettingsName, v, "", r.outcome())
		}
		if op%5 == 0 {
			d.checkProfiles(w, "during the run")
		}
	}
}

// recordEdit records a profile edit in the ledger and in the bounds on the
// profile's revision: an edit that surely changes something (a new
// description) raises it by one when done; any edit done or unknown may.
func (d *driver) recordEdit(profile, item, value string, r result, changes bool) {
	o := r.outcome()
	d.profiles.record(item, value, "", o)
	d.mu.Lock()
	defer d.mu.Unlock()
	if o == done && changes {
		d.revLow[profile]++
	}
	if o != refused {
		d.revHigh[profile]++
	}
}

// jobEntry is worker 4's account of one job.
type jobEntry struct {
	name, profile string
	mode          model.PasswordMode
	submit        outcome
	// cancel: "" none asked; "canceled" (exit 0), "completed" (it
	// completed first) or "either" (killed, or the runner did not stop in
	// time).
	cancel string
}

// allowed is the set of final states the ledger allows ("" = no such job).
func (j *jobEntry) allowed() map[string]bool {
	switch j.submit {
	case refused:
		return map[string]bool{"": true}
	case unknown:
		return map[string]bool{"": true, "completed": true}
	}
	switch j.cancel {
	case "":
		return map[string]bool{"completed": true}
	case "canceled":
		return map[string]bool{"canceled": true}
	case "completed":
		return map[string]bool{"completed": true}
	}
	return map[string]bool{"completed": true, "canceled": true}
}

// jobRunner is worker 4: small distribution jobs queued with distribute
// --queue and run with jobs run; some are canceled while queued, some
// while they run (a larger job, the runner and the cancel at once).
func (d *driver) jobRunner(ctx context.Context, w *runner) {
	modes := []model.PasswordMode{model.PasswordNone, model.PasswordAdmin, model.PasswordUserID, model.PasswordUserIDAndAdmin}
	for n := 1; ctx.Err() == nil; n++ {
		j := &jobEntry{name: fmt.Sprintf("stress-%04d", n), mode: modes[w.rng.IntN(len(modes))],
			profile: []string{profileDesc, profileCode}[w.rng.IntN(2)]}
		x := w.rng.IntN(20)
		size := 3 + w.rng.IntN(10)
		if x >= 4 && x < 7 {
			size = 30 + w.rng.IntN(30) // to be canceled while it runs
		}
		var from, to int
		if size < 20 && w.rng.IntN(4) == 0 {
			from = poolSerialBase + 1 + w.rng.IntN(poolTokens-size+1)
		} else {
			from = demoFirst + w.rng.IntN(demoLast-demoFirst-size+2)
		}
		to = from + size - 1
		args := []string{"distribute", "--job", j.name, "--profile", j.profile, "--password-mode", string(j.mode),
			"--from", fmt.Sprintf("%012d", from), "--to", fmt.Sprintf("%012d", to), "--queue", "--yes"}
		if j.mode.NeedsAdminPassword() {
			args = append(args, "--password-file", d.adminPWFile)
		}
		r := w.run("distribute", args...)
		// Every token of the range may be unassigned or in another job,
		// or worker 2 changed one between the summary and the submit.
		w.expect(r, "no eligible tokens match the criteria", "changed since the summary")
		j.submit = r.outcome()
		d.mu.Lock()
		d.jobs = append(d.jobs, j)
		d.mu.Unlock()

		switch {
		case j.submit == done && x < 4:
			c := w.run("jobs cancel", "jobs", "cancel", j.name)
			j.cancel = d.cancelSays(w, c, false)
			d.runJobs(w, false)
		case j.submit == done && x < 7:
			wait := w.start("jobs run", "jobs", "run")
			time.Sleep(time.Duration(w.rng.IntN(400)) * time.Millisecond)
			c := w.run("jobs cancel", "jobs", "cancel", j.name)
			j.cancel = d.cancelSays(w, c, true)
			rr := wait()
			w.expect(rr, "did not complete")
		default:
			d.runJobs(w, true)
		}
	}
}

// runJobs runs `jobs run` and, when it ran to its end, checks that no job
// is left queued or running and that each job's state is one the ledger
// allows.
func (d *driver) runJobs(w *runner, strict bool) {
	r := w.run("jobs run", "jobs", "run")
	if strict {
		w.expect(r)
	} else {
		w.expect(r, "did not complete")
	}
	if r.outcome() != unknown {
		d.checkJobs(w, "after a jobs run", false)
	}
}

// cancelSays reads a jobs cancel's result.
func (d *driver) cancelSays(w *runner, r result, running bool) string {
	switch {
	case r.outcome() == unknown:
		return "either"
	case r.code == 0 && strings.Contains(r.out, "Canceled job"):
		return "canceled"
	case r.code == 0:
		d.problem("jobs cancel exited 0 without saying the job was canceled: %v", r)
		return "either"
	case strings.Contains(r.errOut, "completed before the cancel reached it"),
		strings.Contains(r.errOut, "is completed; only a queued or running job can be canceled"),
		strings.Contains(r.errOut, "is Completed already; only a queued or running job can be canceled"):
		return "completed"
	case running && strings.Contains(r.errOut, "still running after"):
		d.note("a cancel of a running job was not done within %v (the runner was slow to stop): %s", 3*time.Second, strings.TrimSpace(r.errOut))
		return "either"
	}
	d.problem("%s: unexpected failure: %v", w.name, r)
	return "either"
}

// reader checks the whole store now and then during the run (a fifth
// process, read-only and never killed): every state committed in between
// the writers' transactions must be consistent.
func (d *driver) reader(ctx context.Context, w *runner) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r := w.run("read: check (reader)", "check")
		if r.code == 1 {
			d.problem("swtoken check failed during the run: %v", r)
		}
		d.mu.Lock()
		d.readerChecks++
		d.mu.Unlock()
	}
}

// killer SIGKILLs a random worker's running swtoken process at random
// moments until ctx ends; the worker goes on with its next command.
func (d *driver) killer(ctx context.Context, workers []*runner) {
	for {
		wait := d.killMin + time.Duration(d.rng.Int64N(int64(d.killMax-d.killMin)+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		for _, i := range d.rng.Perm(len(workers)) {
			if workers[i].kill(d.rng) {
				d.mu.Lock()
				d.killsSent++
				d.mu.Unlock()
				break
			}
		}
	}
}

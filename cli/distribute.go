package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("distribute", command{
		summary: "create a distribution job (one token file or CTF string per token, in a ZIP) and run it",
		usage: "distribute --job NAME --profile NAME [--ctf-form v2|v3] [--device-id ID] [--nickname N] --password-mode none|password|userid|userid+password " +
			"[--password-file F] (--from S --to S | --all) [--user U] [--never-distributed] [--algorithm aes-128|sid-64] [--skip-too-long] [--dry-run [--json] | --queue] [--yes]",
		run: runDistribute,
	})
}

func runDistribute(g Globals, args []string, stdio IO) error {
	fs := newFlags("distribute")
	name := onceString(fs, "job", "job name")
	profile := onceString(fs, "profile", "software token profile, file-based (token files) or CTF (CTF strings); the job type follows it")
	ctfForm := onceString(fs, "ctf-form", "CTF profiles of iPhone and Android: v2 (81 digits, the default) or v3")
	deviceID := fs.String("device-id", "", "bind every file to this device ID (default: the profile's device class)")
	nickname := fs.String("nickname", "", "token nickname")
	modeText := fs.String("password-mode", "", "none, password, userid or userid+password")
	pwFile := fs.String("password-file", "", "read the admin password from F (- = standard input)")
	from := fs.String("from", "", "first serial of the range")
	to := fs.String("to", "", "last serial of the range")
	all := fs.Bool("all", false, "select all eligible tokens")
	user := fs.String("user", "", "only tokens assigned to this user")
	never := fs.Bool("never-distributed", false, "only tokens never distributed")
	alg := fs.String("algorithm", "", "only tokens of this algorithm (aes-128 or sid-64)")
	dryRun := fs.Bool("dry-run", false, "print the summary and the tokens, and submit nothing")
	asJSON := fs.Bool("json", false, "with --dry-run: print the summary and the tokens as JSON")
	skipTooLong := fs.Bool("skip-too-long", false, "leave out the tokens whose password would be too long for their algorithm (otherwise they stop the job)")
	yes := fs.Bool("yes", false, "confirm a job that redistributes tokens or selects all eligible tokens")
	queue := fs.Bool("queue", false, "submit the job and exit without running it (swtoken jobs run or the console runs it)")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	set := flagsSet(fs)
	switch {
	case !set["job"]:
		return usagef("--job NAME is required")
	case strings.TrimSpace(*name) == "":
		return usagef("--job must not be blank: give the job a name")
	case !set["profile"]:
		return usagef("--profile NAME is required")
	case strings.TrimSpace(*profile) == "":
		return usagef("--profile must not be blank: name a file-based or CTF software token profile")
	case set["device-id"] && strings.TrimSpace(*deviceID) == "":
		return usagef("--device-id must not be blank: leave it out for class binding (the profile's device class)")
	case *asJSON && !*dryRun:
		return usagef("--json goes with --dry-run")
	case !set["password-mode"]:
		return usagef("--password-mode is required (none, password, userid or userid+password)")
	case !*all && !set["from"] && !set["to"]:
		return usagef("choose the tokens: --from S --to S, or --all for every eligible token (empty criteria never select everything)")
	case *queue && *dryRun:
		return usagef("--queue and --dry-run do not go together: --dry-run submits nothing")
	case *all && (set["from"] || set["to"]):
		return usagef("choose either --from S --to S or --all, not both")
	case !*all && set["from"] != set["to"]:
		return usagef("--from S and --to S go together: give both ends of the range")
	}
	if err := checkRangeArgs(*from, *to, set["from"], set["to"]); err != nil {
		return err
	}
	mode, err := model.ParsePasswordMode(*modeText)
	if err != nil {
		return usagef("%v", err)
	}
	if !mode.NeedsAdminPassword() && *pwFile != "" {
		return usagef("--password-file is only for modes password and userid+password (mode %s has no admin password)", mode)
	}
	var form model.CTFForm
	if set["ctf-form"] {
		if form, err = model.ParseCTFForm(*ctfForm); err != nil {
			return usagef("%v", err)
		}
	}
	crit := model.Criteria{From: *from, To: *to, All: *all, AssignedUser: *user, NeverDistributedOnly: *never}
	if *alg != "" {
		a, err := model.ParseAlgorithm(*alg)
		if err != nil {
			return usagef("%v", err)
		}
		crit.Algorithm = a
	}

	// The password is read before the store is opened, so a prompt does
	// not hold the store's lock while the admin types.
	defer startCPUProfile(stdio.Stderr)()
	var password string
	if mode.NeedsAdminPassword() {
		if password, err = adminPassword(*pwFile, stdio); err != nil {
			return err
		}
	}
	defer func() { password = "" }()

	st, err := openStore(g, readWrite, "distribute "+*name)
	if err != nil {
		return err
	}
	defer st.Close()

	// The engine's planner resolves --device-id (blank: class binding),
	// the job type (the profile's delivery method) and the CTF form
	// (blank: v2 for CTF profiles).
	spec := model.JobSpec{Name: *name, Profile: *profile, Device: *deviceID, Nickname: *nickname, PasswordMode: mode,
		Criteria: crit, SkipTooLong: *skipTooLong, CTFForm: form}

	eng := jobs.New(st, cliEngineOptions)
	plan, err := eng.Plan(spec, password)
	if plan != nil && set["ctf-form"] && plan.Spec.Kind == model.JobKindCTF && !plan.Profile.DeviceType.IsPhone() {
		// v3 is refused by the planner; v2 is what these profiles get
		// anyway, but asking for a form shows the admin expects a choice
		// the profile does not have.
		return &model.FieldError{Field: model.FieldCTFForm, Msg: fmt.Sprintf(
			"--ctf-form is only for iPhone and Android CTF profiles; profile %q is for %s, whose tokens get the 81 digits in blocks of five (v2): leave --ctf-form out",
			plan.Profile.Name, plan.Profile.DeviceType)}
	}
	var tooLong *model.TooLongError
	if errors.As(err, &tooLong) {
		err = fmt.Errorf("%w; to submit the job without %s, run again with --skip-too-long",
			err, model.Agree(tooLong.Count, "it", "these "+model.Plural(tooLong.Count, "token")))
	}
	switch {
	case plan != nil && *asJSON:
		if jerr := writeJSON(stdio.Stdout, newPlanJSON(plan, err)); jerr != nil {
			return jerr
		}
	case plan != nil:
		printPlan(stdio.Stdout, plan)
		if *dryRun {
			printSelected(stdio.Stdout, plan)
		}
	}
	if err != nil {
		return err
	}
	if *dryRun {
		if !*asJSON {
			fmt.Fprintln(stdio.Stdout, "Dry run: nothing was submitted.")
		}
		return nil
	}
	typed := ""
	if need, want := model.ConfirmationRequired(plan.Spec, plan.Summary); need {
		if !*yes {
			why := "it selects all eligible tokens"
			if plan.Summary.Redistributed > 0 {
				n := plan.Summary.Redistributed
				why = fmt.Sprintf("it redistributes %s whose current %s", model.Plural(n, "token"), model.Agree(n, "file stops working", "files stop working"))
			}
			return fmt.Errorf("not submitted: %s; check the summary and run again with --yes to confirm", why)
		}
		typed = want
	}
	job, err := eng.Submit(plan, password, typed)
	password = ""
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stdout, "Submitted job %q (%s), %s.\n", job.Name, job.BatchID, plural(job.Total, "token"))
	if *queue {
		// The admin password (if any) stays sealed in the store until the
		// job ends, as for any queued job.
		fmt.Fprintf(stdio.Stdout, "Queued: run it with `swtoken jobs run` (or open the console).\n")
		return nil
	}
	end, err := runJobsToEnd(eng, stdio, job.Seq)
	if err != nil {
		return err
	}
	return reportEnd(stdio.Stdout, st, end)
}

// adminPassword reads the job's admin password from a file or standard
// input, or asks twice on the terminal.
func adminPassword(pwFile string, stdio IO) (string, error) {
	if pwFile != "" {
		return readPasswordFile(pwFile, stdio.Stdin)
	}
	pw, err := promptPassword("Token file password: ", stdio)
	if errors.Is(err, errNoPassword) {
		return "", usagef("this password mode needs the admin password: give it with --password-file F (F may be - for standard input)")
	}
	if err != nil {
		return "", err
	}
	again, err := promptPassword("Type it again: ", stdio)
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords do not match")
	}
	return pw, nil
}

// runJobsToEnd runs the queued jobs (older ones first) until job seq has
// ended, here or in another process that claimed it first (a console, `jobs
// run`), and returns its end. SIGINT or SIGTERM stop the wait: a job this
// process runs changes nothing and goes back to the queue.
func runJobsToEnd(eng *jobs.Engine, stdio IO, seq uint64) (model.Job, error) {
	ctx := catchStop(false)
	defer ctx.Stop()
	stopProgress := showProgress(eng, stdio.Stderr)
	_, end, err := eng.RunUntil(ctx, seq)
	stopProgress()
	if err != nil {
		if ctx.Signal() != nil {
			return model.Job{}, ctx.Interrupted(errors.New("interrupted: a job this command was running changed nothing and is queued again; `swtoken jobs run` (or an open console) finishes it"))
		}
		return model.Job{}, err
	}
	return end, nil
}

// showProgress prints "job NAME: n of N" on stderr while jobs run, when
// stderr is a terminal. It returns a function that stops it.
func showProgress(eng *jobs.Engine, w io.Writer) func() {
	if !isTerminal(w) {
		return func() {}
	}
	events, unsubscribe := eng.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if ev.State == model.JobRunning && ev.Total > 0 {
				fmt.Fprintf(w, "\r\033[Kjob %s: %d of %d (%d%%)", model.Printable(ev.Name), ev.Done, ev.Total, ev.Done*100/ev.Total)
			} else if ev.State.Terminal() {
				fmt.Fprintf(w, "\r\033[K")
			}
		}
	}()
	return func() {
		unsubscribe()
		<-done
	}
}

// jobEndError makes a failed or canceled job exit with status 1.
type jobEndError struct{ j model.Job }

func (e *jobEndError) Error() string {
	return fmt.Sprintf("job %q %s: %s", e.j.Name, strings.ToLower(e.j.State.String()), e.j.Reason)
}

func reportEnd(w io.Writer, st *store.Store, j model.Job) error {
	switch j.State {
	case model.JobCompleted:
		path, _ := outputFile(st, j)
		what := "token file"
		if j.Spec.Kind == model.JobKindCTF {
			what = "CTF string"
		}
		fmt.Fprintf(w, "Job %q completed: %s written to %s (%d bytes, SHA-256 %s).\n", j.Name, plural(j.Total, what), model.Printable(path), j.OutputSize, j.OutputSHA256)
		fmt.Fprintf(w, "Download it with: swtoken jobs download %s --out FILE.zip\n", shellArg(j.Name))
		return nil
	case model.JobFailed, model.JobCanceled:
		return &jobEndError{j}
	}
	return fmt.Errorf("job %q is %s", j.Name, j.State)
}

// shellArg quotes a job name for a command line the admin can paste.
func shellArg(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func printPlan(w io.Writer, p *jobs.Plan) {
	s, spec := p.Summary, p.Spec
	fmt.Fprintf(w, "Job:                 %s\n", model.Printable(spec.Name))
	if spec.Kind != "" {
		fmt.Fprintf(w, "Job type:            %s\n", spec.Kind.Label())
	}
	if p.Profile.Name != "" {
		fmt.Fprintf(w, "Profile:             %s (%d digits, %d s, %s)\n", model.Printable(p.Profile.Name), p.Profile.TokencodeLength, p.Profile.Duration, p.Profile.AuthType)
	}
	printCTFLines(w, spec)
	bind := "device class " + spec.Binding.Value + " (class binding)"
	if spec.Binding.Kind == model.BindingDevice {
		bind = "device ID " + spec.Binding.Value + " (device binding)"
	}
	fmt.Fprintf(w, "DeviceSerialNumber:  %s\n", model.Printable(bind))
	fmt.Fprintf(w, "Nickname:            %s\n", model.Printable(orNone(spec.Nickname, "(none)")))
	fmt.Fprintf(w, "Password:            %s\n", model.PasswordSummary(spec.PasswordMode))
	fmt.Fprintf(w, "Criteria:            %s\n", spec.Criteria.Describe())
	if s.Count > 0 {
		fmt.Fprintf(w, "Tokens:              %d (first %s, last %s)\n", s.Count, s.First, s.Last)
	} else {
		fmt.Fprintf(w, "Tokens:              0\n")
	}
	fmt.Fprintf(w, "Distributed before:  %d\n", s.Redistributed)
	if s.IneligibleTotal() > 0 {
		fmt.Fprintf(w, "Left out:            %d\n", s.IneligibleTotal())
		for _, r := range model.IneligibleReasons() {
			if n := s.Ineligible[r]; n > 0 {
				fmt.Fprintf(w, "  %-18s %d\n", r.Label()+":", n)
			}
		}
	}
	if note := s.LeftOutNote(spec); note != "" {
		fmt.Fprintf(w, "Skipped:             %s (--skip-too-long)\n", note)
	}
	if len(s.TooLong) > 0 {
		// Every one of them, one per line, since the criteria must leave
		// exactly these out (the error names only the first few).
		how := "they stop the job: --skip-too-long leaves them out, or change the criteria"
		if !model.PasswordTooLong.Blocks(spec) {
			how = "left out by --skip-too-long"
		}
		fmt.Fprintf(w, "Password too long:   %s (%s)\n", plural(len(s.TooLong), "token"), how)
		for _, r := range s.TooLong {
			fmt.Fprintf(w, "  %s  user %s\n", r.Serial, model.Printable(r.User))
		}
	}
	for _, warn := range s.Warnings(spec) {
		fmt.Fprintf(w, "WARNING: %s\n", warn)
	}
}

// startCPUProfile writes a pprof CPU profile of the command to the file
// named by $SWTOKEN_CPUPROFILE, when set: a developer aid for measuring
// whole distribution jobs (scripts/bench-jobs.sh, docs/PERFORMANCE.md). The
// profile holds function names and sample counts only, no data. It returns
// the function that stops the profile.
func startCPUProfile(stderr io.Writer) func() {
	path := os.Getenv("SWTOKEN_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "SWTOKEN_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "SWTOKEN_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// cliEngineOptions are the engine's options in the CLI. The process runs one
// job at a time and owns its runtime, so the collector runs less often while
// a job writes its files (jobs.Options.GCPercent; docs/PERFORMANCE.md),
// unless GOGC is set in the environment.
var cliEngineOptions = jobs.Options{GCPercent: cliGCPercent()}

func cliGCPercent() int {
	if os.Getenv("GOGC") != "" {
		return 0
	}
	return 400
}

// printCTFLines shows a CTF job's string form and where the nickname and
// names go (nothing for file jobs).
func printCTFLines(w io.Writer, spec model.JobSpec) {
	if spec.Kind != model.JobKindCTF {
		return
	}
	fmt.Fprintf(w, "CTF strings:         %s\n", model.CTFLabel(spec.CTFShape, spec.CTFForm))
	if spec.WantsQRImages() {
		fmt.Fprintf(w, "QR images:           one PNG of each link\n")
	}
	fmt.Fprintf(w, "Note:                %s\n", model.CTFManifestNote)
}

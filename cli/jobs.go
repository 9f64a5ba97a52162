package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/requests"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("jobs", command{
		summary: "list, show, run, cancel distribution jobs; download or delete their output",
		usage:   "jobs list [--state S] [--json] | show NAME [--json] | download NAME [--out FILE.zip] [--force] | delete-output NAME | cancel NAME | run",
		run:     runJobs,
	})
}

// jobJSON is the stable JSON form of a job. It never holds a password.
// Output is where the ZIP is now: the absolute path of the job's output in
// this data directory (a copied or moved directory names its own). It is
// empty when there is none, or when the record is damaged; OutputError then
// says why.
type jobJSON struct {
	Seq           uint64     `json:"seq"`
	Name          string     `json:"name"`
	BatchID       string     `json:"batch_id"`
	State         string     `json:"state"`
	Reason        string     `json:"reason"`
	Profile       string     `json:"profile"`
	Kind          string     `json:"kind"`      // "sdtid" (token files) or "ctf" (CTF strings)
	CTFForm       string     `json:"ctf_form"`  // a CTF job's "v2" or "v3"
	CTFShape      string     `json:"ctf_shape"` // a CTF job's "iphone", "android" or "blocks"
	BindingKind   string     `json:"binding_kind"`
	Binding       string     `json:"binding"`
	Nickname      string     `json:"nickname"`
	PasswordMode  string     `json:"password_mode"`
	Criteria      critJSON   `json:"criteria"`
	Total         int        `json:"total"`
	Done          int        `json:"done"`
	Submitted     *time.Time `json:"submitted"`
	Started       *time.Time `json:"started"`
	Ended         *time.Time `json:"ended"`
	Output        string     `json:"output"`
	OutputError   string     `json:"output_error,omitempty"`
	OutputSize    int64      `json:"output_size"`
	OutputSHA256  string     `json:"output_sha256"`
	OutputDeleted *time.Time `json:"output_deleted"`
	// File is the profile's tokencode settings frozen at submit (null for
	// jobs submitted before they were frozen).
	File *fileJSON `json:"file"`
	// SupersededFiles (jobs show only, completed jobs) counts the files of
	// the ZIP whose tokens later jobs distributed again.
	SupersededFiles *int `json:"superseded_files,omitempty"`
}

type fileJSON struct {
	Digits          int  `json:"digits"`
	IntervalSeconds int  `json:"interval_seconds"`
	AddPIN          bool `json:"add_pin"`
}

type critJSON struct {
	From             string `json:"from"`
	To               string `json:"to"`
	All              bool   `json:"all"`
	AssignedUser     string `json:"assigned_user"`
	NeverDistributed bool   `json:"never_distributed"`
	Algorithm        string `json:"algorithm"`
}

func newJobJSON(st *store.Store, j model.Job) jobJSON {
	c := j.Spec.Criteria
	output, outputErr := outputFile(st, j)
	return jobJSON{
		Seq: j.Seq, Name: j.Name, BatchID: j.BatchID, State: string(j.State), Reason: j.Reason,
		Profile: j.Spec.Profile, Kind: string(j.Spec.Kind.OrFiles()), CTFForm: string(j.Spec.CTFForm), CTFShape: string(j.Spec.CTFShape),
		BindingKind: string(j.Spec.Binding.Kind), Binding: j.Spec.Binding.Value,
		Nickname: j.Spec.Nickname, PasswordMode: string(j.Spec.PasswordMode),
		Criteria: critJSON{From: c.From, To: c.To, All: c.All, AssignedUser: c.AssignedUser,
			NeverDistributed: c.NeverDistributedOnly, Algorithm: string(c.Algorithm)},
		Total: j.Total, Done: j.Done, Submitted: timeOrNil(j.Submitted), Started: timeOrNil(j.Started), Ended: timeOrNil(j.Ended),
		Output: output, OutputError: outputErr, OutputSize: j.OutputSize, OutputSHA256: j.OutputSHA256, OutputDeleted: timeOrNil(j.OutputDeleted),
		File: fileOrNil(j.File),
	}
}

// outputFile is where a completed job's ZIP is now: its recorded path
// resolved against this data directory (store.OutputFile). It is "" when
// the job has no output; a damaged record gives "" and the reason.
func outputFile(st *store.Store, j model.Job) (path, problem string) {
	if j.Output == "" {
		return "", ""
	}
	path, err := st.OutputFile(j)
	if err != nil {
		return "", err.Error()
	}
	return path, ""
}

func fileOrNil(f model.FileSettings) *fileJSON {
	if f.IsZero() {
		return nil
	}
	r := fileJSON(f)
	return &r
}

func runJobs(g Globals, args []string, stdio IO) error {
	if len(args) == 0 {
		return usagef("expected a subcommand: list, show, download, delete-output, cancel or run")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		return runJobsList(g, rest, stdio)
	case "show":
		return runJobsShow(g, rest, stdio)
	case "download":
		return runJobsDownload(g, rest, stdio)
	case "delete-output":
		return runJobsDeleteOutput(g, rest, stdio)
	case "cancel":
		return runJobsCancel(g, rest, stdio)
	case "run":
		return runJobsRun(g, rest, stdio)
	}
	return usagef("unknown subcommand %q: use list, show, download, delete-output, cancel or run", sub)
}

// findJob finds a job by name (ignoring case) or by batch id (SWT-000042).
func findJob(st *store.Store, name string) (model.Job, error) {
	j, err := st.JobByName(name)
	if !errors.Is(err, store.ErrNotFound) {
		return j, err
	}
	all, lerr := st.Jobs()
	if lerr != nil {
		return j, lerr
	}
	for _, o := range all {
		if strings.EqualFold(o.BatchID, name) {
			return o, nil
		}
	}
	return j, fmt.Errorf("no job is named %q (see swtoken jobs list)", name)
}

// oneName parses "SUB NAME [flags]".
func oneName(fs interface {
	Parse([]string) error
}, pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("expected exactly one job NAME for %s", what)
	}
	return pos[0], nil
}

func runJobsList(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs list")
	asJSON := fs.Bool("json", false, "JSON output")
	stateText := fs.String("state", "", "only jobs in this state")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	var states []model.JobState
	if *stateText != "" {
		s, err := model.ParseJobState(*stateText)
		if err != nil {
			return usagef("%v", err)
		}
		states = append(states, s)
	}
	return withStore(g, readOnly, "jobs list", func(st *store.Store) error {
		list, err := st.Jobs(states...)
		if err != nil {
			return err
		}
		if *asJSON {
			a := newJSONArray(stdio.Stdout)
			for _, j := range list {
				if err := a.add(newJobJSON(st, j)); err != nil {
					return err
				}
			}
			return a.close()
		}
		if len(list) == 0 {
			fmt.Fprintln(stdio.Stdout, "no jobs")
			return nil
		}
		fmt.Fprintf(stdio.Stdout, "%-10s %-10s %8s  %-23s  %s\n", "BATCH", "STATE", "TOKENS", "SUBMITTED", "NAME")
		for _, j := range list {
			fmt.Fprintf(stdio.Stdout, "%-10s %-10s %8d  %-23s  %s\n", j.BatchID, j.State, j.Total, model.FormatTime(j.Submitted), model.Printable(j.Name))
		}
		return nil
	})
}

func runJobsShow(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs show")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName(fs, pos, "show")
	if err != nil {
		return err
	}
	return withStore(g, readOnly, "jobs show", func(st *store.Store) error {
		j, err := findJob(st, name)
		if err != nil {
			return err
		}
		superseded, later := 0, []string(nil)
		if j.State == model.JobCompleted {
			if superseded, later, err = st.Superseded(j.Seq); err != nil {
				return err
			}
		}
		if *asJSON {
			v := newJobJSON(st, j)
			if j.State == model.JobCompleted {
				v.SupersededFiles = &superseded
			}
			return writeJSON(stdio.Stdout, v)
		}
		printJob(stdio.Stdout, st, j)
		if w := model.SupersededWarning(superseded, j.Total, later); w != "" {
			fmt.Fprintf(stdio.Stdout, "WARNING: %s\n", w)
		}
		return nil
	})
}

// runningNote says how a Running job is doing: with a live runner (its
// lease is held), how far it is and whether a cancel is on its way; with
// none, that it was interrupted and runs again.
func runningNote(st *store.Store, j model.Job) string {
	held, err := st.LeaseHeld(j.Seq)
	switch {
	case err != nil:
		return ""
	case !held:
		return " (interrupted: its runner is gone; it runs again from the start with the next runner: swtoken jobs run or an open console)"
	case j.CancelRequested:
		return fmt.Sprintf(" (%d of %d written; canceling: its runner stops within a second)", j.Done, j.Total)
	}
	return fmt.Sprintf(" (%d of %d written, recorded once a second; a runner process holds its lease)", j.Done, j.Total)
}

func printJob(w io.Writer, st *store.Store, j model.Job) {
	fmt.Fprintf(w, "Job:                 %s\n", model.Printable(j.Name))
	fmt.Fprintf(w, "Batch id:            %s\n", j.BatchID)
	state := j.State.String()
	if j.State == model.JobRunning {
		state += runningNote(st, j)
	}
	fmt.Fprintf(w, "State:               %s\n", state)
	if j.Reason != "" {
		fmt.Fprintf(w, "Reason:              %s\n", model.Printable(j.Reason))
	}
	fmt.Fprintf(w, "Job type:            %s\n", j.Spec.Kind.Label())
	fmt.Fprintf(w, "Profile:             %s\n", model.Printable(j.Spec.Profile))
	printCTFLines(w, j.Spec)
	fmt.Fprintf(w, "DeviceSerialNumber:  %s\n", j.Spec.Binding)
	fmt.Fprintf(w, "Nickname:            %s\n", model.Printable(orNone(j.Spec.Nickname, "(none)")))
	fmt.Fprintf(w, "Password:            %s\n", model.PasswordSummary(j.Spec.PasswordMode))
	fmt.Fprintf(w, "Criteria:            %s\n", j.Spec.Criteria.Describe())
	fmt.Fprintf(w, "Tokens:              %d\n", j.Total)
	if !j.File.IsZero() {
		fmt.Fprintf(w, "Tokencode:           %s (the profile's, frozen at submit)\n", j.File.Label())
	}
	fmt.Fprintf(w, "Submitted:           %s\n", model.FormatTime(j.Submitted))
	if !j.Ended.IsZero() {
		fmt.Fprintf(w, "Ended:               %s\n", model.FormatTime(j.Ended))
	}
	switch {
	case j.Output != "":
		if path, problem := outputFile(st, j); problem != "" {
			fmt.Fprintf(w, "Output:              unusable: %s\n", model.Printable(problem))
		} else {
			fmt.Fprintf(w, "Output:              %s (%d bytes, SHA-256 %s)\n", model.Printable(path), j.OutputSize, j.OutputSHA256)
		}
	case !j.OutputDeleted.IsZero():
		fmt.Fprintf(w, "Output:              deleted %s\n", model.FormatTime(j.OutputDeleted))
	}
}

func runJobsDownload(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs download")
	out := fs.String("out", "", "write the ZIP to FILE.zip (default ./<job name>.zip)")
	force := fs.Bool("force", false, "replace an existing file; download a ZIP whose every file is superseded")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName(fs, pos, "download")
	if err != nil {
		return err
	}
	return withStore(g, readWrite, "jobs download "+name, func(st *store.Store) error {
		j, err := findJob(st, name)
		if err != nil {
			return err
		}
		target := *out
		if target == "" {
			target = model.DefaultDownloadName(j.Name)
		}
		// A ZIP whose tokens later jobs distributed again holds files that
		// no longer work: say so, so that they are not handed out; a ZIP
		// of which no file works any more is refused without --force.
		n, later := 0, []string(nil)
		if j.State == model.JobCompleted {
			if n, later, err = st.Superseded(j.Seq); err != nil {
				return err
			}
		}
		if n > 0 && n == j.Total && !*force {
			return fmt.Errorf("every file in job %q's ZIP is superseded: later jobs distributed all %s again, so none of its files works any more; run again with --force to download it anyway",
				j.Name, plural(n, "token"))
		}
		res, err := download(jobs.New(st, cliEngineOptions), j.Seq, target, *force, stdio)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "Wrote %s (%d bytes, mode 0600). It holds token secrets: deliver the files and delete it.\n", model.Printable(res.Path), res.Size)
		if w := model.SupersededWarning(n, j.Total, later); w != "" {
			fmt.Fprintf(stdio.Stdout, "WARNING: %s\n", w)
		}
		return nil
	})
}

// download runs the engine's download with SIGINT, SIGTERM and SIGHUP
// caught: the first one stops the copy, removes the temporary file (it
// holds token secrets) and ends with an error; a second one ends the
// process at once (the next download removes what it leaves). It reports
// the stale temporary files it removed on stderr.
func download(eng *jobs.Engine, seq uint64, target string, force bool, stdio IO) (jobs.DownloadResult, error) {
	ctx := catchStop(true)
	defer ctx.Stop()
	res, err := eng.Download(ctx, seq, target, force)
	if n := len(res.StaleRemoved); n > 0 {
		fmt.Fprintf(stdio.Stderr, "swtoken: removed %s from an interrupted download: %s\n", plural(n, "stale temporary file"), strings.Join(res.StaleRemoved, ", "))
	}
	var long *jobs.NameTooLongError
	switch {
	case errors.As(err, &long):
		return res, fmt.Errorf("%w: choose a shorter --out", err)
	case err != nil && ctx.Signal() != nil:
		return res, ctx.Interrupted(err)
	}
	return res, err
}

func runJobsDeleteOutput(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs delete-output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName(fs, pos, "delete-output")
	if err != nil {
		return err
	}
	return withStore(g, readWrite, "jobs delete-output "+name, func(st *store.Store) error {
		j, err := findJob(st, name)
		if err != nil {
			return err
		}
		j, err = jobs.New(st, cliEngineOptions).DeleteOutput(j.Seq)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "Deleted the output file of job %q.\n", j.Name)
		return nil
	})
}

func runJobsCancel(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs cancel")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName(fs, pos, "cancel")
	if err != nil {
		return err
	}
	// A job running in another process is asked to stop (its runner
	// sees it within a second) and the command waits for its end; one
	// whose runner is gone changed nothing and ends at once.
	return withStore(g, readWrite, "jobs cancel "+name, func(st *store.Store) error {
		j, err := findJob(st, name)
		if err != nil {
			return err
		}
		if !j.State.Cancelable() {
			return fmt.Errorf("job %q is %s; only a queued or running job can be canceled", j.Name, strings.ToLower(j.State.String()))
		}
		j, err = jobs.New(st, cliEngineOptions).Cancel(j.Seq)
		if err != nil {
			return err
		}
		switch j.State {
		case model.JobCanceled:
			fmt.Fprintf(stdio.Stdout, "Canceled job %q; no token was changed.\n", j.Name)
			return nil
		case model.JobCompleted:
			return fmt.Errorf("job %q completed before the cancel reached it: its new seeds are committed", j.Name)
		case model.JobFailed:
			return fmt.Errorf("job %q failed before the cancel reached it: %s", j.Name, j.Reason)
		}
		return fmt.Errorf("asked the runner of job %q to stop, but it is still %s after %v; it ends Canceled when its runner stops (see swtoken jobs show)",
			j.Name, strings.ToLower(j.State.String()), jobs.CancelWait)
	})
}

func runJobsRun(g Globals, args []string, stdio IO) error {
	fs := newFlags("jobs run")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	defer startCPUProfile(stdio.Stderr)()
	return withStore(g, readWrite, "jobs run", func(st *store.Store) error {
		eng := jobs.New(st, cliEngineOptions)
		ctx := catchStop(false)
		defer ctx.Stop()
		stopProgress := showProgress(eng, stdio.Stderr)
		ran, err := eng.RunQueued(ctx)
		stopProgress()
		if err == nil && ctx.Signal() == nil {
			// The process that runs jobs also fulfils approved requests.
			// It mails their tokens (and any a crash left) to the outbox and
			// sends the outbox when SMTP is configured.
			res, ferr := requests.NewRunner(st, requests.Options{Mail: true}).Pass(ctx)
			reportFulfilment(stdio.Stdout, res)
			if ferr != nil {
				err = fmt.Errorf("fulfilling approved requests: %w", ferr)
			}
		}
		var failed error
		for _, j := range ran {
			if e := reportEnd(stdio.Stdout, st, j); e != nil {
				fmt.Fprintln(stdio.Stdout, model.Printable(e.Error()))
				n := countNotCompleted(ran)
				failed = fmt.Errorf("%d of the %s did not complete", n, model.Plural(len(ran), "job"))
			}
		}
		if err != nil {
			if ctx.Signal() != nil {
				return ctx.Interrupted(errors.New("interrupted: the job in hand changed nothing and stays queued"))
			}
			return err
		}
		switch {
		case len(ran) == 0 && eng.WaitedForOtherRunner():
			fmt.Fprintln(stdio.Stdout, "no queued jobs left: another runner (a console or swtoken jobs run) ran them while this one waited its turn")
		case len(ran) == 0:
			fmt.Fprintln(stdio.Stdout, "no queued jobs")
		}
		return failed
	})
}

func countNotCompleted(js []model.Job) int {
	n := 0
	for _, j := range js {
		if j.State != model.JobCompleted {
			n++
		}
	}
	return n
}

// reportFulfilment says what a pass over the approved requests did:
// nothing when there was nothing to do.
func reportFulfilment(w io.Writer, res requests.Result) {
	for _, r := range res.Fulfilled {
		fmt.Fprintf(w, "Request %s fulfilled: token %s for %s.\n", r.ID(), r.Serial, model.Printable(r.User))
	}
	for _, r := range res.Failed {
		fmt.Fprintf(w, "Request %s failed: %s\n", r.ID(), model.Printable(r.StateReason))
	}
	if res.Waiting > 0 {
		fmt.Fprintf(w, "%s approved but waiting: no token is available (import tokens, then run again).\n", model.Plural(res.Waiting, "request is"))
	}
	if n := len(res.Notices.Queued); n > 0 {
		fmt.Fprintf(w, "%s (received, rejected) to the outbox.\n", model.Plural(n, "request notice"))
	}
	for _, d := range res.Notices.Dropped {
		fmt.Fprintf(w, "Notice dropped: %s\n", model.Printable(d))
	}
	if n := len(res.Mailed.Queued); n > 0 {
		fmt.Fprintf(w, "%s to the outbox.\n", model.Plural(n, "token message"))
	}
	for _, p := range res.Mailed.Problems {
		fmt.Fprintf(w, "Not mailed: %s\n", model.Printable(p))
	}
	if s := res.Sent; s.Sent+s.Retry+s.Failed > 0 {
		fmt.Fprintf(w, "E-mail: %d sent, %d to retry, %d failed (swtoken mail outbox shows them).\n", s.Sent, s.Retry, s.Failed)
	}
}

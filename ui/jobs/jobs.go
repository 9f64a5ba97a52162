package jobs

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Jobs screen messages.
type (
	jobsLoadedMsg struct {
		jobs []model.Job
		err  error
	}
	downloadedMsg struct {
		seq  uint64
		path string
		warn string // the ZIP holds files that no longer work
		note string // stale temporary copies were removed
		err  error
	}
	outputDeletedMsg struct {
		seq uint64
		err error
	}
	canceledMsg struct {
		seq uint64
		err error
	}
	// supersededMsg answers whether later jobs replaced the seeds of some
	// of a completed job's files (for its details).
	supersededMsg struct {
		seq  uint64
		warn string
	}
)

// jobsDialog is what the jobs screen asks or shows over its list.
// The dialogs' y/n questions.
var (
	overwriteConfirm = kit.Confirm{Yes: "overwrite", No: "choose another path"}
	deleteConfirm    = kit.Confirm{Yes: "delete", No: "keep"}
	cancelConfirm    = kit.Confirm{Yes: "cancel the job", No: "let it run"}
)

type jobsDialog int

const (
	dlgNone jobsDialog = iota
	dlgPath
	dlgOverwrite
	dlgResult
	dlgDelete
	dlgCancel
)

// jobsScreen lists distribution jobs in three tabs, with details and the
// output actions. It learns about progress from engine events, and reloads
// the list (in a Cmd) only when a job appears or changes state.
type jobsScreen struct {
	nav.Base
	c      *common
	tab    model.JobTab
	jobs   []model.Job // newest first
	live   map[uint64]nav.JobEvent
	loaded bool
	err    error

	sel    uint64 // the selected job, by seq (the list reorders)
	follow uint64 // the job the screen was opened on, followed across tabs
	detail bool
	// superseded holds, per completed job whose details were opened, the
	// warning that later jobs replaced some of its files' seeds ("" when
	// none). A job that completes can supersede others: it is cleared then.
	superseded map[uint64]string

	dlg        jobsDialog
	dlgSeq     uint64
	path       kit.TextField
	dlgErr     error
	result     string
	resultWarn string // the downloaded ZIP holds files that no longer work
	resultNote string // stale temporary copies of a ZIP were removed
	working    bool

	// reloads paces the reloads after store changes by other processes
	// (live.go): jobs they queue, run and end, and their progress.
	reloads kit.LiveLoad

	// pressed is the key being dispatched, for the 1/2/3 binding.
	pressed string
}

func newJobs(c *common, follow uint64) *jobsScreen {
	s := &jobsScreen{c: c, live: map[uint64]nav.JobEvent{}, sel: follow, follow: follow}
	s.path = kit.NewInput(c.Env, "")
	s.path.CharLimit = 4096
	return s
}

func (s *jobsScreen) Init() tea.Cmd { return s.reloads.Start(s.reload()) }

// reload reads the jobs; the answer is addressed, so that it reaches this
// screen also when another is on top.
func (s *jobsScreen) reload() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		js, err := be.Jobs()
		return nav.To(s, jobsLoadedMsg{js, err})
	}
}

// StoreChanged reloads the jobs: the tab, the selected job (by number),
// open details and dialogs stay.
func (s *jobsScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.reload()) }

func (s *jobsScreen) Title() string { return "Jobs" }

func (s *jobsScreen) CapturesInput() bool { return s.dlg == dlgPath }

// Back closes a dialog, then the details; then the root pops the screen.
// HandlesBack is true: Back handles esc.
func (s *jobsScreen) HandlesBack() bool { return true }

func (s *jobsScreen) Back() (nav.Screen, tea.Cmd, bool) {
	cmd, handled := s.back()
	return s, cmd, handled
}

// back is esc: it closes a dialog (the overwrite question goes back to the
// path), then the details; handled is false on the list, where the root
// pops the screen. Working, esc waits like every other key.
func (s *jobsScreen) back() (tea.Cmd, bool) {
	switch {
	case s.working:
		return nil, true
	case s.dlg != dlgNone:
		if s.dlg == dlgOverwrite {
			s.dlg = dlgPath
			return s.path.Focus(), true
		}
		s.closeDialog()
		return nil, true
	case s.detail:
		s.detail = false
		return nil, true
	}
	return nil, false
}

// dialogDone ends a dialog's action (delete the output, cancel): a
// refusal stays in the open dialog with the whole reason (it often names a
// path) and the status line only says what failed; success closes the
// dialog, reloads and shows done.
func (s *jobsScreen) dialogDone(err error, failed string, done tea.Cmd) tea.Cmd {
	s.working = false
	if err != nil {
		s.dlgErr = err
		return nav.Status(nav.StatusError, failed)
	}
	s.closeDialog()
	return tea.Batch(s.reload(), done)
}

func (s *jobsScreen) closeDialog() {
	s.dlg, s.dlgErr, s.result, s.resultWarn, s.resultNote = dlgNone, nil, "", "", ""
	s.path.Blur()
}

// current returns the job as last seen: the stored record with the newest
// event laid over it.
func (s *jobsScreen) current(j model.Job) model.Job {
	if ev, ok := s.live[j.Seq]; ok {
		if ev.State != "" {
			j.State = ev.State
		}
		if ev.Total > 0 {
			j.Total = ev.Total
		}
		j.Done = ev.Done
		if ev.Reason != "" {
			j.Reason = ev.Reason
		}
		if ev.Output != "" {
			j.Output = ev.Output
		}
	}
	return j
}

// tabJobs lists the jobs of tab t, newest first.
func (s *jobsScreen) tabJobs(t model.JobTab) []model.Job {
	var out []model.Job
	for _, j := range s.jobs {
		j = s.current(j)
		if j.State.Tab() == t {
			out = append(out, j)
		}
	}
	return out
}

func (s *jobsScreen) job(seq uint64) (model.Job, bool) {
	for _, j := range s.jobs {
		if j.Seq == seq {
			return s.current(j), true
		}
	}
	return model.Job{}, false
}

// fixSelection keeps the selection on a job of the shown tab, and the
// followed job's tab in view as it moves from In Progress to its end. Open
// details follow the job they show the same way, whoever started it: the
// details never go blank or switch to another job under the admin.
func (s *jobsScreen) fixSelection() {
	follow := s.follow
	if s.detail && s.sel != 0 {
		follow = s.sel
	}
	if follow != 0 {
		if j, ok := s.job(follow); ok {
			s.tab, s.sel = j.State.Tab(), j.Seq
		}
	}
	if _, ok := s.job(s.sel); s.detail && !ok {
		s.detail = false // the job is gone: back to the list
	}
	list := s.tabJobs(s.tab)
	for _, j := range list {
		if j.Seq == s.sel {
			return
		}
	}
	s.sel = 0
	if len(list) > 0 {
		s.sel = list[0].Seq
	}
}

func (s *jobsScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.LiveTickMsg:
		return s, s.reloads.Tick(s.reload())
	case jobsLoadedMsg:
		s.loaded = true
		next := s.reloads.Loaded(s, s.reload())
		if msg.err != nil {
			s.err = msg.err
			return s, next
		}
		s.err = nil
		s.jobs = msg.jobs
		// Events older than the reload are superseded by the records.
		for _, j := range s.jobs {
			if ev, ok := s.live[j.Seq]; ok && ev.State != j.State && (j.State.Terminal() || ev.State == model.JobQueued) {
				delete(s.live, j.Seq)
			}
		}
		s.fixSelection()
		return s, next

	case supersededMsg:
		if s.superseded == nil {
			s.superseded = map[uint64]string{}
		}
		s.superseded[msg.seq] = msg.warn
		return s, nil

	case nav.JobEventMsg:
		ev := nav.JobEvent(msg)
		if ev.Seq == 0 {
			return s, nil
		}
		if ev.State == model.JobCompleted {
			// A completed job may have replaced seeds of older jobs'
			// files: check again when their details open.
			s.superseded = nil
		}
		old, seen := s.live[ev.Seq]
		j, known := s.job(ev.Seq)
		s.live[ev.Seq] = ev
		s.fixSelection()
		if !known || (seen && old.State != ev.State) || (!seen && j.State != ev.State) {
			return s, s.reload()
		}
		return s, nil

	case downloadedMsg:
		s.working = false
		if msg.err != nil {
			if errors.Is(msg.err, ErrExists) {
				s.dlg, s.dlgErr = dlgOverwrite, nil
				s.path.Blur()
				return s, nil
			}
			s.dlg, s.dlgErr = dlgPath, msg.err
			return s, s.path.Focus()
		}
		s.path.Blur()
		s.dlg, s.dlgErr = dlgResult, nil
		s.result, s.resultWarn, s.resultNote = msg.path, msg.warn, msg.note
		// The status line is one line, cut at the screen's width: the path
		// is in the dialog, wrapped, not here.
		if msg.warn != "" {
			return s, nav.Status(nav.StatusWarn, "Saved, but some files in the ZIP no longer work: read the warning above.")
		}
		return s, nav.Status(nav.StatusOK, fmt.Sprintf("Job #%d: output file saved (path and scp command above).", msg.seq))

	case outputDeletedMsg:
		return s, s.dialogDone(msg.err, fmt.Sprintf("Job #%d: the output file was not deleted.", msg.seq),
			nav.Status(nav.StatusOK, fmt.Sprintf("Job #%d: output file deleted.", msg.seq)))

	case canceledMsg:
		return s, s.dialogDone(msg.err, fmt.Sprintf("Job #%d was not canceled.", msg.seq),
			nav.Status(nav.StatusWarn, fmt.Sprintf("Job #%d: cancel requested.", msg.seq)))

	case tea.PasteMsg:
		if s.dlg == dlgPath {
			s.path, _ = s.path.Update(msg)
		}
		return s, nil

	case tea.KeyPressMsg:
		return s, s.handleKey(msg)
	}
	return s, nil
}

func (s *jobsScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	s.pressed = msg.String()
	typing := s.CapturesInput()
	if cmd, ok := s.Bindings().Handle(msg, typing); ok {
		return cmd
	}
	if typing && !s.working {
		s.dlgErr = nil
		s.path, _ = s.path.Update(msg)
	}
	return nil
}

// Bindings is the screen's table in its current state: a dialog's
// answers, the details' actions, or the list's.
func (s *jobsScreen) Bindings() nav.Table {
	k := s.c.Keys
	// esc is in the short help only where it is the one way out; beside
	// n (or enter) it is in the full help.
	esc := func(desc string) nav.Binding {
		return nav.Binding{Key: kit.WithHelp(k.Back, "esc", desc), Run: func() tea.Cmd { cmd, _ := s.back(); return cmd },
			FullOnly: s.dlg != dlgPath}
	}
	var t nav.Table
	switch s.dlg {
	case dlgPath:
		t = nav.Table{
			{Key: kit.WithHelp(k.Select, "enter", "save"), Run: func() tea.Cmd { return s.download(false) }},
			esc("cancel"),
		}
	case dlgOverwrite:
		t = nav.Table{
			{Key: kit.WithHelp(k.Yes, "y", overwriteConfirm.Yes), Run: func() tea.Cmd { return s.download(true) }},
			{Key: kit.WithHelp(k.No, "n", overwriteConfirm.No), Run: func() tea.Cmd { s.dlg = dlgPath; return s.path.Focus() }},
			esc(overwriteConfirm.No),
		}
	case dlgResult:
		closeDlg := func() tea.Cmd { s.closeDialog(); return nil }
		t = nav.Table{{Key: kit.WithHelp(k.Select, "enter", "close"), Run: closeDlg}, esc("close")}
	case dlgDelete, dlgCancel:
		c := deleteConfirm
		if s.dlg == dlgCancel {
			c = cancelConfirm
		}
		t = nav.Table{
			{Key: kit.WithHelp(k.Yes, "y", c.Yes), Run: s.answerYes},
			{Key: kit.WithHelp(k.No, "n", c.No), Run: func() tea.Cmd { s.closeDialog(); return nil }},
			esc(c.No),
		}
	default:
		t = s.listBindings()
	}
	if s.working {
		for i := range t {
			t[i].Disabled = "Working: wait for the answer."
		}
	}
	return t
}

// answerYes deletes the output or cancels the job the dialog asks about.
func (s *jobsScreen) answerYes() tea.Cmd {
	s.working, s.dlgErr = true, nil
	seq, be := s.dlgSeq, s.c.be
	if s.dlg == dlgDelete {
		return func() tea.Msg { return outputDeletedMsg{seq, be.DeleteOutput(seq)} }
	}
	return func() tea.Msg { return canceledMsg{seq, be.Cancel(seq)} }
}

// listBindings is the list's and the details' table.
func (s *jobsScreen) listBindings() nav.Table {
	k := s.c.Keys
	toTab := func(tab model.JobTab) {
		s.follow, s.detail = 0, false
		s.tab = tab
		s.sel = 0
		s.fixSelection()
	}
	move := func(d int) func() tea.Cmd {
		return func() tea.Cmd {
			list := s.tabJobs(s.tab)
			i := max(0, min(len(list)-1, indexOf(list, s.sel)+d))
			if i < len(list) {
				s.sel, s.follow = list[i].Seq, 0
			}
			return nil
		}
	}
	j, selected := s.job(s.sel)
	none := "No job is selected: this tab is empty."
	details := nav.Binding{Key: k.Details, Run: func() tea.Cmd {
		s.detail = !s.detail
		if s.detail {
			return s.checkSuperseded(j)
		}
		return nil
	}}
	download := nav.Binding{Key: k.Download, Run: s.openDownload}
	delDesc := "delete" // the list's footer is short; the details say it whole
	if s.detail {
		delDesc = "delete output"
	}
	del := nav.Binding{Key: kit.WithHelp(k.Delete, "x", delDesc), Run: func() tea.Cmd {
		s.dlg, s.dlgSeq = dlgDelete, j.Seq
		return nil
	}}
	cancel := nav.Binding{Key: kit.WithHelp(k.Cancel, "c", "cancel job"), Run: func() tea.Cmd {
		s.dlg, s.dlgSeq = dlgCancel, j.Seq
		return nil
	}}
	switch {
	case !selected:
		details.Disabled, download.Disabled, del.Disabled, cancel.Disabled = none, none, none, none
	default:
		if !hasOutput(j) {
			download.Disabled = fmt.Sprintf("Job #%d has no output to download: %s.", j.Seq, outputState(j))
			del.Disabled = fmt.Sprintf("Job #%d has no output to delete: %s.", j.Seq, outputState(j))
		}
		if !j.State.Cancelable() {
			cancel.Disabled = fmt.Sprintf("Job #%d is %s; only queued or running jobs can be canceled.", j.Seq, j.State)
		}
	}
	t := nav.Table{
		{Key: kit.WithHelp(k.NextTab, "tab", "next tab"), Run: func() tea.Cmd { toTab((s.tab + 1) % 3); return nil }, FullOnly: s.detail},
		{Key: kit.WithHelp(k.PrevTab, "shift+tab", "previous tab"), Run: func() tea.Cmd { toTab((s.tab + 2) % 3); return nil }, FullOnly: true},
		{Key: key.NewBinding(key.WithKeys("1", "2", "3"), key.WithHelp("1/2/3", "tab by number")), FullOnly: true,
			Run: func() tea.Cmd {
				if p := s.pressed; len(p) == 1 && p[0] >= '1' && p[0] <= '3' {
					toTab(model.JobTab(p[0] - '1'))
				}
				return nil
			}},
	}
	if s.detail {
		details.Key = kit.WithHelp(k.Details, "enter", "close details")
		details.FullOnly = true
		return append(t, download, del, cancel, details, nav.Binding{Key: kit.WithHelp(k.Back, "esc", "list"),
			Run: func() tea.Cmd { s.detail = false; return nil }})
	}
	return append(t,
		nav.Binding{Key: k.Up, Run: move(-1), FullOnly: true},
		nav.Binding{Key: k.Down, Run: move(1), FullOnly: true},
		details, download, del, cancel)
}

func indexOf(list []model.Job, seq uint64) int {
	for i, j := range list {
		if j.Seq == seq {
			return i
		}
	}
	return 0
}

func hasOutput(j model.Job) bool {
	return j.State == model.JobCompleted && j.Output != "" && j.OutputDeleted.IsZero()
}

// outputState says why a job has no output file. It is part of a status
// line, which has one line of 80 columns: keep it short.
func outputState(j model.Job) string {
	switch {
	case !j.OutputDeleted.IsZero():
		return "deleted " + model.FormatTime(j.OutputDeleted)
	case j.State != model.JobCompleted:
		return "the job is " + j.State.String()
	}
	return "none recorded"
}

func (s *jobsScreen) openDownload() tea.Cmd {
	j, ok := s.job(s.sel)
	if !ok {
		return nil
	}
	if !hasOutput(j) {
		return nil // the binding is disabled and says why
	}
	s.dlg, s.dlgSeq, s.dlgErr = dlgPath, j.Seq, nil
	s.path.SetValue(model.DefaultDownloadName(j.Name))
	s.path.CursorEnd()
	return s.path.Focus()
}

func (s *jobsScreen) download(force bool) tea.Cmd {
	path := strings.TrimSpace(s.path.Value())
	if path == "" {
		s.dlgErr = errors.New("type a path for the ZIP file")
		return nil
	}
	s.working = true
	seq, be := s.dlgSeq, s.c.be
	return func() tea.Msg {
		d, err := be.Download(seq, path, force)
		if err != nil {
			return downloadedMsg{seq: seq, err: err}
		}
		// The download stands; the warning is for the admin who hands
		// the files out (a failed check is said, not hidden).
		warn, werr := be.SupersededWarning(seq)
		if werr != nil {
			warn = "could not check whether later jobs replaced these tokens' seeds: " + werr.Error()
		}
		return downloadedMsg{seq: seq, path: d.Path, warn: warn, note: d.Note}
	}
}

func (s *jobsScreen) ShortHelp() []key.Binding { return s.Bindings().ShortHelp(s.CapturesInput()) }

func (s *jobsScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.Bindings().Shown(s.CapturesInput())}
}

// ---- view ----

func (s *jobsScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	var b strings.Builder
	b.WriteString(s.tabsView() + "\n\n")
	switch {
	case !s.loaded:
		b.WriteString("Loading the jobs...")
		return b.String()
	case s.err != nil:
		b.WriteString(kit.HangBreak(t.Error.Render("ERROR: "), "cannot read the jobs: "+s.err.Error(), w))
		return b.String()
	}
	var body string
	if s.detail {
		if j, ok := s.job(s.sel); ok {
			body = s.detailView(j, w)
		}
	} else {
		body = s.listView(w, h-2-s.dialogHeight(w))
	}
	b.WriteString(body)
	if d := s.dialogView(w); d != "" {
		lines := kit.FitLines(b.String(), w, max(0, h-lipglossHeight(d)-1))
		return strings.Join(lines, "\n") + "\n" + t.Muted.Render(strings.Repeat(t.G.Rule, w)) + "\n" + d
	}
	return b.String()
}

func lipglossHeight(s string) int { return strings.Count(s, "\n") + 1 }

func (s *jobsScreen) tabsView() string {
	t := s.c.Theme
	var parts []string
	for tab := model.TabInProgress; tab <= model.TabFailedCanceled; tab++ {
		label := fmt.Sprintf("%d %s (%d)", tab+1, tab, len(s.tabJobs(tab)))
		if tab == s.tab {
			parts = append(parts, t.TabOn.Render("["+label+"]"))
		} else {
			parts = append(parts, t.TabOff.Render(" "+label+" "))
		}
	}
	return strings.Join(parts, "  ")
}

func (s *jobsScreen) listView(w, h int) string {
	t := s.c.Theme
	list := s.tabJobs(s.tab)
	if len(list) == 0 {
		msg := map[model.JobTab]string{
			model.TabInProgress:     "No job is queued or running. Start one with Distribute Software Tokens on the home screen.",
			model.TabCompleted:      "No completed job yet.",
			model.TabFailedCanceled: "No failed or canceled job.",
		}[s.tab]
		return t.Muted.Render(kit.Wrap(msg, w))
	}
	rows := max(1, (h-1)/2)
	i := indexOf(list, s.sel)
	off := 0
	if i >= rows {
		off = i - rows + 1
	}
	// The numbers take the width of the longest, so the names line up.
	idW := 0
	for _, j := range list {
		idW = max(idW, len(fmt.Sprint(j.Seq)))
	}
	var b strings.Builder
	for _, j := range list[off:min(len(list), off+rows)] {
		b.WriteString(s.rowView(j, w, idW, j.Seq == s.sel) + "\n")
	}
	if len(list) > rows {
		b.WriteString(t.Muted.Render(fmt.Sprintf("jobs %d-%d of %d", off+1, min(len(list), off+rows), len(list))))
	}
	return strings.TrimRight(b.String(), "\n")
}

// rowView is two lines per job: the number, the name (cut with an
// ellipsis, so that the state always shows) and the state, then progress
// (in progress), the result (completed) or the reason (failed, canceled).
// idW is the width of the longest job number in the list.
func (s *jobsScreen) rowView(j model.Job, w, idW int, selected bool) string {
	t := s.c.Theme
	mark := t.G.NoCursor
	if selected {
		mark = t.G.Cursor
	}
	state := j.State.String()
	id := fmt.Sprintf("#%-*d ", max(4, idW), j.Seq)
	nameW := max(10, w-len(mark)-len(id)-len(state)-2)
	name := ansi.Truncate(model.Printable(j.Name), nameW, t.G.Ellipsis)
	line := mark + id + name + strings.Repeat(" ", max(2, w-len(mark)-len(id)-ansi.StringWidth(name)-len(state))) + state
	if selected {
		line = t.Selected.Render(line)
	}
	indent := t.G.NoCursor + strings.Repeat(" ", len(id))
	var second string
	switch j.State {
	case model.JobQueued, model.JobRunning:
		second = s.progressLine(j, w-len(indent))
	case model.JobCompleted:
		second = fmt.Sprintf("%s tokens, ended %s, %s", kit.Commas(j.Total), s.when(j.Ended), zipState(j))
	default:
		second = "ended " + s.when(j.Ended)
		if j.Reason != "" {
			second += ": " + model.Printable(j.Reason)
		}
	}
	if j.State == model.JobFailed || j.State == model.JobCanceled {
		// The reason is why the admin looks here: wrap it, up to 3 lines.
		wrapped := strings.Split(kit.Hang(indent, second, w), "\n")
		return line + "\n" + strings.Join(wrapped[:min(3, len(wrapped))], "\n")
	}
	if tag := kindTag(j); tag != "" {
		second = tag + ", " + second
	}
	return line + "\n" + indent + ansi.Truncate(second, w-len(indent), t.G.Ellipsis)
}

// kindTag is a CTF job's short type for the list ("CTF v3"); file jobs,
// the default, have none.
func kindTag(j model.Job) string {
	if j.Spec.Kind.OrFiles() != model.JobKindCTF {
		return ""
	}
	return "CTF " + string(j.Spec.CTFForm)
}

// zipContents says what a job's ZIP holds, for the download dialog.
func zipContents(j model.Job) string {
	if j.Spec.Kind.OrFiles() == model.JobKindCTF {
		png := ""
		if j.Spec.WantsQRImages() {
			png = ", a QR image of each link (<user-id>_<serial>.png)"
		}
		return "The ZIP holds one CTF string per token (<user-id>_<serial>.ctf.txt)" + png + ", manifest.csv (no secrets) and credentials.csv (every string): it holds token secrets and is written with mode 0600."
	}
	return "The ZIP holds token secrets; it is written with mode 0600."
}

// zipState says whether the output ZIP can be downloaded: short, so that
// the line with the end time and its zone fits 80 columns.
func zipState(j model.Job) string {
	switch {
	case hasOutput(j):
		return "ZIP ready (d to download)"
	case !j.OutputDeleted.IsZero():
		return "output ZIP deleted"
	}
	return "no output ZIP"
}

// when is a time as the console and the command line show it (one rule,
// with the zone: model.FormatTime); "-" for none.
func (s *jobsScreen) when(at time.Time) string {
	if at.IsZero() {
		return "-"
	}
	return model.FormatTime(at)
}

// progressLine is "[#####.....]  45%  9,000 of 20,000  1,234/s  9s left".
func (s *jobsScreen) progressLine(j model.Job, w int) string {
	pct := 0.0
	if j.Total > 0 {
		pct = float64(j.Done) / float64(j.Total)
	}
	text := fmt.Sprintf("%3d%%  %s of %s", int(math.Floor(pct*100)), kit.Commas(j.Done), kit.Commas(j.Total))
	if j.State == model.JobQueued {
		text += "  waiting"
	} else if rate := s.rate(j); rate > 0 {
		left := time.Duration(float64(j.Total-j.Done) / rate * float64(time.Second)).Round(time.Second)
		text += fmt.Sprintf("  %s/s  %s left", kit.Commas(int(math.Round(rate))), left)
	}
	barW := max(10, min(40, w-ansi.StringWidth(text)-4))
	return s.bar(pct, barW) + "  " + text
}

// rate is tokens per second: from the engine's event, else from the job's
// start time.
func (s *jobsScreen) rate(j model.Job) float64 {
	if ev, ok := s.live[j.Seq]; ok && ev.Rate > 0 {
		return ev.Rate
	}
	if j.Started.IsZero() || j.Done == 0 {
		return 0
	}
	el := s.c.Now().Sub(j.Started).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(j.Done) / el
}

// bar is a static progress bar: no animation, so views are stable and
// nothing repaints between events.
func (s *jobsScreen) bar(pct float64, w int) string {
	t := s.c.Theme
	inner := w - 2
	full := int(math.Round(pct * float64(inner)))
	full = max(0, min(inner, full))
	fill := strings.Repeat(string(t.G.BarFull), full)
	if t.BarColor != "" {
		fill = t.Key.Render(fill)
	}
	return "[" + fill + strings.Repeat(string(t.G.BarEmpty), inner-full) + "]"
}

func (s *jobsScreen) detailView(j model.Job, w int) string {
	t := s.c.Theme
	state := j.State.String()
	switch j.State {
	case model.JobRunning, model.JobQueued:
		state += fmt.Sprintf(" (%s of %s)", kit.Commas(j.Done), kit.Commas(j.Total))
	}
	bind := j.Spec.Binding.String()
	nick := model.Printable(j.Spec.Nickname)
	if nick == "" {
		nick = "(none)"
	}
	out := "-"
	switch {
	case hasOutput(j):
		out = fmt.Sprintf("%s (%s bytes)", model.Printable(j.Output), kit.Commas(int(j.OutputSize)))
	case !j.OutputDeleted.IsZero():
		out = "deleted " + s.when(j.OutputDeleted)
	}
	rows := [][2]string{
		{"Job", fmt.Sprintf("#%d %s", j.Seq, model.Printable(j.Name))},
		{"State", state},
		// The job type beside the profile it follows: one line, so the
		// details keep their room at 80x24.
		{"Profile", fmt.Sprintf("%s (%s)", model.Printable(j.Spec.Profile), j.Spec.Kind.Label())},
	}
	if j.Spec.Kind.OrFiles() == model.JobKindCTF {
		qr := "no QR images (digits, not links)"
		if j.Spec.WantsQRImages() {
			qr = "with a QR image (PNG) of each link"
		}
		rows = append(rows, [2]string{"CTF strings", model.CTFLabel(j.Spec.CTFShape, j.Spec.CTFForm) + ", " + qr})
	}
	if !j.File.IsZero() {
		// What the job writes, frozen at submit (the profile may have
		// been edited since).
		rows = append(rows, [2]string{"Tokencode", j.File.Label()})
	}
	rows = append(rows, [][2]string{
		{"Binding", bind},
		{"Nickname", nick},
		{"Password", model.PasswordSummary(j.Spec.PasswordMode)},
		{"Criteria", j.Spec.Criteria.Describe()},
		{"Tokens", kit.Commas(j.Total)},
		{"Batch id", j.BatchID},
		{"Submitted", s.when(j.Submitted)},
		{"Started", s.when(j.Started)},
		{"Ended", s.when(j.Ended)},
		{"Output file", out},
	}...)
	if j.OutputSHA256 != "" && hasOutput(j) {
		rows = append(rows, [2]string{"SHA-256", j.OutputSHA256})
	}
	if j.Reason != "" {
		rows = append(rows, [2]string{"Reason", model.Printable(j.Reason)})
	}
	view := t.Heading.Render("Job details") + "\n" + kit.KVWrapped(t, rows, w)
	if warn := s.superseded[j.Seq]; warn != "" && hasOutput(j) {
		view += "\n" + kit.HangBreak(t.Warn.Render("WARNING: "), warn, w)
	}
	return view
}

// checkSuperseded asks, for a completed job with an output file whose
// details open, whether later jobs replaced some of its files' seeds.
func (s *jobsScreen) checkSuperseded(j model.Job) tea.Cmd {
	if !hasOutput(j) {
		return nil
	}
	if _, known := s.superseded[j.Seq]; known {
		return nil
	}
	seq, be := j.Seq, s.c.be
	return func() tea.Msg {
		warn, err := be.SupersededWarning(seq)
		if err != nil {
			warn = "could not check whether later jobs replaced these files' seeds: " + err.Error()
		}
		return supersededMsg{seq, warn}
	}
}

func (s *jobsScreen) dialogHeight(w int) int {
	if d := s.dialogView(w); d != "" {
		return lipglossHeight(d) + 1
	}
	return 0
}

func (s *jobsScreen) dialogView(w int) string {
	t := s.c.Theme
	j, _ := s.job(s.dlgSeq)
	var b strings.Builder
	switch s.dlg {
	case dlgNone:
		return ""
	case dlgPath:
		b.WriteString(t.Title.Render(fmt.Sprintf("Download Output File of job #%d", j.Seq)) + "\n")
		s.path.SetWidth(max(10, w-12))
		b.WriteString(t.G.Cursor + "Save to: " + s.path.View())
		if s.dlgErr != nil {
			// Wrapped, never cut: the end of the message (which
			// directory is missing) is the part that matters.
			b.WriteString("\n" + kit.HangBreak(t.Error.Render("ERROR: "), s.dlgErr.Error(), w))
		} else {
			b.WriteString("\n" + t.Muted.Render(kit.Wrap("Relative paths start where swtoken was started. "+zipContents(j), w)))
		}
	case dlgOverwrite:
		b.WriteString(kit.HangBreak(t.Warn.Render("WARNING: "), fmt.Sprintf("%s exists. Overwrite it?", strings.TrimSpace(s.path.Value())), w) + "\n")
		b.WriteString(overwriteConfirm.Choices(t))
	case dlgResult:
		// Hard-wrapped, not cut: the admin needs the whole path.
		b.WriteString(ansi.Hardwrap(t.OK.Render("Saved: ")+s.result, w, true) + "\n")
		if s.resultWarn != "" {
			b.WriteString(kit.HangBreak(t.Warn.Render("WARNING: "), s.resultWarn, w) + "\n")
		}
		if s.resultNote != "" {
			b.WriteString(kit.HangBreak(t.Muted.Render("NOTE: "), s.resultNote, w) + "\n")
		}
		b.WriteString("Copy it to your computer with:\n")
		b.WriteString(ansi.Hardwrap("  scp "+scpSource(s.c.User, s.c.Host, s.result)+" .", w, true) + "\n")
		b.WriteString(t.Muted.Render("It holds token secrets: delete it once the files are delivered. enter closes."))
	case dlgDelete:
		b.WriteString(t.Warn.Render("Delete the output file of job #"+fmt.Sprint(j.Seq)+"?") + "\n")
		b.WriteString(kit.Wrap("The ZIP holds token secrets. Once deleted it cannot be downloaded again; the tokens keep their new seeds.", w) + "\n")
		b.WriteString(deleteConfirm.Choices(t))
		b.WriteString(s.dialogErrLine(w))
	case dlgCancel:
		b.WriteString(t.Warn.Render(fmt.Sprintf("Cancel job #%d %q?", j.Seq, j.Name)) + "\n")
		b.WriteString(kit.Wrap("Nothing is changed: no token gets a new seed and no file is kept.", w) + "\n")
		b.WriteString(cancelConfirm.Choices(t))
		b.WriteString(s.dialogErrLine(w))
	}
	if s.working {
		b.WriteString("\nWorking...")
	}
	return b.String()
}

// dialogErrLine is the failure of the dialog's last try, wrapped under it.
func (s *jobsScreen) dialogErrLine(w int) string {
	if s.dlgErr == nil {
		return ""
	}
	return "\n" + kit.HangBreak(s.c.Theme.Error.Render("ERROR: "), s.dlgErr.Error(), w)
}

// scpSource is "user@host:/path", quoting the path for the remote shell
// when it holds spaces or shell characters.
func scpSource(user, host, path string) string {
	p := path
	if strings.ContainsAny(p, " '\"$`\\!*?&;|<>()[]{}") {
		p = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	src := host + ":" + p
	if user != "" {
		src = user + "@" + src
	}
	return src
}

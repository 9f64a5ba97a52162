package ui

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	jobsui "github.com/swtoken/swtoken/ui/jobs"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/wizard"
)

// snapshot is what a flow test may look at. It is taken inside Update, on
// the program's goroutine, so the test never reads the live model (which
// would race): teatest's output stream is cell diffs and cannot be waited
// on reliably (tui-conventions §2.4 #6).
type snapshot struct {
	top      string
	step     int    // the wizard's step, from 1
	confirm  string // the number the summary asks for, if any
	jobState model.JobState
	jobSeq   uint64
	dialog   string // "path" while the download asks for it, "result" after
	result   string
	status   string
	text     string
}

type probe struct {
	inner *Model
	last  atomic.Value
}

func (p *probe) Init() tea.Cmd { return p.inner.Init() }

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.inner.Update(msg)
	m := p.inner
	s := snapshot{status: m.Status(), text: m.Render()}
	if o, ok := jobsui.Observe(m.Top()); ok {
		s.top, s.result = "jobs", o.Downloaded
		s.jobSeq, s.jobState = o.Seq, o.State
		switch {
		case o.Downloading:
			s.dialog = "path"
		case o.Downloaded != "":
			s.dialog = "result"
		}
	}
	if o, ok := wizard.Observe(m.Top()); ok {
		s.top, s.step, s.confirm = "wizard", o.Step, o.Confirm
	}
	switch m.Top().Title() {
	case "First run":
		s.top = "firstRun"
	case "Home":
		s.top = "home"
	}
	p.last.Store(s)
	return p, cmd
}

func (p *probe) View() tea.View { return p.inner.View() }

func (p *probe) waitFor(t *testing.T, what string, cond func(s snapshot) bool) snapshot {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if s, ok := p.last.Load().(snapshot); ok && cond(s) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	s, _ := p.last.Load().(snapshot)
	t.Fatalf("timed out waiting for %s; screen:\n%s", what, s.text)
	return s
}

// TestFlowDemoWizardJobDownload runs the console on a real store and
// engine: first run loads the demo, the wizard submits a "User ID followed
// by Password" job, the job completes, and its ZIP is downloaded.
func TestFlowDemoWizardJobDownload(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(store.Options{DataDir: filepath.Join(dir, "data"), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	be := startEngine(t, st)

	opts := Options{Theme: kit.NewTheme(false, true), Host: "tokenhost", User: "admin"}
	p := &probe{inner: New(be, opts)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	key := func(k string) { tm.Send(keyPress(k)) }
	const pw = "Flow-pw1"

	p.waitFor(t, "the first-run screen", func(s snapshot) bool { return s.top == "firstRun" })
	key("enter") // Load demo inventory
	p.waitFor(t, "home after the demo load", func(s snapshot) bool { return s.top == "home" })
	key("enter") // Distribute Software Tokens
	p.waitFor(t, "the wizard", func(s snapshot) bool { return s.top == "wizard" })
	key("enter")
	p.waitFor(t, "step 2", func(s snapshot) bool { return s.step == 2 })
	tm.Type("iph")
	key("enter")
	p.waitFor(t, "step 3", func(s snapshot) bool { return s.step == 3 })
	key("enter")
	p.waitFor(t, "step 4", func(s snapshot) bool { return s.step == 4 })
	tm.Type("Flow")
	key("enter")
	p.waitFor(t, "step 5", func(s snapshot) bool { return s.step == 5 })
	key("down")
	key("down")
	key("down") // User ID followed by Password
	key("enter")
	tm.Type(pw)
	key("enter")
	tm.Type(pw)
	key("enter")
	p.waitFor(t, "step 6", func(s snapshot) bool { return s.step == 6 })
	tm.Type("100000000001")
	key("tab")
	tm.Type("100000000040")
	key("enter")
	s := p.waitFor(t, "the summary", func(s snapshot) bool { return s.step == 7 })
	if strings.Contains(s.text, pw) {
		t.Fatal("the password is on the summary screen")
	}
	if s.confirm != "" {
		tm.Type(s.confirm)
	}
	key("enter")
	p.waitFor(t, "step 8", func(s snapshot) bool { return s.step == 8 })
	key("enter")
	s = p.waitFor(t, "the jobs screen on the new job", func(s snapshot) bool { return s.top == "jobs" && s.jobSeq == 1 })
	s = p.waitFor(t, "the job to complete", func(s snapshot) bool {
		return s.jobState == model.JobCompleted || s.jobState == model.JobFailed
	})
	if s.jobState != model.JobCompleted {
		t.Fatalf("job ended %s:\n%s", s.jobState, s.text)
	}

	out := filepath.Join(dir, "download.zip")
	key("d")
	p.waitFor(t, "the download dialog", func(s snapshot) bool { return s.dialog == "path" })
	key("ctrl+u")
	tm.Type(out)
	key("enter")
	s = p.waitFor(t, "the download result", func(s snapshot) bool { return s.dialog == "result" })
	if s.result != out || !strings.Contains(s.text, "scp admin@tokenhost:"+out+" .") {
		t.Fatalf("result %q:\n%s", s.result, s.text)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("download mode %v, want 0600", fi.Mode().Perm())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var sdtid, manifest int
	for _, f := range zr.File {
		switch {
		case strings.HasSuffix(f.Name, ".sdtid"):
			sdtid++
		case f.Name == "manifest.csv":
			manifest++
		}
	}
	j, err := st.Job(1)
	if err != nil {
		t.Fatal(err)
	}
	if sdtid != j.Total || manifest != 1 || j.Spec.PasswordMode != model.PasswordUserIDAndAdmin {
		t.Fatalf("zip holds %d token files and %d manifests; job %d tokens, mode %s", sdtid, manifest, j.Total, j.Spec.PasswordMode)
	}
	key("enter")
	key("ctrl+c")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*probe).inner
	for _, s := range final.Stack() {
		if _, ok := wizard.Observe(s); ok {
			t.Fatal("wizard still open")
		}
	}
}

// Package shell is the console's root model: the stack of screens, the
// status line, the help overlay, quitting, the engine events and the live
// polling of the store. It knows no feature: the screens it starts with and
// the pages nav.OpenMsg names come from its Config.
package shell

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// The smallest terminal the console lays out for. Below it a "terminal too
// small" screen replaces the layout rather than drawing a broken one.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Model is the console's root model: the only tea.Model.
type Model struct {
	c   *kit.Env
	be  Backend
	cfg Config

	stack         []nav.Screen
	width, height int

	status    string
	statusLvl nav.StatusLevel
	statusSeq int

	fatal error

	confirmQuit bool
	// quitByCtrlC is true when ctrl+c asked to quit (or confirmed it):
	// a job this console runs is stopped, not finished (quit.go).
	quitByCtrlC bool
	// quitNotes are the jobs that ended while the quit question was up.
	quitNotes []string
	showHelp  bool
	// helpScroll is the full help's window, laid out in Update.
	helpScroll kit.Scroll
	quitting   bool

	// running is the set of jobs that are queued or running, with their
	// last event, kept from engine events, so that quitting can warn
	// without asking the store.
	running map[uint64]nav.JobEvent

	// statusKey is keys as the status was shown: navigation by a later
	// key clears it (it was about the screen left).
	statusKey int
	// keys counts the key presses.
	keys int
	// ended is the set of jobs whose end was announced in the status line,
	// so that a repeated final event does not announce it again.
	ended map[uint64]bool

	// The store's change counter as last read, and the screens below the
	// top that missed a change and reload when on top again (live.go).
	counter      uint64
	counterKnown bool
	stale        map[nav.Screen]bool

	help help.Model
}

// Backend is what the root itself reads: the first-run question, the
// unfinished jobs quitting warns about, the engine's events and the store's
// change counter. Every method may block; the root calls them in Cmds.
type Backend interface {
	// IsEmpty reports a store without tokens, users or profiles (first run).
	IsEmpty() (bool, error)
	// Jobs returns every job, newest first: the root keeps the unfinished
	// ones, which quitting warns about.
	Jobs() ([]model.Job, error)
	// Events delivers job state and progress. The channel stays open for
	// the console's life; a closed channel means the engine stopped.
	Events() <-chan nav.JobEvent
	// ChangeCounter is the store's change counter, raised by every write
	// of any process: the console polls it (one small read) and reloads
	// what it shows when it moved.
	ChangeCounter() (uint64, error)
}

// Config is what the root is built from: the shared environment, its
// backend, and the constructors of the screens it opens itself.
type Config struct {
	Env     *kit.Env
	Backend Backend
	// Home and FirstRun build the start screens (FirstRun for an empty
	// store); Open resolves a nav.OpenMsg's page.
	Home, FirstRun func() nav.Screen
	Open           func(p nav.Page, arg any) nav.Screen
}

// New returns the console's root model.
func New(cfg Config) *Model {
	e := cfg.Env
	h := help.New()
	h.ShortSeparator = e.Theme.G.Dot
	h.FullSeparator = "    "
	h.Ellipsis = e.Theme.G.Ellipsis
	h.Styles.ShortKey = e.Theme.Key
	h.Styles.ShortDesc = e.Theme.Desc
	h.Styles.ShortSeparator = e.Theme.Muted
	h.Styles.FullKey = e.Theme.Key
	h.Styles.FullDesc = e.Theme.Desc
	h.Styles.FullSeparator = e.Theme.Muted
	h.Styles.Ellipsis = e.Theme.Muted
	return &Model{c: e, be: cfg.Backend, cfg: cfg, stack: []nav.Screen{newLoading()}, running: map[uint64]nav.JobEvent{}, ended: map[uint64]bool{},
		stale: map[nav.Screen]bool{}, help: h}
}

// Init asks whether the store is empty (first run), learns which jobs are
// unfinished, starts listening to engine events and polling the store's
// change counter.
func (m *Model) Init() tea.Cmd {
	be := m.be
	return tea.Batch(
		func() tea.Msg {
			empty, err := be.IsEmpty()
			return storeStateMsg{empty, err}
		},
		func() tea.Msg {
			js, err := be.Jobs()
			if err != nil {
				return nav.FatalMsg{Err: err}
			}
			return runningJobsMsg{seqs: unfinishedSeqs(js)}
		},
		waitEvent(be.Events()),
		m.readCounter(),
	)
}

// unfinishedSeqs are the jobs that are queued or running.
func unfinishedSeqs(js []model.Job) []uint64 {
	var seqs []uint64
	for _, j := range js {
		if !j.State.Terminal() {
			seqs = append(seqs, j.Seq)
		}
	}
	return seqs
}

// waitEvent delivers the next engine event as a message; Update re-arms it
// after each one, so events reach the UI without polling the store.
func waitEvent(ch <-chan nav.JobEvent) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return nav.JobEventMsg(ev)
	}
}

func (m *Model) top() nav.Screen { return m.stack[len(m.stack)-1] }

// Update handles, in order: resize, quit confirmation, global keys,
// navigation and status messages, engine events; everything else goes to
// the top screen only.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		m.keys++
	}
	mm, cmd := m.update(msg)
	m.sizeTop()
	if m.showHelp {
		m.layoutHelp()
	}
	return mm, cmd
}

// sizeTop gives the top screen the body's size: the terminal less the top
// bar, the rule, the status line (two lines for a long status) and the
// footer.
func (m *Model) sizeTop() {
	if m.width == 0 || m.height == 0 || m.tooSmall() {
		return
	}
	m.top().SetSize(m.width, m.bodyHeight())
}

func (m *Model) bodyHeight() int { return m.height - 3 - len(m.statusLines()) }

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil

	case tea.KeyPressMsg:
		return m.handleKey(msg)

	case storeStateMsg:
		if msg.err != nil {
			m.fatal = msg.err
			return m, nil
		}
		if msg.empty {
			return m, m.setStack(m.cfg.FirstRun())
		}
		return m, m.setStack(m.cfg.Home())

	case runningJobsMsg:
		if msg.all {
			for s := range m.running {
				if !slices.Contains(msg.seqs, s) {
					delete(m.running, s)
				}
			}
		}
		for _, s := range msg.seqs {
			if _, ok := m.running[s]; !ok {
				m.running[s] = nav.JobEvent{Seq: s}
			}
		}
		return m, nil

	case nav.PushMsg:
		return m, m.push(msg.S)
	case nav.ReplaceMsg:
		return m, m.replaceTop(msg.S)
	case nav.OpenMsg:
		s := m.cfg.Open(msg.Page, msg.Arg)
		if msg.Replace {
			return m, m.replaceTop(s)
		}
		return m, m.push(s)
	case nav.PopMsg:
		return m, m.popTop()
	case nav.HomeMsg:
		return m, m.setStack(m.cfg.Home())

	case nav.DisabledMsg:
		// A key that does nothing now says why, as a note.
		return m.update(nav.StatusMsg{Level: nav.StatusWarn, Text: model.Printable(msg.Reason)})
	case nav.StatusMsg:
		m.statusSeq++
		m.status, m.statusLvl, m.statusKey = msg.Text, msg.Level, m.keys
		seq := m.statusSeq
		if m.c.StatusTTL <= 0 {
			return m, nil
		}
		return m, tea.Tick(m.c.StatusTTL, func(time.Time) tea.Msg { return clearStatusMsg{seq} })
	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status = ""
		}
		return m, nil

	case nav.FatalMsg:
		m.fatal = msg.Err
		return m, nil

	case nav.JobEventMsg:
		cmds := []tea.Cmd{waitEvent(m.be.Events())}
		ev := nav.JobEvent(msg)
		if ev.State.Terminal() {
			if _, was := m.running[ev.Seq]; was && m.confirmQuit {
				m.quitNotes = append(m.quitNotes, m.endedNote(ev))
			}
			delete(m.running, ev.Seq)
			// Every job that ends while the console is open is announced,
			// whoever started it (the CLI, an earlier session): the engine
			// may have dropped its earlier events, so the end is the one
			// event the root can rely on.
			if ev.Seq != 0 && !m.ended[ev.Seq] {
				m.ended[ev.Seq] = true
				cmds = append(cmds, nav.Status(levelFor(ev.State), eventText(ev)))
			}
		} else if ev.Seq != 0 {
			m.running[ev.Seq] = ev
		}
		// Every screen keeps its own view of jobs current, not only the
		// top one, so that returning to the jobs screen shows no stale state.
		for i, s := range m.stack {
			var cmd tea.Cmd
			m.stack[i], cmd = s.Update(msg)
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case eventsClosedMsg:
		return m, nil

	case PollStoreMsg:
		return m, m.readCounter()
	case storeCounterMsg:
		return m, m.counterRead(msg)
	case nav.GuardedMsg:
		return m, m.deliverGuarded(msg)
	}
	// Addressed, broadcast and list messages (lists.go).
	if cmd, ok := m.routeAddressed(msg); ok {
		return m, cmd
	}
	return m.forward(msg)
}

func (m *Model) forward(msg tea.Msg) (tea.Model, tea.Cmd) {
	i := len(m.stack) - 1
	var cmd tea.Cmd
	m.stack[i], cmd = m.stack[i].Update(msg)
	return m, cmd
}

// push puts s on top.
func (m *Model) push(s nav.Screen) tea.Cmd {
	m.navigated()
	m.stack = append(m.stack, s)
	return s.Init()
}

// navigated is called on every change of the top screen: the help
// closes, and a status shown before the key that navigated is cleared (it
// was about the screen left). A status the same key's action shows (a
// note sent with nav.Pop or nav.Home, in any order) stays.
func (m *Model) navigated() {
	m.showHelp = false
	if m.status != "" && m.statusKey < m.keys {
		m.status = ""
	}
}

// drop tells the screens leaving the stack to forget their secrets.
func drop(ss ...nav.Screen) {
	for _, s := range ss {
		s.ClearSecrets()
	}
}

// replaceTop puts s in place of the top screen.
func (m *Model) replaceTop(s nav.Screen) tea.Cmd {
	m.navigated()
	old := m.stack[len(m.stack)-1]
	delete(m.stale, old)
	drop(old)
	m.stack[len(m.stack)-1] = s
	return s.Init()
}

// setStack replaces the stack with s (Home, the start screen).
func (m *Model) setStack(s nav.Screen) tea.Cmd {
	m.navigated()
	drop(m.stack...)
	m.stack = []nav.Screen{s}
	clear(m.stale)
	return s.Init()
}

func levelFor(s model.JobState) nav.StatusLevel {
	switch s {
	case model.JobCompleted:
		return nav.StatusOK
	case model.JobFailed:
		return nav.StatusError
	}
	return nav.StatusWarn
}

func eventText(ev nav.JobEvent) string {
	switch ev.State {
	case model.JobCompleted:
		return fmt.Sprintf("Job #%d %q completed: %d token files written.", ev.Seq, ev.Name, ev.Total)
	case model.JobFailed:
		return fmt.Sprintf("Job #%d %q failed: %s", ev.Seq, ev.Name, ev.Reason)
	}
	return fmt.Sprintf("Job #%d %q was canceled; nothing changed.", ev.Seq, ev.Name)
}

func (m *Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

// popTop closes the top screen, unless it is the last, and tells the one
// below that it is on top again (and to reload, if the store changed
// meanwhile).
func (m *Model) popTop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.navigated()
	old := m.top()
	delete(m.stale, old)
	drop(old)
	m.stack = m.stack[:len(m.stack)-1]
	resumed := m.top().Resumed()
	reload := m.shown(m.top(), resumed != nil)
	if resumed != nil {
		return tea.Batch(resumed, reload)
	}
	return reload
}

// View renders the frame: top bar, body, status line, help footer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	return v
}

// render is View's content; tests compare it (ANSI stripped) to goldens.
func (m *Model) render() string {
	if m.quitting {
		return ""
	}
	t := m.c.Theme
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.tooSmall() {
		msg := fmt.Sprintf("Terminal too small: need %dx%d, have %dx%d.", MinWidth, MinHeight, m.width, m.height)
		hint := "Enlarge the window, or press ctrl+c to quit."
		body := ansi.Wordwrap(msg, m.width, " ") + "\n" + ansi.Wordwrap(hint, m.width, " ")
		return t.Error.Render("") + body
	}
	// A status that does not fit one line takes two (the body gives up a
	// line), so that what happened is readable, not cut.
	status := m.statusLines()
	bodyH := m.bodyHeight()
	var body string
	switch {
	case m.fatal != nil:
		body = m.fatalView(bodyH)
	case m.confirmQuit:
		body = m.quitView()
	case m.showHelp:
		body = m.fullHelpView()
	default:
		body = m.top().View()
	}
	lines := []string{m.topBar(), t.Muted.Render(strings.Repeat(t.G.Rule, m.width))}
	lines = append(lines, kit.FitLines(body, m.width, bodyH)...)
	lines = append(lines, status...)
	lines = append(lines, m.footer())
	return strings.Join(lines, "\n")
}

func (m *Model) topBar() string {
	t := m.c.Theme
	var crumbs []string
	for i, s := range m.stack {
		if s.IsHome() && i < len(m.stack)-1 {
			continue // every path starts at home; the room is better used
		}
		if title := s.Title(); title != "" {
			crumbs = append(crumbs, title)
		}
	}
	bar := t.App.Render("swtoken") + "  " + t.Title.Render(strings.Join(crumbs, t.G.Crumb))
	return ansi.Truncate(bar, m.width, t.G.Ellipsis)
}

// statusLines is the status: one line, or two when it is wider than the
// screen (the second cut with an ellipsis if even that is not enough).
func (m *Model) statusLines() []string {
	t := m.c.Theme
	if m.status == "" {
		return []string{""}
	}
	var s string
	switch m.statusLvl {
	case nav.StatusOK:
		s = t.OK.Render("OK: ") + m.status
	case nav.StatusWarn:
		s = t.Warn.Render("NOTE: ") + m.status
	case nav.StatusError:
		s = t.Error.Render("ERROR: ") + m.status
	default:
		s = m.status
	}
	if ansi.StringWidth(s) <= m.width {
		return []string{s}
	}
	lines := strings.SplitN(ansi.Wrap(s, m.width, " "), "\n", 2)
	if len(lines) == 2 {
		lines[1] = ansi.Truncate(strings.ReplaceAll(lines[1], "\n", " "), m.width, t.G.Ellipsis)
	}
	return lines
}

func (m *Model) footer() string {
	var bs []key.Binding
	if !m.confirmQuit && !m.showHelp && m.fatal == nil {
		bs = m.top().ShortHelp()
	}
	typing := !m.confirmQuit && !m.showHelp && m.fatal == nil && m.top().CapturesInput()
	// The root's keys come last, ctrl+c last of all.
	var quit []key.Binding
	for _, b := range m.Bindings().ShortHelp(typing) {
		if b.Help().Key == "ctrl+c" {
			quit = append(quit, b)
			continue
		}
		bs = append(bs, b)
	}
	bs = append(bs, quit...)
	// help.ShortHelpView adds every item when the ellipsis no longer fits
	// (bubbles v2.2.1 shouldAddItem), so cut the line here as well.
	return ansi.Truncate(m.help.ShortHelpView(bs), m.width, m.c.Theme.G.Ellipsis)
}

func (m *Model) fatalView(h int) string {
	t := m.c.Theme
	var b strings.Builder
	b.WriteString(t.Error.Render("ERROR: the console cannot go on") + "\n\n")
	b.WriteString(ansi.Wordwrap(model.Printable(m.fatal.Error()), m.width-2, " ") + "\n\n")
	b.WriteString("Press esc to return to the home screen, or ctrl+c to quit.\n")
	b.WriteString(t.Muted.Render("Nothing was changed by the failed step. If it persists, run swtoken from the command line (swtoken --help) for details."))
	return b.String()
}

// loading is shown until the store has answered the first question.
type loading struct{ nav.Base }

func newLoading() *loading                              { return &loading{} }
func (s *loading) Init() tea.Cmd                        { return nil }
func (s *loading) Update(tea.Msg) (nav.Screen, tea.Cmd) { return s, nil }
func (s *loading) View() string                         { return "Opening the store..." }
func (s *loading) Title() string                        { return "" }
func (s *loading) ShortHelp() []key.Binding             { return nil }
func (s *loading) FullHelp() [][]key.Binding            { return nil }
func (s *loading) CapturesInput() bool                  { return false }

package ui

import (
	"fmt"
	"os"
	"os/user"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
)

// The smallest terminal the console lays out for. Below it a "terminal too
// small" screen replaces the layout rather than drawing a broken one.
const (
	MinWidth  = 80
	MinHeight = 24
)

// screen is one page of the stack. Screens are small: Update returns the
// concrete screen, View gets the body size from the root, and the root owns
// quitting, resizing, help, the status line and navigation.
type screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (screen, tea.Cmd)
	View(width, height int) string
	Title() string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// CapturesInput is true while the screen has a focused text field, so
	// q and ? are text there, not commands.
	CapturesInput() bool
}

// backer is a screen that handles esc itself (the wizard steps back); it
// returns handled=false to let the root pop it.
type backer interface {
	Back() (screen, tea.Cmd, bool)
}

// holder is a screen that holds unsaved input (the wizard); quitting asks
// first while it does.
type holder interface {
	HasInput() bool
}

// Options configures the console. The zero value is right for production.
type Options struct {
	// Now is the clock; tests fix it so that views are stable.
	Now func() time.Time
	// Theme overrides the theme from the environment.
	Theme *Theme
	// Host and User name this server in the scp hint after a download.
	Host, User string

	// instant, for tests driving Update by hand: previews run without
	// debounce and status messages never expire (no timers to wait for).
	instant bool
}

// common is what every screen shares.
type common struct {
	theme *Theme
	keys  *KeyMap
	be    Backend
	now   func() time.Time
	host  string
	user  string

	debounce  time.Duration
	statusTTL time.Duration
	pollEvery time.Duration // the change counter's poll (live.go)
}

// Model is the console's root model: the only tea.Model.
type Model struct {
	c *common

	stack         []screen
	width, height int

	status    string
	statusLvl statusLevel
	statusSeq int

	fatal error

	confirmQuit bool
	quitReasons []string
	showHelp    bool
	quitting    bool

	// running is the set of jobs that are queued or running, kept from
	// engine events, so that quitting can warn without asking the store.
	running map[uint64]string
	// ended is the set of jobs whose end was announced in the status line,
	// so that a repeated final event does not announce it again.
	ended map[uint64]bool

	// The store's change counter as last read, and the screens below the
	// top that missed a change and reload when on top again (live.go).
	counter      uint64
	counterKnown bool
	stale        map[screen]bool

	help help.Model
}

// New returns the console's root model over be.
func New(be Backend, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Theme == nil {
		opts.Theme = themeFromEnv()
	}
	if opts.Host == "" {
		opts.Host, _ = os.Hostname()
	}
	if opts.User == "" {
		if u, err := user.Current(); err == nil {
			opts.User = u.Username
		}
	}
	km := DefaultKeyMap()
	if opts.Theme.G.Ellipsis == asciiGlyphs.Ellipsis {
		asciiHelp(km)
	}
	c := &common{theme: opts.Theme, keys: km, be: be, now: opts.Now, host: opts.Host, user: opts.User,
		debounce: previewDebounce, statusTTL: statusTTL, pollEvery: pollEvery}
	if opts.instant {
		c.debounce, c.statusTTL, c.pollEvery = 0, 0, 0
	}
	h := help.New()
	h.ShortSeparator = c.theme.G.Dot
	h.FullSeparator = "    "
	h.Ellipsis = c.theme.G.Ellipsis
	h.Styles.ShortKey = c.theme.Key
	h.Styles.ShortDesc = c.theme.Desc
	h.Styles.ShortSeparator = c.theme.Muted
	h.Styles.FullKey = c.theme.Key
	h.Styles.FullDesc = c.theme.Desc
	h.Styles.FullSeparator = c.theme.Muted
	h.Styles.Ellipsis = c.theme.Muted
	return &Model{c: c, stack: []screen{newLoading(c)}, running: map[uint64]string{}, ended: map[uint64]bool{},
		stale: map[screen]bool{}, help: h}
}

// asciiHelp replaces the arrows in help labels for ASCII terminals.
func asciiHelp(km *KeyMap) {
	r := strings.NewReplacer("↑", "up", "↓", "down", "→", "right", "←", "left")
	for _, b := range []*key.Binding{&km.Up, &km.Down, &km.ArrowUp, &km.ArrowDown, &km.NextTab, &km.PrevTab} {
		h := b.Help()
		b.SetHelp(r.Replace(h.Key), h.Desc)
	}
}

// Init asks whether the store is empty (first run), learns which jobs are
// unfinished, starts listening to engine events and polling the store's
// change counter.
func (m *Model) Init() tea.Cmd {
	be := m.c.be
	return tea.Batch(
		func() tea.Msg {
			empty, err := be.IsEmpty()
			return storeStateMsg{empty, err}
		},
		func() tea.Msg {
			js, err := be.Jobs()
			if err != nil {
				return fatalMsg{err}
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
func waitEvent(ch <-chan JobEvent) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return jobEventMsg(ev)
	}
}

func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

// Update handles, in order: resize, quit confirmation, global keys,
// navigation and status messages, engine events; everything else goes to
// the top screen only.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
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
			return m.setStack(newFirstRun(m.c))
		}
		return m.setStack(newHome(m.c))

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
				m.running[s] = ""
			}
		}
		return m, nil

	case pushMsg:
		m.stack = append(m.stack, msg.s)
		m.showHelp = false
		return m, msg.s.Init()
	case replaceMsg:
		delete(m.stale, m.stack[len(m.stack)-1])
		m.stack[len(m.stack)-1] = msg.s
		m.showHelp = false
		return m, msg.s.Init()
	case popMsg:
		m.showHelp = false
		return m, m.popTop()
	case homeMsg:
		return m.setStack(newHome(m.c))

	case statusMsg:
		m.statusSeq++
		m.status, m.statusLvl = msg.text, msg.level
		seq := m.statusSeq
		if m.c.statusTTL <= 0 {
			return m, nil
		}
		return m, tea.Tick(m.c.statusTTL, func(time.Time) tea.Msg { return clearStatusMsg{seq} })
	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status = ""
		}
		return m, nil

	case fatalMsg:
		m.fatal = msg.err
		return m, nil

	case jobEventMsg:
		cmds := []tea.Cmd{waitEvent(m.c.be.Events())}
		ev := JobEvent(msg)
		if ev.State.Terminal() {
			delete(m.running, ev.Seq)
			// Every job that ends while the console is open is announced,
			// whoever started it (the CLI, an earlier session): the engine
			// may have dropped its earlier events, so the end is the one
			// event the root can rely on.
			if ev.Seq != 0 && !m.ended[ev.Seq] {
				m.ended[ev.Seq] = true
				cmds = append(cmds, status(levelFor(ev.State), eventText(ev)))
			}
		} else if ev.Seq != 0 {
			m.running[ev.Seq] = ev.Name
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

	case pollStoreMsg:
		return m, m.readCounter()
	case storeCounterMsg:
		return m, m.counterRead(msg)
	case guardedMsg:
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

func (m *Model) setStack(s screen) (tea.Model, tea.Cmd) {
	m.stack = []screen{s}
	clear(m.stale)
	m.showHelp = false
	return m, s.Init()
}

func levelFor(s model.JobState) statusLevel {
	switch s {
	case model.JobCompleted:
		return statusOK
	case model.JobFailed:
		return statusError
	}
	return statusWarn
}

func eventText(ev JobEvent) string {
	switch ev.State {
	case model.JobCompleted:
		return fmt.Sprintf("Job #%d %q completed: %d token files written.", ev.Seq, ev.Name, ev.Total)
	case model.JobFailed:
		return fmt.Sprintf("Job #%d %q failed: %s", ev.Seq, ev.Name, ev.Reason)
	}
	return fmt.Sprintf("Job #%d %q was canceled; nothing changed.", ev.Seq, ev.Name)
}

func (m *Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

func (m *Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	if m.confirmQuit {
		switch {
		case key.Matches(msg, k.Yes), key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.No), key.Matches(msg, k.Back):
			m.confirmQuit = false
		}
		return m, nil
	}
	top := m.top()
	captures := top.CapturesInput()
	switch {
	case key.Matches(msg, k.Quit), !captures && key.Matches(msg, k.QuitQ):
		return m.askQuit()
	}
	if m.tooSmall() {
		// Nothing below is visible; keys would act blind.
		return m, nil
	}
	if m.fatal != nil {
		if key.Matches(msg, k.Back) {
			m.fatal = nil
			return m.setStack(newHome(m.c))
		}
		return m, nil
	}
	if m.showHelp {
		if key.Matches(msg, k.Help) || key.Matches(msg, k.Back) {
			m.showHelp = false
		}
		return m, nil
	}
	switch {
	case !captures && key.Matches(msg, k.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, k.Back):
		if b, ok := top.(backer); ok {
			s, cmd, handled := b.Back()
			m.stack[len(m.stack)-1] = s
			if handled {
				return m, cmd
			}
		}
		if len(m.stack) > 1 {
			// The note was about the screen just left. A note that comes
			// after (from a Cmd still running) shows as usual; popMsg, which
			// an action sends with its own note, does not clear.
			m.status = ""
		}
		return m, m.popTop()
	}
	return m.forward(msg)
}

// resumer is a screen that wants to know when it is on top again after the
// screen above it closed (the first-run screen rechecks the store).
type resumer interface {
	Resumed() tea.Cmd
}

// popTop closes the top screen, unless it is the last, and tells the one
// below that it is on top again (and to reload, if the store changed
// meanwhile).
func (m *Model) popTop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	delete(m.stale, m.top())
	m.stack = m.stack[:len(m.stack)-1]
	reload := m.shown(m.top())
	if r, ok := m.top().(resumer); ok {
		return tea.Batch(r.Resumed(), reload)
	}
	return reload
}

// askQuit quits at once when nothing would be lost, and otherwise asks,
// naming what would be lost.
func (m *Model) askQuit() (tea.Model, tea.Cmd) {
	var reasons []string
	for _, s := range m.stack {
		if h, ok := s.(holder); ok && h.HasInput() {
			reason := "The wizard's input will be lost."
			if d, ok := s.(lossDescriber); ok {
				reason = d.LossReason()
			}
			reasons = append(reasons, reason)
		}
	}
	if n := len(m.running); n > 0 {
		seqs := make([]uint64, 0, n)
		for s := range m.running {
			seqs = append(seqs, s)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		names := make([]string, len(seqs))
		for i, s := range seqs {
			names[i] = fmt.Sprintf("#%d", s)
		}
		reasons = append(reasons, fmt.Sprintf("%d job(s) not finished (%s). A job this console is running is finished before swtoken exits; queued jobs wait for the next runner (another console, swtoken jobs run, or the next start).", n, strings.Join(names, ", ")))
	}
	if len(reasons) == 0 {
		return m.quit()
	}
	m.confirmQuit, m.quitReasons = true, reasons
	return m, nil
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	m.quitting = true
	// Drop any secret still held by a screen before the program ends.
	for _, s := range m.stack {
		if w, ok := s.(*wizard); ok {
			w.clearSecrets()
		}
	}
	return m, tea.Quit
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
	t := m.c.theme
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
	bodyH := m.height - 3 - len(status)
	var body string
	switch {
	case m.fatal != nil:
		body = m.fatalView(bodyH)
	case m.confirmQuit:
		body = m.quitView()
	case m.showHelp:
		body = m.fullHelpView()
	default:
		body = m.top().View(m.width, bodyH)
	}
	lines := []string{m.topBar(), t.Muted.Render(strings.Repeat(t.G.Rule, m.width))}
	lines = append(lines, fitLines(body, m.width, bodyH)...)
	lines = append(lines, status...)
	lines = append(lines, m.footer())
	return strings.Join(lines, "\n")
}

func (m *Model) topBar() string {
	t := m.c.theme
	var crumbs []string
	for i, s := range m.stack {
		if _, ok := s.(*home); ok && i < len(m.stack)-1 {
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
	t := m.c.theme
	if m.status == "" {
		return []string{""}
	}
	var s string
	switch m.statusLvl {
	case statusOK:
		s = t.OK.Render("OK: ") + m.status
	case statusWarn:
		s = t.Warn.Render("NOTE: ") + m.status
	case statusError:
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
	k := m.c.keys
	var bs []key.Binding
	switch {
	case m.confirmQuit:
		bs = []key.Binding{k.Yes, k.No}
	case m.fatal != nil:
		bs = []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "home")), k.Quit}
	case m.showHelp:
		bs = []key.Binding{key.NewBinding(key.WithKeys("?"), key.WithHelp("?/esc", "close help")), k.Quit}
	default:
		top := m.top()
		bs = append(bs, top.ShortHelp()...)
		if !top.CapturesInput() {
			bs = append(bs, k.Help)
		}
		bs = append(bs, k.Quit)
	}
	// help.ShortHelpView adds every item when the ellipsis no longer fits
	// (bubbles v2.2.1 shouldAddItem), so cut the line here as well.
	return ansi.Truncate(m.help.ShortHelpView(bs), m.width, m.c.theme.G.Ellipsis)
}

func (m *Model) fullHelpView() string {
	k := m.c.keys
	top := m.top()
	groups := append([][]key.Binding{}, top.FullHelp()...)
	// esc is listed only where it does something: there is a screen to go
	// back to, or the screen itself handles it.
	common := []key.Binding{k.Help, k.QuitQ, k.Quit}
	if _, handles := top.(backer); handles || len(m.stack) > 1 {
		common = append([]key.Binding{k.Back}, common...)
	}
	groups = append(groups, common)
	t := m.c.theme
	return t.Heading.Render("Keys: "+top.Title()) + "\n\n" + m.help.FullHelpView(groups) +
		"\n\n" + t.Muted.Render(wrap("q and ? type text in text fields; ctrl+c always quits (it asks first when input or a job would be lost).", m.width))
}

func (m *Model) quitView() string {
	t := m.c.theme
	var b strings.Builder
	b.WriteString(t.Warn.Render("Quit swtoken?") + "\n\n")
	for _, r := range m.quitReasons {
		b.WriteString(ansi.Wordwrap("- "+r, m.width-2, " ") + "\n")
	}
	b.WriteString("\n" + t.Key.Render("y") + " quit    " + t.Key.Render("n/esc") + " stay")
	return b.String()
}

func (m *Model) fatalView(h int) string {
	t := m.c.theme
	var b strings.Builder
	b.WriteString(t.Error.Render("ERROR: the console cannot go on") + "\n\n")
	b.WriteString(ansi.Wordwrap(model.Printable(m.fatal.Error()), m.width-2, " ") + "\n\n")
	b.WriteString("Press esc to return to the home screen, or ctrl+c to quit.\n")
	b.WriteString(t.Muted.Render("Nothing was changed by the failed step. If it persists, run swtoken from the command line (swtoken --help) for details."))
	return b.String()
}

// fitLines cuts or pads s to exactly h lines of at most w cells, so the
// status line and footer never move.
func fitLines(s string, w, h int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// loading is shown until the store has answered the first question.
type loading struct{ c *common }

func newLoading(c *common) *loading                 { return &loading{c} }
func (s *loading) Init() tea.Cmd                    { return nil }
func (s *loading) Update(tea.Msg) (screen, tea.Cmd) { return s, nil }
func (s *loading) View(int, int) string             { return "Opening the store..." }
func (s *loading) Title() string                    { return "" }
func (s *loading) ShortHelp() []key.Binding         { return nil }
func (s *loading) FullHelp() [][]key.Binding        { return nil }
func (s *loading) CapturesInput() bool              { return false }

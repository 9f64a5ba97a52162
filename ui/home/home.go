package home

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// menuItem is one line of a menu. coming names the command line that does
// the work until the screen exists.
type menuItem struct {
	label  string
	desc   string
	coming string
	open   func(c *common) tea.Cmd
}

// menu is a vertical list of actions with a text cursor.
type menu struct {
	items  []menuItem
	cursor int
}

// bindings is the menu's binding table: the arrows (or j/k) move, a digit
// picks an item, enter opens it. pressed is the key being dispatched, for
// the digit binding (one binding for all the digits, "1-8").
func (m *menu) bindings(c *common, pressed *string) nav.Table {
	k := c.Keys
	n := len(m.items)
	digits := make([]string, n)
	for i := range digits {
		digits[i] = fmt.Sprint(i + 1)
	}
	return nav.Table{
		{Key: k.Up, Run: func() tea.Cmd { m.cursor = (m.cursor + n - 1) % n; return nil }},
		{Key: k.Down, Run: func() tea.Cmd { m.cursor = (m.cursor + 1) % n; return nil }},
		{Key: key.NewBinding(key.WithKeys(digits...), key.WithHelp(fmt.Sprintf("1-%d", n), "pick by number")),
			Run: func() tea.Cmd {
				if d := *pressed; len(d) == 1 && d[0] >= '1' && int(d[0]-'1') < n {
					m.cursor = int(d[0] - '1')
				}
				return nil
			}},
		{Key: kit.WithHelp(k.Select, "enter", "open"), Run: func() tea.Cmd {
			it := m.items[m.cursor]
			if it.open == nil {
				return nav.Status(nav.StatusInfo, fmt.Sprintf("%s is coming in a later release; for now use: %s", it.label, it.coming))
			}
			return it.open(c)
		}},
	}
}

func (m *menu) view(c *common, width int) string {
	t := c.Theme
	labelW := 0
	for _, it := range m.items {
		labelW = max(labelW, len(it.label))
	}
	var b strings.Builder
	for i, it := range m.items {
		mark := t.G.NoCursor
		if i == m.cursor {
			mark = t.G.Cursor
		}
		line := fmt.Sprintf("%s%d  %-*s", mark, i+1, labelW, it.label)
		if i == m.cursor {
			line = t.Selected.Render(line)
		}
		desc := it.desc
		if it.open == nil {
			desc = "(coming) " + desc
		}
		line += "  " + t.Muted.Render(desc)
		b.WriteString(ansi.Truncate(line, width, t.G.Ellipsis) + "\n")
	}
	return b.String()
}

// home is the main menu: the workflows of product.md section 6, with
// the requests waiting for an approval and the messages waiting in the
// outbox, read in a Cmd when Home opens, comes back on top or the store
// changes.
type home struct {
	nav.Base
	c *common
	m menu
	// pressed is the key being dispatched (menu.bindings).
	pressed string
	// counts is the last answer of HomeCounts (loaded false before one).
	counts countsMsg
}

// countsMsg answers Backend.HomeCounts.
type countsMsg struct {
	loaded          bool
	pending, outbox int
	err             error
}

func newHome(c *common) *home {
	return &home{c: c, m: menu{items: []menuItem{
		{label: "Distribute Software Tokens", desc: "generate token files for many tokens (wizard)",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageWizard, nil) }},
		{label: "Jobs", desc: "progress, details and output files",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageJobs, uint64(0)) }},
		{label: "Self-Service Settings", desc: "profiles users may request",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageSettings, nil) }},
		{label: "Software Token Profiles", desc: "device class, delivery, code length",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageProfiles, nil) }},
		{label: "Tokens", desc: "token inventory",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageTokens, nil) }},
		{label: "Users", desc: "users and their tokens",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageUsers, nil) }},
		{label: "Import", desc: "token files and user CSV",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageImport, nil) }},
		{label: "Audit Log", desc: "who changed what",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageAudit, nil) }},
		{label: "Requests", desc: "approve, reject or defer users' token requests",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageRequests, nil) }},
	}}}
}

// loadCounts reads the two counts in a Cmd (I/O is never in Update).
func (s *home) loadCounts() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		p, o, err := be.HomeCounts()
		return nav.To(s, countsMsg{loaded: true, pending: p, outbox: o, err: err})
	}
}

func (s *home) Init() tea.Cmd { return s.loadCounts() }

// Resumed reloads the counts: the screen above may have approved a
// request, and sending mail empties the outbox.
func (s *home) Resumed() tea.Cmd { return s.loadCounts() }

// StoreChanged reloads the counts.
func (s *home) StoreChanged() tea.Cmd { return s.loadCounts() }

func (s *home) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		s.pressed = msg.String()
		cmd, _ := s.Bindings().Handle(msg, false)
		return s, cmd
	case countsMsg:
		s.counts = msg
	}
	return s, nil
}

// countsLine says the two counts in one line ("" before the first answer).
func (s *home) countsLine() string {
	t := s.c.Theme
	c := s.counts
	switch {
	case !c.loaded:
		return ""
	case c.err != nil:
		return t.Error.Render("ERROR: ") + "the request and outbox counts could not be read: " + c.err.Error()
	}
	line := plural(c.pending, "request", "requests") + " pending approval, " +
		plural(c.outbox, "message", "messages") + " waiting in the outbox"
	if c.pending > 0 || c.outbox > 0 {
		return t.Warn.Render(line)
	}
	return t.Muted.Render(line)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Bindings is the menu's table.
func (s *home) Bindings() nav.Table { return s.m.bindings(s.c, &s.pressed) }

func (s *home) View() string {
	w := s.Width()
	t := s.c.Theme
	counts := ""
	if l := s.countsLine(); l != "" {
		counts = ansi.Wordwrap(l, w, " ") + "\n\n"
	}
	return t.Heading.Render("Home") + "\n\n" + counts + s.m.view(s.c, w) + "\n" +
		t.Muted.Render("Pick a workflow with the arrows (or its number) and enter.")
}

func (s *home) Title() string { return "Home" }

// IsHome is true: the breadcrumb leaves Home out below the top.
func (s *home) IsHome() bool              { return true }
func (s *home) ShortHelp() []key.Binding  { return s.Bindings().ShortHelp(false) }
func (s *home) FullHelp() [][]key.Binding { return [][]key.Binding{s.Bindings().Shown(false)} }
func (s *home) CapturesInput() bool       { return false }

// firstRun is shown on an empty store: it offers the demo inventory or an
// import, so a new admin is never left in front of empty lists. Once the
// store holds anything the offer is wrong (the demo is refused on a store
// that is not empty): when the admin comes back to this screen (Resumed,
// after an import, say) it asks the store again and gives way to the home
// screen.
type firstRun struct {
	nav.Base
	c       *common
	m       menu
	loading bool
	err     error
	// pressed is the key being dispatched (menu.bindings).
	pressed string
}

// demoLoadedMsg reports the demo load. filled says that the load failed
// because the store is no longer empty.
type demoLoadedMsg struct {
	summary string
	err     error
	filled  bool
}

// emptyCheckedMsg answers whether the store is still empty.
type emptyCheckedMsg struct {
	empty bool
	err   error
}

func newFirstRun(c *common) *firstRun {
	s := &firstRun{c: c}
	s.m.items = []menuItem{
		{label: "Load demo inventory", desc: "4 profiles, 200 users, 500 tokens to try the console",
			open: func(c *common) tea.Cmd {
				s.loading = true
				be := c.be
				return func() tea.Msg {
					sum, err := be.LoadDemo()
					if err != nil {
						// Refused because something filled the store?
						if empty, e := be.IsEmpty(); e == nil && !empty {
							return demoLoadedMsg{err: err, filled: true}
						}
					}
					return demoLoadedMsg{summary: sum, err: err}
				}
			}},
		{label: "Import", desc: "token files and a user CSV",
			open: func(c *common) tea.Cmd { return nav.Open(nav.PageImport, nil) }},
		{label: "Go to the home screen", desc: "with the empty store",
			open: func(c *common) tea.Cmd { return nav.Home }},
	}
	return s
}

func (s *firstRun) Init() tea.Cmd { return nil }

// Resumed asks the store, when the admin comes back to this screen,
// whether it is still empty.
func (s *firstRun) Resumed() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		empty, err := be.IsEmpty()
		return nav.To(s, emptyCheckedMsg{empty, err})
	}
}

func (s *firstRun) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case emptyCheckedMsg:
		if msg.err == nil && !msg.empty {
			return s, nav.Home // the offer is for an empty store
		}
		return s, nil
	case tea.KeyPressMsg:
		s.pressed = msg.String()
		cmd, _ := s.Bindings().Handle(msg, false)
		return s, cmd
	case demoLoadedMsg:
		s.loading = false
		if msg.filled {
			return s, tea.Batch(nav.Home, nav.Status(nav.StatusWarn, "The demo inventory was not loaded: the store is no longer empty."))
		}
		if msg.err != nil {
			s.err = msg.err
			return s, nil
		}
		return s, tea.Batch(nav.Home, nav.Status(nav.StatusOK, "Demo inventory loaded: "+msg.summary))
	}
	return s, nil
}

func (s *firstRun) View() string {
	w := s.Width()
	t := s.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("Welcome: this store is empty") + "\n\n")
	b.WriteString(ansi.Wordwrap("There are no tokens, users or profiles yet. Load the demo inventory to try the console, or import your own token files and users.", w, " ") + "\n\n")
	b.WriteString(s.m.view(s.c, w))
	switch {
	case s.loading:
		b.WriteString("\nLoading the demo inventory...")
	case s.err != nil:
		b.WriteString("\n" + t.Error.Render("ERROR: ") + ansi.Wordwrap(s.err.Error(), w-7, " "))
	}
	return b.String()
}

func (s *firstRun) Title() string { return "First run" }

// Bindings is the menu's table; while the demo loads every key says so.
func (s *firstRun) Bindings() nav.Table {
	t := s.m.bindings(s.c, &s.pressed)
	if s.loading {
		for i := range t {
			t[i].Disabled = "The demo inventory is loading; wait a moment."
		}
	}
	return t
}

func (s *firstRun) ShortHelp() []key.Binding  { return s.Bindings().ShortHelp(false) }
func (s *firstRun) FullHelp() [][]key.Binding { return [][]key.Binding{s.Bindings().Shown(false)} }
func (s *firstRun) CapturesInput() bool       { return false }

// StoreChanged rechecks whether the store is still empty (another process
// loaded the demo or imported), unless this screen is loading the demo.
func (s *firstRun) StoreChanged() tea.Cmd {
	if s.loading {
		return nil
	}
	return s.Resumed()
}

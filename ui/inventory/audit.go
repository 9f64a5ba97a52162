package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// auditRow is one audit record; FilterValue is "time admin action object
// details", so the text filter reaches everything shown. The fields are
// shown and filtered as model.Printable makes them: a record's object and
// details hold file names and other outside text, whose control characters
// must not reach the terminal (an escape sequence, a newline forging a
// second record).
type auditRow struct {
	r  store.AuditRecord
	fs [5]string
	fv string
}

func (r *auditRow) FilterValue() string { return r.fv }

func auditCells(width int) []kit.Cell {
	return []kit.Cell{{Text: "Time", W: 19, FV: 0}, {Text: "Admin", W: 8, FV: 1}, {Text: "Action", W: 13, FV: 2}, {Text: "Object", W: max(18, min(40, (width-46)/2)), FV: 3}, {Text: "Details", W: 0, FV: 4}}
}

func auditRender(c *common) filterlist.RenderFunc {
	return func(it filterlist.Item, width int, selected bool, matched []int) string {
		r := it.(*auditRow)
		cs := auditCells(width + 2)
		for i := range cs {
			cs[i].Text = r.fs[i]
		}
		return kit.RenderRow(c.Theme, cs, r.fs[:], matched, width, selected)
	}
}

type (
	auditLoadedMsg struct {
		rows []auditRow
		err  error
	}
	auditVerifiedMsg struct {
		res store.VerifyResult
		err error
	}
)

// auditScreen is the audit trail, newest first, filtered by text (fuzzy),
// action and admin, with "verify chain".
type auditScreen struct {
	nav.Base
	c       *common
	rows    []auditRow
	actions []string // "" (all) first
	admins  []string
	action  int
	admin   int
	list    filterlist.Model
	loaded  bool
	err     error
	detail  *store.AuditRecord
	// The detail scrolls: off is its first line on screen; lines and room
	// are its length and the lines the last View had for it, so that the
	// keys page and stop by what was on screen.
	off, lines, room int

	verifying bool
	verified  *store.VerifyResult
	verifyErr error

	reloads kit.LiveLoad // after store changes (live.go)
}

func newAudit(c *common) *auditScreen {
	return &auditScreen{c: c, list: kit.NewList(c.Env, auditRender(c))}
}

func (s *auditScreen) load() tea.Cmd {
	be, loc := s.c.be, s.c.Now().Location()
	return func() tea.Msg {
		recs, err := be.AuditRecords()
		if err != nil {
			return nav.To(s, auditLoadedMsg{err: err})
		}
		rows := make([]auditRow, len(recs))
		for i, r := range recs {
			rows[i] = auditRow{r: r, fs: [5]string{r.Time.In(loc).Format(time.DateTime),
				model.Printable(r.OSUser), model.Printable(r.Action), model.Printable(r.Object), model.Printable(r.Details)}}
			rows[i].fv = strings.Join(rows[i].fs[:], " ")
		}
		return nav.To(s, auditLoadedMsg{rows: rows})
	}
}

func (s *auditScreen) Init() tea.Cmd           { return s.reloads.Start(s.load()) }
func (s *auditScreen) Title() string           { return "Audit Log" }
func (s *auditScreen) OwnsList(id uint64) bool { return id == s.list.ID() }
func (s *auditScreen) CapturesInput() bool     { return s.detail == nil && s.list.FilterFocused() }

// StoreChanged reloads the trail (new records come first); the action and
// admin filters, the text filter, the selected record and an open record
// stay.
func (s *auditScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.load()) }

func sameRecord(a, b filterlist.Item) bool { return a.(*auditRow).r.Seq == b.(*auditRow).r.Seq }

// HandlesBack is true: Back handles esc.
func (s *auditScreen) HandlesBack() bool { return true }

func (s *auditScreen) Back() (nav.Screen, tea.Cmd, bool) {
	if s.detail != nil {
		s.detail = nil
		return s, nil, true
	}
	cmd, ok := kit.ListBack(&s.list)
	return s, cmd, ok
}

// distinct returns "" followed by the sorted distinct values of field i.
func (s *auditScreen) distinct(i int) []string {
	seen := map[string]bool{}
	out := []string{""}
	for _, r := range s.rows {
		if v := r.fs[i]; !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out[1:])
	return out
}

func (s *auditScreen) apply() tea.Cmd { return s.filter(false) }

// filter shows the records of the action and admin filters; keep keeps
// the selected record (a reload).
func (s *auditScreen) filter(keep bool) tea.Cmd {
	act, adm := s.actions[s.action], s.admins[s.admin]
	items := make([]filterlist.Item, 0, len(s.rows))
	for i := range s.rows {
		r := &s.rows[i]
		if (act == "" || r.fs[2] == act) && (adm == "" || r.fs[1] == adm) {
			items = append(items, r)
		}
	}
	if keep {
		return s.list.SetItemsKeep(items, sameRecord)
	}
	return s.list.SetItems(items)
}

func (s *auditScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.LiveTickMsg:
		return s, s.reloads.Tick(s.load())
	case auditLoadedMsg:
		s.loaded, s.err = true, msg.err
		next := s.reloads.Loaded(s, s.load())
		if msg.err != nil {
			if s.actions == nil {
				s.actions, s.admins = []string{""}, []string{""}
			}
			return s, next
		}
		// The action and admin filters stay by value (a reload adds
		// values, which moves their indexes).
		act, adm := "", ""
		if s.actions != nil {
			act, adm = s.actions[s.action], s.admins[s.admin]
		}
		s.rows = msg.rows
		s.actions, s.admins = s.distinct(2), s.distinct(1)
		s.action, s.admin = max(0, slices.Index(s.actions, act)), max(0, slices.Index(s.admins, adm))
		return s, tea.Batch(s.filter(true), next)
	case auditVerifiedMsg:
		s.verifying = false
		r := msg.res
		s.verified, s.verifyErr = &r, msg.err
		return s, nil
	case filterlist.SelectedMsg:
		if msg.ListID != s.list.ID() {
			return s, nil
		}
		r := msg.Item.(*auditRow).r
		s.detail, s.off, s.lines, s.room = &r, 0, 0, 0
		return s, nil
	case tea.KeyPressMsg:
		if cmd, ok := s.handleKey(msg); ok {
			return s, cmd
		}
	}
	if s.detail != nil {
		return s, nil
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd
}

var auditKeys = struct{ action, admin, verify, top, bottom key.Binding }{
	action: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "action")),
	admin:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "admin")),
	verify: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify chain")),
	top:    key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first line")),
	bottom: key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last line")),
}

// scrollDetail moves the record's details; the View keeps the offset in
// range when the screen size changes.
func (s *auditScreen) scrollDetail(msg tea.KeyPressMsg) {
	k := s.c.Keys
	page := max(1, s.room)
	switch {
	case key.Matches(msg, k.Up):
		s.off--
	case key.Matches(msg, k.Down):
		s.off++
	case key.Matches(msg, k.PageUp):
		s.off -= page
	case key.Matches(msg, k.PageDown):
		s.off += page
	case key.Matches(msg, auditKeys.top):
		s.off = 0
	case key.Matches(msg, auditKeys.bottom):
		s.off = s.lines
	}
	s.off = max(0, min(s.off, s.lines-s.room))
}

// detailScrolls is true when the last View could not show the whole record.
func (s *auditScreen) detailScrolls() bool { return s.lines > s.room }

func (s *auditScreen) handleKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !s.loaded {
		return nil, true
	}
	if s.detail != nil {
		if key.Matches(msg, s.c.Keys.Select) {
			s.detail = nil
			return nil, true
		}
		s.scrollDetail(msg)
		return nil, true
	}
	if kit.LeaveFilter(&s.list, msg) {
		return nil, true
	}
	if s.list.FilterFocused() {
		return nil, false
	}
	switch {
	case key.Matches(msg, auditKeys.action):
		s.action = (s.action + 1) % len(s.actions)
		return s.apply(), true
	case key.Matches(msg, auditKeys.admin):
		s.admin = (s.admin + 1) % len(s.admins)
		return s.apply(), true
	case key.Matches(msg, auditKeys.verify):
		if s.verifying {
			return nil, true
		}
		s.verifying, s.verified, s.verifyErr = true, nil, nil
		be := s.c.be
		return func() tea.Msg {
			r, err := be.VerifyAudit()
			return nav.To(s, auditVerifiedMsg{r, err})
		}, true
	}
	return nil, false
}

func (s *auditScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.detail != nil {
		if !s.detailScrolls() {
			return []key.Binding{kit.WithHelp(k.Back, "esc/enter", "back to the list")}
		}
		// Short enough for 80 columns with "? help" and "ctrl+c quit".
		arrows := "↑/↓"
		if kit.ASCIITheme(s.c.Theme) {
			arrows = "up/down"
		}
		return []key.Binding{kit.WithHelp(k.Down, arrows+" pgup/pgdn", "scroll"),
			kit.WithHelp(auditKeys.bottom, "home/end", "top/end"), kit.WithHelp(k.Back, "esc", "back")}
	}
	if s.list.FilterFocused() {
		return kit.FilterHelp(s.c.Env, &s.list)
	}
	return []key.Binding{kit.WithHelp(k.Select, "enter", "details"), s.list.ShortHelp()[2], auditKeys.action, auditKeys.admin, auditKeys.verify}
}

func (s *auditScreen) FullHelp() [][]key.Binding {
	if s.detail != nil {
		k := s.c.Keys
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {auditKeys.top, auditKeys.bottom, kit.WithHelp(k.Select, "enter", "back to the list")}}
	}
	return append([][]key.Binding{{auditKeys.action, auditKeys.admin, auditKeys.verify}}, s.list.FullHelp()...)
}

func (s *auditScreen) chainLine(w int) string {
	t := s.c.Theme
	switch {
	case s.verifying:
		return "Verifying the audit chain..."
	case s.verifyErr != nil:
		return kit.ErrorText(t, fmt.Errorf("the chain could not be checked: %w", s.verifyErr), w)
	case s.verified != nil && s.verified.OK():
		return t.OK.Render("CHAIN OK: ") + fmt.Sprintf("%s records, none edited, inserted or deleted.", kit.Commas(s.verified.Count))
	case s.verified != nil:
		return t.Error.Render("CHAIN BROKEN: ") + kit.Wrap(fmt.Sprintf("first bad record #%d: %s (%s records present). Keep the store as it is and investigate.", s.verified.FirstBad, s.verified.Reason, kit.Commas(s.verified.Count)), w-14)
	}
	return ""
}

// detailView is one record, every value wrapped (never cut), scrolled by
// the keys when it is longer than the screen.
func (s *auditScreen) detailView(w, h int) string {
	t := s.c.Theme
	r := s.detail
	client := model.Printable(r.SSHClient)
	if client == "" {
		client = "(local)"
	}
	rows := [][2]string{
		{"Time", s.c.when(r.Time)}, {"Admin (OS user)", model.Printable(r.OSUser)}, {"SSH client", client},
		{"Action", model.Printable(r.Action)}, {"Object", model.Printable(r.Object)}, {"Details", kit.TextValue(model.Printable(r.Details))},
	}
	// A settings save lists its changes joined by "; ": when they do not
	// fit on one line, one change starts each line.
	if _, vw := kit.KVColumns(rows, w); ansi.StringWidth(rows[5][1]) > vw {
		rows[5][1] = strings.ReplaceAll(rows[5][1], "; ", ";\n")
	}
	lines := strings.Split(kit.KVWrapped(t, rows, w), "\n")
	room := max(1, h-1) // under the heading
	if len(lines) > room {
		room = max(1, h-2) // and above "lines a-b of N"
	}
	s.lines, s.room = len(lines), room
	s.off = max(0, min(s.off, len(lines)-room))
	end := min(len(lines), s.off+room)
	out := t.Heading.Render(fmt.Sprintf("Audit record #%d", r.Seq)) + "\n" + strings.Join(lines[s.off:end], "\n")
	if len(lines) > room {
		out += "\n" + t.Muted.Render(fmt.Sprintf("lines %d-%d of %d", s.off+1, end, len(lines)))
	}
	return out
}

func (s *auditScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	switch {
	case s.err != nil:
		return kit.ErrorText(t, fmt.Errorf("cannot read the audit trail: %w", s.err), w)
	case !s.loaded:
		return "Loading the audit trail..."
	}
	if s.detail != nil {
		return s.detailView(w, h)
	}
	show := func(v string) string {
		if v == "" {
			return "all"
		}
		return v
	}
	head := fmt.Sprintf("Action: %s   Admin: %s   (newest first)", show(s.actions[s.action]), show(s.admins[s.admin]))
	var b strings.Builder
	b.WriteString(t.Label.Render(head) + "\n")
	chain := s.chainLine(w)
	n := 1
	if chain != "" {
		n += strings.Count(chain, "\n") + 1
	}
	b.WriteString(kit.ListWithHeader(&s.list, kit.HeaderRow(t, auditCells(w), w), w, h-n))
	if chain != "" {
		b.WriteString("\n" + chain)
	}
	return b.String()
}

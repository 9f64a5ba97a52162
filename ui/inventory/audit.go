package inventory

import (
	"fmt"
	"slices"
	"strings"

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

// auditCells are the Audit Log's columns. The time (with its zone), the
// admin, the action and the object are what a row is read by and keep
// their room at 80 columns; the free-text details take what is left and
// end in an ellipsis.
func auditCells(width, timeW int) []kit.Cell {
	fixed := 2 + timeW + 1 + 8 + 1 + 13 + 1 // marker, time, admin, action
	rest := max(0, width-fixed)
	obj := max(18, min(40, rest*3/5))
	return []kit.Cell{{Text: "Time", W: timeW, FV: 0}, {Text: "Admin", W: 8, FV: 1}, {Text: "Action", W: 13, FV: 2}, {Text: "Object", W: obj, FV: 3}, {Text: "Details", W: 0, FV: 4}}
}

// auditTimeW is the width of model.FormatTime's "2006-01-02 15:04:05 UTC";
// a longer zone (AEDT, +0530) widens the column (auditScreen.timeW).
const auditTimeW = 23

// render draws an auditRow in the screen's columns.
func (s *auditScreen) render(it filterlist.Item, width int, selected bool, matched []int) string {
	r := it.(*auditRow)
	cs := auditCells(width+2, s.timeW)
	for i := range cs {
		cs[i].Text = r.fs[i]
	}
	return kit.RenderRow(s.c.Theme, cs, r.fs[:], matched, width, selected)
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
	listScreen
	rows    []auditRow
	actions []string // "" (all) first
	admins  []string
	action  int
	admin   int
	detail  *store.AuditRecord
	// scroll is the open record's lines, laid out in Update and SetSize
	// (openDetail, layoutDetail), never in View.
	scroll kit.Scroll

	verifying bool
	verified  *store.VerifyResult
	verifyErr error

	// timeW is the Time column's width: the widest time shown.
	timeW int
}

func newAudit(c *common) *auditScreen {
	s := &auditScreen{listScreen: listScreen{c: c}, timeW: auditTimeW}
	s.self = s
	s.list = kit.NewList(c.Env, s.render)
	return s
}

func (s *auditScreen) load() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		recs, err := be.AuditRecords()
		if err != nil {
			return nav.To(s, auditLoadedMsg{err: err})
		}
		rows := make([]auditRow, len(recs))
		for i, r := range recs {
			rows[i] = auditRow{r: r, fs: [5]string{model.FormatTime(r.Time),
				model.Printable(r.OSUser), model.Printable(r.Action), model.Printable(r.Object), model.Printable(r.Details)}}
			rows[i].fv = strings.Join(rows[i].fs[:], " ")
		}
		return nav.To(s, auditLoadedMsg{rows: rows})
	}
}

func (s *auditScreen) Init() tea.Cmd           { return s.reloads.Start(s.load()) }
func (s *auditScreen) Title() string           { return "Audit Log" }
func (s *auditScreen) OwnsList(id uint64) bool { return id == s.list.ID() }
func (s *auditScreen) CapturesInput() bool     { return s.typing() }

// typing is true while the filter input has the focus.
func (s *auditScreen) typing() bool { return s.loaded && s.detail == nil && s.list.FilterFocused() }

// StoreChanged reloads the trail (new records come first); the action and
// admin filters, the text filter, the selected record and an open record
// stay.
func (s *auditScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.load()) }

func sameRecord(a, b filterlist.Item) bool { return a.(*auditRow).r.Seq == b.(*auditRow).r.Seq }

// SetSize lays the open record out again for the new size.
func (s *auditScreen) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	s.layoutDetail()
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
		s.timeW = auditTimeW
		for _, r := range s.rows {
			s.timeW = max(s.timeW, ansi.StringWidth(r.fs[0]))
		}
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
		s.detail = &r
		s.scroll = kit.Scroll{}
		s.layoutDetail()
		return s, nil
	case tea.KeyPressMsg:
		t := s.Bindings()
		if s.detail != nil {
			cmd, _ := t.Handle(msg, false)
			return s, cmd
		}
		return s, dispatch(t, &s.list, msg)
	}
	if s.detail != nil {
		return s, nil
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd
}

// Bindings is the Audit Log's table: the list with its filters and the
// chain check, or the open record's scrolling.
func (s *auditScreen) Bindings() nav.Table {
	if !s.loaded {
		return nil
	}
	if s.detail != nil {
		return s.detailBindings()
	}
	t := listTable(s.c, &s.list, listKeys{open: "details", empty: "No record to open.", keepFilter: true})
	if s.list.FilterFocused() {
		return t
	}
	verify := nav.Binding{Key: bind("v", "verify", "v"), Run: s.verify}
	if s.verifying {
		verify.Disabled = "The chain is being verified."
	}
	return append(nav.Table{t[0],
		{Key: bind("a", "action", "a"), Run: func() tea.Cmd { s.action = (s.action + 1) % len(s.actions); return s.apply() }},
		{Key: bind("o", "admin", "o"), Run: func() tea.Cmd { s.admin = (s.admin + 1) % len(s.admins); return s.apply() }},
		verify}, t[1:]...)
}

// detailBindings scroll the open record; they are disabled while the
// whole record fits.
func (s *auditScreen) detailBindings() nav.Table {
	k := s.c.Keys
	by := func(f func()) func() tea.Cmd { return func() tea.Cmd { f(); return nil } }
	closeDetail := func() tea.Cmd { s.detail = nil; return nil }
	t := nav.Table{
		{Key: k.Down, Run: by(func() { s.scroll.By(1) })},
		{Key: k.Up, Run: by(func() { s.scroll.By(-1) })},
		{Key: bind("pgdn", "next page", "pgdown"), Run: by(s.scroll.PageDown)},
		{Key: bind("pgup", "previous page", "pgup"), Run: by(s.scroll.PageUp), FullOnly: true},
		{Key: bind("home", "first line", "home"), Run: by(s.scroll.Top), FullOnly: true},
		{Key: bind("end", "last line", "end"), Run: by(s.scroll.Bottom), FullOnly: true},
	}
	if s.scroll.Position() == "" {
		for i := range t {
			t[i].Disabled = "The whole record is shown."
		}
	}
	return append(t,
		nav.Binding{Key: bind("enter", "back to the list", "enter"), Run: closeDetail, FullOnly: s.scroll.Position() != ""},
		esc("back", closeDetail))
}

func (s *auditScreen) verify() tea.Cmd {
	s.verifying, s.verified, s.verifyErr = true, nil, nil
	be := s.c.be
	return func() tea.Msg {
		r, err := be.VerifyAudit()
		return nav.To(s, auditVerifiedMsg{r, err})
	}
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

// detailLines is the open record, every value wrapped (never cut) to
// width w.
func (s *auditScreen) detailLines(w int) []string {
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
	return strings.Split(kit.KVWrapped(t, rows, w), "\n")
}

// layoutDetail lays the open record out for the body's size: under its
// heading, and above "lines a-b of N" when it does not fit.
func (s *auditScreen) layoutDetail() {
	if s.detail == nil {
		return
	}
	w, h := s.Width(), s.Height()
	lines := s.detailLines(w)
	room := max(1, h-1)
	if len(lines) > room {
		room = max(1, h-2)
	}
	s.scroll.SetLines(lines)
	s.scroll.SetHeight(room)
}

// detailView is the open record as laid out, from the scroll offset.
func (s *auditScreen) detailView() string {
	t := s.c.Theme
	out := t.Heading.Render(fmt.Sprintf("Audit record #%d", s.detail.Seq)) + "\n" + s.scroll.View()
	if pos := s.scroll.Position(); pos != "" {
		out += "\n" + t.Muted.Render(pos)
	}
	return out
}

func (s *auditScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	if v, ok := loadState(s.c, s.err, s.loaded, "audit trail", w); ok {
		return v
	}
	if s.detail != nil {
		return s.detailView()
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
	b.WriteString(kit.ListWithHeader(&s.list, kit.HeaderRow(t, auditCells(w, s.timeW), w), w, h-n))
	if chain != "" {
		b.WriteString("\n" + chain)
	}
	return b.String()
}

package requests

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Tab is one of the screen's three tabs.
type Tab int

const (
	TabPending Tab = iota
	TabCompleted
	TabEnded
	tabCount
)

func (t Tab) String() string {
	switch t {
	case TabCompleted:
		return "Completed"
	case TabEnded:
		return "Rejected/Canceled/Failed"
	}
	return "Pending"
}

// TabOf is the tab a request's state shows in: open requests (pending, or
// approved and waiting for fulfilment) in Pending, fulfilled ones in
// Completed, the rest in the third.
func TabOf(s model.RequestState) Tab {
	switch {
	case s.Open():
		return TabPending
	case s == model.RequestFulfilled:
		return TabCompleted
	}
	return TabEnded
}

type (
	loadedMsg struct {
		l   Listing
		err error
	}
	decidedMsg struct {
		what Decision
		id   string
		out  Outcome
		err  error
	}
	bulkDoneMsg struct {
		done    int
		refused []string // "R-3: reason"
	}
)

// dialog is what the screen asks over its list or details.
type dialog int

const (
	dlgNone   dialog = iota
	dlgDecide        // the comment to the user and the private note
	dlgBulk          // the typed count of a bulk approval, the comment and the note
)

// The bulk approval's fields, in tab order (screen.field).
const (
	bulkCount = iota
	bulkComment
	bulkNote
	bulkFields
)

// row is one request in the list; FilterValue is "ID user profile".
type row struct {
	r  model.Request
	fs [3]string
	fv string
}

func (r *row) FilterValue() string { return r.fv }

type screen struct {
	nav.Base
	c       *common
	rs      []model.Request // newest first
	counts  [tabCount]int   // the requests of each tab, counted at load
	needed  int             // approvals the policy needs
	loaded  bool
	err     error
	tab     Tab
	list    filterlist.Model
	reloads kit.LiveLoad

	detail string // the open request's ID, "" on the list
	// scroll is the open request's lines, laid out in Update and SetSize
	// (layout), never in View.
	scroll kit.Scroll

	dlg   dialog
	what  Decision
	field int // 0 comment, 1 note; a bulk approval's: bulkCount...
	// rev is the revision of the request when the decision was opened:
	// the store refuses the decision if it changed since (a reload under
	// the dialog does not move it).
	rev     int
	comment kit.TextField
	note    kit.TextField
	count   kit.TextField
	bulkIDs []model.Request // the filtered pending list the bulk approval is for
	dlgErr  string
	working bool
	// result is the last decision's or bulk approval's outcome, shown
	// under the details or the list until the next action.
	result string

	pressed string
}

func newScreen(c *common) *screen {
	s := &screen{c: c}
	s.list = kit.NewList(c.Env, s.render)
	s.comment = kit.NewInput(c.Env, "")
	s.comment.CharLimit = model.MaxRequestCommentLen
	s.note = kit.NewInput(c.Env, "")
	s.note.CharLimit = model.MaxRequestCommentLen
	s.count = kit.NewInput(c.Env, "")
	s.count.CharLimit = 7
	return s
}

func (s *screen) Init() tea.Cmd { return s.reloads.Start(s.load()) }

func (s *screen) load() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		l, err := be.RequestList()
		return nav.To(s, loadedMsg{l, err})
	}
}

// StoreChanged reloads the requests: the tab, the filter, the selected
// request and open details stay.
func (s *screen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.load()) }

// Resumed reloads after the request form closes.
func (s *screen) Resumed() tea.Cmd { return s.load() }

func (s *screen) Title() string           { return "Requests" }
func (s *screen) OwnsList(id uint64) bool { return id == s.list.ID() }

// CapturesInput is true while a text field has the focus: the filter, a
// decision's comment or note, the bulk count.
func (s *screen) CapturesInput() bool {
	if !s.loaded {
		return false
	}
	if s.dlg != dlgNone {
		return true
	}
	return s.detail == "" && s.list.FilterFocused()
}

// HasInput is true while a decision or a bulk count is being typed.
func (s *screen) HasInput() bool { return s.dlg != dlgNone }

func (s *screen) HandlesBack() bool { return true }

func (s *screen) Back() (nav.Screen, tea.Cmd, bool) {
	t := s.Bindings()
	i := t.Match(tea.KeyPressMsg{Code: tea.KeyEscape}, false)
	if i < 0 {
		return s, nil, false
	}
	if t[i].Disabled != "" {
		return s, nil, true
	}
	if t[i].Run == nil {
		return s, nil, false
	}
	cmd := t[i].Run()
	s.layout()
	return s, cmd, true
}

func (s *screen) ShortHelp() []key.Binding { return s.Bindings().ShortHelp(s.CapturesInput()) }
func (s *screen) FullHelp() [][]key.Binding {
	return s.Bindings().Columns(s.CapturesInput(), 8)
}

// ClearSecrets drops the typed comment and note (not secrets, but the
// admin's unsent words) with the dialog.
func (s *screen) ClearSecrets() { s.closeDialog() }

// SetSize gives the list its room: the tabs, a blank line and the column
// header above it, the result line below.
func (s *screen) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	s.list.SetSize(w, max(3, h-4))
	s.comment.SetWidth(max(10, w-25))
	s.note.SetWidth(max(10, w-25))
	s.count.SetWidth(10)
	s.layout()
}

// layout lays the open request out for the body's size, above the
// dialog and the result line, keeping the scroll position.
func (s *screen) layout() {
	r, ok := s.request(s.detail)
	if s.detail == "" || !ok {
		return
	}
	w, h := s.Width(), s.Height()
	room := h
	if d := s.dialogView(w); d != "" {
		room -= strings.Count(d, "\n") + 2
	}
	if s.result != "" && s.dlg == dlgNone {
		room -= strings.Count(kit.Wrap(model.Printable(s.result), w), "\n") + 1
	}
	lines := strings.Split(s.detailView(r, w), "\n")
	if len(lines) > room {
		room-- // the position line
	}
	s.scroll.SetLines(lines)
	s.scroll.SetHeight(max(1, room))
}

// request returns the request with ID id as last loaded. It runs on
// every Update (layout) and View: no allocation per request, so it stays
// cheap over 100,000 (BenchmarkRequestsKeystroke100k).
func (s *screen) request(id string) (model.Request, bool) {
	if id == "" {
		return model.Request{}, false
	}
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return model.Request{}, false
	}
	for i := range s.rs {
		if s.rs[i].Seq == seq {
			return s.rs[i], true
		}
	}
	return model.Request{}, false
}

// countTabs counts the loaded requests of each tab, for the tabs' labels
// (View must not walk 100,000 requests per frame).
func (s *screen) countTabs() {
	s.counts = [tabCount]int{}
	for i := range s.rs {
		s.counts[TabOf(s.rs[i].State)]++
	}
}

func (s *screen) tabRequests(t Tab) []model.Request {
	out := make([]model.Request, 0, s.counts[t])
	for _, r := range s.rs {
		if TabOf(r.State) == t {
			out = append(out, r)
		}
	}
	return out
}

// fill puts the shown tab's requests in the list; keep keeps the selected
// request (a reload).
func (s *screen) fill(keep bool) tea.Cmd {
	rs := s.tabRequests(s.tab)
	items := make([]filterlist.Item, len(rs))
	for i, r := range rs {
		rw := &row{r: r, fs: [3]string{r.ID(), model.Printable(r.User), model.Printable(r.Profile)}}
		rw.fv = strings.Join(rw.fs[:], " ")
		items[i] = rw
	}
	if keep {
		return s.list.SetItemsKeep(items, func(a, b filterlist.Item) bool { return a.(*row).r.Seq == b.(*row).r.Seq })
	}
	return s.list.SetItems(items)
}

// shown is the requests the filtered list shows, in its order.
func (s *screen) shown() []model.Request {
	out := make([]model.Request, 0, s.list.Len())
	for i := 0; i < s.list.Len(); i++ {
		out = append(out, s.list.Items()[s.list.IndexAt(i)].(*row).r)
	}
	return out
}

func (s *screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := s.update(msg)
	s.layout()
	return s, cmd
}

func (s *screen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case kit.LiveTickMsg:
		return s.reloads.Tick(s.load())
	case loadedMsg:
		first := !s.loaded
		s.loaded = true
		next := s.reloads.Loaded(s, s.load())
		if msg.err != nil {
			s.err = msg.err
			return next
		}
		s.err, s.rs, s.needed = nil, msg.l.Requests, msg.l.Needed
		s.countTabs()
		if _, ok := s.request(s.detail); s.detail != "" && !ok {
			s.detail = ""
		}
		return tea.Batch(s.fill(!first), next)
	case decidedMsg:
		return s.decided(msg)
	case bulkDoneMsg:
		s.working = false
		s.closeDialog()
		s.result = fmt.Sprintf("%s approved.", kit.Plural(msg.done, "request", "requests"))
		level := nav.StatusOK
		if len(msg.refused) > 0 {
			s.result += fmt.Sprintf(" %d refused: %s", len(msg.refused), strings.Join(msg.refused, "; "))
			level = nav.StatusWarn
		}
		return tea.Batch(s.load(), nav.Status(level, s.result))
	case filterlist.SelectedMsg:
		if msg.ListID != s.list.ID() {
			return nil
		}
		s.detail, s.result = msg.Item.(*row).r.ID(), ""
		s.scroll = kit.Scroll{}
		return nil
	case tea.PasteMsg:
		if f := s.focused(); f != nil {
			*f, _ = f.Update(msg)
			return nil
		}
		if s.detail == "" {
			var cmd tea.Cmd
			s.list, cmd = s.list.Update(msg)
			return cmd
		}
		return nil
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	if s.loaded {
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		return cmd
	}
	return nil
}

// focused is the dialog's focused text field, nil without a dialog.
func (s *screen) focused() *kit.TextField {
	switch {
	case s.dlg == dlgBulk && s.field == bulkComment:
		return &s.comment
	case s.dlg == dlgBulk && s.field == bulkNote:
		return &s.note
	case s.dlg == dlgBulk:
		return &s.count
	case s.dlg == dlgDecide && s.field == 0:
		return &s.comment
	case s.dlg == dlgDecide:
		return &s.note
	}
	return nil
}

func (s *screen) key(msg tea.KeyPressMsg) tea.Cmd {
	s.pressed = msg.String()
	typing := s.CapturesInput()
	if cmd, ok := s.Bindings().Handle(msg, typing); ok {
		return cmd
	}
	if s.working {
		return nil
	}
	if f := s.focused(); f != nil {
		before := f.Value()
		*f, _ = f.Update(msg)
		if f.Value() != before {
			s.dlgErr = "" // an edit answers the error; other keys leave it
		}
		return nil
	}
	if s.detail == "" && s.list.FilterFocused() {
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		return cmd
	}
	return nil
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Bindings is the screen's table in its current state: a dialog's, the
// details', or the list's.
func (s *screen) Bindings() nav.Table {
	if !s.loaded {
		return nil
	}
	var t nav.Table
	switch {
	case s.dlg == dlgDecide:
		t = s.decideBindings()
	case s.dlg == dlgBulk:
		t = s.bulkBindings()
	case s.detail != "":
		t = s.detailBindings()
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

func (s *screen) toTab(t Tab) tea.Cmd {
	s.tab, s.result = t, ""
	return s.fill(false)
}

func (s *screen) listBindings() nav.Table {
	k := s.c.Keys
	fwd := func(code rune) func() tea.Cmd {
		return func() tea.Cmd {
			var cmd tea.Cmd
			s.list, cmd = s.list.Update(tea.KeyPressMsg{Code: code})
			return cmd
		}
	}
	focused := s.list.FilterFocused()
	up, down := k.Up, k.Down
	if focused {
		up, down = k.ArrowUp, k.ArrowDown
	}
	open := nav.Binding{Key: bind("enter", "details", "enter"), Run: fwd(tea.KeyEnter)}
	if s.list.Len() == 0 {
		open.Disabled = "No request to open: this list is empty."
	}
	t := nav.Table{open}
	if focused {
		t = append(t, nav.Binding{Key: kit.KeepFilter, Run: func() tea.Cmd { s.list.Blur(); return nil }})
	} else {
		bulk := nav.Binding{Key: bind("b", "bulk approve", "b"), Run: s.openBulk}
		switch {
		case s.tab != TabPending:
			bulk.Disabled = "Bulk approval is for the Pending tab."
		case len(s.pendingShown()) == 0:
			bulk.Disabled = "No pending request is shown to approve."
		}
		t = append(t,
			nav.Binding{Key: bind("/", "filter", "/"), Run: s.list.Focus},
			nav.Binding{Key: bind("n", "new request", "n"), Run: s.openForm},
			bulk,
			nav.Binding{Key: kit.WithHelp(k.NextTab, "tab", "next tab"), Run: func() tea.Cmd { return s.toTab((s.tab + 1) % tabCount) }},
			nav.Binding{Key: kit.WithHelp(k.PrevTab, "shift+tab", "previous tab"), Run: func() tea.Cmd { return s.toTab((s.tab + tabCount - 1) % tabCount) }, FullOnly: true},
			nav.Binding{Key: bind("1/2/3", "tab by number", "1", "2", "3"), FullOnly: true, Run: func() tea.Cmd {
				return s.toTab(Tab(s.pressed[0] - '1'))
			}},
		)
	}
	if s.list.Filtering() {
		t = append(t, nav.Binding{Key: bind("esc", "clear filter", "esc"), Run: fwd(tea.KeyEscape)})
	}
	return append(t,
		nav.Binding{Key: up, Run: fwd(tea.KeyUp), FullOnly: true},
		nav.Binding{Key: down, Run: fwd(tea.KeyDown), FullOnly: true},
		nav.Binding{Key: bind("pgup", "previous page", "pgup"), Run: fwd(tea.KeyPgUp), FullOnly: true},
		nav.Binding{Key: bind("pgdn", "next page", "pgdown"), Run: fwd(tea.KeyPgDown), FullOnly: true},
		nav.Binding{Key: bind("home", "first row", "home"), Run: fwd(tea.KeyHome), FullOnly: true},
		nav.Binding{Key: bind("end", "last row", "end"), Run: fwd(tea.KeyEnd), FullOnly: true},
	)
}

// pendingShown is the filtered list's requests that wait for an
// approval: what a bulk approval approves.
func (s *screen) pendingShown() []model.Request {
	var out []model.Request
	for _, r := range s.shown() {
		if r.State == model.RequestPending {
			out = append(out, r)
		}
	}
	return out
}

func (s *screen) openForm() tea.Cmd { return nav.Push(newForm(s.c)) }

func (s *screen) openBulk() tea.Cmd {
	s.bulkIDs = s.pendingShown()
	s.dlg, s.field, s.dlgErr, s.result = dlgBulk, bulkCount, "", ""
	s.count.Reset()
	s.comment.Reset()
	s.note.Reset()
	s.comment.Blur()
	s.note.Blur()
	return s.count.Focus()
}

// bulkFieldNames are the bulk approval's fields as tab names them.
var bulkFieldNames = [bulkFields]string{"count", "comment to the users", "private note"}

// bulkBindings: enter approves, tab and shift+tab go round the count,
// the comment to the users and the private note.
func (s *screen) bulkBindings() nav.Table {
	to := func(d int) func() tea.Cmd {
		return func() tea.Cmd {
			s.focused().Blur()
			s.field = (s.field + d + bulkFields) % bulkFields
			return s.focused().Focus()
		}
	}
	return nav.Table{
		{Key: bind("enter", "approve them", "enter"), Run: s.bulkApprove},
		{Key: bind("tab", bulkFieldNames[(s.field+1)%bulkFields], "tab"), Run: to(1)},
		{Key: bind("shift+tab", bulkFieldNames[(s.field+bulkFields-1)%bulkFields], "shift+tab"), Run: to(-1), FullOnly: true},
		{Key: bind("esc", "cancel", "esc"), Run: func() tea.Cmd { s.closeDialog(); return nil }},
	}
}

func (s *screen) bulkApprove() tea.Cmd {
	n := len(s.bulkIDs)
	if got := strings.TrimSpace(s.count.Value()); got != strconv.Itoa(n) {
		s.dlgErr = fmt.Sprintf("Type %d, the number of requests shown, to approve them all.", n)
		s.focused().Blur()
		s.field = bulkCount
		return s.count.Focus()
	}
	s.working, s.dlgErr = true, ""
	be, list := s.c.be, s.bulkIDs
	// The same comment to the user and private note on every approval,
	// as the single approval sends them.
	comment, note := strings.TrimSpace(s.comment.Value()), strings.TrimSpace(s.note.Value())
	return func() tea.Msg {
		var done bulkDoneMsg
		for _, r := range list {
			d := store.RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: comment, Note: note}
			if _, err := be.DecideRequest(Approve, d); err != nil {
				done.refused = append(done.refused, r.ID()+": "+refusal(err))
				continue
			}
			done.done++
		}
		return nav.To(s, done)
	}
}

func (s *screen) detailBindings() nav.Table {
	r, _ := s.request(s.detail)
	closeDetail := func() tea.Cmd { s.detail, s.result = "", ""; return nil }
	decide := func(what Decision, help, desc string) nav.Binding {
		b := nav.Binding{Key: bind(help, desc, help), Run: func() tea.Cmd { return s.openDecide(what) }}
		if r.State != model.RequestPending {
			b.Disabled = fmt.Sprintf("Request %s is %s: only a pending request can be decided.", r.ID(), r.State)
		}
		return b
	}
	k := s.c.Keys
	by := func(f func()) func() tea.Cmd { return func() tea.Cmd { f(); return nil } }
	scroll := nav.Table{
		{Key: k.Down, Run: by(func() { s.scroll.By(1) }), FullOnly: true},
		{Key: k.Up, Run: by(func() { s.scroll.By(-1) }), FullOnly: true},
		{Key: bind("pgdn", "next page", "pgdown"), Run: by(s.scroll.PageDown), FullOnly: true},
		{Key: bind("pgup", "previous page", "pgup"), Run: by(s.scroll.PageUp), FullOnly: true},
		{Key: bind("home", "first line", "home"), Run: by(s.scroll.Top), FullOnly: true},
		{Key: bind("end", "last line", "end"), Run: by(s.scroll.Bottom), FullOnly: true},
	}
	if s.scroll.Position() == "" {
		for i := range scroll {
			scroll[i].Disabled = "The whole request is shown."
		}
	}
	return append(nav.Table{
		decide(Approve, "a", "approve"),
		decide(Reject, "r", "reject"),
		decide(Defer, "d", "defer"),
		{Key: bind("enter", "back to the list", "enter"), Run: closeDetail, FullOnly: true},
		{Key: bind("esc", "list", "esc"), Run: closeDetail},
	}, scroll...)
}

func (s *screen) openDecide(what Decision) tea.Cmd {
	r, _ := s.request(s.detail)
	s.rev = r.Revision
	s.dlg, s.what, s.field, s.dlgErr, s.result = dlgDecide, what, 0, "", ""
	s.comment.Reset()
	s.note.Reset()
	s.note.Blur()
	return s.comment.Focus()
}

func (s *screen) closeDialog() {
	s.dlg, s.field, s.dlgErr = dlgNone, 0, ""
	s.comment.Reset()
	s.note.Reset()
	s.count.Reset()
	s.comment.Blur()
	s.note.Blur()
	s.count.Blur()
	s.bulkIDs = nil
}

func (s *screen) decideBindings() nav.Table {
	other := func() tea.Cmd {
		s.field = 1 - s.field
		if s.field == 0 {
			s.note.Blur()
			return s.comment.Focus()
		}
		s.comment.Blur()
		return s.note.Focus()
	}
	name := "comment to the user"
	if s.field == 0 {
		name = "private note"
	}
	return nav.Table{
		{Key: bind("enter", s.what.String(), "enter"), Run: s.submitDecision},
		{Key: bind("tab", name, "tab", "shift+tab"), Run: other},
		{Key: bind("esc", "cancel", "esc"), Run: func() tea.Cmd { s.closeDialog(); return nil }},
	}
}

func (s *screen) submitDecision() tea.Cmd {
	r, ok := s.request(s.detail)
	if !ok {
		s.closeDialog()
		return nil
	}
	comment, note := strings.TrimSpace(s.comment.Value()), strings.TrimSpace(s.note.Value())
	if s.what == Reject && comment == "" {
		s.dlgErr = "A rejection needs a comment to the user: say why."
		return nil
	}
	s.working, s.dlgErr = true, ""
	be, what := s.c.be, s.what
	d := store.RequestDecision{ID: r.ID(), Revision: s.rev, Comment: comment, Note: note}
	return func() tea.Msg {
		out, err := be.DecideRequest(what, d)
		return nav.To(s, decidedMsg{what: what, id: d.ID, out: out, err: err})
	}
}

// refusal is why the store refused a decision, plainly.
func refusal(err error) string {
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		by := ce.By
		if by == "" {
			by = "another admin"
		}
		return fmt.Sprintf("%s changed it at %s since you opened it; look at it again (it has been reloaded)", by, model.FormatTime(ce.At))
	}
	return model.Printable(err.Error())
}

func (s *screen) decided(msg decidedMsg) tea.Cmd {
	s.working = false
	if msg.err != nil {
		s.dlgErr = "Refused: " + refusal(msg.err)
		return tea.Batch(s.load(), nav.Status(nav.StatusError, fmt.Sprintf("Request %s was not %s.", msg.id, past(msg.what))))
	}
	s.closeDialog()
	r := msg.out.Request
	s.result = fmt.Sprintf("Request %s %s; it is now %s.", r.ID(), past(msg.what), r.State)
	if r.State == model.RequestPending && msg.what == Approve {
		s.result = fmt.Sprintf("Request %s: your approval is recorded (%d of %d); it waits for another admin.", r.ID(), len(r.Approvals), s.needed)
	}
	if msg.out.Warning != "" {
		s.result += " Warning: " + msg.out.Warning
		return tea.Batch(s.load(), nav.Status(nav.StatusWarn, s.result))
	}
	return tea.Batch(s.load(), nav.Status(nav.StatusOK, s.result))
}

func past(d Decision) string {
	switch d {
	case Reject:
		return "rejected"
	case Defer:
		return "deferred"
	}
	return "approved"
}

package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// tokenFilter is a quick filter of the Tokens screen.
type tokenFilter int

const (
	tfAll tokenFilter = iota
	tfUnassigned
	tfExpiring
	tfExpired
	tfDistributed
	numTokenFilters
)

// tokenRow is one token in a list. The FilterValue ("serial user
// algorithm") is built once, when the rows are built in a Cmd.
type tokenRow struct {
	t   model.Token
	fv  string
	cat uint8 // bit 1<<f for every quick filter f the token passes
}

func (r *tokenRow) FilterValue() string { return r.fv }

func (r *tokenRow) fields() []string {
	return []string{r.t.Serial, model.Printable(r.t.AssignedUser), string(r.t.Algorithm)}
}

func newTokenRow(t model.Token, now time.Time, days int) tokenRow {
	r := tokenRow{t: t, fv: t.Serial + " " + model.Printable(t.AssignedUser) + " " + string(t.Algorithm), cat: 1 << tfAll}
	if t.AssignedUser == "" {
		r.cat |= 1 << tfUnassigned
	}
	if t.ExpiresWithin(now, days) {
		r.cat |= 1 << tfExpiring
	}
	if t.Expired(now) {
		r.cat |= 1 << tfExpired
	}
	if t.Distribution.Distributed() {
		r.cat |= 1 << tfDistributed
	}
	return r
}

// tokenStatus is "enabled", "disabled" or "expired", as text.
func tokenStatus(t model.Token, now time.Time) string {
	switch {
	case t.Expired(now):
		return "expired"
	case t.Enabled:
		return "enabled"
	}
	return "disabled"
}

// tokenCells are the Tokens list's columns.
func tokenCells(width int) []kit.Cell {
	userW := max(10, min(32, width-2-51))
	return []kit.Cell{
		{Text: "Serial", W: 12, FV: 0}, {Text: "User", W: userW, FV: 1}, {Text: "Algorithm", W: 9, FV: 2},
		{Text: "Expires", W: 10, FV: -1}, {Text: "Status", W: 9, FV: -1}, {Text: "Dist.", W: 5, FV: -1},
	}
}

// tokenRender renders a tokenRow (the Tokens list, the user's tokens and
// the token picker share it).
func tokenRender(c *common) filterlist.RenderFunc {
	return func(it filterlist.Item, width int, selected bool, matched []int) string {
		r := it.(*tokenRow)
		t := r.t
		user := model.Printable(t.AssignedUser)
		if user == "" {
			user = "-"
		}
		cs := tokenCells(width + 2)
		vals := []string{t.Serial, user, string(t.Algorithm), dateText(t.Death), tokenStatus(t, c.Now()), fmt.Sprint(t.Distribution.Count)}
		for i := range cs {
			cs[i].Text = vals[i]
		}
		return kit.RenderRow(c.Theme, cs, r.fields(), matched, width, selected)
	}
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return model.Date(t).Format(model.DateLayout)
}

// when is a time as every screen shows it (model.FormatTime: the local
// zone, named), "-" for none.
func (c *common) when(at time.Time) string {
	if at.IsZero() {
		return "-"
	}
	return model.FormatTime(at)
}

// Tokens screen messages.
type (
	tokensLoadedMsg struct {
		rows   []tokenRow
		items  []filterlist.Item
		counts [numTokenFilters]int
		window int
		took   time.Duration
		err    error
	}
	// tokenChangedMsg is broadcast after an assignment or enabled-flag
	// change, so every open screen that shows the token (or its old user)
	// brings itself up to date.
	tokenChangedMsg struct {
		tok      model.Token
		prevUser string
	}
	// actionErrMsg is a refused change, addressed to the screen that
	// asked for it (the status line shows it too).
	actionErrMsg struct{ err error }
)

// loadTokenRows reads every token and builds the list rows in the Cmd, so
// 100,000 tokens never block Update.
func loadTokenRows(c *common, keep func(model.Token) bool) func() tokensLoadedMsg {
	be, now := c.be, c.Now()
	return func() tokensLoadedMsg {
		start := time.Now()
		days, err := be.ReplacementWindowDays()
		if err != nil {
			return tokensLoadedMsg{err: err}
		}
		toks, err := be.Tokens()
		if err != nil {
			return tokensLoadedMsg{err: err}
		}
		msg := tokensLoadedMsg{window: days, rows: make([]tokenRow, 0, len(toks))}
		for _, t := range toks {
			if keep != nil && !keep(t) {
				continue
			}
			r := newTokenRow(t, now, days)
			msg.rows = append(msg.rows, r)
			for f := range numTokenFilters {
				if r.cat&(1<<f) != 0 {
					msg.counts[f]++
				}
			}
		}
		msg.items = make([]filterlist.Item, len(msg.rows))
		for i := range msg.rows {
			msg.items[i] = &msg.rows[i]
		}
		msg.took = time.Since(start)
		return msg
	}
}

// tokensScreen is the token inventory: serial, user, algorithm, expiry,
// status and times distributed, with quick filters and the fuzzy filter.
type tokensScreen struct {
	listScreen
	rows   []tokenRow // serial order
	items  []filterlist.Item
	counts [numTokenFilters]int
	window int
	quick  tokenFilter
}

func newTokens(c *common) *tokensScreen {
	s := &tokensScreen{listScreen: listScreen{c: c, list: kit.NewList(c.Env, tokenRender(c))}}
	s.self = s
	return s
}

func (s *tokensScreen) Init() tea.Cmd { return s.reloads.Start(s.load()) }

func (s *tokensScreen) load() tea.Cmd {
	load := loadTokenRows(s.c, nil)
	return func() tea.Msg { return nav.To(s, load()) }
}

// StoreChanged reloads the tokens (an import, an assignment, a job's end
// elsewhere): the quick filter, the filter text and the selected token
// stay.
func (s *tokensScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.load()) }

// sameToken tells a reloaded row of the selected token.
func sameToken(a, b filterlist.Item) bool { return a.(*tokenRow).t.Serial == b.(*tokenRow).t.Serial }

func (s *tokensScreen) Title() string           { return "Tokens" }
func (s *tokensScreen) OwnsList(id uint64) bool { return id == s.list.ID() }
func (s *tokensScreen) CapturesInput() bool     { return s.typing() }

// typing is true while the filter input has the focus.
func (s *tokensScreen) typing() bool { return s.loaded && s.list.FilterFocused() }

// Bindings is the Tokens list's table: the list, and the quick filters
// (tab cycles them, 1-5 pick one while the filter input is not focused).
func (s *tokensScreen) Bindings() nav.Table {
	if !s.loaded {
		return nil
	}
	k := s.c.Keys
	lt := listTable(s.c, &s.list, listKeys{open: "details", empty: "No token to open."})
	t := nav.Table{lt[0],
		{Key: kit.WithHelp(k.NextField, "tab", "quick filter"), Run: func() tea.Cmd { return s.setQuick((s.quick + 1) % numTokenFilters) }},
		{Key: kit.WithHelp(k.PrevField, "shift+tab", "previous quick filter"), Run: func() tea.Cmd {
			return s.setQuick((s.quick + numTokenFilters - 1) % numTokenFilters)
		}, FullOnly: true},
	}
	if !s.list.FilterFocused() {
		for i, l := range s.quickLabels() {
			f := tokenFilter(i)
			n := kit.Itoa(i + 1)
			t = append(t, nav.Binding{Key: bind(n, "show "+l, n), Run: func() tea.Cmd { return s.setQuick(f) }, FullOnly: true})
		}
	}
	return append(t, lt[1:]...)
}

func (s *tokensScreen) quickLabels() []string {
	le := "≤"
	if kit.ASCIITheme(s.c.Theme) {
		le = "<="
	}
	return []string{"All", "Unassigned", fmt.Sprintf("Expiring %s%dd", le, s.window), "Expired", "Distributed"}
}

// setQuick shows the tokens of quick filter f (the fuzzy filter stays).
func (s *tokensScreen) setQuick(f tokenFilter) tea.Cmd {
	s.quick = f
	return s.list.SetItems(s.quickItems())
}

func (s *tokensScreen) quickItems() []filterlist.Item {
	if s.quick == tfAll {
		return s.items
	}
	bit := uint8(1) << s.quick
	out := make([]filterlist.Item, 0, s.counts[s.quick])
	for i := range s.rows {
		if s.rows[i].cat&bit != 0 {
			out = append(out, s.items[i])
		}
	}
	return out
}

// rowIndex finds a serial among the rows (serial order).
func (s *tokensScreen) rowIndex(serial string) int {
	k := model.SerialKey(serial)
	i := sort.Search(len(s.rows), func(i int) bool { return model.SerialKey(s.rows[i].t.Serial) >= k })
	if i < len(s.rows) && s.rows[i].t.Serial == serial {
		return i
	}
	return -1
}

func (s *tokensScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.LiveTickMsg:
		return s, s.reloads.Tick(s.load())
	case tokensLoadedMsg:
		s.loaded, s.err = true, msg.err
		next := s.reloads.Loaded(s, s.load())
		if msg.err != nil {
			return s, next
		}
		s.rows, s.items, s.counts, s.window = msg.rows, msg.items, msg.counts, msg.window
		return s, tea.Batch(s.list.SetItemsKeep(s.quickItems(), sameToken), next)
	case tokenChangedMsg:
		i := s.rowIndex(msg.tok.Serial)
		if i < 0 {
			return s, nil
		}
		old := s.rows[i].cat
		// A new row value behind the same item pointer.
		s.rows[i] = newTokenRow(msg.tok, s.c.Now(), s.window)
		for f := range numTokenFilters {
			s.counts[f] += int(s.rows[i].cat>>f&1) - int(old>>f&1)
		}
		return s, s.setQuick(s.quick)
	}
	return s, listMsg(&s.list, s.Bindings, msg, func(it filterlist.Item) tea.Cmd {
		return nav.Push(newTokenDetail(s.c, it.(*tokenRow).t))
	})
}

func (s *tokensScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	if v, ok := loadState(s.c, s.err, s.loaded, "tokens", w); ok {
		return v
	}
	tabs := kit.QuickTabs(t, s.quickLabels(), s.counts[:], int(s.quick), w)
	return tabs + "\n" + kit.ListWithHeader(&s.list, kit.HeaderRow(t, tokenCells(w), w), w, h-1)
}

// ---- token detail ----

// unassignConfirm is the question before a token is taken back from its
// holder (the token detail and the user detail ask it).
var unassignConfirm = kit.Confirm{Yes: "unassign", No: "keep"}

// enabledConfirm is the question before the enabled flag changes.
func (d *tokenDetail) enabledConfirm() kit.Confirm {
	return kit.Confirm{Yes: d.change.verb(), No: "keep"}
}

// detailMode is what a detail screen shows under the facts.
type detailMode int

const (
	modeFacts detailMode = iota
	modeConfirmUnassign
	modeConfirmEnabled
	modeVerify
)

// enabledChange is what the enabled-flag question asks for.
type enabledChange int

const (
	changeEnable  enabledChange = iota // the admin's explicit "enabled"
	changeDisable                      // the admin's explicit "disabled"
	changeFollow                       // follow the assignment again
)

// verb is the change as a key label and the confirm key's help.
func (c enabledChange) verb() string {
	switch c {
	case changeEnable:
		return "enable"
	case changeDisable:
		return "disable"
	}
	return "follow assignment"
}

type verifiedMsg struct {
	res jobs.VerifyResult
	err error
}

type tokenLoadedMsg struct {
	tok model.Token
	err error
}

// tokenDetail is one token: its facts, assign and unassign, the admin's
// enabled flag, and the helpdesk check of a tokencode.
type tokenDetail struct {
	tabled
	c       *common
	tok     model.Token
	mode    detailMode
	err     error
	working bool
	change  enabledChange // what modeConfirmEnabled asks

	code, pin kit.TextField
	pinFocus  bool
	vres      *jobs.VerifyResult
	verr      error
}

func newTokenDetail(c *common, tok model.Token) *tokenDetail {
	d := &tokenDetail{c: c, tok: tok}
	d.self = d
	d.code = kit.NewInput(c.Env, "(the digits the user reads out)")
	d.code.CharLimit = 16
	d.pin = kit.NewInput(c.Env, "(optional)")
	d.pin.Secret = true
	d.pin.CharLimit = 16
	return d
}

func (d *tokenDetail) Init() tea.Cmd {
	be, serial := d.c.be, d.tok.Serial
	return func() tea.Msg {
		t, err := be.Token(serial)
		return nav.To(d, tokenLoadedMsg{t, err})
	}
}

// StoreChanged reads the token again (assigned, enabled or distributed
// elsewhere), unless a change is being asked or done; a tokencode being
// typed stays.
func (d *tokenDetail) StoreChanged() tea.Cmd {
	if d.working || d.mode == modeConfirmUnassign || d.mode == modeConfirmEnabled {
		return nil
	}
	return d.Init()
}

func (d *tokenDetail) Title() string       { return "Token " + d.tok.Serial }
func (d *tokenDetail) CapturesInput() bool { return d.mode == modeVerify }

// ClearSecrets drops a typed PIN (the root calls it when the screen is
// closed and when the console quits).
func (d *tokenDetail) ClearSecrets() { d.pin.Reset() }

// SetSize fits the verify form's fields to the width.
func (d *tokenDetail) SetSize(w, h int) {
	d.Base.SetSize(w, h)
	d.code.SetWidth(max(10, w-20))
	d.pin.SetWidth(max(10, w-20))
}

func (d *tokenDetail) leaveMode() tea.Cmd {
	d.mode = modeFacts
	d.pin.Reset()
	d.code.Blur()
	d.pin.Blur()
	return nil
}

// changeToken runs an assignment or enabled-flag change and reports it: a
// broadcast of the token as stored now and an OK status, or the refusal
// (status line and, addressed, the screen that asked).
func changeToken(c *common, origin nav.Screen, serial, prevUser string, do func() error, okText string) tea.Cmd {
	be := c.be
	return func() tea.Msg {
		if err := do(); err != nil {
			return tea.BatchMsg{nav.Status(nav.StatusError, err.Error()), func() tea.Msg { return nav.To(origin, actionErrMsg{err}) }}
		}
		tok, err := be.Token(serial)
		if err != nil {
			return nav.FatalMsg{Err: err}
		}
		return tea.BatchMsg{nav.Broadcast(tokenChangedMsg{tok, prevUser}), nav.Status(nav.StatusOK, okText)}
	}
}

func (d *tokenDetail) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tokenLoadedMsg:
		if msg.err != nil {
			d.err = msg.err
			return d, nil
		}
		d.tok = msg.tok
	case tokenChangedMsg:
		if msg.tok.Serial == d.tok.Serial {
			d.tok, d.working, d.err = msg.tok, false, nil
			d.mode = modeFacts
		}
	case actionErrMsg:
		d.working, d.err = false, msg.err
		d.mode = modeFacts
	case verifiedMsg:
		d.working = false
		d.pin.Reset()
		r := msg.res
		d.vres, d.verr = &r, msg.err
	case tea.PasteMsg:
		if d.mode == modeVerify {
			d.edit(msg)
		}
	case tea.KeyPressMsg:
		if cmd, ok := d.Bindings().Handle(msg, d.CapturesInput()); ok {
			return d, cmd
		}
		if d.mode == modeVerify && !d.working {
			d.edit(msg)
		}
	}
	return d, nil
}

func (d *tokenDetail) edit(msg tea.Msg) {
	f := &d.code
	if d.pinFocus {
		f = &d.pin
	}
	*f, _ = f.Update(msg)
	d.vres, d.verr = nil, nil
}

// Bindings is the token detail's table in its mode: the actions, a
// question, or the verify form (whose fields take the text keys).
func (d *tokenDetail) Bindings() nav.Table {
	k := d.c.Keys
	if d.working {
		return busy()
	}
	toFacts := func() tea.Cmd { d.mode = modeFacts; return nil }
	switch d.mode {
	case modeConfirmUnassign:
		return ask(k, unassignConfirm, func() tea.Cmd {
			d.working = true
			be, serial, was := d.c.be, d.tok.Serial, d.tok.AssignedUser
			return changeToken(d.c, d, serial, was, func() error { return be.Unassign(serial) },
				fmt.Sprintf("Token %s unassigned from %s.", serial, was))
		}, toFacts)
	case modeConfirmEnabled:
		return ask(k, d.enabledConfirm(), func() tea.Cmd {
			d.working = true
			return d.changeEnabled()
		}, toFacts)
	case modeVerify:
		return nav.Table{
			{Key: kit.WithHelp(k.NextField, "tab", "code/PIN"), Run: d.switchField},
			{Key: bind("enter", "verify", "enter"), Run: d.verify},
			esc("close", d.leaveMode),
			{Key: bind("shift+tab/↑/↓", "code/PIN", "shift+tab", "up", "down", "ctrl+p", "ctrl+n"), Run: d.switchField, FullOnly: true},
		}
	}
	assign := nav.Binding{Key: tokenKeys.assign, Run: func() tea.Cmd { return nav.Push(newUserPicker(d.c, d, d.tok.Serial)) }}
	if d.tok.AssignedUser != "" {
		assign.Run = note(fmt.Sprintf("Token %s is assigned to %s; unassign it first (u).", d.tok.Serial, d.tok.AssignedUser))
	}
	unassign := nav.Binding{Key: tokenKeys.unassign, Run: func() tea.Cmd { d.mode, d.err = modeConfirmUnassign, nil; return nil }}
	if d.tok.AssignedUser == "" {
		unassign.Run = note(fmt.Sprintf("Token %s is not assigned to any user.", d.tok.Serial))
	}
	follow := nav.Binding{Key: tokenKeys.follow, FullOnly: true, Run: func() tea.Cmd {
		d.change = changeFollow
		d.mode, d.err = modeConfirmEnabled, nil
		return nil
	}}
	if !d.tok.EnabledSetByAdmin {
		follow.Run = note(fmt.Sprintf("Token %s already follows its assignment.", d.tok.Serial))
	}
	return nav.Table{assign, unassign,
		{Key: d.enabledKey(), Run: func() tea.Cmd {
			d.change = changeEnable
			if d.tok.Enabled {
				d.change = changeDisable
			}
			d.mode, d.err = modeConfirmEnabled, nil
			return nil
		}},
		{Key: kit.WithHelp(tokenKeys.verify, "v", "verify"), Run: func() tea.Cmd {
			d.mode, d.err, d.vres, d.verr = modeVerify, nil, nil, nil
			d.pinFocus = false
			d.pin.Blur()
			return d.code.Focus()
		}},
		follow,
	}
}

// switchField moves the verify form's focus between the code and the PIN.
func (d *tokenDetail) switchField() tea.Cmd {
	d.pinFocus = !d.pinFocus
	if d.pinFocus {
		d.code.Blur()
		return d.pin.Focus()
	}
	d.pin.Blur()
	return d.code.Focus()
}

// verify checks the typed code (and PIN) in a Cmd.
func (d *tokenDetail) verify() tea.Cmd {
	code := strings.TrimSpace(d.code.Value())
	if code == "" {
		d.verr, d.vres = errors.New("type the tokencode the user reads out"), nil
		return nil
	}
	d.working = true
	be, serial, pin := d.c.be, d.tok.Serial, d.pin.Value()
	return func() tea.Msg {
		r, err := be.VerifyCode(serial, code, pin)
		return nav.To(d, verifiedMsg{r, err})
	}
}

// changeEnabled runs the confirmed enabled-flag change.
func (d *tokenDetail) changeEnabled() tea.Cmd {
	be, serial, user, ch := d.c.be, d.tok.Serial, d.tok.AssignedUser, d.change
	do := func() error { return be.SetTokenEnabledAuto(serial) }
	ok := fmt.Sprintf("Token %s follows its assignment again: %s.", serial, followedState(user))
	if ch != changeFollow {
		do = func() error { return be.SetTokenEnabled(serial, ch == changeEnable) }
		ok = fmt.Sprintf("Token %s %sd.", serial, ch.verb())
	}
	return changeToken(d.c, d, serial, user, do, ok)
}

// followedState is the flag a token that follows its assignment has.
func followedState(user string) string {
	if user == "" {
		return "disabled (unassigned)"
	}
	return "enabled (assigned to " + user + ")"
}

// enabledKey is the e key, labelled with what it does to this token.
func (d *tokenDetail) enabledKey() key.Binding {
	if d.tok.Enabled {
		return tokenKeys.disable
	}
	return tokenKeys.enable
}

// tokenKeys are the detail screens' action keys.
var tokenKeys = struct{ assign, unassign, enable, disable, follow, verify key.Binding }{
	assign:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign")),
	unassign: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unassign")),
	enable:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "enable")),
	disable:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "disable")),
	follow:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow assignment")),
	verify:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify a code")),
}

// tokenFacts are the label/value rows of a token.
func tokenFacts(c *common, t model.Token) [][2]string {
	now := c.Now()
	user := model.Printable(t.AssignedUser)
	if user == "" {
		user = "(unassigned)"
	}
	st := tokenStatus(t, now)
	if t.Expired(now) {
		// The flag still counts (e changes it): say it after "expired".
		st += ", disabled"
		if t.Enabled {
			st = "expired, enabled"
		}
	}
	if t.EnabledSetByAdmin {
		st += " (set by the admin)"
	} else {
		st += " (follows the assignment)"
	}
	exp := dateText(t.Death)
	switch n := t.DaysLeft(now); {
	case t.Death.IsZero():
	case t.Expired(now):
		exp += fmt.Sprintf(" (expired %d days ago)", -n)
	default:
		exp += fmt.Sprintf(" (%d days left)", n)
	}
	d := t.Distribution
	last := "never"
	if d.Distributed() {
		last = c.when(d.LastAt)
		if d.LastJob != "" {
			last += fmt.Sprintf(" by job %q", d.LastJob)
		}
	}
	bind := "-"
	switch d.BindingKind {
	case model.BindingClass:
		bind = d.Binding + " (class binding)"
	case model.BindingDevice:
		bind = d.Binding + " (device binding)"
	}
	code := "unknown (never distributed by swtoken)"
	if d.Digits > 0 {
		code = fmt.Sprintf("%d digits every %d s", d.Digits, d.IntervalSeconds)
		if d.AddPIN {
			code += ", PIN folded in"
		}
	}
	return [][2]string{
		{"Serial", t.Serial},
		{"Kind", string(t.Kind)},
		{"Algorithm", fmt.Sprintf("%s (%d-bit)", t.Algorithm, t.Algorithm.Bits())},
		{"User", user},
		{"Status", st},
		{"Birth", dateText(t.Birth)},
		{"Expires", exp},
		{"Times distributed", fmt.Sprint(d.Count)},
		{"Last distributed", last},
		{"Binding", bind},
		{"Nickname", kit.TextValue(model.Printable(d.Nickname))},
		{"Tokencode", code},
	}
}

func (d *tokenDetail) View() string {
	w := d.Width()
	t := d.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("Token "+d.tok.Serial) + "\n")
	b.WriteString(kit.KVWrapped(t, tokenFacts(d.c, d.tok), w))
	if d.err != nil {
		b.WriteString("\n\n" + kit.ErrorText(t, d.err, w))
	}
	switch d.mode {
	case modeConfirmUnassign:
		b.WriteString("\n\n" + t.Warn.Render(fmt.Sprintf("Unassign token %s from %s?", d.tok.Serial, d.tok.AssignedUser)) + "\n")
		b.WriteString(kit.Wrap("The user can no longer use it. A token that follows its assignment is disabled.", w) + "\n")
		b.WriteString(unassignConfirm.Choices(t))
	case modeConfirmEnabled:
		b.WriteString("\n\n" + d.enabledQuestion(w))
	case modeVerify:
		b.WriteString("\n\n" + d.verifyView(w))
	default:
		hint := "a assigns the token to a user, u unassigns it, e " + d.enabledKey().Help().Desc + "s it, v checks a tokencode a user reads out."
		b.WriteString("\n\n" + t.Muted.Render(kit.Wrap(hint, w)))
		if d.tok.EnabledSetByAdmin {
			b.WriteString("\n" + t.Muted.Render(kit.Wrap("The admin set its status: f lets it follow its assignment again.", w)))
		}
	}
	if d.working {
		b.WriteString("\nWorking...")
	}
	return b.String()
}

// enabledQuestion asks to confirm an enabled-flag change and says what it
// does.
func (d *tokenDetail) enabledQuestion(w int) string {
	t := d.c.Theme
	serial := d.tok.Serial
	var q, why string
	switch d.change {
	case changeEnable:
		q = fmt.Sprintf("Enable token %s?", serial)
		why = "It may authenticate, and distribution jobs include it while it is assigned."
	case changeDisable:
		q = fmt.Sprintf("Disable token %s?", serial)
		why = "It may no longer authenticate, and distribution jobs leave it out."
	default:
		q = fmt.Sprintf("Let token %s follow its assignment again?", serial)
		why = "It becomes " + followedState(d.tok.AssignedUser) + " now, and assigning or unassigning it changes it again."
	}
	if d.change != changeFollow {
		why += " Assigning or unassigning it no longer changes this, until f lets it follow its assignment again."
	}
	return t.Warn.Render(q) + "\n" + kit.Wrap(why, w) + "\n" + d.enabledConfirm().Choices(t)
}

func (d *tokenDetail) verifyView(w int) string {
	t := d.c.Theme
	var b strings.Builder
	b.WriteString(t.Title.Render("Verify a tokencode (helpdesk check)") + "\n")
	mark := func(on bool) string {
		if on {
			return t.G.Cursor
		}
		return t.G.NoCursor
	}
	b.WriteString(mark(!d.pinFocus) + t.Label.Render("Tokencode: ") + " " + d.code.View() + "\n")
	b.WriteString(mark(d.pinFocus) + t.Label.Render("PIN:       ") + " " + d.pin.View() + "\n")
	switch {
	case d.verr != nil && errors.Is(d.verr, jobs.ErrUnsupported):
		b.WriteString(t.Warn.Render("NOT SUPPORTED: ") + kit.Wrap(d.verr.Error(), w-15))
	case d.verr != nil:
		b.WriteString(kit.ErrorText(t, d.verr, w))
	case d.vres != nil && d.vres.Match:
		b.WriteString(t.OK.Render("MATCH") + fmt.Sprintf(": offset %s.", jobs.OffsetText(d.vres.Offset)) + "\n" + t.Muted.Render(kit.Wrap(verifyBasis(*d.vres), w)))
	case d.vres != nil:
		b.WriteString(t.Error.Render("NO MATCH") + fmt.Sprintf(": the code is not valid within ±%d interval of now.", jobs.VerifyWindow) + "\n" + t.Muted.Render(kit.Wrap(verifyBasis(*d.vres), w)))
	default:
		b.WriteString(t.Muted.Render(kit.Wrap("The PIN is only needed for PINPad-style tokens, where the app folds it into the code. It is not shown or kept.", w)))
	}
	return b.String()
}

// verifyBasis says which code settings the check used.
func verifyBasis(r jobs.VerifyResult) string {
	s := fmt.Sprintf("Checked as %d digits every %d s", r.Digits, r.Seconds)
	if r.PIN {
		s += ", PIN folded in"
	}
	if r.Assumed {
		s += " (assumed: the token was never distributed by swtoken)"
	} else {
		s += " (from the file handed out last)"
	}
	return s + "."
}

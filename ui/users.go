package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
)

// userRow is one user in a list; FilterValue is "id full-name e-mail".
type userRow struct {
	u      model.User
	fs     [3]string
	fv     string
	tokens int // tokens the user holds
}

func (r *userRow) FilterValue() string { return r.fv }

// userItemsCounted makes the rows of the Users list and the user picker,
// each user's token count taken from counts (a user absent from it holds
// none).
func userItemsCounted(us []model.User, counts map[string]int) []filterlist.Item {
	rows := make([]userRow, len(us))
	items := make([]filterlist.Item, len(us))
	for i, u := range us {
		id, name, email := model.Printable(u.ID), model.Printable(strings.TrimSpace(u.FirstName+" "+u.LastName)), model.Printable(u.Email)
		rows[i] = userRow{u: u, fs: [3]string{id, name, email}, tokens: counts[u.ID]}
		rows[i].fv = id + " " + name + " " + email
		items[i] = &rows[i]
	}
	return items
}

func userCells(width int) []cell {
	idW := max(12, min(24, (width-2)/4))
	nameW := max(16, min(32, (width-2)/3))
	return []cell{{"User ID", idW, 0}, {"Name", nameW, 1}, {"E-mail", 0, 2}}
}

// userListCells are the columns of the Users list and the user picker:
// userCells with the number of tokens held before the e-mail.
func userListCells(width int) []cell {
	cs := userCells(width)
	return []cell{cs[0], cs[1], {"Tokens", 6, -1}, cs[2]}
}

func userListRender(c *common) filterlist.RenderFunc {
	return func(it filterlist.Item, width int, selected bool, matched []int) string {
		r := it.(*userRow)
		cs := userListCells(width + 2)
		cs[0].text, cs[1].text, cs[2].text, cs[3].text = r.fs[0], r.fs[1], tokenCountText(r.tokens), textValue(r.fs[2])
		return renderRow(c.theme, cs, r.fs[:], matched, width, selected)
	}
}

// tokenCountText is a user's token count in the Users list, "-" for none.
func tokenCountText(n int) string {
	if n <= 0 {
		return "-"
	}
	return itoa(n)
}

type usersLoadedMsg struct {
	items []filterlist.Item
	err   error
}

// usersScreen lists the users; enter opens a user with their tokens.
type usersScreen struct {
	c      *common
	list   filterlist.Model
	loaded bool
	err    error

	reloads liveLoad // after store changes (live.go)
}

func newUsers(c *common) *usersScreen {
	return &usersScreen{c: c, list: newList(c, userListRender(c))}
}

func (s *usersScreen) Init() tea.Cmd { return s.reloads.start(s.load()) }

// StoreChanged reloads the users and their token counts; the filter and
// the selected user stay.
func (s *usersScreen) StoreChanged() tea.Cmd { return s.reloads.changed(s, s.load()) }

func sameUser(a, b filterlist.Item) bool { return a.(*userRow).u.ID == b.(*userRow).u.ID }

func (s *usersScreen) load() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		us, err := be.Users()
		if err != nil {
			return to(s, usersLoadedMsg{err: err})
		}
		counts, err := be.TokenCountsByUser()
		if err != nil {
			return to(s, usersLoadedMsg{err: err})
		}
		return to(s, usersLoadedMsg{items: userItemsCounted(us, counts)})
	}
}

// addTokens changes the token count shown for user id by d (the rows are
// in user ID order).
func (s *usersScreen) addTokens(id string, d int) {
	if id == "" {
		return
	}
	items := s.list.Items()
	i, ok := slices.BinarySearchFunc(items, id, func(it filterlist.Item, id string) int {
		return strings.Compare(it.(*userRow).u.ID, id)
	})
	if ok {
		r := items[i].(*userRow)
		r.tokens = max(0, r.tokens+d)
	}
}

func (s *usersScreen) Title() string           { return "Users" }
func (s *usersScreen) OwnsList(id uint64) bool { return id == s.list.ID() }
func (s *usersScreen) CapturesInput() bool     { return s.list.FilterFocused() }
func (s *usersScreen) Back() (screen, tea.Cmd, bool) {
	cmd, ok := listBack(&s.list)
	return s, cmd, ok
}

func (s *usersScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case liveTickMsg:
		return s, s.reloads.tick(s.load())
	case usersLoadedMsg:
		s.loaded, s.err = true, msg.err
		return s, tea.Batch(s.list.SetItemsKeep(msg.items, sameUser), s.reloads.loaded(s, s.load()))
	case tokenChangedMsg:
		// An assignment made from a screen above this one: move the
		// token's count from its old user to its new one.
		if s.loaded && msg.prevUser != msg.tok.AssignedUser {
			s.addTokens(msg.prevUser, -1)
			s.addTokens(msg.tok.AssignedUser, +1)
		}
		return s, nil
	case filterlist.SelectedMsg:
		if msg.ListID != s.list.ID() {
			return s, nil
		}
		return s, push(newUserDetail(s.c, msg.Item.(*userRow).u))
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd
}

func (s *usersScreen) ShortHelp() []key.Binding  { return listHelp(s.c, &s.list) }
func (s *usersScreen) FullHelp() [][]key.Binding { return s.list.FullHelp() }

func (s *usersScreen) View(w, h int) string {
	t := s.c.theme
	switch {
	case s.err != nil:
		return errorText(t, fmt.Errorf("cannot read the users: %w", s.err), w)
	case !s.loaded:
		return "Loading the users..."
	}
	return listWithHeader(&s.list, headerRow(t, userListCells(w), w), w, h)
}

// ---- user detail ----

type userLoadedMsg struct {
	u    model.User
	toks []model.Token
	err  error
}

// userDetail is one user and the tokens they hold: a token can be
// assigned (picked among the unassigned software tokens), unassigned, or
// opened.
type userDetail struct {
	c       *common
	u       model.User
	toks    []model.Token
	list    filterlist.Model
	loaded  bool
	err     error
	confirm bool // unassign the selected token?
	working bool
}

func newUserDetail(c *common, u model.User) *userDetail {
	return &userDetail{c: c, u: u, list: newList(c, tokenRender(c))}
}

func (d *userDetail) reload() tea.Cmd {
	be, id := d.c.be, d.u.ID
	return func() tea.Msg {
		u, toks, err := be.User(id)
		return to(d, userLoadedMsg{u, toks, err})
	}
}

func (d *userDetail) Init() tea.Cmd           { return d.reload() }
func (d *userDetail) Title() string           { return "User " + d.u.ID }
func (d *userDetail) OwnsList(id uint64) bool { return id == d.list.ID() }
func (d *userDetail) CapturesInput() bool     { return d.list.FilterFocused() }

// StoreChanged reloads the user and their tokens, unless an unassign is
// being asked or done.
func (d *userDetail) StoreChanged() tea.Cmd {
	if d.confirm || d.working {
		return nil
	}
	return d.reload()
}

func (d *userDetail) Back() (screen, tea.Cmd, bool) {
	if d.working {
		return d, nil, true
	}
	if d.confirm {
		d.confirm = false
		return d, nil, true
	}
	cmd, ok := listBack(&d.list)
	return d, cmd, ok
}

func (d *userDetail) selected() (model.Token, bool) {
	it, _, ok := d.list.Selected()
	if !ok {
		return model.Token{}, false
	}
	return it.(*tokenRow).t, true
}

func (d *userDetail) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case userLoadedMsg:
		d.loaded, d.working = true, false
		if msg.err != nil {
			d.err = msg.err
			return d, nil
		}
		d.u, d.toks = msg.u, msg.toks
		rows := make([]tokenRow, len(d.toks))
		items := make([]filterlist.Item, len(d.toks))
		for i, t := range d.toks {
			rows[i] = newTokenRow(t, d.c.now(), 0)
			items[i] = &rows[i]
		}
		return d, d.list.SetItemsKeep(items, sameToken)
	case tokenChangedMsg:
		if msg.tok.AssignedUser == d.u.ID || msg.prevUser == d.u.ID {
			d.err = nil
			return d, d.reload()
		}
		return d, nil
	case actionErrMsg:
		d.working, d.confirm, d.err = false, false, msg.err
		return d, nil
	case filterlist.SelectedMsg:
		if msg.ListID != d.list.ID() {
			return d, nil
		}
		return d, push(newTokenDetail(d.c, msg.Item.(*tokenRow).t))
	case tea.KeyPressMsg:
		if cmd, ok := d.handleKey(msg); ok {
			return d, cmd
		}
	}
	var cmd tea.Cmd
	d.list, cmd = d.list.Update(msg)
	return d, cmd
}

func (d *userDetail) handleKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := d.c.keys
	if d.working || !d.loaded {
		return nil, true
	}
	if d.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			t, ok := d.selected()
			d.confirm = false
			if !ok {
				return nil, true
			}
			d.working = true
			be, serial := d.c.be, t.Serial
			return changeToken(d.c, d, serial, d.u.ID, func() error { return be.Unassign(serial) },
				fmt.Sprintf("Token %s unassigned from %s.", serial, d.u.ID)), true
		case key.Matches(msg, k.No):
			d.confirm = false
		}
		return nil, true
	}
	if d.list.FilterFocused() {
		return nil, false
	}
	switch msg.String() {
	case "a":
		if n := len(d.toks); n >= model.MaxTokensPerUser {
			return status(statusWarn, fmt.Sprintf("%s already holds %d tokens, the most a user may hold.", d.u.ID, n)), true
		}
		d.err = nil
		return push(newTokenPicker(d.c, d, d.u.ID)), true
	case "u":
		if _, ok := d.selected(); !ok {
			return status(statusWarn, d.u.ID+" holds no token to unassign."), true
		}
		d.confirm, d.err = true, nil
		return nil, true
	}
	return nil, false
}

func (d *userDetail) ShortHelp() []key.Binding {
	k := d.c.keys
	if d.confirm {
		return []key.Binding{withHelp(k.Yes, "y", "unassign"), withHelp(k.No, "n", "keep")}
	}
	return []key.Binding{withHelp(k.Select, "enter", "open token"), withHelp(tokenKeys.assign, "a", "assign a token"), tokenKeys.unassign, k.Back}
}

func (d *userDetail) FullHelp() [][]key.Binding {
	return append([][]key.Binding{{tokenKeys.assign, tokenKeys.unassign}}, d.list.FullHelp()...)
}

func (d *userDetail) View(w, h int) string {
	t := d.c.theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("User "+model.Printable(d.u.ID)) + "\n")
	b.WriteString(kvWrapped(t, [][2]string{
		{"User ID", model.Printable(d.u.ID)},
		{"First name", textValue(model.Printable(d.u.FirstName))},
		{"Last name", textValue(model.Printable(d.u.LastName))},
		{"E-mail", textValue(model.Printable(d.u.Email))},
	}, w) + "\n\n")
	switch {
	case d.err != nil && !d.loaded:
		b.WriteString(errorText(t, d.err, w))
		return b.String()
	case !d.loaded:
		b.WriteString("Loading the user's tokens...")
		return b.String()
	}
	b.WriteString(t.Heading.Render(fmt.Sprintf("Tokens (%d of at most %d)", len(d.toks), model.MaxTokensPerUser)) + "\n")
	var tail strings.Builder
	if d.err != nil {
		tail.WriteString("\n" + errorText(t, d.err, w))
	}
	if d.confirm {
		if tok, ok := d.selected(); ok {
			tail.WriteString("\n" + t.Warn.Render(fmt.Sprintf("Unassign token %s from %s?", tok.Serial, d.u.ID)) + "  " +
				t.Key.Render("y") + " unassign  " + t.Key.Render("n") + " keep")
		}
	} else if len(d.toks) == 0 {
		tail.WriteString("\n" + t.Muted.Render(wrap(fmt.Sprintf("%s holds no token: press a to assign one.", d.u.ID), w)))
	}
	if d.working {
		tail.WriteString("\nWorking...")
	}
	used := strings.Count(b.String(), "\n") + strings.Count(tail.String(), "\n")
	rows := min(model.MaxTokensPerUser, max(1, len(d.toks)))
	b.WriteString(listWithHeader(&d.list, headerRow(t, tokenCells(w), w), w, min(h-used, rows+3)))
	b.WriteString(tail.String())
	return b.String()
}

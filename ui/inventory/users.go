package inventory

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
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

func userCells(width int) []kit.Cell {
	idW := max(12, min(24, (width-2)/4))
	nameW := max(16, min(32, (width-2)/3))
	return []kit.Cell{{Text: "User ID", W: idW, FV: 0}, {Text: "Name", W: nameW, FV: 1}, {Text: "E-mail", W: 0, FV: 2}}
}

// userListCells are the columns of the Users list and the user picker:
// userCells with the number of tokens held before the e-mail.
func userListCells(width int) []kit.Cell {
	cs := userCells(width)
	return []kit.Cell{cs[0], cs[1], {Text: "Tokens", W: 6, FV: -1}, cs[2]}
}

func userListRender(c *common) filterlist.RenderFunc {
	return func(it filterlist.Item, width int, selected bool, matched []int) string {
		r := it.(*userRow)
		cs := userListCells(width + 2)
		cs[0].Text, cs[1].Text, cs[2].Text, cs[3].Text = r.fs[0], r.fs[1], tokenCountText(r.tokens), kit.TextValue(r.fs[2])
		return kit.RenderRow(c.Theme, cs, r.fs[:], matched, width, selected)
	}
}

// tokenCountText is a user's token count in the Users list, "-" for none.
func tokenCountText(n int) string {
	if n <= 0 {
		return "-"
	}
	return kit.Itoa(n)
}

type usersLoadedMsg struct {
	items []filterlist.Item
	err   error
}

// usersScreen lists the users; enter opens a user with their tokens.
type usersScreen struct {
	listScreen
}

func newUsers(c *common) *usersScreen {
	s := &usersScreen{listScreen: listScreen{c: c, list: kit.NewList(c.Env, userListRender(c))}}
	s.self = s
	return s
}

func (s *usersScreen) Init() tea.Cmd { return s.reloads.Start(s.load()) }

// StoreChanged reloads the users and their token counts; the filter and
// the selected user stay.
func (s *usersScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.load()) }

func sameUser(a, b filterlist.Item) bool { return a.(*userRow).u.ID == b.(*userRow).u.ID }

func (s *usersScreen) load() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		us, err := be.Users()
		if err != nil {
			return nav.To(s, usersLoadedMsg{err: err})
		}
		counts, err := be.TokenCountsByUser()
		if err != nil {
			return nav.To(s, usersLoadedMsg{err: err})
		}
		return nav.To(s, usersLoadedMsg{items: userItemsCounted(us, counts)})
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
func (s *usersScreen) CapturesInput() bool     { return s.loaded && s.list.FilterFocused() }

// Bindings is the Users list's table: the list's keys.
func (s *usersScreen) Bindings() nav.Table {
	if !s.loaded {
		return nil
	}
	return listTable(s.c, &s.list, listKeys{open: "details", empty: "No user to open.", moveShort: true})
}

func (s *usersScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.LiveTickMsg:
		return s, s.reloads.Tick(s.load())
	case usersLoadedMsg:
		s.loaded, s.err = true, msg.err
		return s, tea.Batch(s.list.SetItemsKeep(msg.items, sameUser), s.reloads.Loaded(s, s.load()))
	case tokenChangedMsg:
		// An assignment made from a screen above this one: move the
		// token's count from its old user to its new one.
		if s.loaded && msg.prevUser != msg.tok.AssignedUser {
			s.addTokens(msg.prevUser, -1)
			s.addTokens(msg.tok.AssignedUser, +1)
		}
		return s, nil
	}
	return s, listMsg(&s.list, s.Bindings, msg, func(it filterlist.Item) tea.Cmd {
		return nav.Push(newUserDetail(s.c, it.(*userRow).u))
	})
}

func (s *usersScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	if v, ok := loadState(s.c, s.err, s.loaded, "users", w); ok {
		return v
	}
	return kit.ListWithHeader(&s.list, kit.HeaderRow(t, userListCells(w), w), w, h)
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
	tabled
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
	d := &userDetail{c: c, u: u, list: kit.NewList(c.Env, tokenRender(c))}
	d.self = d
	return d
}

func (d *userDetail) reload() tea.Cmd {
	be, id := d.c.be, d.u.ID
	return func() tea.Msg {
		u, toks, err := be.User(id)
		return nav.To(d, userLoadedMsg{u, toks, err})
	}
}

func (d *userDetail) Init() tea.Cmd           { return d.reload() }
func (d *userDetail) Title() string           { return "User " + d.u.ID }
func (d *userDetail) OwnsList(id uint64) bool { return id == d.list.ID() }
func (d *userDetail) CapturesInput() bool     { return d.loaded && d.list.FilterFocused() }

// StoreChanged reloads the user and their tokens, unless an unassign is
// being asked or done.
func (d *userDetail) StoreChanged() tea.Cmd {
	if d.confirm || d.working {
		return nil
	}
	return d.reload()
}

func (d *userDetail) selected() (model.Token, bool) {
	r, ok := selected[*tokenRow](&d.list)
	if !ok {
		return model.Token{}, false
	}
	return r.t, true
}

func (d *userDetail) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
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
			rows[i] = newTokenRow(t, d.c.Now(), 0)
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
	}
	return d, listMsg(&d.list, d.Bindings, msg, func(it filterlist.Item) tea.Cmd {
		return nav.Push(newTokenDetail(d.c, it.(*tokenRow).t))
	})
}

// Bindings is the user detail's table: the user's tokens (open one,
// assign one, unassign the selected one) or the unassign question.
func (d *userDetail) Bindings() nav.Table {
	k := d.c.Keys
	switch {
	case d.working:
		return busy()
	case !d.loaded:
		return nil
	case d.confirm:
		return ask(k, unassignConfirm, func() tea.Cmd {
			t, ok := d.selected()
			d.confirm = false
			if !ok {
				return nil
			}
			d.working = true
			be, serial := d.c.be, t.Serial
			return changeToken(d.c, d, serial, d.u.ID, func() error { return be.Unassign(serial) },
				fmt.Sprintf("Token %s unassigned from %s.", serial, d.u.ID))
		}, func() tea.Cmd { d.confirm = false; return nil })
	}
	lt := listTable(d.c, &d.list, listKeys{open: "open token", empty: d.u.ID + " holds no token.", keepFilter: true})
	if d.list.FilterFocused() {
		return lt
	}
	assign := nav.Binding{Key: tokenKeys.assign, Run: func() tea.Cmd {
		d.err = nil
		return nav.Push(newTokenPicker(d.c, d, d.u.ID))
	}}
	if n := len(d.toks); n >= model.MaxTokensPerUser {
		assign.Run = note(fmt.Sprintf("%s already holds %d tokens, the most a user may hold.", d.u.ID, n))
	}
	unassign := nav.Binding{Key: tokenKeys.unassign, Run: func() tea.Cmd { d.confirm, d.err = true, nil; return nil }}
	if _, ok := d.selected(); !ok {
		unassign.Run = note(d.u.ID + " holds no token to unassign.")
	}
	return append(nav.Table{lt[0], assign, unassign}, lt[1:]...)
}

// userUnassignConfirm is unassignConfirm on the line of its question,
// closer together.
var userUnassignConfirm = kit.Confirm{Yes: unassignConfirm.Yes, No: unassignConfirm.No, Gap: "  "}

func (d *userDetail) View() string {
	w, h := d.Width(), d.Height()
	t := d.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("User "+model.Printable(d.u.ID)) + "\n")
	b.WriteString(kit.KVWrapped(t, [][2]string{
		{"User ID", model.Printable(d.u.ID)},
		{"First name", kit.TextValue(model.Printable(d.u.FirstName))},
		{"Last name", kit.TextValue(model.Printable(d.u.LastName))},
		{"E-mail", kit.TextValue(model.Printable(d.u.Email))},
	}, w) + "\n\n")
	switch {
	case d.err != nil && !d.loaded:
		b.WriteString(kit.ErrorText(t, d.err, w))
		return b.String()
	case !d.loaded:
		b.WriteString("Loading the user's tokens...")
		return b.String()
	}
	b.WriteString(t.Heading.Render(fmt.Sprintf("Tokens (%d of at most %d)", len(d.toks), model.MaxTokensPerUser)) + "\n")
	var tail strings.Builder
	if d.err != nil {
		tail.WriteString("\n" + kit.ErrorText(t, d.err, w))
	}
	if d.confirm {
		if tok, ok := d.selected(); ok {
			tail.WriteString("\n" + t.Warn.Render(fmt.Sprintf("Unassign token %s from %s?", tok.Serial, d.u.ID)) + "  " +
				userUnassignConfirm.Choices(t))
		}
	} else if len(d.toks) == 0 {
		tail.WriteString("\n" + t.Muted.Render(kit.Wrap(fmt.Sprintf("%s holds no token: press a to assign one.", d.u.ID), w)))
	}
	if d.working {
		tail.WriteString("\nWorking...")
	}
	used := strings.Count(b.String(), "\n") + strings.Count(tail.String(), "\n")
	rows := min(model.MaxTokensPerUser, max(1, len(d.toks)))
	b.WriteString(kit.ListWithHeader(&d.list, kit.HeaderRow(t, tokenCells(w), w), w, min(h-used, rows+3)))
	b.WriteString(tail.String())
	return b.String()
}

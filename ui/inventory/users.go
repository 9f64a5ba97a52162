package inventory

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
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
	u      model.User
	toks   []model.Token
	err    error
	access UserAccess
	// accessErr kept the keys and the enrollment code from being read
	// (the user and tokens still show).
	accessErr error
}

// userAsk is the question the user detail asks, if any.
type userAsk int

const (
	askNone     userAsk = iota
	askUnassign         // unassign the selected token?
	askRemove           // remove the key removeFP?
	askInvite           // issue an enrollment code (shown, or mailed)?
)

// userDetail is one user, the tokens they hold and their way into the
// Self-Service Console: a token can be assigned (picked among the
// unassigned software tokens), unassigned, or opened; an SSH key removed;
// an enrollment code issued, shown once or mailed.
type userDetail struct {
	tabled
	c         *common
	u         model.User
	toks      []model.Token
	list      filterlist.Model
	loaded    bool
	err       error
	access    UserAccess
	accessErr error
	keySel    int // the selected key, an index in access.Keys
	ask       userAsk
	removeFP  string // the key the remove question names
	working   bool
	// invite is the code just issued, shown once in a dialog until the
	// admin closes it (ClearSecrets drops it then).
	invite *Invitation
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
		msg := userLoadedMsg{u: u, toks: toks, err: err}
		if err == nil {
			msg.access, msg.accessErr = be.UserAccess(id)
		}
		return nav.To(d, msg)
	}
}

func (d *userDetail) Init() tea.Cmd           { return d.reload() }
func (d *userDetail) Title() string           { return "User " + d.u.ID }
func (d *userDetail) OwnsList(id uint64) bool { return id == d.list.ID() }
func (d *userDetail) CapturesInput() bool {
	return d.loaded && d.ask == askNone && d.invite == nil && d.list.FilterFocused()
}

// StoreChanged reloads the user, their tokens and keys, unless a question
// is open, a change is under way or an enrollment code is shown.
func (d *userDetail) StoreChanged() tea.Cmd {
	if d.ask != askNone || d.working || d.invite != nil {
		return nil
	}
	return d.reload()
}

// ClearSecrets drops the enrollment code shown (the dialog closing, the
// screen leaving the stack and the console quitting all call it).
func (d *userDetail) ClearSecrets() {
	if d.invite != nil {
		d.invite.Code = ""
		d.invite = nil
	}
}

func (d *userDetail) selected() (model.Token, bool) {
	r, ok := selected[*tokenRow](&d.list)
	if !ok {
		return model.Token{}, false
	}
	return r.t, true
}

// selectedKey is the key the cursor of the keys section is on.
func (d *userDetail) selectedKey() (store.UserKey, bool) {
	if d.keySel < 0 || d.keySel >= len(d.access.Keys) {
		return store.UserKey{}, false
	}
	return d.access.Keys[d.keySel], true
}

// The user detail's results of the keys and enrollment actions.
type (
	keyRemovedMsg struct {
		fp  string
		err error
	}
	invitedMsg struct {
		inv    Invitation
		mailed bool
		err    error
	}
)

func (d *userDetail) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case userLoadedMsg:
		d.loaded, d.working = true, false
		if msg.err != nil {
			d.err = msg.err
			return d, nil
		}
		d.u, d.toks = msg.u, msg.toks
		d.setAccess(msg.access, msg.accessErr)
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
		d.working, d.ask, d.err = false, askNone, msg.err
		return d, nil
	case keyRemovedMsg:
		d.working = false
		if msg.err != nil {
			// Reload all the same: another process may have removed it.
			d.err = msg.err
			return d, tea.Batch(d.reload(), nav.Status(nav.StatusError, msg.err.Error()))
		}
		return d, tea.Batch(d.reload(), nav.Status(nav.StatusOK,
			fmt.Sprintf("SSH key %s of %s removed.", msg.fp, model.Printable(d.u.ID))))
	case invitedMsg:
		d.working = false
		if msg.err != nil {
			d.err = msg.err
			return d, tea.Batch(d.reload(), nav.Status(nav.StatusError, msg.err.Error()))
		}
		if msg.mailed {
			return d, tea.Batch(d.reload(), nav.Status(nav.StatusOK,
				fmt.Sprintf("The enrollment code of %s was put in the outbox for %s; it works once, until %s.",
					model.Printable(d.u.ID), model.Printable(msg.inv.MailedTo), d.c.when(msg.inv.Expires))))
		}
		inv := msg.inv
		d.invite = &inv
		return d, nav.Status(nav.StatusOK, fmt.Sprintf("Enrollment code issued for %s: it is shown once.", model.Printable(d.u.ID)))
	}
	return d, listMsg(&d.list, d.Bindings, msg, func(it filterlist.Item) tea.Cmd {
		return nav.Push(newTokenDetail(d.c, it.(*tokenRow).t))
	})
}

// setAccess takes the keys and enrollment state read, keeping the cursor
// on the same key (by fingerprint) when it is still there.
func (d *userDetail) setAccess(a UserAccess, err error) {
	prev, had := d.selectedKey()
	d.access, d.accessErr = a, err
	d.keySel = min(d.keySel, max(0, len(a.Keys)-1))
	if had {
		for i, k := range a.Keys {
			if k.Fingerprint == prev.Fingerprint {
				d.keySel = i
			}
		}
	}
}

// userKeys are the user detail's keys for the SSH keys and the
// enrollment code. The letters are free on this screen while the token
// filter has no focus (a and u are the tokens', j and k move).
var userKeys = struct {
	nextKey, removeKey, invite, mail, close key.Binding
}{
	nextKey:   bind("s", "next SSH key", "s"),
	removeKey: bind("x", "remove SSH key", "x"),
	invite:    bind("i", "enrollment code", "i"),
	mail:      bind("m", "mail it instead", "m"),
	close:     bind("enter", "close (the code is not shown again)", "enter", "esc"),
}

// inviteConfirm is the enrollment code question's y and n.
var inviteConfirm = kit.Confirm{Yes: "show it", No: "cancel", Gap: "  "}

// removeKeyConfirm is the key removal question's y and n.
var removeKeyConfirm = kit.Confirm{Yes: "remove", No: "keep", Gap: "  "}

// Bindings is the user detail's table: the user's tokens (open one,
// assign one, unassign the selected one) and keys (select one, remove it,
// issue an enrollment code), or the question asked, or the code dialog.
func (d *userDetail) Bindings() nav.Table {
	k := d.c.Keys
	switch {
	case d.working:
		return busy()
	case !d.loaded:
		return nil
	case d.invite != nil:
		return nav.Table{{Key: userKeys.close, Run: func() tea.Cmd {
			d.ClearSecrets()
			return d.reload()
		}}}
	case d.ask == askUnassign:
		return ask(k, unassignConfirm, func() tea.Cmd {
			t, ok := d.selected()
			d.ask = askNone
			if !ok {
				return nil
			}
			d.working = true
			be, serial := d.c.be, t.Serial
			return changeToken(d.c, d, serial, d.u.ID, func() error { return be.Unassign(serial) },
				fmt.Sprintf("Token %s unassigned from %s.", serial, d.u.ID))
		}, d.cancelAsk)
	case d.ask == askRemove:
		return ask(k, removeKeyConfirm, func() tea.Cmd {
			d.ask, d.working = askNone, true
			be, id, fp := d.c.be, d.u.ID, d.removeFP
			return func() tea.Msg { return nav.To(d, keyRemovedMsg{fp: fp, err: be.RemoveUserKey(id, fp)}) }
		}, d.cancelAsk)
	case d.ask == askInvite:
		t := ask(k, inviteConfirm, func() tea.Cmd { return d.issue(false) }, d.cancelAsk)
		mail := nav.Binding{Key: kit.WithHelp(userKeys.mail, "m", "mail it to "+model.Printable(d.u.Email)),
			Run: func() tea.Cmd { return d.issue(true) }}
		if why := d.noMail(); why != "" {
			mail.Disabled = why
		}
		return append(nav.Table{t[0], mail}, t[1:]...)
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
	unassign := nav.Binding{Key: tokenKeys.unassign, Run: func() tea.Cmd { d.ask, d.err = askUnassign, nil; return nil }}
	if _, ok := d.selected(); !ok {
		unassign.Run = note(d.u.ID + " holds no token to unassign.")
	}
	next := nav.Binding{Key: userKeys.nextKey, FullOnly: true, Run: func() tea.Cmd {
		d.keySel = (d.keySel + 1) % len(d.access.Keys)
		return nil
	}}
	if n := len(d.access.Keys); n < 2 {
		next.Run = note(fmt.Sprintf("%s has %s: there is no other to select.", d.u.ID, kit.Plural(n, "SSH key", "SSH keys")))
	}
	remove := nav.Binding{Key: userKeys.removeKey, FullOnly: true, Run: func() tea.Cmd {
		kk, _ := d.selectedKey()
		d.ask, d.removeFP, d.err = askRemove, kk.Fingerprint, nil
		return nil
	}}
	if _, ok := d.selectedKey(); !ok {
		remove.Run = note(d.u.ID + " has no SSH key to remove.")
	}
	invite := nav.Binding{Key: userKeys.invite, FullOnly: true, Run: func() tea.Cmd { d.ask, d.err = askInvite, nil; return nil }}
	if d.accessErr != nil {
		remove.Run = note("The keys could not be read: " + d.accessErr.Error())
	}
	return append(nav.Table{lt[0], assign, unassign, next, remove, invite}, lt[1:]...)
}

func (d *userDetail) cancelAsk() tea.Cmd { d.ask = askNone; return nil }

// noMail is why the enrollment code cannot be mailed to the user, "" when
// it can.
func (d *userDetail) noMail() string {
	if strings.TrimSpace(d.u.Email) == "" {
		return model.Printable(d.u.ID) + " has no e-mail address: the code can only be shown."
	}
	return ""
}

// issue asks the backend for an enrollment code, shown once or mailed.
func (d *userDetail) issue(mail bool) tea.Cmd {
	d.ask, d.working, d.err = askNone, true, nil
	be, id := d.c.be, d.u.ID
	return func() tea.Msg {
		var inv Invitation
		var err error
		if mail {
			inv, err = be.MailInvitation(id)
		} else {
			inv, err = be.InviteUser(id)
		}
		return nav.To(d, invitedMsg{inv: inv, mailed: mail, err: err})
	}
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
	case d.invite != nil:
		b.WriteString(d.inviteView(w))
		return b.String()
	}
	b.WriteString(t.Heading.Render(fmt.Sprintf("Tokens (%d of at most %d)", len(d.toks), model.MaxTokensPerUser)) + "\n")
	var tail strings.Builder
	if d.err != nil {
		tail.WriteString("\n" + kit.ErrorText(t, d.err, w))
	}
	switch d.ask {
	case askUnassign:
		if tok, ok := d.selected(); ok {
			tail.WriteString("\n" + t.Warn.Render(fmt.Sprintf("Unassign token %s from %s?", tok.Serial, d.u.ID)) + "  " +
				userUnassignConfirm.Choices(t))
		}
	case askRemove:
		tail.WriteString("\n" + kit.Wrap(t.Warn.Render(fmt.Sprintf("Remove SSH key %s of %s? It no longer logs in.", d.removeFP, model.Printable(d.u.ID)))+
			"  "+removeKeyConfirm.Choices(t), w))
	case askInvite:
		tail.WriteString("\n" + d.inviteQuestion(w))
	}
	if d.working {
		tail.WriteString("\nWorking...")
	}
	rows := min(model.MaxTokensPerUser, max(1, len(d.toks)))
	used := strings.Count(b.String(), "\n") + strings.Count(tail.String(), "\n")
	var keys string
	// The keys get what the tokens (at most 3 rows) leave.
	if d.ask == askNone && len(d.toks) == 0 {
		keys = "\n" + t.Muted.Render(kit.Wrap(fmt.Sprintf("%s holds no token: press a to assign one.", d.u.ID), w))
	}
	keys += d.keysView(w, h-used-(rows+3)-strings.Count(keys, "\n"))
	used += strings.Count(keys, "\n")
	b.WriteString(kit.ListWithHeader(&d.list, kit.HeaderRow(t, tokenCells(w), w), w, min(h-used, rows+3)))
	b.WriteString(keys)
	b.WriteString(tail.String())
	return b.String()
}

// keyCells are the columns of the keys section: the fingerprint (cut on
// narrow screens; the remove question names it whole), the type, the date
// added and the comment.
func keyCells(width int) []kit.Cell {
	fpW := 50 // "SHA256:" and 43 characters
	if width < 110 {
		fpW = max(20, width-54)
	}
	typeW := 19 // ecdsa-sha2-nistp256
	if width < 110 {
		typeW = 11 // ssh-ed25519
	}
	return []kit.Cell{{Text: "Fingerprint", W: fpW, FV: -1}, {Text: "Type", W: typeW, FV: -1},
		{Text: "Added", W: 10, FV: -1}, {Text: "Comment", W: 0, FV: -1}}
}

// keysView is the keys section under the tokens: a heading with the
// enrollment code's state, as many keys as fit in room lines (a window
// around the selected one), and how keys are added. It starts with a line
// break.
func (d *userDetail) keysView(w, room int) string {
	t := d.c.Theme
	var b strings.Builder
	head := t.Heading.Render(fmt.Sprintf("SSH keys (%d)", len(d.access.Keys)))
	code := "no enrollment code is live"
	if d.access.CodeLive {
		code = "enrollment code live until " + d.c.when(d.access.CodeExpires)
	}
	if d.accessErr != nil {
		b.WriteString("\n\n" + head + "\n" + kit.ErrorText(t, fmt.Errorf("cannot read the keys: %w", d.accessErr), w))
		return b.String()
	}
	b.WriteString("\n\n" + head + "  " + t.Muted.Render(code))
	// Adding a key is the user's own flow (a pasted line in the
	// Self-Service Console) or the command line's, not this screen's.
	hint := "i issues an enrollment code. "
	if len(d.access.Keys) > 0 {
		hint = "s next key, x remove it, i enrollment code. "
	}
	hint += "Keys are added by the user in the Self-Service Console (or swtoken users keys add), not here."
	hintLines := strings.Split(kit.Wrap(hint, w), "\n")
	if d.ask != askNone || d.err != nil || d.working {
		hintLines = nil // the question or the error needs the room
	}
	n := len(d.access.Keys)
	shown := max(1, min(n, room-3-len(hintLines)))
	if n > 0 {
		from := max(0, min(d.keySel-shown+1, n-shown))
		cells := keyCells(w)
		for i := from; i < from+shown && i < n; i++ {
			k := d.access.Keys[i]
			cells[0].Text, cells[1].Text = k.Fingerprint, k.Type
			cells[2].Text, cells[3].Text = dateText(k.Added), kit.TextValue(model.Printable(k.Comment))
			mark := t.G.NoCursor
			if i == d.keySel {
				mark = t.G.Cursor
			}
			b.WriteString("\n" + mark + kit.RenderRow(t, cells, nil, nil, w-2, i == d.keySel))
		}
	}
	if len(hintLines) > 0 {
		b.WriteString("\n" + t.Muted.Render(strings.Join(hintLines, "\n")))
	}
	return b.String()
}

// inviteQuestion asks before an enrollment code is issued: what it
// replaces, and the two ways to hand it over.
func (d *userDetail) inviteQuestion(w int) string {
	t := d.c.Theme
	id := model.Printable(d.u.ID)
	q := fmt.Sprintf("Issue an enrollment code for %s? It works once, for %d hours.", id, int(store.EnrollmentTTL.Hours()))
	if d.access.CodeLive {
		q = fmt.Sprintf("Issue a new enrollment code for %s? It replaces the live one (until %s), which then no longer works.",
			id, d.c.when(d.access.CodeExpires))
	}
	mail := t.Key.Render("m") + " mail it to " + model.Printable(d.u.Email)
	if why := d.noMail(); why != "" {
		mail = t.Muted.Render("m mail it: not possible, " + id + " has no e-mail address")
	}
	var b strings.Builder
	for _, l := range kit.WrapAtSpaces(q, w) {
		b.WriteString(t.Warn.Render(l) + "\n")
	}
	return b.String() + t.Key.Render("y") + " " + inviteConfirm.Yes + "  " + mail + "  " +
		t.Key.Render("n") + " " + inviteConfirm.No
}

// inviteView is the dialog that shows an enrollment code once.
func (d *userDetail) inviteView(w int) string {
	t := d.c.Theme
	inv := d.invite
	var b strings.Builder
	b.WriteString(t.Heading.Render("Enrollment code for "+model.Printable(d.u.ID)+" (shown only this once)") + "\n\n")
	b.WriteString("  " + t.OK.Render(inv.Code) + "\n\n")
	b.WriteString(kit.Wrap(fmt.Sprintf("It works once, until %s; five wrong tries end it. An earlier code of the user no longer works.",
		d.c.when(inv.Expires)), w) + "\n\n")
	b.WriteString(kit.Wrap("Give the user the code and this line to log in to the Self-Service Console:", w) + "\n\n")
	b.WriteString("  " + model.Printable(inv.SSHCommand) + "\n\n")
	b.WriteString(t.Muted.Render(kit.Wrap("Press enter or esc to close: the code is not kept and cannot be shown again.", w)))
	return b.String()
}

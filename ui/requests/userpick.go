package requests

import (
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
)

// The request form's user picker: while the User ID field has the focus,
// what is typed there filters the users (ui/filterlist: fuzzy, off Update
// above 2,000 users) and enter picks the selected one. An ID typed exactly
// is taken as it is, whatever the fuzzy order.

// userRow is one user in the picker; FilterValue is "ID name e-mail".
type userRow struct {
	u  UserChoice
	fs [3]string
	fv string
}

func (r *userRow) FilterValue() string { return r.fv }

// noEmail is the picker's e-mail column for a user without an address.
const noEmail = "none: a request is refused"

type usersMsg struct {
	items []filterlist.Item
	byID  map[string]*userRow
	err   error
}

// userItems makes the picker's rows and the index by exact ID in one
// pass (it runs in the loading tea.Cmd, not in Update).
func userItems(us []UserChoice) usersMsg {
	rows := make([]userRow, len(us))
	items := make([]filterlist.Item, len(us))
	byID := make(map[string]*userRow, len(us))
	for i, u := range us {
		id, name, email := model.Printable(u.ID), model.Printable(u.Name), model.Printable(u.Email)
		rows[i] = userRow{u: u, fs: [3]string{id, name, email}, fv: id + " " + name + " " + email}
		items[i] = &rows[i]
		byID[u.ID] = &rows[i]
	}
	return usersMsg{items: items, byID: byID}
}

// userCells are the picker's columns: ID, name, e-mail.
func userCells(width int) []kit.Cell {
	idW := max(12, min(24, (width-2)/4))
	nameW := max(16, min(32, (width-2)/3))
	return []kit.Cell{{Text: "User ID", W: idW, FV: 0}, {Text: "Name", W: nameW, FV: 1}, {Text: "E-mail", W: 0, FV: 2}}
}

func (f *formScreen) renderUser(it filterlist.Item, width int, selected bool, matched []int) string {
	r := it.(*userRow)
	cs := userCells(width + 2)
	cs[0].Text, cs[1].Text, cs[2].Text = r.fs[0], kit.TextValue(r.fs[1]), r.fs[2]
	if r.u.Email == "" {
		cs[2].Text = "(" + noEmail + ")"
	}
	return kit.RenderRow(f.c.Theme, cs, r.fs[:], matched, width, selected)
}

// picking is true while the User ID field shows the users to pick from.
func (f *formScreen) picking() bool {
	return f.loaded && f.err == nil && f.focus == fUser && f.usersLoaded && f.usersErr == nil
}

// exactUser is the user whose ID is typed exactly, if any.
func (f *formScreen) exactUser() (*userRow, bool) {
	r, ok := f.byID[f.in[fUser].Value()]
	return r, ok && f.usersLoaded
}

// filterUsers makes the picker's filter follow the User ID field.
func (f *formScreen) filterUsers() tea.Cmd {
	if !f.usersLoaded || f.usersErr != nil {
		return nil
	}
	return f.users.SetFilterValue(f.in[fUser].Value())
}

// pick puts the picked user's ID in the field and moves on.
func (f *formScreen) pick(r *userRow) tea.Cmd {
	f.in[fUser].SetValue(r.u.ID)
	f.in[fUser].CursorEnd()
	f.formErr = ""
	return tea.Batch(f.filterUsers(), f.move(1))
}

// pickUser is enter on the User ID field: the exact ID typed, else the
// selected row (the list waits for the current filter's result first).
func (f *formScreen) pickUser() tea.Cmd {
	if r, ok := f.exactUser(); ok {
		return f.pick(r)
	}
	var cmd tea.Cmd
	f.users, cmd = f.users.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	return cmd
}

// userNote is the line under the User ID field: who the typed ID is, or
// that no user has it; "" while the field is empty or the users are not
// known.
func (f *formScreen) userNote() (string, bool) {
	v := f.in[fUser].Value()
	if v == "" || !f.usersLoaded || f.usersErr != nil {
		return "", false
	}
	r, ok := f.byID[v]
	switch {
	case !ok && f.focus == fUser:
		return "", false // the list below says what matches
	case !ok:
		return "No user has this ID: go back and pick one.", true
	case r.u.Email == "":
		return "This user has no e-mail address: a request for them is refused (add one in Users first).", true
	}
	name := r.fs[1]
	if name == "" {
		name = r.fs[0]
	}
	return name + " <" + r.fs[2] + ">", false
}

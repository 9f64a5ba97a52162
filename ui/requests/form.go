package requests

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// The request form's fields, in order; some are shown only where the
// chosen profile or the settings call for them (formScreen.fields).
const (
	fUser = iota
	fProfile
	fDevice
	fNickname
	fPassword
	fConfirm
	fReason
	fieldCount
)

var fieldLabels = [fieldCount]string{"User ID", "Profile", "Device serial", "Nickname", "Password", "Password again", "Reason"}

type (
	choicesMsg struct {
		c   Choices
		err error
	}
	madeMsg struct {
		out Outcome
		err error
	}
)

// formScreen makes a request for a user: the user (picked from the users
// that what is typed in the User ID field matches, or typed exactly), a
// profile offered for
// request (the settings' default preselected), the device serial number
// where the profile's entry allows it, a nickname, the token-file password
// typed twice where the settings require it, and a reason.
type formScreen struct {
	nav.Base
	c       *common
	choices Choices
	loaded  bool
	err     error
	profile int // index in choices.Profiles
	focus   int // a field index
	in      [fieldCount]kit.TextField
	formErr string
	working bool

	// users is the user picker under the User ID field (userpick.go);
	// byID finds a typed ID exactly.
	users       filterlist.Model
	usersLoaded bool
	usersErr    error
	byID        map[string]*userRow
}

func newForm(c *common) *formScreen {
	f := &formScreen{c: c}
	for i := range f.in {
		f.in[i] = kit.NewInput(c.Env, "")
	}
	f.in[fUser].CharLimit = 128
	f.in[fReason].CharLimit = model.MaxReasonLen
	f.in[fPassword] = kit.NewSecretInput(c.Env)
	f.in[fConfirm] = kit.NewSecretInput(c.Env)
	f.in[fDevice].Placeholder = "(the profile's device class)"
	f.in[fUser].Focus()
	f.users = kit.NewList(c.Env, f.renderUser)
	return f
}

func (f *formScreen) Init() tea.Cmd {
	be := f.c.be
	return tea.Batch(func() tea.Msg {
		c, err := be.RequestChoices()
		return nav.To(f, choicesMsg{c, err})
	}, func() tea.Msg {
		us, err := be.RequestUsers()
		if err != nil {
			return nav.To(f, usersMsg{err: err})
		}
		return nav.To(f, userItems(us))
	})
}

func (f *formScreen) OwnsList(id uint64) bool { return id == f.users.ID() }

func (f *formScreen) Title() string { return "New Request" }

// CapturesInput is true on every field but the profile choice.
func (f *formScreen) CapturesInput() bool { return f.loaded && f.err == nil && f.focus != fProfile }

// HasInput is true once anything was typed.
func (f *formScreen) HasInput() bool {
	for i := range f.in {
		if f.in[i].Value() != "" {
			return true
		}
	}
	return false
}

// ClearSecrets empties the password fields.
func (f *formScreen) ClearSecrets() {
	f.in[fPassword].Reset()
	f.in[fConfirm].Reset()
}

func (f *formScreen) SetSize(w, h int) {
	f.Base.SetSize(w, h)
	for i := range f.in {
		f.in[i].SetWidth(max(10, w-20))
	}
	f.layout()
}

// layout gives the user picker the room under the form.
func (f *formScreen) layout() {
	if f.picking() {
		f.users.SetSize(f.Width(), f.listRoom(f.top(f.Width())))
	}
}

// listRoom is the height of the user picker (its header, rows and status
// line) under top.
func (f *formScreen) listRoom(top string) int {
	return max(4, f.Height()-strings.Count(top, "\n")-3)
}

// fields is the fields shown, in order.
func (f *formScreen) fields() []int {
	out := []int{fUser, fProfile}
	if p, ok := f.chosen(); ok && p.DeviceID {
		out = append(out, fDevice)
	}
	out = append(out, fNickname)
	if f.choices.PasswordRequired {
		out = append(out, fPassword, fConfirm)
	}
	return append(out, fReason)
}

func (f *formScreen) chosen() (ProfileChoice, bool) {
	if f.profile < 0 || f.profile >= len(f.choices.Profiles) {
		return ProfileChoice{}, false
	}
	return f.choices.Profiles[f.profile], true
}

func (f *formScreen) move(d int) tea.Cmd {
	fs := f.fields()
	i := 0
	for k, v := range fs {
		if v == f.focus {
			i = k
		}
	}
	i = (i + d + len(fs)) % len(fs)
	f.in[f.focus].Blur()
	f.focus = fs[i]
	if f.focus == fProfile {
		return nil
	}
	return f.in[f.focus].Focus()
}

func (f *formScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := f.update(msg)
	f.layout()
	return f, cmd
}

func (f *formScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case usersMsg:
		f.usersLoaded, f.usersErr, f.byID = true, msg.err, msg.byID
		if msg.err != nil {
			return nil
		}
		return tea.Batch(f.users.SetItems(msg.items), f.filterUsers())
	case filterlist.SelectedMsg:
		if msg.ListID != f.users.ID() || f.focus != fUser {
			return nil
		}
		return f.pick(msg.Item.(*userRow))
	case choicesMsg:
		f.loaded, f.err, f.choices = true, msg.err, msg.c
		for i, p := range f.choices.Profiles {
			if model.SameName(p.Name, f.choices.Default) {
				f.profile = i
			}
		}
		return nil
	case madeMsg:
		f.working = false
		if msg.err != nil {
			f.formErr = "Refused: " + model.Printable(msg.err.Error())
			return nav.Status(nav.StatusError, "The request was not made.")
		}
		f.ClearSecrets()
		r := msg.out.Request
		text := fmt.Sprintf("Request %s made for %s; it is %s.", r.ID(), model.Printable(r.User), r.State)
		level := nav.StatusOK
		if msg.out.Warning != "" {
			text += " Warning: " + msg.out.Warning
			level = nav.StatusWarn
		}
		return tea.Batch(nav.Pop, nav.Status(level, text))
	case tea.PasteMsg:
		if f.CapturesInput() {
			f.in[f.focus], _ = f.in[f.focus].Update(msg)
			if f.focus == fUser {
				return f.filterUsers()
			}
		}
		return nil
	case tea.KeyPressMsg:
		typing := f.CapturesInput()
		if cmd, ok := f.Bindings().Handle(msg, typing); ok {
			return cmd
		}
		if typing && !f.working {
			f.in[f.focus], _ = f.in[f.focus].Update(msg)
			f.formErr = ""
			if f.focus == fUser {
				return f.filterUsers()
			}
		}
		return nil
	}
	if id, ok := filterlist.ListID(msg); ok && id == f.users.ID() {
		var cmd tea.Cmd
		f.users, cmd = f.users.Update(msg)
		return cmd
	}
	return nil
}

func (f *formScreen) Bindings() nav.Table {
	if !f.loaded {
		return nil
	}
	if f.err != nil {
		return nav.Table{{Key: bind("esc", "back", "esc")}}
	}
	t := nav.Table{
		{Key: bind("enter", "make request", "enter"), Run: f.submit},
		{Key: bind("tab", "next field", "tab", "down"), Run: func() tea.Cmd { return f.move(1) }},
		{Key: bind("shift+tab", "previous field", "shift+tab", "up"), Run: func() tea.Cmd { return f.move(-1) }, FullOnly: true},
	}
	if f.picking() {
		t = f.pickerBindings()
	}
	if f.focus == fProfile {
		pick := func(d int) func() tea.Cmd {
			return func() tea.Cmd {
				n := len(f.choices.Profiles)
				f.profile = (f.profile + d + n) % n
				return nil
			}
		}
		next := nav.Binding{Key: bind("→/space", "next profile", "right", "space"), Run: pick(1)}
		prev := nav.Binding{Key: bind("←", "previous profile", "left"), Run: pick(-1), FullOnly: true}
		if len(f.choices.Profiles) < 2 {
			why := "No other profile is offered for request."
			next.Disabled, prev.Disabled = why, why
		}
		t = append(t, next, prev)
	}
	t = append(t, nav.Binding{Key: bind("esc", "cancel", "esc")})
	if f.working {
		for i := range t {
			t[i].Disabled = "Working: wait for the answer."
		}
	}
	return t
}

func (f *formScreen) ShortHelp() []key.Binding { return f.Bindings().ShortHelp(f.CapturesInput()) }
func (f *formScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{f.Bindings().Shown(f.CapturesInput())}
}

// pickerBindings is the User ID field's table while it shows the users:
// enter picks, the arrows move in the list, tab leaves the field.
func (f *formScreen) pickerBindings() nav.Table {
	k := f.c.Keys
	fwd := func(code rune) func() tea.Cmd {
		return func() tea.Cmd {
			var cmd tea.Cmd
			f.users, cmd = f.users.Update(tea.KeyPressMsg{Code: code})
			return cmd
		}
	}
	pick := nav.Binding{Key: bind("enter", "pick user", "enter"), Run: f.pickUser}
	if _, exact := f.exactUser(); !exact && f.users.Len() == 0 && !f.users.Pending() {
		pick.Disabled = "No user matches what is typed: type part of a user's ID, name or e-mail address."
	}
	return nav.Table{
		pick,
		{Key: bind("tab", "next field", "tab"), Run: func() tea.Cmd { return f.move(1) }},
		{Key: bind("shift+tab", "previous field", "shift+tab"), Run: func() tea.Cmd { return f.move(-1) }, FullOnly: true},
		{Key: kit.WithHelp(k.ArrowDown, "↓", "next user"), Run: fwd(tea.KeyDown)},
		{Key: kit.WithHelp(k.ArrowUp, "↑", "previous user"), Run: fwd(tea.KeyUp), FullOnly: true},
		{Key: bind("pgdn", "next page", "pgdown"), Run: fwd(tea.KeyPgDown), FullOnly: true},
		{Key: bind("pgup", "previous page", "pgup"), Run: fwd(tea.KeyPgUp), FullOnly: true},
	}
}

func (f *formScreen) submit() tea.Cmd {
	p, ok := f.chosen()
	if !ok {
		f.formErr = "No profile is offered for request: select and confirm one in Self-Service Settings first."
		return nil
	}
	if strings.TrimSpace(f.in[fUser].Value()) == "" {
		f.formErr = "User ID: pick the user the request is for (type part of their ID, name or e-mail address)."
		return nil
	}
	in := model.RequestInput{
		User:     strings.TrimSpace(f.in[fUser].Value()),
		Profile:  p.Name,
		Nickname: strings.TrimSpace(f.in[fNickname].Value()),
		Reason:   strings.TrimSpace(f.in[fReason].Value()),
		Origin:   model.OriginConsole,
	}
	if p.DeviceID {
		in.DeviceSerial = strings.TrimSpace(f.in[fDevice].Value())
	}
	if f.choices.PasswordRequired {
		in.Password, in.PasswordConfirm = f.in[fPassword].Value(), f.in[fConfirm].Value()
	}
	f.working, f.formErr = true, ""
	be := f.c.be
	return func() tea.Msg {
		out, err := be.MakeRequest(in)
		return nav.To(f, madeMsg{out, err})
	}
}

func (f *formScreen) View() string {
	w := f.Width()
	t := f.c.Theme
	switch {
	case f.err != nil:
		return kit.ErrorText(t, fmt.Errorf("cannot read the profiles offered for request: %w", f.err), w)
	case !f.loaded:
		return "Loading the profiles offered for request..."
	}
	top := f.top(w)
	switch {
	case f.focus != fUser:
		return top
	case f.usersErr != nil:
		return top + "\n\n" + kit.ErrorText(t, fmt.Errorf("cannot list the users (type the exact user ID): %w", f.usersErr), w)
	case !f.usersLoaded:
		return top + "\n\n" + t.Muted.Render("Loading the users...")
	}
	// The list without its own filter line: the User ID field is its
	// filter.
	l := f.users
	l.SetSize(w, f.listRoom(top))
	_, rows, _ := strings.Cut(l.View(), "\n")
	return top + "\n\n" + t.Muted.Render(kit.Truncate(t, "Users matching the User ID field (enter picks the selected one):", w)) + "\n" +
		kit.HeaderRow(t, userCells(w), w) + "\n" + rows
}

// top is the form: its fields, the note on the user and the error.
func (f *formScreen) top(w int) string {
	t := f.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("Make a request for a user") + "\n\n")
	for _, i := range f.fields() {
		mark := t.G.NoCursor
		if i == f.focus {
			mark = t.G.Cursor
		}
		v := f.in[i].View()
		if i == fProfile {
			v = "(none offered: select and confirm a profile in Self-Service Settings)"
			if p, ok := f.chosen(); ok {
				v = fmt.Sprintf("%s (%d of %d)", model.Printable(p.Name), f.profile+1, len(f.choices.Profiles))
				if model.SameName(p.Name, f.choices.Default) {
					v += ", the default"
				}
			}
		}
		b.WriteString(fmt.Sprintf("%s%-16s %s\n", mark, fieldLabels[i]+":", v))
		if i == fUser {
			if note, bad := f.userNote(); note != "" {
				style := t.Muted
				if bad {
					style = t.Warn
				}
				indent := strings.Repeat(" ", 2+17)
				lines := strings.Split(kit.Wrap(note, w-len(indent)), "\n")
				for k := range lines {
					lines[k] = style.Render(lines[k])
				}
				b.WriteString(kit.HangLines(indent, lines) + "\n")
			}
		}
	}
	if f.working {
		b.WriteString("\nWorking...")
	}
	if f.formErr != "" {
		b.WriteString("\n" + kit.HangBreak(t.Error.Render("ERROR: "), f.formErr, w))
	}
	return strings.TrimRight(b.String(), "\n")
}

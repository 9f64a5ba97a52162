package requests

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
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

// formScreen makes a request for a user: the user, a profile offered for
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
	return f
}

func (f *formScreen) Init() tea.Cmd {
	be := f.c.be
	return func() tea.Msg {
		c, err := be.RequestChoices()
		return nav.To(f, choicesMsg{c, err})
	}
}

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
	switch msg := msg.(type) {
	case choicesMsg:
		f.loaded, f.err, f.choices = true, msg.err, msg.c
		for i, p := range f.choices.Profiles {
			if model.SameName(p.Name, f.choices.Default) {
				f.profile = i
			}
		}
		return f, nil
	case madeMsg:
		f.working = false
		if msg.err != nil {
			f.formErr = "Refused: " + model.Printable(msg.err.Error())
			return f, nav.Status(nav.StatusError, "The request was not made.")
		}
		f.ClearSecrets()
		r := msg.out.Request
		text := fmt.Sprintf("Request %s made for %s; it is %s.", r.ID(), model.Printable(r.User), r.State)
		level := nav.StatusOK
		if msg.out.Warning != "" {
			text += " Warning: " + msg.out.Warning
			level = nav.StatusWarn
		}
		return f, tea.Batch(nav.Pop, nav.Status(level, text))
	case tea.PasteMsg:
		if f.CapturesInput() {
			f.in[f.focus], _ = f.in[f.focus].Update(msg)
		}
		return f, nil
	case tea.KeyPressMsg:
		typing := f.CapturesInput()
		if cmd, ok := f.Bindings().Handle(msg, typing); ok {
			return f, cmd
		}
		if typing && !f.working {
			f.in[f.focus], _ = f.in[f.focus].Update(msg)
			f.formErr = ""
		}
	}
	return f, nil
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

func (f *formScreen) submit() tea.Cmd {
	p, ok := f.chosen()
	if !ok {
		f.formErr = "No profile is offered for request: select and confirm one in Self-Service Settings first."
		return nil
	}
	if strings.TrimSpace(f.in[fUser].Value()) == "" {
		f.formErr = "User ID: type the ID of the user the request is for."
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
	}
	if f.working {
		b.WriteString("\nWorking...")
	}
	if f.formErr != "" {
		b.WriteString("\n" + kit.HangBreak(t.Error.Render("ERROR: "), f.formErr, w))
	}
	return strings.TrimRight(b.String(), "\n")
}

package selfservice

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
)

// The form's fields, in order; some are shown only where the kind, the
// chosen profile or the settings call for them (form.fields).
const (
	fReplaces = iota
	fProfile
	fDevice
	fNickname
	fPassword
	fConfirm
	fReason
	fieldCount
)

var fieldLabels = [fieldCount]string{"Token to replace", "Profile", "Device serial", "Nickname", "Password", "Password again", "Reason"}

// form is the request form (a new token) or the replacement form (one of
// the user's tokens that may be replaced now). It follows the settings:
// the profiles offered with the default preselected, the device serial
// number only where the profile's entry allows editing, the token-file
// password twice (masked) only where required. The store applies the
// rules; a refusal is shown under the form, which keeps what was typed.
type form struct {
	kind    model.RequestKind
	choices Choices
	tokens  []Token
	now     func() time.Time
	profile int    // index in choices.Profiles
	token   string // the serial to replace
	focus   int    // a field index
	in      [fieldCount]kit.TextField
	err     string
	working bool
}

func newForm(env *kit.Env, kind model.RequestKind, c Choices, tokens []Token) *form {
	f := &form{kind: kind, tokens: tokens, now: env.Now, profile: -1}
	for i := range f.in {
		f.in[i] = kit.NewInput(env, "")
	}
	f.in[fNickname].CharLimit = model.MaxNicknameLen
	f.in[fReason].CharLimit = model.MaxReasonLen
	f.in[fDevice].CharLimit = 128
	f.in[fPassword] = kit.NewSecretInput(env)
	f.in[fConfirm] = kit.NewSecretInput(env)
	f.setChoices(c)
	f.focus = f.fields()[0]
	return f
}

// setChoices takes the settings as (re)loaded, keeping the chosen profile
// and token by name where they are still offered.
func (f *form) setChoices(c Choices) {
	var was string
	if p, ok := f.chosen(); ok {
		was = p.Name
	}
	f.choices, f.profile = c, -1
	for i, p := range c.Profiles {
		if model.SameName(p.Name, was) || (f.profile < 0 && was == "" && model.SameName(p.Name, c.Default)) {
			f.profile = i
		}
	}
	if f.profile < 0 && len(c.Profiles) > 0 {
		f.profile = 0
		for i, p := range c.Profiles {
			if model.SameName(p.Name, c.Default) {
				f.profile = i
			}
		}
	}
	if f.kind == model.RequestReplacement && !contains(c.Replaceable, f.token) {
		f.token = ""
		if len(c.Replaceable) > 0 {
			f.token = c.Replaceable[0]
		}
	}
	if !contains(f.fields(), f.focus) {
		f.focus = f.fields()[0]
	}
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (f *form) setSize(w int) {
	for i := range f.in {
		f.in[i].SetWidth(max(10, w-22))
	}
}

// fields is the fields shown, in order.
func (f *form) fields() []int {
	var out []int
	if f.kind == model.RequestReplacement {
		out = append(out, fReplaces)
	}
	out = append(out, fProfile)
	if p, ok := f.chosen(); ok && p.DeviceID {
		out = append(out, fDevice)
	}
	out = append(out, fNickname)
	if f.choices.PasswordRequired {
		out = append(out, fPassword, fConfirm)
	}
	return append(out, fReason)
}

func (f *form) chosen() (ProfileChoice, bool) {
	if f.profile < 0 || f.profile >= len(f.choices.Profiles) {
		return ProfileChoice{}, false
	}
	return f.choices.Profiles[f.profile], true
}

// isChoice reports a field picked with ←/→ rather than typed.
func isChoice(field int) bool { return field == fReplaces || field == fProfile }

// typing is true while a text field has focus.
func (f *form) typing() bool { return !isChoice(f.focus) && !f.working }

// choiceCount is the number of choices of the focused choice field and
// what they are ("" when a text field has focus).
func (f *form) choiceCount() (int, string) {
	switch f.focus {
	case fProfile:
		return len(f.choices.Profiles), "profile"
	case fReplaces:
		return len(f.choices.Replaceable), "token"
	}
	return 0, ""
}

func (f *form) pick(d int) {
	switch f.focus {
	case fProfile:
		if n := len(f.choices.Profiles); n > 0 {
			f.profile = (f.profile + d + n) % n
		}
	case fReplaces:
		r := f.choices.Replaceable
		if n := len(r); n > 0 {
			i := 0
			for k, s := range r {
				if s == f.token {
					i = k
				}
			}
			f.token = r[(i+d+n)%n]
		}
	}
}

func (f *form) focusFirst() tea.Cmd {
	if isChoice(f.focus) {
		return nil
	}
	return f.in[f.focus].Focus()
}

func (f *form) move(d int) tea.Cmd {
	fs := f.fields()
	i := 0
	for k, v := range fs {
		if v == f.focus {
			i = k
		}
	}
	f.in[f.focus].Blur()
	f.focus = fs[(i+d+len(fs))%len(fs)]
	return f.focusFirst()
}

// edit gives a key or a paste to the focused text field.
func (f *form) edit(msg tea.Msg) {
	if !f.typing() {
		return
	}
	f.in[f.focus], _ = f.in[f.focus].Update(msg)
	f.err = ""
}

func (f *form) clearSecrets() {
	f.in[fPassword].Reset()
	f.in[fConfirm].Reset()
}

// input is the request as typed, or what is missing before the store can
// be asked. The user, the origin and the client address are the
// backend's to set.
func (f *form) input() (model.RequestInput, string) {
	p, ok := f.chosen()
	if !ok {
		return model.RequestInput{}, "No token profile is offered for request at the moment: ask your administrator."
	}
	in := model.RequestInput{
		Kind:     f.kind,
		Profile:  p.Name,
		Nickname: strings.TrimSpace(f.in[fNickname].Value()),
		Reason:   strings.TrimSpace(f.in[fReason].Value()),
	}
	if f.kind == model.RequestReplacement {
		if f.token == "" {
			return model.RequestInput{}, "None of your tokens can be replaced now."
		}
		in.Replaces = f.token
	}
	if p.DeviceID {
		in.DeviceSerial = strings.TrimSpace(f.in[fDevice].Value())
	}
	if f.choices.PasswordRequired {
		in.Password, in.PasswordConfirm = f.in[fPassword].Value(), f.in[fConfirm].Value()
	}
	return in, ""
}

// view renders the form in width w.
func (f *form) view(t *kit.Theme, w int) []string {
	title := "Request a new token"
	if f.kind == model.RequestReplacement {
		title = "Request a replacement for a token that expires soon"
	}
	out := []string{t.Heading.Render(title), ""}
	for _, i := range f.fields() {
		mark := t.G.NoCursor
		if i == f.focus {
			mark = t.G.Cursor
		}
		v := f.in[i].View()
		switch i {
		case fProfile:
			v = "(none offered)"
			if p, ok := f.chosen(); ok {
				v = fmt.Sprintf("%s (%d of %d)", model.Printable(p.DisplayName), f.profile+1, len(f.choices.Profiles))
				if model.SameName(p.Name, f.choices.Default) {
					v += ", the default"
				}
			}
		case fReplaces:
			v = f.tokenText()
		case fDevice:
			if f.in[i].Value() == "" && i != f.focus {
				if p, ok := f.chosen(); ok {
					v = t.Muted.Render("(the device class " + p.ClassGUID + ")")
				}
			}
		}
		out = append(out, kit.Truncate(t, fmt.Sprintf("%s%-17s %s", mark, fieldLabels[i]+":", v), w))
		if i == fProfile {
			out = append(out, f.profileLines(t, w)...)
		}
	}
	if f.working {
		out = append(out, "", "Working...")
	}
	if f.err != "" {
		out = append(out, "")
		out = append(out, strings.Split(kit.HangBreak(t.Error.Render("ERROR: "), f.err, w), "\n")...)
	}
	return out
}

// tokenText describes the token to replace.
func (f *form) tokenText() string {
	if f.token == "" {
		return "(none can be replaced now)"
	}
	s := f.token
	for _, tk := range f.tokens {
		if tk.Serial == f.token {
			if tk.Nickname != "" {
				s += " " + model.Printable(tk.Nickname)
			}
			s += ", " + expiryText(tk.Expires, f.now())
		}
	}
	if n := len(f.choices.Replaceable); n > 1 {
		s += fmt.Sprintf(" (%d of %d)", indexOf(f.choices.Replaceable, f.token)+1, n)
	}
	return s
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// profileLines are the chosen profile's description and image location,
// as the settings word them for users.
func (f *form) profileLines(t *kit.Theme, w int) []string {
	p, ok := f.chosen()
	if !ok {
		return nil
	}
	indent := strings.Repeat(" ", 20)
	var out []string
	if d := strings.TrimSpace(p.Description); d != "" {
		lines := strings.Split(kit.Wrap(model.Printable(d), w-20), "\n")
		if len(lines) > 2 {
			lines = append(lines[:1], kit.Truncate(t, strings.Join(lines[1:], " "), w-20))
		}
		for _, l := range lines {
			out = append(out, indent+t.Muted.Render(l))
		}
	}
	if img := strings.TrimSpace(p.ImageLocation); img != "" {
		out = append(out, kit.Truncate(t, indent+t.Muted.Render("Image: "+model.Printable(img)), w))
	}
	return out
}

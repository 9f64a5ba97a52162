package kit

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// TextField is a one-line text input. The wizard uses it instead of
// bubbles/textinput because textinput's ctrl+v runs clipboard programs
// (xclip, xsel, wl-paste) on the server unless every instance remembers to
// disable it; this field has no clipboard code at all (a terminal paste
// arrives as tea.PasteMsg and is inserted). Its cursor is a steady
// reverse-video cell: no blink ticks repainting over slow links. Secret
// fields mask every character and never render the value.
type TextField struct {
	value       []rune
	pos         int
	focus       bool
	width       int // visible cells; 0 = unlimited
	offset      int // first visible rune
	Placeholder string
	// Secret masks every character with '*' (ASCII, so it shows on a
	// VT100). The value itself never reaches View.
	Secret bool
	// CharLimit caps the runes accepted; 0 = no limit.
	CharLimit int

	cursorStyle lipgloss.Style
	placeStyle  lipgloss.Style
}

// NewTextField is an empty, unfocused text field in theme t.
func NewTextField(t *Theme, placeholder string) TextField {
	return TextField{
		Placeholder: placeholder,
		cursorStyle: lipgloss.NewStyle().Reverse(true),
		placeStyle:  t.Muted,
		CharLimit:   256,
	}
}

func (f *TextField) Value() string { return string(f.value) }

func (f *TextField) SetValue(s string) {
	f.value = sanitize([]rune(s))
	if f.CharLimit > 0 && len(f.value) > f.CharLimit {
		f.value = f.value[:f.CharLimit]
	}
	f.pos = min(f.pos, len(f.value))
}

// Reset empties the field. For a secret the runes are overwritten first:
// Go cannot promise to wipe memory, but this drops the obvious copy.
func (f *TextField) Reset() {
	for i := range f.value {
		f.value[i] = 0
	}
	f.value, f.pos, f.offset = nil, 0, 0
}

func (f *TextField) CursorEnd() { f.pos = len(f.value) }

// CursorStart puts the cursor at the start, so that a field without the
// focus shows the beginning of its value.
func (f *TextField) CursorStart()   { f.pos, f.offset = 0, 0 }
func (f *TextField) Focused() bool  { return f.focus }
func (f *TextField) Blur()          { f.focus = false }
func (f *TextField) SetWidth(w int) { f.width = w }

// Focus returns a Cmd for symmetry with bubbles components; the field needs
// none (no blinking).
func (f *TextField) Focus() tea.Cmd {
	f.focus = true
	return nil
}

// sanitize drops control characters (a pasted newline or escape would
// otherwise land in a job name) and turns tabs into spaces.
func sanitize(rs []rune) []rune {
	out := rs[:0:0]
	for _, r := range rs {
		switch {
		case r == '\t':
			out = append(out, ' ')
		case unicode.IsControl(r):
		default:
			out = append(out, r)
		}
	}
	return out
}

func (f *TextField) insert(rs []rune) {
	rs = sanitize(rs)
	if f.CharLimit > 0 {
		rs = rs[:max(0, min(len(rs), f.CharLimit-len(f.value)))]
	}
	if len(rs) == 0 {
		return
	}
	v := make([]rune, 0, len(f.value)+len(rs))
	v = append(v, f.value[:f.pos]...)
	v = append(v, rs...)
	v = append(v, f.value[f.pos:]...)
	f.value = v
	f.pos += len(rs)
}

// Update edits the field. Only a focused field reacts.
func (f TextField) Update(msg tea.Msg) (TextField, tea.Cmd) {
	if !f.focus {
		return f, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.insert([]rune(msg.Content))
	case tea.KeyPressMsg:
		switch msg.String() {
		case "left", "ctrl+b":
			f.pos = max(0, f.pos-1)
		case "right", "ctrl+f":
			f.pos = min(len(f.value), f.pos+1)
		case "home", "ctrl+a":
			f.pos = 0
		case "end", "ctrl+e":
			f.pos = len(f.value)
		case "backspace", "ctrl+h":
			if f.pos > 0 {
				f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
				f.pos--
			}
		case "delete", "ctrl+d":
			if f.pos < len(f.value) {
				f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
			}
		case "ctrl+u":
			f.value = append([]rune{}, f.value[f.pos:]...)
			f.pos = 0
		case "ctrl+k":
			f.value = f.value[:f.pos]
		case "ctrl+w", "alt+backspace":
			i := f.pos
			for i > 0 && f.value[i-1] == ' ' {
				i--
			}
			for i > 0 && f.value[i-1] != ' ' {
				i--
			}
			f.value = append(f.value[:i], f.value[f.pos:]...)
			f.pos = i
		case "space":
			f.insert([]rune{' '})
		default:
			if msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0 {
				f.insert([]rune(msg.Text))
			}
		}
	}
	return f, nil
}

// View renders the visible window of the value with a cursor Cell when
// focused. Secret fields render '*' per character.
func (f *TextField) View() string {
	if len(f.value) == 0 && !f.focus && f.Placeholder != "" {
		return f.placeStyle.Render(f.Placeholder)
	}
	shown := f.value
	if f.Secret {
		shown = []rune(strings.Repeat("*", len(f.value)))
	}
	// Keep the cursor inside the window.
	w := f.width
	if w > 0 {
		if f.pos < f.offset {
			f.offset = f.pos
		}
		for f.offset < f.pos && ansi.StringWidth(string(shown[f.offset:f.pos])) >= w {
			f.offset++
		}
	} else {
		f.offset = 0
	}
	vis := shown[min(f.offset, len(shown)):]
	pos := f.pos - f.offset
	var b strings.Builder
	b.WriteString(string(vis[:pos]))
	if f.focus {
		c := " "
		if pos < len(vis) {
			c = string(vis[pos])
		}
		b.WriteString(f.cursorStyle.Render(c))
		if pos < len(vis) {
			b.WriteString(string(vis[pos+1:]))
		}
	} else {
		b.WriteString(string(vis[pos:]))
	}
	if len(f.value) == 0 && f.focus && f.Placeholder != "" {
		b.WriteString(f.placeStyle.Render(f.Placeholder))
	}
	s := b.String()
	if w > 0 {
		s = ansi.Truncate(s, w+1, "")
	}
	return s
}

// NewInput is a text field in the console's theme.
func NewInput(env *Env, placeholder string) TextField {
	return NewTextField(env.Theme, placeholder)
}

// NewSecretInput is a masked field. '*' is ASCII, so the mask shows on a
// VT100 too (gum's '•' does not).
func NewSecretInput(env *Env) TextField {
	ti := NewInput(env, "")
	ti.Secret = true
	ti.CharLimit = 64
	return ti
}

package selfservice

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
)

// The SSH keys screen: the user's public keys, and a one-field form to
// register one more (so that the next login needs no enrollment code).
// Keys are never removed here: an administrator does that.

// keyAddedMsg is AddMyKey's answer.
type keyAddedMsg struct {
	key Key
	err error
}

// keyAddedStatus is the status after a key is added.
const keyAddedStatus = "Your key is added: your next login can use it instead of an enrollment code."

// keyForm is the one-field form of the SSH keys screen.
type keyForm struct {
	in      kit.TextField
	err     string
	working bool
}

func (m *Model) openKeys() tea.Cmd {
	f := &keyForm{in: kit.NewInput(m.env, "ssh-ed25519 AAAA... you@host")}
	f.in.CharLimit = model.MaxSSHKeyLineLen
	f.in.SetWidth(max(10, m.w-16))
	m.keys, m.mode = f, modeKeys
	return f.in.Focus()
}

func (m *Model) closeKeys() tea.Cmd {
	m.keys, m.mode = nil, modeMain
	return nil
}

// keysTyping is true while the key field takes keys.
func (m *Model) keysTyping() bool {
	return m.loaded && m.mode == modeKeys && m.keys != nil && !m.keys.working
}

// editKey gives a key or a paste to the key field. A paste ends with the
// line's newline, which is dropped; a paste of several lines is refused
// with ParseSSHKey's reason and changes nothing (joined, a second line
// would pass for a comment).
func (m *Model) editKey(msg tea.Msg) {
	f := m.keys
	if p, ok := msg.(tea.PasteMsg); ok {
		text := strings.TrimRight(p.Content, "\r\n")
		if strings.ContainsAny(text, "\r\n") {
			if _, err := model.ParseSSHKey(text); err != nil {
				f.err = err.Error()
			}
			return
		}
		msg = tea.PasteMsg{Content: text}
	}
	was := f.in.Value()
	f.in, _ = f.in.Update(msg)
	if f.in.Value() != was {
		f.err = "" // the error stays until the text is edited
	}
}

func (m *Model) submitKey() tea.Cmd {
	f := m.keys
	line := strings.TrimSpace(f.in.Value())
	f.working, f.err = true, ""
	be := m.be
	return func() tea.Msg {
		k, err := be.AddMyKey(line)
		return keyAddedMsg{k, err}
	}
}

func (m *Model) keyAdded(msg keyAddedMsg) tea.Cmd {
	if m.keys == nil {
		return nil
	}
	m.keys.working = false
	if msg.err != nil {
		m.keys.err = model.Printable(msg.err.Error())
		return nil
	}
	m.closeKeys()
	m.setStatus(keyAddedStatus, false)
	return m.live.Changed(m.target, m.load())
}

// keyRow is one key in a line of w cells: fingerprint, type, when added
// ("added" only where there is room for the word), comment.
func keyRow(k Key, w int) string {
	added := k.Added.In(time.Local).Format(time.DateOnly)
	if w >= 100 {
		added = "added " + added
	}
	row := fmt.Sprintf("  %s  %-11s  %s", k.Fingerprint, k.Type, added)
	if c := model.Printable(k.Comment); c != "" {
		row += "  " + c
	}
	return row
}

// keysCompact is the SSH keys on the main screen in one line, where the
// window is too low for the list.
func (m *Model) keysCompact() string {
	t := m.env.Theme
	text := fmt.Sprintf(" %d (a to list them or add one)", len(m.d.Keys))
	if len(m.d.Keys) == 0 {
		text = " none (a to add one, to log in without a code)"
	}
	return t.Heading.Render("Your SSH keys:") + text
}

// keysSection is the SSH keys on the main screen as a list of at most
// most rows.
func (m *Model) keysSection(most int) []string {
	t := m.env.Theme
	out := []string{t.Heading.Render("Your SSH keys")}
	if len(m.d.Keys) == 0 {
		return append(out, "  None: you log in with an enrollment code. Press a to add your public key.")
	}
	for i, k := range m.d.Keys {
		if i == most-1 && len(m.d.Keys) > most {
			out = append(out, t.Muted.Render(fmt.Sprintf("  %s and %d more (a to list them all)", t.G.Ellipsis, len(m.d.Keys)-i)))
			break
		}
		out = append(out, cut(t, keyRow(k, m.w), m.w))
	}
	return out
}

// keyLines are the SSH keys screen: the keys, and the form.
func (m *Model) keyLines() []string {
	t := m.env.Theme
	f := m.keys
	top := []string{m.header(), "", t.Heading.Render("Your SSH keys")}
	form := []string{"", t.Heading.Render("Add an SSH key")}
	form = append(form, strings.Split(kit.Wrap("Paste one public key line, the contents of ~/.ssh/id_ed25519.pub "+
		"(no key yet? make one with ssh-keygen -t ed25519), and press enter. "+
		"Your next login can use the key instead of an enrollment code. "+
		"You cannot remove a key here: ask an administrator.", m.w), "\n")...)
	form = append(form, "", kit.Truncate(t, t.G.Cursor+"Public key: "+f.in.View(), m.w))
	if f.working {
		form = append(form, "", "Working...")
	}
	if f.err != "" {
		form = append(form, "")
		form = append(form, strings.Split(kit.HangBreak(t.Error.Render("ERROR: "), f.err, m.w), "\n")...)
	}
	room := max(1, m.h-2-len(top)-len(form))
	var rows []string
	if len(m.d.Keys) == 0 {
		rows = []string{"  None yet: you log in with an enrollment code."}
	}
	for i, k := range m.d.Keys {
		if i == room-1 && len(m.d.Keys) > room {
			rows = append(rows, t.Muted.Render(fmt.Sprintf("  %s and %d more (make the window taller to see them)", t.G.Ellipsis, len(m.d.Keys)-i)))
			break
		}
		rows = append(rows, cut(t, keyRow(k, m.w), m.w))
	}
	return append(append(top, rows...), form...)
}

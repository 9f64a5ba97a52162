package selfservice

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Bindings is the console's binding table in its current state: Update
// dispatches keys through it and the footer and the help are made from it.
func (m *Model) Bindings() nav.Table { return m.table(m.help) }

// table is the binding table with the help open or not.
func (m *Model) table(help bool) nav.Table {
	var t nav.Table
	switch {
	case help:
		t = nav.Table{{Key: bind("esc", "close help", "esc", "?", "f1"), Run: func() tea.Cmd { m.help = false; return nil }}}
		return m.plain(append(t, m.quitBinding(false)))
	case !m.loaded && m.loadErr != nil:
		t = nav.Table{{Key: bind("r", "try again", "r"), Run: func() tea.Cmd { m.loadErr = nil; return m.live.Start(m.load()) }}}
	case !m.loaded:
	case m.mode == modeForm:
		t = m.formBindings()
	case m.mode == modeConfirmShow:
		t = nav.Table{
			{Key: kit.WithHelp(m.env.Keys.Yes, "y", "show it now"), Run: m.show},
			{Key: bind("n", "not now", "n", "N", "esc"), Run: func() tea.Cmd { m.mode = modeMain; return nil }},
		}
		if m.showing {
			for i := range t {
				t[i].Disabled = "Working: wait for the answer."
			}
		}
	case m.mode == modeQR:
		t = nav.Table{{Key: bind("esc", "done: clear the code", "esc", "enter"), Run: m.leaveQR}}
	case m.mode == modeKeys:
		t = nav.Table{
			{Key: bind("enter", "add the key", "enter"), Run: m.submitKey},
			{Key: bind("esc", "cancel", "esc"), Run: m.closeKeys},
		}
		if m.keys.working {
			for i := range t {
				t[i].Disabled = "Working: wait for the answer."
			}
		}
	default:
		t = m.mainBindings()
	}
	typing := m.formTyping()
	return m.plain(append(t, m.helpBinding(typing), m.quitBinding(typing)))
}

// asciiKeys spells the arrows of the help as words for an ASCII
// terminal (LANG=C), as kit.ASCIIHelp does for the admin's console.
var asciiKeys = strings.NewReplacer("↑", "up", "↓", "down", "→", "right", "←", "left")

// plain is t with ASCII key labels where the theme is ASCII.
func (m *Model) plain(t nav.Table) nav.Table {
	if !kit.ASCIITheme(m.env.Theme) {
		return t
	}
	for i := range t {
		h := t[i].Key.Help()
		t[i].Key.SetHelp(asciiKeys.Replace(h.Key), h.Desc)
	}
	return t
}

func (m *Model) helpBinding(typing bool) nav.Binding {
	run := func() tea.Cmd { m.help = true; return nil }
	if typing {
		return nav.Binding{Key: bind("F1", "help", "f1"), Run: run}
	}
	return nav.Binding{Key: bind("?", "help", "?", "f1"), Run: run}
}

func (m *Model) quitBinding(typing bool) nav.Binding {
	if typing {
		return nav.Binding{Key: bind("ctrl+c", "quit", "ctrl+c"), Run: m.quit}
	}
	return nav.Binding{Key: bind("q", "quit", "q", "ctrl+c"), Run: m.quit}
}

func (m *Model) mainBindings() nav.Table {
	move := func(d int) func() tea.Cmd {
		return func() tea.Cmd {
			m.cursor = max(0, min(len(m.d.Requests)-1, m.cursor+d))
			return nil
		}
	}
	up := nav.Binding{Key: bind("↑/k", "previous request", "up", "k"), Run: move(-1), FullOnly: true}
	down := nav.Binding{Key: bind("↓/j", "next request", "down", "j"), Run: move(1), FullOnly: true}
	switch {
	case len(m.d.Requests) < 2:
		up.Disabled, down.Disabled = "You have no other request.", "You have no other request."
	case m.cursor == 0:
		up.Disabled = "This is your newest request."
	case m.cursor == len(m.d.Requests)-1:
		down.Disabled = "This is your oldest request."
	}
	newTok := nav.Binding{Key: bind("n", "new token", "n"), Run: func() tea.Cmd { return m.openForm(model.RequestNew) }}
	repl := nav.Binding{Key: bind("r", "replacement", "r"), Run: func() tea.Cmd { return m.openForm(model.RequestReplacement) }}
	if len(m.d.Choices.Profiles) == 0 {
		why := "No token profile is offered for request at the moment: ask your administrator."
		newTok.Disabled, repl.Disabled = why, why
	}
	if len(m.d.Choices.Replaceable) == 0 && repl.Disabled == "" {
		repl.Disabled = fmt.Sprintf("None of your tokens expires within %s, so none can be replaced yet (an administrator can replace a lost or broken token).",
			kit.Plural(m.d.Choices.WindowDays, "day", "days"))
		if len(m.d.Tokens) == 0 {
			repl.Disabled = "You hold no token to replace: request a new token with n."
		}
	}
	show := nav.Binding{Key: bind("s", "show my token", "s"), Run: m.askShow}
	show.Disabled = m.showDisabled()
	addKey := nav.Binding{Key: bind("a", "add an SSH key", "a"), Run: m.openKeys}
	return nav.Table{up, down, newTok, repl, show, addKey}
}

// showDisabled says why Show my token does not apply to the selected
// request ("" when it does).
func (m *Model) showDisabled() string {
	r, ok := m.selected()
	switch {
	case !ok:
		return "You have no request yet."
	case r.State != model.RequestFulfilled:
		return fmt.Sprintf("Request %s is %s: its token can be shown once it is fulfilled.", r.ID, r.State)
	case !r.CTF:
		if r.MailedTo != "" {
			return fmt.Sprintf("The token of %s is a file, mailed to %s.", r.ID, model.Printable(r.MailedTo))
		}
		return fmt.Sprintf("The token of %s is a file, sent by e-mail.", r.ID)
	case !r.ShownAt.IsZero():
		return fmt.Sprintf("The token of %s was shown on %s; it is shown only once.", r.ID, model.FormatTime(r.ShownAt))
	}
	return ""
}

func (m *Model) formBindings() nav.Table {
	f := m.form
	t := nav.Table{
		{Key: bind("enter", "send", "enter"), Run: m.submit},
		{Key: bind("tab", "next field", "tab", "down"), Run: func() tea.Cmd { return f.move(1) }},
		{Key: bind("shift+tab/↑", "previous field", "shift+tab", "up"), Run: func() tea.Cmd { return f.move(-1) }, FullOnly: true},
	}
	if n, what := f.choiceCount(); what != "" {
		pick := func(d int) func() tea.Cmd { return func() tea.Cmd { f.pick(d); return nil } }
		next := nav.Binding{Key: bind("→", "other "+what, "right", "space"), Run: pick(1)}
		prev := nav.Binding{Key: bind("←", "other "+what+", backwards", "left"), Run: pick(-1), FullOnly: true}
		if n < 2 {
			why := "There is no other " + what + " to choose."
			next.Disabled, prev.Disabled = why, why
		}
		t = append(t, next, prev)
	}
	t = append(t, nav.Binding{Key: bind("esc", "cancel", "esc"), Run: m.closeForm})
	if f.working {
		for i := range t {
			t[i].Disabled = "Working: wait for the answer."
		}
	}
	return t
}

// shortHelp is the footer's bindings.
func (m *Model) shortHelp() []key.Binding { return m.Bindings().ShortHelp(m.typing()) }

// fullHelp is every binding the help lists: those of the state under it.
func (m *Model) fullHelp() []key.Binding {
	return slices.Clip(m.table(false).Shown(m.formTyping()))
}

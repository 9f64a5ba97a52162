package shell

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// Bindings is the root's own table in its current state: quit, help and
// back, or the quit question's answers, or the help overlay's keys. The
// root dispatches a key through it before the top screen sees the key;
// typing (the top screen has a focused text field) leaves q and ? to the
// field.
func (m *Model) Bindings() nav.Table {
	k := m.c.Keys
	ctrlC := m.ctrlC()
	switch {
	case m.confirmQuit:
		return nav.Table{
			{Key: kit.WithHelp(k.Yes, "y", "quit"), Run: m.quit},
			{Key: kit.WithHelp(k.Quit, "ctrl+c", "quit"), Run: func() tea.Cmd { m.quitByCtrlC = true; return m.quit() }, FullOnly: true},
			{Key: kit.WithHelp(k.No, "n", "stay"), Run: m.stay},
			{Key: kit.WithHelp(k.Back, "esc", "stay"), Run: m.stay, FullOnly: true},
		}
	case m.tooSmall():
		// Nothing below is visible; other keys would act blind.
		return nav.Table{ctrlC}
	case m.fatal != nil:
		return nav.Table{
			{Key: kit.WithHelp(k.Back, "esc", "home"), Run: func() tea.Cmd {
				m.fatal = nil
				return m.setStack(m.cfg.Home())
			}},
			ctrlC,
		}
	case m.showHelp:
		closeHelp := func() tea.Cmd { m.showHelp = false; return nil }
		t := nav.Table{
			{Key: key.NewBinding(key.WithKeys("?", "esc", "f1"), key.WithHelp("?/esc", "close help")), Run: closeHelp},
		}
		if !m.helpScroll.AtTop() || !m.helpScroll.AtBottom() {
			t = append(t,
				nav.Binding{Key: k.Up, Run: func() tea.Cmd { m.helpScroll.By(-1); return nil }, FullOnly: true},
				nav.Binding{Key: k.Down, Run: func() tea.Cmd { m.helpScroll.By(1); return nil }, FullOnly: true},
				nav.Binding{Key: k.PageUp, Run: func() tea.Cmd { m.helpScroll.PageUp(); return nil }},
				nav.Binding{Key: k.PageDown, Run: func() tea.Cmd { m.helpScroll.PageDown(); return nil }},
			)
		}
		return append(t, ctrlC)
	}
	return m.screenBindings()
}

// screenBindings is the root's table while a screen is in front (no
// question, help or error over it): quit, help and back.
func (m *Model) screenBindings() nav.Table {
	k := m.c.Keys
	top := m.top()
	t := nav.Table{
		m.ctrlC(),
		{Key: k.QuitQ, Run: func() tea.Cmd { return m.askQuit(false) }, FullOnly: true},
		{Key: k.Help, Run: m.openHelp},
		// While typing, ? is text: the footer shows F1 instead.
		{Key: k.HelpF1, Run: m.openHelp, FullOnly: !top.CapturesInput()},
	}
	// esc is a binding only where it does something: there is a screen to
	// go back to, or the screen itself handles it.
	if top.HandlesBack() || len(m.stack) > 1 {
		t = append(nav.Table{{Key: k.Back, Run: m.back, FullOnly: true}}, t...)
	}
	return t
}

// handleKey runs the root's binding for msg, or gives msg to the top
// screen.
func (m *Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	typing := !m.confirmQuit && !m.showHelp && m.fatal == nil && m.top().CapturesInput()
	if cmd, ok := m.Bindings().Handle(msg, typing); ok {
		return m, cmd
	}
	if m.confirmQuit || m.showHelp || m.fatal != nil || m.tooSmall() {
		return m, nil
	}
	return m.forward(msg)
}

// back is esc: the screen's own step back, else the screen closes.
func (m *Model) back() tea.Cmd {
	if s, cmd, handled := m.top().Back(); handled {
		m.stack[len(m.stack)-1] = s
		return cmd
	}
	return m.popTop()
}

func (m *Model) openHelp() tea.Cmd {
	m.showHelp = true
	m.helpScroll.Top()
	m.layoutHelp()
	return nil
}

func (m *Model) stay() tea.Cmd {
	m.confirmQuit, m.quitByCtrlC = false, false
	return nil
}

// ctrlC asks whether to quit (ctrl+c always quits, asking first when input
// or a job would be lost).
func (m *Model) ctrlC() nav.Binding {
	return nav.Binding{Key: m.c.Keys.Quit, Run: func() tea.Cmd { return m.askQuit(true) }}
}

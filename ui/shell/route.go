package shell

import (
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/nav"
)

// routeAddressed handles the routing messages for the root; ok is false for
// any other message.
func (m *Model) routeAddressed(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case nav.AddressedMsg:
		for i, s := range m.stack {
			if s == msg.To {
				var cmd tea.Cmd
				m.stack[i], cmd = s.Update(msg.Msg)
				return cmd, true
			}
		}
		return nil, true
	case nav.BroadcastMsg:
		var cmds []tea.Cmd
		for i, s := range m.stack {
			var cmd tea.Cmd
			m.stack[i], cmd = s.Update(msg.Msg)
			cmds = append(cmds, cmd)
		}
		return tea.Batch(cmds...), true
	}
	if id, ok := filterlist.ListID(msg); ok {
		for i := len(m.stack) - 1; i >= 0; i-- {
			if m.stack[i].OwnsList(id) {
				var cmd tea.Cmd
				m.stack[i], cmd = m.stack[i].Update(msg)
				return cmd, true
			}
		}
		// No owner declared itself: the top screen gets it, as before.
	}
	return nil, false
}

package inventory

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// picker is a screen that picks one item from a filtered list: a user for
// a token, or an unassigned token for a user. The filter has the focus
// from the start (type, arrows, enter); onPick runs on enter, after the
// picker is popped.
type picker struct {
	tabled
	c      *common
	title  string
	intro  string
	header func(w int) []kit.Cell
	list   filterlist.Model
	load   func() ([]filterlist.Item, error)
	onPick func(filterlist.Item) tea.Cmd
	loaded bool
	err    error
}

type pickerLoadedMsg struct {
	items []filterlist.Item
	err   error
}

func (p *picker) Init() tea.Cmd {
	load := p.load
	return tea.Batch(p.list.Focus(), func() tea.Msg {
		items, err := load()
		return nav.To(p, pickerLoadedMsg{items, err})
	})
}

func (p *picker) Title() string           { return p.title }
func (p *picker) OwnsList(id uint64) bool { return id == p.list.ID() }
func (p *picker) CapturesInput() bool     { return true }

// Back clears a typed filter first, then leaves.

// Bindings is the picker's table: its filter has the focus, so every
// command is a key that types no text.
func (p *picker) Bindings() nav.Table {
	if !p.loaded {
		return nav.Table{esc("cancel", nil)}
	}
	lt := listTable(p.c, &p.list, listKeys{open: "pick", empty: "Nothing to pick: no row matches.", moveShort: true, noEsc: true})
	back := esc("cancel", nil)
	if p.list.FilterValue() != "" {
		back = esc("clear filter", func() tea.Cmd { return p.list.SetFilterValue("") })
	}
	return append(nav.Table{lt[0], back}, lt[1:]...)
}

func (p *picker) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pickerLoadedMsg:
		p.loaded, p.err = true, msg.err
		return p, p.list.SetItems(msg.items)
	case filterlist.SelectedMsg:
		if msg.ListID != p.list.ID() {
			return p, nil
		}
		return p, tea.Batch(nav.Pop, p.onPick(msg.Item))
	case tea.KeyPressMsg:
		if cmd, ok := p.Bindings().Handle(msg, true); ok {
			return p, cmd
		}
	}
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return p, cmd
}

func (p *picker) View() string {
	w, h := p.Width(), p.Height()
	t := p.c.Theme
	var b strings.Builder
	b.WriteString(kit.Wrap(p.intro, w) + "\n")
	switch {
	case p.err != nil:
		b.WriteString(kit.ErrorText(t, p.err, w))
	case !p.loaded:
		b.WriteString("Loading...")
	default:
		b.WriteString(kit.ListWithHeader(&p.list, kit.HeaderRow(t, p.header(w), w), w, h-strings.Count(b.String(), "\n")))
	}
	return b.String()
}

// newUserPicker picks the user to give token serial to; origin is the
// screen that asked (it hears about a refusal).
func newUserPicker(c *common, origin nav.Screen, serial string) *picker {
	be := c.be
	p := &picker{c: c, title: "Assign " + serial,
		intro:  fmt.Sprintf("Pick the user who receives token %s (a user holds at most %d tokens).", serial, model.MaxTokensPerUser),
		header: userListCells, list: kit.NewList(c.Env, userListRender(c))}
	p.self = p
	// The Users list's columns, token count included: a user who already
	// holds the maximum cannot take another token.
	p.load = func() ([]filterlist.Item, error) {
		us, err := be.Users()
		if err != nil {
			return nil, err
		}
		counts, err := be.TokenCountsByUser()
		if err != nil {
			return nil, err
		}
		return userItemsCounted(us, counts), nil
	}
	p.onPick = func(it filterlist.Item) tea.Cmd {
		u := it.(*userRow).u
		return changeToken(c, origin, serial, "", func() error { return be.Assign(serial, u.ID) },
			fmt.Sprintf("Token %s assigned to %s.", serial, u.ID))
	}
	return p
}

// newTokenPicker picks an unassigned software token for userID.
func newTokenPicker(c *common, origin nav.Screen, userID string) *picker {
	be := c.be
	p := &picker{c: c, title: "Assign a token to " + userID,
		intro:  fmt.Sprintf("Pick an unassigned software token for %s.", userID),
		header: tokenCells, list: kit.NewList(c.Env, tokenRender(c))}
	p.self = p
	load := loadTokenRows(c, func(t model.Token) bool { return t.Kind == model.KindSoftware && t.AssignedUser == "" })
	p.load = func() ([]filterlist.Item, error) {
		msg := load()
		return msg.items, msg.err
	}
	p.onPick = func(it filterlist.Item) tea.Cmd {
		serial := it.(*tokenRow).t.Serial
		return changeToken(c, origin, serial, "", func() error { return be.Assign(serial, userID) },
			fmt.Sprintf("Token %s assigned to %s.", serial, userID))
	}
	return p
}

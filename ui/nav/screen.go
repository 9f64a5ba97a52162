// Package nav is the contract between the console's root and its screens:
// the Screen interface, the Base every screen embeds, and the messages a
// screen returns (as Cmds) to navigate, report status or open another
// feature's screen. Screens never touch the stack themselves.
package nav

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Screen is one page of the root's stack. Update returns the screen (the
// same one, as a rule); View renders the body at the size the root gave
// with SetSize (on resize, on push and whenever the body's room changes)
// and is pure. The root owns quitting, resizing, help, the status line and
// navigation.
//
// The methods after CapturesInput are optional behaviours: embed Base for
// their no-op defaults and override the ones the screen has.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	// SetSize gives the body's size: the width and height View renders.
	SetSize(width, height int)
	Title() string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Bindings is the screen's binding table in its current state: its
	// Update dispatches keys through it and its help is made from it
	// (table.go). Base returns nil for a screen without keys.
	Bindings() Table
	// CapturesInput is true while the screen has a focused text field, so
	// q and ? are text there, not commands.
	CapturesInput() bool

	// Back handles esc; handled=false lets the root pop the screen (and
	// the returned screen is ignored).
	Back() (s Screen, cmd tea.Cmd, handled bool)
	// HandlesBack is true for a screen whose Back can handle esc itself,
	// so that help lists esc even on the last screen.
	HandlesBack() bool
	// HasInput is true while the screen holds unsaved input: quitting
	// asks first.
	HasInput() bool
	// LossReason says what quitting would lose while HasInput ("" for the
	// root's generic sentence).
	LossReason() string
	// Resumed is called when the screen is on top again after the screen
	// above it closed; nil when the screen does not care. A screen that
	// returns a Cmd rechecks what it shows there, and is not reloaded
	// again by StoreChanged.
	Resumed() tea.Cmd
	// StoreChanged is called on the top screen when the store changed (by
	// any process), and on a screen below when it is on top again after a
	// change; it returns the Cmd that reloads (or nil to leave the screen
	// as it is: the admin is typing, a reload is already under way). It
	// must keep the admin's place: the cursor on the same item (by key),
	// the filter, the tab, what is open.
	StoreChanged() tea.Cmd
	// OwnsList reports a ui/filterlist list of this screen: its debounce
	// ticks and search results are routed here even when the screen is
	// not on top (the doc of filterlist.ListID).
	OwnsList(id uint64) bool
	// ClearSecrets drops every secret the screen holds (passwords); the
	// root calls it before the program ends.
	ClearSecrets()
	// IsHome is true for the home screen, which the breadcrumb leaves out
	// when it is not on top.
	IsHome() bool
}

// Base gives a screen the optional behaviours as no-ops and keeps the size
// from SetSize. Embed it by value.
type Base struct {
	width, height int
}

// SetSize keeps the body's size for View.
func (b *Base) SetSize(width, height int) { b.width, b.height = width, height }

// Width is the body's width as last set.
func (b *Base) Width() int { return b.width }

// Height is the body's height as last set.
func (b *Base) Height() int { return b.height }

// Back lets the root pop the screen.
func (b *Base) Back() (Screen, tea.Cmd, bool) { return nil, nil, false }

// HandlesBack is false: esc pops the screen.
func (b *Base) HandlesBack() bool { return false }

// HasInput is false: nothing to lose.
func (b *Base) HasInput() bool { return false }

// LossReason is "": the root's generic sentence.
func (b *Base) LossReason() string { return "" }

// Resumed is nil: nothing to recheck.
func (b *Base) Resumed() tea.Cmd { return nil }

// StoreChanged is nil: the screen shows no store data.
func (b *Base) StoreChanged() tea.Cmd { return nil }

// OwnsList is false: the screen has no list.
func (b *Base) OwnsList(uint64) bool { return false }

// ClearSecrets does nothing: the screen holds no secret.
func (b *Base) ClearSecrets() {}

// IsHome is false.
func (b *Base) IsHome() bool { return false }

// Bindings is the default: no keys of the screen's own.
func (b *Base) Bindings() Table { return nil }

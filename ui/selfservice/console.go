package selfservice

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// PollEvery is how often the console reads the store's change counter:
// an admin's decision in another process shows within about this long
// (plus the reload). A session's kit.Env.PollEvery should be set to it;
// 0 there means no polling (tests poll by hand with PollMsg).
const PollEvery = time.Second

// mode is what the console shows.
type mode int

const (
	modeMain        mode = iota // the user's tokens and requests
	modeForm                    // a request or replacement form
	modeConfirmShow             // "it is shown once": y or n
	modeQR                      // the link and its QR code
	modeKeys                    // the user's SSH keys and the form to add one
)

type (
	// PollMsg asks the console to read the change counter (the poll's
	// tick; tests send it themselves).
	PollMsg struct{}
	// loadedMsg is a load's result.
	loadedMsg struct {
		d   Snapshot
		err error
	}
	// counterMsg is the change counter as read.
	counterMsg struct {
		n   uint64
		err error
	}
	// madeMsg is MakeRequest's answer.
	madeMsg struct {
		made Made
		err  error
	}
	// clearStatusMsg ends the status message seq once its time
	// (kit.Env.StatusTTL) is up, unless a newer one replaced it.
	clearStatusMsg struct{ seq int }
	// shownMsg is ShowToken's answer, with the QR code drawn.
	shownMsg struct {
		id, link, qr string
		err          error
	}
)

// Model is the Self-Service Console: a tea.Model root for one session.
type Model struct {
	env *kit.Env
	be  Backend
	w   int
	h   int

	loaded   bool
	loadErr  error // the first load failed (nothing to show)
	d        Snapshot
	cursor   int    // index in d.Requests
	selectID string // put the cursor on this request after the next load

	live         kit.LiveLoad
	target       *liveTarget
	counter      uint64
	counterKnown bool

	mode    mode
	help    bool
	form    *form
	keys    *keyForm // the SSH keys screen's form
	showID  string   // the request Show my token is for
	showing bool     // ShowToken in flight
	link    string   // the CTF link on the QR screen (cleared on leaving it)
	qrText  string   // its QR code in half blocks

	status    string
	statusErr bool
	statusSeq int // counts the status messages set, for their expiry
	quitting  bool
}

// New is the console for one session, bound to the user be was made for.
// It sizes itself from tea.WindowSizeMsg. env.PollEvery 0 means PollEvery
// (tests that drive Update by hand make the model with newModel). The
// model also has ClearSecrets, for the server to call when a session
// ends.
func New(env *kit.Env, be Backend) tea.Model {
	e := *env
	if e.PollEvery == 0 {
		e.PollEvery = PollEvery
	}
	return newModel(&e, be)
}

func newModel(env *kit.Env, be Backend) *Model {
	e := *env
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Keys == nil {
		e.Keys = kit.DefaultKeyMap()
	}
	if e.Theme == nil {
		e.Theme = kit.NewTheme(false, true)
	}
	return &Model{env: &e, be: be, w: 80, h: 24, target: &liveTarget{}}
}

// Init loads the user's data and starts polling the change counter.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.live.Start(m.load()), m.readCounter())
}

func (m *Model) load() tea.Cmd {
	be := m.be
	return func() tea.Msg {
		d, err := be.Load()
		if err != nil {
			return loadedMsg{err: err}
		}
		return loadedMsg{d: d}
	}
}

func (m *Model) readCounter() tea.Cmd {
	be := m.be
	return func() tea.Msg {
		n, err := be.Changes()
		return counterMsg{n, err}
	}
}

func (m *Model) schedulePoll() tea.Cmd { return kit.NextPoll(m.env.PollEvery, PollMsg{}) }

// Update handles one message; every store access is in the Cmds it
// returns.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	seq := m.statusSeq
	cmd := m.update(msg)
	if m.statusSeq != seq && m.env.StatusTTL > 0 {
		// A passing message goes after its time, as in the admin's
		// console: "it is pending" must not stay under a request that
		// was approved since.
		seq := m.statusSeq
		cmd = tea.Batch(cmd, tea.Tick(m.env.StatusTTL, func(time.Time) tea.Msg { return clearStatusMsg{seq} }))
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		if m.keys != nil {
			m.keys.in.SetWidth(max(10, m.w-16))
		}
	case nav.AddressedMsg:
		if msg.To == nav.Screen(m.target) {
			return m.update(msg.Msg)
		}
	case kit.LiveTickMsg:
		return m.live.Tick(m.load())
	case PollMsg:
		return m.readCounter()
	case counterMsg:
		next := m.schedulePoll()
		if msg.err != nil {
			return next
		}
		moved := m.counterKnown && msg.n != m.counter
		m.counter, m.counterKnown = msg.n, true
		if !moved {
			return next
		}
		return tea.Batch(next, m.live.Changed(m.target, m.load()))
	case loadedMsg:
		next := m.live.Loaded(m.target, m.load())
		m.takeLoad(msg)
		return next
	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status, m.statusErr = "", false
		}
	case madeMsg:
		return m.made(msg)
	case shownMsg:
		return m.shown(msg)
	case keyAddedMsg:
		return m.keyAdded(msg)
	case nav.DisabledMsg:
		m.setStatus(msg.Reason, false)
	case tea.PasteMsg:
		if m.typing() {
			m.edit(msg)
		}
	case tea.KeyPressMsg:
		typing := m.typing()
		if cmd, ok := m.Bindings().Handle(msg, typing); ok {
			return cmd
		}
		if typing {
			m.edit(msg)
		}
	}
	return nil
}

// takeLoad takes a load's result, keeping the cursor on the same request.
func (m *Model) takeLoad(msg loadedMsg) {
	if msg.err != nil {
		if !m.loaded {
			m.loadErr = msg.err
			return
		}
		m.setStatus("Cannot read your data: "+model.Printable(msg.err.Error()), true)
		return
	}
	keep := m.selectID
	if keep == "" && m.cursor < len(m.d.Requests) {
		keep = m.d.Requests[m.cursor].ID
	}
	m.loaded, m.loadErr, m.d, m.selectID = true, nil, msg.d, ""
	m.cursor = 0
	for i, r := range m.d.Requests {
		if r.ID == keep {
			m.cursor = i
		}
	}
	if m.form != nil {
		m.form.setChoices(m.d.Choices)
	}
}

func (m *Model) setStatus(text string, isErr bool) {
	m.status, m.statusErr = model.Printable(text), isErr
	m.statusSeq++
}

// typing is true while a text field (of the request form or the SSH
// keys screen) has focus.
func (m *Model) typing() bool { return !m.help && m.formTyping() }

// formTyping is typing under the help.
func (m *Model) formTyping() bool {
	return m.keysTyping() || (m.loaded && m.mode == modeForm && m.form != nil && m.form.typing())
}

// edit gives a key or a paste to the text field with focus.
func (m *Model) edit(msg tea.Msg) {
	if m.mode == modeKeys {
		m.editKey(msg)
		return
	}
	m.form.edit(msg)
}

// selected is the request under the cursor.
func (m *Model) selected() (Request, bool) {
	if m.cursor < 0 || m.cursor >= len(m.d.Requests) {
		return Request{}, false
	}
	return m.d.Requests[m.cursor], true
}

// quit clears every secret and ends the session, without a question.
func (m *Model) quit() tea.Cmd {
	m.ClearSecrets()
	m.quitting = true
	return tea.Quit
}

// ClearSecrets drops the link and QR code on screen and the passwords
// typed in the form. The SSH server may call it when a session ends.
func (m *Model) ClearSecrets() {
	m.link, m.qrText = "", ""
	if m.form != nil {
		m.form.clearSecrets()
	}
}

func (m *Model) openForm(kind model.RequestKind) tea.Cmd {
	m.form = newForm(m.env, kind, m.d.Choices, m.d.Tokens)
	m.form.setSize(m.w)
	m.mode = modeForm
	return m.form.focusFirst()
}

func (m *Model) closeForm() tea.Cmd {
	if m.form != nil {
		m.form.clearSecrets()
	}
	m.form, m.mode = nil, modeMain
	return nil
}

func (m *Model) submit() tea.Cmd {
	in, problem := m.form.input()
	if problem != "" {
		m.form.err = problem
		return nil
	}
	m.form.working, m.form.err = true, ""
	be := m.be
	return func() tea.Msg {
		made, err := be.MakeRequest(in)
		return madeMsg{made, err}
	}
}

func (m *Model) made(msg madeMsg) tea.Cmd {
	if m.form == nil {
		return nil
	}
	m.form.working = false
	if msg.err != nil {
		m.form.err = "Refused: " + model.Printable(msg.err.Error())
		return nil
	}
	m.closeForm()
	text := "Request " + msg.made.ID + " is made; it is " + string(msg.made.State) + ". You will get e-mail about it."
	if msg.made.Warning != "" {
		text += " Warning: " + msg.made.Warning
	}
	m.setStatus(text, msg.made.Warning != "")
	m.selectID = msg.made.ID
	return m.live.Changed(m.target, m.load())
}

func (m *Model) askShow() tea.Cmd {
	r, _ := m.selected()
	m.showID, m.mode = r.ID, modeConfirmShow
	return nil
}

func (m *Model) show() tea.Cmd {
	m.showing = true
	be, id := m.be, m.showID
	return func() tea.Msg {
		link, err := be.ShowToken(id)
		if err != nil {
			return shownMsg{id: id, err: err}
		}
		// A link too long for a QR code is still shown as text.
		text, _ := qr.HalfBlocks(link)
		return shownMsg{id: id, link: link, qr: text}
	}
}

func (m *Model) shown(msg shownMsg) tea.Cmd {
	m.showing = false
	reload := m.live.Changed(m.target, m.load())
	if msg.err != nil {
		m.mode = modeMain
		m.setStatus("Refused: "+msg.err.Error(), true)
		return reload
	}
	if m.quitting {
		return nil
	}
	m.mode, m.link, m.qrText = modeQR, msg.link, msg.qr
	// The store recorded the show; the reload says so too, but a second
	// s before it lands is already refused here.
	for i := range m.d.Requests {
		if m.d.Requests[i].ID == msg.id && m.d.Requests[i].ShownAt.IsZero() {
			m.d.Requests[i].ShownAt = m.env.Now()
		}
	}
	return reload
}

// leaveQR clears the link and its code from the model.
func (m *Model) leaveQR() tea.Cmd {
	m.link, m.qrText = "", ""
	m.mode = modeMain
	m.setStatus("The token of "+m.showID+" was shown; it cannot be shown again.", false)
	return nil
}

// View renders the frame; it is pure.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	return v
}

// liveTarget is the console's address for kit.LiveLoad's ticks (a
// nav.Screen in name only: the console unwraps what is addressed to it).
type liveTarget struct{ nav.Base }

func (*liveTarget) Init() tea.Cmd                          { return nil }
func (t *liveTarget) Update(tea.Msg) (nav.Screen, tea.Cmd) { return t, nil }
func (*liveTarget) View() string                           { return "" }
func (*liveTarget) Title() string                          { return "Self-Service" }
func (*liveTarget) ShortHelp() []key.Binding               { return nil }
func (*liveTarget) FullHelp() [][]key.Binding              { return nil }
func (*liveTarget) CapturesInput() bool                    { return false }

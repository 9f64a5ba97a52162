package wizard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// step is one page of the distribution wizard.
type step int

const (
	stepName step = iota
	stepProfile
	stepDevice
	stepNickname
	stepPassword
	stepCriteria
	stepSummary
	stepSubmit
	numSteps
)

var stepTitles = [numSteps]string{
	"Job Name", "Software Token Profile", "DeviceSerialNumber", "Nickname",
	"Password protection", "Token selection criteria", "Summary", "Submit Job",
}

// Password step focus.
const (
	pwFocusModes = iota
	pwFocusPassword
	pwFocusConfirm
)

// Criteria step fields, in focus order.
const (
	critFrom = iota
	critTo
	critAll
	critUser
	critNever
	critAlg
	numCritFields
)

// algChoices are the criteria's algorithm filter values; "" is any.
var algChoices = []model.Algorithm{"", model.AlgAES128, model.AlgSID64}

// PreviewDebounce is how long the criteria must rest before the live count
// is recomputed: a range scan of 100,000 tokens per keystroke would queue up.
const PreviewDebounce = 150 * time.Millisecond

// Wizard messages.
type (
	nameCheckedMsg struct {
		name string
		err  error
	}
	profilesMsg struct {
		all []model.Profile
		err error
	}
	previewTickMsg struct{ seq int }
	previewMsg     struct {
		seq     int
		advance bool
		p       Preview
		err     error
	}
	submittedMsg struct {
		job model.Job
		err error
	}
)

// wizard is "Distribute Software Tokens in Bulk > Generate Software Token
// Files": one screen with numbered steps. Going back and forward keeps
// every value; each step is validated when the admin moves past it.
type wizard struct {
	nav.Base
	c    *common
	step step
	busy string // what the wizard waits for; keys are ignored meanwhile

	sidebarOn bool // the last View had room for the steps sidebar

	leaving bool // asked "leave the wizard?"

	// 1. Job Name
	suggested string
	name      kit.TextField
	nameErr   error

	// 2. Profile
	profilesLoaded bool
	profilesErr    error
	allProfiles    int
	profiles       []model.Profile // file-based only
	profList       filterlist.Model
	profIdx        int // chosen, -1 before
	profErr        error

	// 3. DeviceSerialNumber
	device    kit.TextField
	deviceFor string // the class GUID the field was pre-filled with
	deviceErr error

	// 4. Nickname
	nick    kit.TextField
	nickErr error

	// 5. Password protection
	mode    int // index into model.PasswordModes()
	pwFocus int
	pw, pw2 kit.TextField
	pwErrs  model.FieldErrors

	// 6. Criteria
	critFocus   int
	from, to    kit.TextField
	all         bool
	user        kit.TextField
	never       bool
	alg         int
	critErrs    model.FieldErrors
	previewSeq  int
	preview     *Preview // the latest preview for the current values
	previewBusy bool

	// 7. Summary
	confirm    kit.TextField
	confirmErr error
	listOffset int
	// headOff is the first line of the summary's fields shown when they do
	// not all fit above the list (a long job or profile name wraps onto
	// several lines); headMax is the largest offset the last View allowed.
	headOff, headMax int
	// showSelection: the summary's list shows the selected tokens rather
	// than those whose password would be too long (tab switches).
	showSelection bool

	// 8. Submit
	submitErr error
	// replanAfterSubmit: a refused submit asked for a new plan, to show
	// the summary again if the store changed meanwhile.
	replanAfterSubmit bool
}

func newWizard(c *common) *wizard {
	w := &wizard{c: c, profIdx: -1}
	w.suggested = model.SuggestedJobName(c.Now())
	w.name = kit.NewInput(c.Env, "")
	w.name.SetValue(w.suggested)
	w.name.CursorEnd()
	w.device = kit.NewInput(c.Env, "(class GUID or device ID)")
	w.nick = kit.NewInput(c.Env, "(optional)")
	w.pw = kit.NewSecretInput(c.Env)
	w.pw2 = kit.NewSecretInput(c.Env)
	// A format hint, not an example: a made-up serial would not match
	// the store's tokens.
	w.from = kit.NewInput(c.Env, "(12 digits)")
	w.to = kit.NewInput(c.Env, "(12 digits)")
	w.user = kit.NewInput(c.Env, "(optional: any user)")
	w.confirm = kit.NewInput(c.Env, "")
	w.profList = newProfileNameList(c)
	return w
}

// nameItem is a profile name in the wizard's list.
type nameItem string

func (n nameItem) FilterValue() string { return string(n) }

// newProfileNameList is the profile step's list (ui/filterlist). The
// filter has the focus, so ↑/↓ (and ctrl+p/ctrl+n) move and j/k type.
func newProfileNameList(c *common) filterlist.Model {
	km := filterlist.DefaultKeyMap(kit.ASCIITheme(c.Theme))
	km.Up.SetKeys("up", "k", "ctrl+p")
	km.Down.SetKeys("down", "j", "ctrl+n")
	return kit.NewList(c.Env, func(it filterlist.Item, width int, selected bool, matched []int) string {
		return kit.RenderRow(c.Theme, []kit.Cell{{Text: string(it.(nameItem)), W: 0, FV: 0}}, []string{it.FilterValue()}, matched, width, selected)
	}, filterlist.WithKeyMap(km))
}

// highlighted is the index of the profile under the list's cursor, or -1.
func (w *wizard) highlighted() int {
	if _, i, ok := w.profList.Selected(); ok {
		return i
	}
	return -1
}

// selectProfile clears the filter and puts the cursor on profile i, so a
// profile chosen before is highlighted when the admin steps back.
func (w *wizard) selectProfile(i int) {
	_ = w.profList.SetFilterValue("")
	w.profList, _ = w.profList.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	for range i {
		w.profList, _ = w.profList.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
}

func (w *wizard) Init() tea.Cmd {
	be := w.c.be
	return tea.Batch(w.name.Focus(), func() tea.Msg {
		ps, err := be.Profiles()
		return profilesMsg{ps, err}
	})
}

func (w *wizard) Title() string {
	return "Distribute Software Tokens in Bulk" + w.c.Theme.G.Crumb + "Generate Software Token Files"
}

// HasInput: anything beyond the untouched first step counts, so quitting
// asks first.
func (w *wizard) HasInput() bool {
	return w.step > stepName || w.name.Value() != w.suggested
}

// ClearSecrets drops the admin password from the model. Go cannot wipe
// the runes textinput kept, but nothing refers to them after this.
func (w *wizard) ClearSecrets() {
	w.pw.Reset()
	w.pw2.Reset()
}

func (w *wizard) modeValue() model.PasswordMode { return model.PasswordModes()[w.mode] }

// password is the admin password when the mode uses one.
func (w *wizard) password() string {
	if w.modeValue().NeedsAdminPassword() {
		return w.pw.Value()
	}
	return ""
}

func (w *wizard) chosen() *model.Profile {
	if w.profIdx < 0 || w.profIdx >= len(w.profiles) {
		return nil
	}
	return &w.profiles[w.profIdx]
}

func (w *wizard) criteria() model.Criteria {
	return model.Criteria{
		From: strings.TrimSpace(w.from.Value()), To: strings.TrimSpace(w.to.Value()),
		All: w.all, AssignedUser: strings.TrimSpace(w.user.Value()),
		NeverDistributedOnly: w.never, Algorithm: algChoices[w.alg],
	}
}

func (w *wizard) spec() model.JobSpec {
	s := model.JobSpec{
		Name: w.name.Value(), Nickname: w.nick.Value(),
		PasswordMode: w.modeValue(), Criteria: w.criteria(),
	}
	if p := w.chosen(); p != nil {
		s.Profile = p.Name
		s.Binding, _ = model.ResolveBinding(w.device.Value(), p.ClassGUID())
	}
	return s
}

// CapturesInput: true whenever a text field has the focus.
func (w *wizard) CapturesInput() bool {
	if w.leaving || w.busy != "" {
		return false
	}
	switch w.step {
	case stepName, stepProfile, stepDevice, stepNickname:
		return true
	case stepPassword:
		return w.pwFocus != pwFocusModes
	case stepCriteria:
		return w.critFocus == critFrom || w.critFocus == critTo || w.critFocus == critUser
	case stepSummary:
		return w.confirmNeeded()
	}
	return false
}

func (w *wizard) confirmNeeded() bool {
	if w.preview == nil {
		return false
	}
	need, _ := model.ConfirmationRequired(w.spec(), w.preview.Summary)
	return need
}

// Back steps back; on the first step it leaves, asking first when input
// would be lost.
// HandlesBack is true: Back handles esc.
func (w *wizard) HandlesBack() bool { return true }

func (w *wizard) Back() (nav.Screen, tea.Cmd, bool) {
	if w.busy != "" {
		return w, nil, true
	}
	if w.leaving {
		w.leaving = false
		return w, nil, true
	}
	if w.step == stepName {
		if w.HasInput() {
			w.leaving = true
			return w, nil, true
		}
		w.ClearSecrets()
		return w, nil, false
	}
	return w, w.goTo(w.step - 1), true
}

// goTo shows step s and focuses its first field.
func (w *wizard) goTo(s step) tea.Cmd {
	w.step = s
	w.blurAll()
	switch s {
	case stepName:
		return w.name.Focus()
	case stepProfile:
		if p := w.chosen(); p != nil {
			w.selectProfile(w.profIdx)
		}
		return w.profList.Focus()
	case stepDevice:
		return w.device.Focus()
	case stepNickname:
		return w.nick.Focus()
	case stepPassword:
		w.pwFocus = pwFocusModes
	case stepCriteria:
		w.critFocus = critFrom
		cmd := w.from.Focus()
		return tea.Batch(cmd, w.schedulePreview(false, 0))
	case stepSummary:
		w.listOffset, w.headOff = 0, 0
		w.showSelection = false
		w.confirmErr = nil
		if w.confirmNeeded() {
			return w.confirm.Focus()
		}
	case stepSubmit:
		w.submitErr = nil
	}
	return nil
}

func (w *wizard) blurAll() {
	for _, ti := range []*kit.TextField{&w.name, &w.device, &w.nick, &w.pw, &w.pw2, &w.from, &w.to, &w.user, &w.confirm} {
		ti.Blur()
	}
	w.profList.Blur()
}

func (w *wizard) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesMsg:
		w.profilesLoaded, w.profilesErr = true, msg.err
		w.allProfiles = len(msg.all)
		w.profiles = nil
		for _, p := range msg.all {
			if p.DeliveryMethod.IsFileBased() {
				w.profiles = append(w.profiles, p)
			}
		}
		names := make([]filterlist.Item, len(w.profiles))
		for i, p := range w.profiles {
			names[i] = nameItem(p.Name)
		}
		focused := w.profList.FilterFocused()
		w.profList = newProfileNameList(w.c)
		cmd := w.profList.SetItems(names)
		if focused {
			return w, tea.Batch(cmd, w.profList.Focus())
		}
		return w, cmd

	case nameCheckedMsg:
		if w.busy == "" || msg.name != w.name.Value() {
			return w, nil
		}
		w.busy = ""
		if msg.err != nil {
			w.nameErr = msg.err
			return w, nil
		}
		return w, w.goTo(stepProfile)

	case previewTickMsg:
		if msg.seq != w.previewSeq {
			return w, nil
		}
		return w, w.runPreview(msg.seq, false)

	case previewMsg:
		if msg.seq != w.previewSeq {
			return w, nil // the criteria changed since
		}
		w.previewBusy = false
		if w.busy != "" && msg.advance {
			w.busy = ""
		}
		w.critErrs = model.AsFieldErrors(msg.err)
		if msg.err != nil {
			w.preview = nil
			return w, nil
		}
		old := w.preview
		p := msg.p
		w.preview = &p
		if old == nil || old.Summary.Count != p.Summary.Count {
			// The number to type changed; what was typed is void.
			w.confirm.Reset()
		}
		if w.replanAfterSubmit {
			w.replanAfterSubmit = false
			if old != nil && w.step == stepSubmit && summaryChanged(old.Summary, p.Summary) {
				cmd := w.goTo(stepSummary)
				w.confirmErr = errors.New("the tokens changed since this summary was made (another job, an import or another admin): review the summary again; nothing was submitted")
				return w, cmd
			}
		}
		if msg.advance {
			return w, w.goTo(stepSummary)
		}
		return w, nil

	case submittedMsg:
		w.busy = ""
		if msg.err != nil {
			w.submitErr = msg.err
			// Another admin or process may have changed the tokens since
			// the summary was made (a job over them, an import): plan
			// again, and if the summary differs, go back to it.
			w.replanAfterSubmit = true
			return w, w.runPreview(w.previewSeq, false)
		}
		w.ClearSecrets()
		w.confirm.Reset()
		j := msg.job
		return w, tea.Batch(
			nav.OpenInstead(nav.PageJobs, j.Seq),
			nav.Status(nav.StatusOK, fmt.Sprintf("Job #%d %q submitted: %d tokens.", j.Seq, j.Name, j.Total)),
		)

	case filterlist.SelectedMsg:
		if w.step != stepProfile || msg.ListID != w.profList.ID() {
			return w, nil
		}
		return w, w.chooseProfile(msg.Index)

	case tea.PasteMsg:
		return w, w.updateFocused(msg)

	case tea.KeyPressMsg:
		return w, w.handleKey(msg)
	}
	if _, ok := filterlist.ListID(msg); ok {
		// The profile list's debounce ticks and search results.
		var cmd tea.Cmd
		w.profList, cmd = w.profList.Update(msg)
		return w, cmd
	}
	return w, nil
}

// OwnsList routes the profile list's messages here (lists.go).
func (w *wizard) OwnsList(id uint64) bool { return id == w.profList.ID() }

func (w *wizard) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.c.Keys
	if w.busy != "" {
		return nil
	}
	if w.leaving {
		switch {
		case key.Matches(msg, k.Yes):
			w.leaving = false
			w.ClearSecrets()
			return nav.Pop
		case key.Matches(msg, k.No):
			w.leaving = false
		}
		return nil
	}
	switch w.step {
	case stepName:
		if key.Matches(msg, k.Next) {
			return w.nextFromName()
		}
	case stepProfile:
		if len(w.profiles) == 0 && key.Matches(msg, k.Next) {
			return nil
		}
		var cmd tea.Cmd
		w.profList, cmd = w.profList.Update(msg)
		return cmd
	case stepDevice:
		switch {
		case key.Matches(msg, k.Next):
			return w.nextFromDevice()
		case key.Matches(msg, k.RestoreGUI):
			if p := w.chosen(); p != nil {
				w.device.SetValue(p.ClassGUID())
				w.device.CursorEnd()
				w.deviceErr = nil
			}
			return nil
		}
	case stepNickname:
		if key.Matches(msg, k.Next) {
			w.nickErr = model.ValidateNickname(w.nick.Value())
			if w.nickErr != nil {
				return nil
			}
			return w.goTo(stepPassword)
		}
	case stepPassword:
		return w.passwordKey(msg)
	case stepCriteria:
		return w.criteriaKey(msg)
	case stepSummary:
		return w.summaryKey(msg)
	case stepSubmit:
		if key.Matches(msg, k.Submit) {
			return w.submit()
		}
		return nil
	}
	return w.updateFocused(msg)
}

// updateFocused hands a key or paste to the focused text field.
func (w *wizard) updateFocused(msg tea.Msg) tea.Cmd {
	var ti *kit.TextField
	switch w.step {
	case stepName:
		ti = &w.name
	case stepProfile:
		var cmd tea.Cmd
		w.profList, cmd = w.profList.Update(msg)
		return cmd
	case stepDevice:
		ti = &w.device
	case stepNickname:
		ti = &w.nick
	case stepPassword:
		switch w.pwFocus {
		case pwFocusPassword:
			ti = &w.pw
		case pwFocusConfirm:
			ti = &w.pw2
		}
	case stepCriteria:
		switch w.critFocus {
		case critFrom:
			ti = &w.from
		case critTo:
			ti = &w.to
		case critUser:
			ti = &w.user
		}
	case stepSummary:
		if w.confirmNeeded() {
			ti = &w.confirm
		}
	}
	if ti == nil {
		return nil
	}
	before := ti.Value()
	var cmd tea.Cmd
	*ti, cmd = ti.Update(msg)
	if ti.Value() != before {
		w.edited(ti)
		if w.step == stepCriteria {
			cmd = tea.Batch(cmd, w.schedulePreview(false, w.c.Debounce))
		}
	}
	return cmd
}

// edited clears the stale inline error of a field the admin changed.
func (w *wizard) edited(ti *kit.TextField) {
	switch ti {
	case &w.name:
		w.nameErr = nil
	case &w.device:
		w.deviceErr = nil
	case &w.nick:
		w.nickErr = model.ValidateNickname(w.nick.Value())
	case &w.pw, &w.pw2:
		w.pwErrs = nil
	case &w.confirm:
		w.confirmErr = nil
	}
}

func (w *wizard) nextFromName() tea.Cmd {
	name := w.name.Value()
	if err := model.ValidateJobName(name); err != nil {
		w.nameErr = err
		return nil
	}
	w.nameErr = nil
	w.busy = "Checking that the job name is free..."
	be := w.c.be
	return func() tea.Msg { return nameCheckedMsg{name, be.CheckJobName(name)} }
}

func (w *wizard) chooseProfile(i int) tea.Cmd {
	if i < 0 || i >= len(w.profiles) {
		return nil
	}
	p := w.profiles[i]
	guid := p.ClassGUID()
	// Pre-fill the binding with the class GUID, unless the admin typed a
	// device ID for an earlier choice: that is kept.
	cur := strings.TrimSpace(w.device.Value())
	if cur == "" || strings.EqualFold(cur, w.deviceFor) {
		w.device.SetValue(guid)
		w.device.CursorEnd()
	}
	w.deviceFor = guid
	w.profIdx = i
	w.profErr = nil
	w.deviceErr = nil
	return w.goTo(stepDevice)
}

func (w *wizard) nextFromDevice() tea.Cmd {
	p := w.chosen()
	if p == nil {
		return w.goTo(stepProfile)
	}
	if _, err := model.ResolveBinding(w.device.Value(), p.ClassGUID()); err != nil {
		w.deviceErr = err
		return nil
	}
	w.deviceErr = nil
	return w.goTo(stepNickname)
}

// passwordKey: the mode list moves with the arrows; tab moves between the
// list and the password fields; enter goes down the fields, then on.
func (w *wizard) passwordKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.c.Keys
	needs := w.modeValue().NeedsAdminPassword()
	nFocus := 1
	if needs {
		nFocus = 3
	}
	switch {
	case key.Matches(msg, k.NextField):
		return w.focusPassword((w.pwFocus + 1) % nFocus)
	case key.Matches(msg, k.PrevField):
		return w.focusPassword((w.pwFocus + nFocus - 1) % nFocus)
	case key.Matches(msg, k.Next):
		if needs && w.pwFocus < pwFocusConfirm {
			return w.focusPassword(w.pwFocus + 1)
		}
		return w.nextFromPassword()
	}
	if w.pwFocus == pwFocusModes {
		n := len(model.PasswordModes())
		switch {
		case key.Matches(msg, k.Up):
			w.mode = (w.mode + n - 1) % n
		case key.Matches(msg, k.Down):
			w.mode = (w.mode + 1) % n
		default:
			if r := msg.Text; len(r) == 1 && r[0] >= '1' && int(r[0]-'1') < n {
				w.mode = int(r[0] - '1')
			}
		}
		w.pwErrs = nil
		return nil
	}
	return w.updateFocused(msg)
}

func (w *wizard) focusPassword(f int) tea.Cmd {
	w.pwFocus = f
	w.pw.Blur()
	w.pw2.Blur()
	switch f {
	case pwFocusPassword:
		return w.pw.Focus()
	case pwFocusConfirm:
		return w.pw2.Focus()
	}
	return nil
}

func (w *wizard) nextFromPassword() tea.Cmd {
	mode := w.modeValue()
	pw, pw2 := "", ""
	if mode.NeedsAdminPassword() {
		pw, pw2 = w.pw.Value(), w.pw2.Value()
	}
	w.pwErrs = model.AsFieldErrors(model.ValidateAdminPassword(mode, pw, pw2))
	if len(w.pwErrs) > 0 {
		switch {
		case len(w.pwErrs.For(model.FieldPassword)) > 0:
			return w.focusPassword(pwFocusPassword)
		case len(w.pwErrs.For(model.FieldPasswordConfirm)) > 0:
			return w.focusPassword(pwFocusConfirm)
		}
		return nil
	}
	if !mode.NeedsAdminPassword() {
		// A password typed for another mode must not linger unused.
		w.ClearSecrets()
	}
	return w.goTo(stepCriteria)
}

func (w *wizard) criteriaKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.c.Keys
	switch {
	case key.Matches(msg, k.NextField), key.Matches(msg, w.c.Keys.ArrowDown):
		return w.focusCriteria((w.critFocus + 1) % numCritFields)
	case key.Matches(msg, k.PrevField), key.Matches(msg, w.c.Keys.ArrowUp):
		return w.focusCriteria((w.critFocus + numCritFields - 1) % numCritFields)
	case key.Matches(msg, k.Next):
		w.busy = "Counting the eligible tokens..."
		return w.schedulePreview(true, 0)
	}
	switch w.critFocus {
	case critAll, critNever:
		if key.Matches(msg, k.Toggle) || msg.String() == "x" {
			if w.critFocus == critAll {
				w.all = !w.all
			} else {
				w.never = !w.never
			}
			return w.schedulePreview(false, 0)
		}
		return nil
	case critAlg:
		switch msg.String() {
		case "space", "right", "l":
			w.alg = (w.alg + 1) % len(algChoices)
		case "left", "h":
			w.alg = (w.alg + len(algChoices) - 1) % len(algChoices)
		default:
			return nil
		}
		return w.schedulePreview(false, 0)
	}
	return w.updateFocused(msg)
}

func (w *wizard) focusCriteria(f int) tea.Cmd {
	w.critFocus = f
	w.from.Blur()
	w.to.Blur()
	w.user.Blur()
	switch f {
	case critFrom:
		return w.from.Focus()
	case critTo:
		return w.to.Focus()
	case critUser:
		return w.user.Focus()
	}
	return nil
}

// schedulePreview asks for a fresh dry run after delay (0: now). Every
// request gets a new sequence number, so only the latest answer counts.
func (w *wizard) schedulePreview(advance bool, delay time.Duration) tea.Cmd {
	w.previewSeq++
	seq := w.previewSeq
	c := w.criteria()
	if !advance && !c.All && !c.HasRange() {
		// Nothing chosen yet: no count to show, and no error to shout.
		w.preview, w.critErrs, w.previewBusy = nil, nil, false
		return nil
	}
	w.previewBusy = true
	if delay <= 0 {
		return w.runPreview(seq, advance)
	}
	return tea.Tick(delay, func(time.Time) tea.Msg { return previewTickMsg{seq} })
}

func (w *wizard) runPreview(seq int, advance bool) tea.Cmd {
	be, spec, pw := w.c.be, w.spec(), w.password()
	return func() tea.Msg {
		p, err := be.Preview(spec, pw)
		return previewMsg{seq: seq, advance: advance, p: p, err: err}
	}
}

// tooLong names the tokens whose password would break the limit.
func (w *wizard) tooLong() []model.TokenRef {
	if w.preview == nil {
		return nil
	}
	return w.preview.Summary.TooLong
}

// listingTooLong: the summary's scrollable list shows the tokens whose
// password would be too long (the default while there are any).
func (w *wizard) listingTooLong() bool {
	return len(w.tooLong()) > 0 && !w.showSelection
}

// summaryListLen is the number of rows of the summary's scrollable list.
func (w *wizard) summaryListLen() int {
	switch {
	case w.preview == nil:
		return 0
	case w.listingTooLong():
		return len(w.preview.Summary.TooLong)
	}
	return len(w.preview.Rows)
}

func (w *wizard) summaryKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.c.Keys
	rows := w.summaryListLen()
	switch {
	case len(w.tooLong()) > 0 && key.Matches(msg, k.NextField):
		// Switch between the too-long tokens and the selection.
		w.showSelection = !w.showSelection
		w.listOffset = 0
		return nil
	case key.Matches(msg, k.Next):
		if w.preview == nil {
			return nil
		}
		if w.preview.Blocker != nil {
			return nil
		}
		if err := model.CheckConfirmation(w.spec(), w.preview.Summary, w.confirm.Value()); err != nil {
			w.confirmErr = err
			return nil
		}
		return w.goTo(stepSubmit)
	case key.Matches(msg, w.c.Keys.ArrowUp):
		w.scrollSummary(-1, rows)
		return nil
	case key.Matches(msg, w.c.Keys.ArrowDown):
		w.scrollSummary(1, rows)
		return nil
	case key.Matches(msg, k.PageUp):
		w.scrollSummary(-10, rows)
		return nil
	case key.Matches(msg, k.PageDown):
		w.scrollSummary(10, rows)
		return nil
	}
	return w.updateFocused(msg)
}

// scrollSummary moves the summary by d lines: as one page whose fields
// come first and whose list comes last. Down scrolls the fields while some
// are out of view (only on a short terminal), then the list; up scrolls
// the list back to its top, then the fields.
func (w *wizard) scrollSummary(d, rows int) {
	if d > 0 {
		if w.headOff < w.headMax {
			w.headOff = min(w.headMax, w.headOff+d)
			return
		}
		w.listOffset = min(max(0, rows-1), w.listOffset+d)
		return
	}
	if w.listOffset > 0 {
		w.listOffset = max(0, w.listOffset+d)
		return
	}
	w.headOff = max(0, w.headOff+d)
}

// summaryChanged reports whether two plans' summaries differ in what the
// admin confirms: the count, the range, the redistributed tokens.
func summaryChanged(a, b model.Summary) bool {
	return a.Count != b.Count || a.First != b.First || a.Last != b.Last || a.Redistributed != b.Redistributed
}

func (w *wizard) submit() tea.Cmd {
	w.busy = "Submitting the job..."
	w.submitErr = nil
	be, spec, pw, typed := w.c.be, w.spec(), w.password(), w.confirm.Value()
	return func() tea.Msg {
		j, err := be.Submit(spec, pw, typed)
		return submittedMsg{j, err}
	}
}

func (w *wizard) ShortHelp() []key.Binding {
	k := w.c.Keys
	if w.leaving {
		return []key.Binding{kit.WithHelp(k.Yes, "y", "leave"), kit.WithHelp(k.No, "n/esc", "stay")}
	}
	if w.busy != "" {
		return nil // keys wait, esc too
	}
	esc := w.escHelp()
	switch w.step {
	case stepProfile:
		if len(w.profiles) == 0 {
			return []key.Binding{esc} // nothing to choose (loading, error or none)
		}
		return []key.Binding{k.ArrowUp, k.ArrowDown, kit.WithHelp(k.Next, "enter", "choose"), esc}
	case stepDevice:
		return []key.Binding{k.Next, esc, k.RestoreGUI}
	case stepPassword:
		if w.pwFocus == pwFocusModes {
			// ↑/↓ (j/k too) choose the mode. "↑/k up • ↓/j down" would cut
			// the line at 80 columns.
			return []key.Binding{k.ArrowUp, k.ArrowDown, k.NextField, k.Next, esc}
		}
		// In a password field the arrows do not change the mode, and j/k
		// are letters of the password.
		return []key.Binding{k.NextField, k.Next, esc}
	case stepCriteria:
		return []key.Binding{k.NextField, k.Toggle, k.Next, esc}
	case stepSummary:
		if len(w.tooLong()) > 0 {
			other := "selection"
			if w.showSelection {
				other = "too long"
			}
			return []key.Binding{k.ArrowUp, k.ArrowDown, kit.WithHelp(k.NextField, "tab", other), k.Next, esc}
		}
		return []key.Binding{k.ArrowUp, k.ArrowDown, k.Next, esc}
	case stepSubmit:
		return []key.Binding{k.Submit, esc}
	}
	return []key.Binding{k.Next, esc}
}

// escHelp says what esc does on the current step (Back): the first step
// leaves the wizard (asking first when input would be lost); every other
// step goes back one step, keeping the values. (The step number does not
// fit the summary's footer at 80 columns, so "back" it is.)
func (w *wizard) escHelp() key.Binding {
	k := w.c.Keys
	switch w.step {
	case stepName:
		return kit.WithHelp(k.Prev, "esc", "leave")
	case stepSubmit:
		return kit.WithHelp(k.Prev, "esc", "back to summary")
	}
	return kit.WithHelp(k.Prev, "esc", "back")
}

func (w *wizard) FullHelp() [][]key.Binding {
	k := w.c.Keys
	return [][]key.Binding{
		{k.Next, k.Prev, k.NextField, k.PrevField},
		{k.ArrowUp, k.ArrowDown, k.PageUp, k.PageDown},
		{k.Toggle, k.RestoreGUI},
	}
}

// ---- view ----

// sidebarMinWidth is the width from which the steps get a sidebar; below
// it they fit on one line.
const sidebarMinWidth = 100

func (w *wizard) View() string {
	width, height := w.Width(), w.Height()
	t := w.c.Theme
	w.sidebarOn = width >= sidebarMinWidth
	if w.sidebarOn {
		side := w.sidebar()
		sw := lipgloss.Width(side) + 3
		body := w.stepView(width-sw, height)
		lines := kit.FitLines(side, sw, height)
		for i := range lines {
			lines[i] = lines[i] + strings.Repeat(" ", max(0, sw-lipgloss.Width(lines[i])-2)) + t.Muted.Render("|") + " "
		}
		bl := kit.FitLines(body, width-sw, height)
		for i := range lines {
			lines[i] += bl[i]
		}
		return strings.Join(lines, "\n")
	}
	return w.stepView(width, height)
}

// stepMark is the text marker of a step: done, current or to do.
func (w *wizard) stepMark(s step) string {
	g := w.c.Theme.G
	switch {
	case s < w.step:
		return g.StepDone
	case s == w.step:
		return g.StepNow
	}
	return g.StepTodo
}

func (w *wizard) sidebar() string {
	t := w.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("Steps") + "\n")
	for s := step(0); s < numSteps; s++ {
		line := fmt.Sprintf("%s %d %s", w.stepMark(s), s+1, stepTitles[s])
		if s == w.step {
			line = t.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// stepBar is the one-line step indicator for narrow terminals.
func (w *wizard) stepBar() string {
	t := w.c.Theme
	parts := make([]string, numSteps)
	for s := step(0); s < numSteps; s++ {
		p := fmt.Sprintf("%s%d", w.stepMark(s), s+1)
		if s == w.step {
			p = t.Selected.Render(p)
		}
		parts[s] = p
	}
	return strings.Join(parts, " ")
}

func (w *wizard) stepView(width, height int) string {
	t := w.c.Theme
	var b strings.Builder
	head := t.Heading.Render(fmt.Sprintf("(%d/%d) %s", w.step+1, numSteps, stepTitles[w.step]))
	if !w.sidebarOn {
		// No room for a sidebar: the step markers share the heading line.
		bar := w.stepBar()
		head += strings.Repeat(" ", max(2, width-lipgloss.Width(head)-lipgloss.Width(bar))) + bar
	}
	b.WriteString(head + "\n\n")
	var body string
	switch w.step {
	case stepName:
		body = w.nameView(width)
	case stepProfile:
		body = w.profileView(width, height-2)
	case stepDevice:
		body = w.deviceView(width)
	case stepNickname:
		body = w.nickView(width)
	case stepPassword:
		body = w.passwordView(width)
	case stepCriteria:
		body = w.criteriaView(width)
	case stepSummary:
		body = w.summaryView(width, height-2)
	case stepSubmit:
		body = w.submitView(width)
	}
	b.WriteString(body)
	if w.leaving {
		b.WriteString("\n\n" + t.Warn.Render("Leave the wizard? Its input will be lost.") + "  " + t.Key.Render("y") + " leave  " + t.Key.Render("n") + " stay")
	} else if w.busy != "" {
		b.WriteString("\n\n" + w.busy)
	}
	return b.String()
}

// errLine renders an inline error under a field, ERROR: first so it reads
// without colour.
func (w *wizard) errLine(err error, width int) string {
	if err == nil {
		return ""
	}
	return "\n" + kit.Hang(w.c.Theme.Error.Render("ERROR: "), err.Error(), width)
}

func (w *wizard) errLines(es []*model.FieldError, width int) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(w.errLine(e, width))
	}
	return b.String()
}

// field renders "> Label: value" with the cursor marker when focused.
func (w *wizard) field(label string, labelW int, ti *kit.TextField, focused bool, width int) string {
	t := w.c.Theme
	mark := t.G.NoCursor
	if focused {
		mark = t.G.Cursor
	}
	ti.SetWidth(max(10, width-len(mark)-labelW-2))
	return mark + t.Label.Render(fmt.Sprintf("%-*s", labelW, label+":")) + " " + ti.View()
}

func (w *wizard) nameView(width int) string {
	var b strings.Builder
	b.WriteString(kit.Wrap("A name for this job: 1-128 characters, unique among all jobs (ignoring case), with none of & % < >. The suggestion is the current date and time.", width) + "\n\n")
	b.WriteString(w.field("Job Name", 9, &w.name, true, width))
	b.WriteString(w.errLine(w.nameErr, width))
	return b.String()
}

func (w *wizard) profileView(width, height int) string {
	t := w.c.Theme
	var b strings.Builder
	switch {
	case !w.profilesLoaded:
		return "Loading the profiles..."
	case w.profilesErr != nil:
		return t.Error.Render("ERROR: ") + kit.Wrap("cannot read the profiles: "+w.profilesErr.Error(), width-7)
	case len(w.profiles) == 0:
		return kit.Wrap(fmt.Sprintf("There is no file-based software token profile (%d profiles exist, none with delivery method %q). Create one on the Software Token Profiles screen (home, item 4), or with swtoken profiles add, then start the wizard again.", w.allProfiles, model.DeliveryFile), width)
	}
	b.WriteString(kit.Wrap(fmt.Sprintf("Only file-based (SDTID) profiles are offered: %d of %d.", len(w.profiles), w.allProfiles), width) + "\n")
	if width >= 84 {
		lw := width / 2
		w.profList.SetSize(lw-1, min(max(3, height-2), len(w.profiles)+2))
		list := w.profList.View()
		det := w.profileDetails(width-lw-2, w.highlighted())
		ll := kit.FitLines(list, lw, max(lipgloss.Height(list), lipgloss.Height(det)))
		dl := strings.Split(det, "\n")
		for i := range ll {
			d := ""
			if i < len(dl) {
				d = dl[i]
			}
			ll[i] = ll[i] + strings.Repeat(" ", max(0, lw-lipgloss.Width(ll[i]))) + "  " + d
		}
		b.WriteString(strings.Join(ll, "\n"))
	} else {
		det := w.profileDetails(width, w.highlighted())
		rows := max(3, height-1-lipgloss.Height(det)-1)
		rows = min(rows, len(w.profiles)+2)
		w.profList.SetSize(width, rows)
		b.WriteString(w.profList.View() + "\n\n" + det)
	}
	return b.String()
}

func (w *wizard) profileDetails(width, i int) string {
	t := w.c.Theme
	if i < 0 || i >= len(w.profiles) {
		return t.Muted.Render("No profile highlighted.")
	}
	p := w.profiles[i]
	rows := [][2]string{
		{"Name", p.Name},
		{"Device type", fmt.Sprintf("%s (class GUID %s)", p.DeviceType, p.ClassGUID())},
		{"Delivery", string(p.DeliveryMethod)},
		{"Tokencode", fmt.Sprintf("%d digits every %d seconds", p.TokencodeLength, p.Duration)},
		{"Authentication", string(p.AuthType)},
		{"Description", p.Description},
	}
	return t.Heading.Render("Highlighted profile") + "\n" + strings.Join(kit.WrapRows(t, rows, width), "\n")
}

func (w *wizard) bindingLabel() string {
	p := w.chosen()
	if p == nil {
		return ""
	}
	v := strings.TrimSpace(w.device.Value())
	if strings.EqualFold(v, p.ClassGUID()) {
		return fmt.Sprintf("Binding: class binding (device class %s): any %s device can import the files.", p.DeviceType, p.DeviceType)
	}
	if v == "" {
		return "Binding: none yet: type a device ID, or press ctrl+r to restore the class GUID."
	}
	return fmt.Sprintf("Binding: DEVICE BINDING to device ID %s: the files import only on that one device.", v)
}

func (w *wizard) deviceView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	name := "the profile's"
	if p := w.chosen(); p != nil {
		name = string(p.DeviceType)
	}
	b.WriteString(kit.Wrap(fmt.Sprintf("Pre-filled with the %s class GUID (class binding). To bind the files to one device, clear the field and type the device ID the user reads off the app: 1-64 printable ASCII characters, no spaces.", name), width) + "\n\n")
	b.WriteString(w.field("DeviceSerialNumber", 19, &w.device, true, width) + "\n")
	b.WriteString(kit.Hang(t.G.NoCursor, w.bindingLabel(), width))
	b.WriteString(w.errLine(w.deviceErr, width))
	return b.String()
}

func (w *wizard) nickView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	b.WriteString(kit.Wrap(fmt.Sprintf("An optional nickname shown in the user's app, at most %d characters. It is the same in every file of the job.", model.MaxNicknameLen), width) + "\n\n")
	b.WriteString(w.field("Nickname", 9, &w.nick, true, width) + "\n")
	b.WriteString(t.G.NoCursor + t.Muted.Render(fmt.Sprintf("%d/%d characters", len([]rune(w.nick.Value())), model.MaxNicknameLen)))
	b.WriteString(w.errLine(w.nickErr, width))
	return b.String()
}

func (w *wizard) passwordView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	b.WriteString(kit.Wrap("How each token file is protected. The user needs this password to import the file.", width) + "\n\n")
	for i, m := range model.PasswordModes() {
		mark := t.G.NoCursor
		if i == w.mode && w.pwFocus == pwFocusModes {
			mark = t.G.Cursor
		}
		radio := t.G.RadioOff
		if i == w.mode {
			radio = t.G.RadioOn
		}
		line := fmt.Sprintf("%s%s %d %s", mark, radio, i+1, m.Label())
		if i == w.mode && w.pwFocus == pwFocusModes {
			line = t.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	mode := w.modeValue()
	b.WriteString(t.G.NoCursor + t.Muted.Render(model.PasswordSummary(mode)) + "\n\n")
	// Each field and each error on its own line(s): errLines starts every
	// error with its own newline, so a field's line ends only after them.
	if mode.NeedsAdminPassword() {
		b.WriteString(w.field("Password", 9, &w.pw, w.pwFocus == pwFocusPassword, min(width, 50)))
		b.WriteString(w.errLines(w.pwErrs.For(model.FieldPassword), width) + "\n")
		b.WriteString(w.field("Confirm", 9, &w.pw2, w.pwFocus == pwFocusConfirm, min(width, 50)))
		b.WriteString(w.errLines(w.pwErrs.For(model.FieldPasswordConfirm), width) + "\n")
	}
	if es := w.errLines(w.pwErrs.For(model.FieldPasswordMode), width); es != "" {
		b.WriteString(strings.TrimPrefix(es, "\n") + "\n")
	}
	limits := "Limits: the file password must be 1-24 characters for AES-128 (128-bit) tokens and 1-8 for SID-64 (64-bit) tokens."
	if mode.UsesUserID() {
		limits += " The user ID counts toward the limit; tokens whose password would be too long are named in the summary."
	}
	if mode == model.PasswordNone {
		limits = "No password: anyone who gets a file can import the token. Deliver the files over a protected channel."
	}
	b.WriteString(t.Muted.Render(kit.Wrap(limits, width)))
	return b.String()
}

func (w *wizard) criteriaView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	b.WriteString(kit.Wrap("A serial range (inclusive), or all eligible tokens as an explicit choice; then optional filters.", width) + "\n\n")
	const lw = 14
	b.WriteString(w.field("From serial", lw, &w.from, w.critFocus == critFrom, min(width, 50)) + "\n")
	b.WriteString(w.field("To serial", lw, &w.to, w.critFocus == critTo, min(width, 50)) + "\n")
	b.WriteString(w.checkLine("All eligible tokens (instead of a range)", w.all, w.critFocus == critAll) + "\n")
	b.WriteString(w.field("Assigned user", lw, &w.user, w.critFocus == critUser, min(width, 50)) + "\n")
	b.WriteString(w.checkLine("Never distributed only", w.never, w.critFocus == critNever) + "\n")
	alg := "Any"
	if a := algChoices[w.alg]; a != "" {
		alg = string(a)
	}
	mark := t.G.NoCursor
	if w.critFocus == critAlg {
		mark = t.G.Cursor
	}
	b.WriteString(mark + t.Label.Render(fmt.Sprintf("%-*s", lw, "Algorithm:")) + " < " + alg + " >")
	if w.critFocus == critAlg {
		b.WriteString(t.Muted.Render("  (space or left/right to change)"))
	}
	var general []*model.FieldError
	for _, e := range w.critErrs {
		general = append(general, e)
	}
	b.WriteString("\n")
	b.WriteString(w.errLines(general, width))
	b.WriteString("\n" + w.countView(width))
	return b.String()
}

func (w *wizard) checkLine(label string, on, focused bool) string {
	t := w.c.Theme
	mark := t.G.NoCursor
	if focused {
		mark = t.G.Cursor
	}
	box := t.G.Unchecked
	if on {
		box = t.G.Checked
	}
	line := mark + box + " " + label
	if focused {
		line = t.Selected.Render(line)
	}
	return line
}

// countView is the criteria step's live count.
func (w *wizard) countView(width int) string {
	t := w.c.Theme
	switch {
	case w.previewBusy && w.preview == nil:
		return "Eligible: counting..."
	case w.preview == nil && len(w.critErrs) > 0:
		// No count for criteria that are refused; "choose a range" would
		// be false when a range is set and another field is wrong.
		return t.Muted.Render(kit.Wrap("Eligible: - (counted once the errors above are fixed)", width))
	case w.preview == nil:
		return t.Muted.Render("Eligible: - (choose a serial range or all eligible tokens)")
	}
	s := w.preview.Summary
	line := fmt.Sprintf("Eligible: %d tokens", s.Count)
	if s.Count > 0 {
		line += fmt.Sprintf(" (serials %s to %s)", s.First, s.Last)
	}
	if w.previewBusy {
		line += " (updating...)"
	}
	left := ineligibleText(s)
	if left == "" {
		left = "none"
	}
	return kit.Wrap(line, width) + "\n" + kit.Wrap("Left out: "+left, width)
}

// ineligibleText is "3 unassigned, 1 expired", in the summary's order.
func ineligibleText(s model.Summary) string {
	var parts []string
	for _, r := range model.IneligibleReasons() {
		if n := s.Ineligible[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r.Label()))
		}
	}
	return strings.Join(parts, ", ")
}

func (w *wizard) summaryRows() [][2]string {
	spec := w.spec()
	prof := "-"
	if p := w.chosen(); p != nil {
		prof = fmt.Sprintf("%s (%s, %d digits / %d s, %s)", p.Name, p.DeviceType, p.TokencodeLength, p.Duration, p.AuthType)
	}
	bind := spec.Binding.Value
	switch spec.Binding.Kind {
	case model.BindingClass:
		bind += " (class binding)"
	case model.BindingDevice:
		bind += " (DEVICE BINDING: one device)"
	}
	nick := spec.Nickname
	if nick == "" {
		nick = "(none)"
	}
	pw := spec.PasswordMode.Label()
	switch spec.PasswordMode {
	case model.PasswordAdmin, model.PasswordUserIDAndAdmin:
		// A fixed text: a mask would give the password's length away.
		pw += "; admin password: (set)"
	case model.PasswordUserID:
		pw += ": each file's password is its user's ID"
	case model.PasswordNone:
		pw += ": anyone with a file can import it"
	}
	rows := [][2]string{
		{"Job Name", spec.Name},
		{"Profile", prof},
		{"DeviceSerialNumber", bind},
		{"Nickname", nick},
		{"Password", pw},
		{"Criteria", spec.Criteria.Describe()},
	}
	if w.preview != nil {
		s := w.preview.Summary
		tok := fmt.Sprintf("%d", s.Count)
		if s.Count > 0 {
			tok += fmt.Sprintf(" (first %s, last %s)", s.First, s.Last)
		}
		left := ineligibleText(s)
		if left == "" {
			left = "none"
		}
		rows = append(rows, [2]string{"Tokens", tok}, [2]string{"Left out", left})
	}
	return rows
}

// summaryMinList is the fewest lines the summary's list gets: its
// header and two rows, or more when the first row shown wraps (the list
// always shows its first row whole).
func (w *wizard) summaryMinList(width int) int {
	n := w.summaryListLen()
	if n == 0 {
		return 3
	}
	off := min(w.listOffset, n-1)
	var lines int
	if w.listingTooLong() {
		lines = len(strings.Split(ansi.Hardwrap(kit.OrDash(w.preview.Summary.TooLong[off].User), tooLongUserW(width), false), "\n"))
	} else {
		lines = len(strings.Split(ansi.Hardwrap(w.preview.Rows[off].User, tokenListUserW, false), "\n"))
	}
	return 1 + max(2, lines)
}

func (w *wizard) summaryView(width, height int) string {
	t := w.c.Theme
	var b strings.Builder
	if w.preview == nil {
		return "No preview yet."
	}
	// Every field is shown whole: long values wrap (wrapRows).
	head := kit.WrapRows(t, w.summaryRows(), width)
	tooLong := len(w.tooLong()) > 0
	mid := ""
	if w.preview.Blocker != nil && tooLong {
		// Above the list that names the tokens.
		mid = kit.Hang(t.Error.Render("ERROR: "), "cannot submit: "+blockerText(w.preview), width)
	}
	spec := w.spec()
	var tail strings.Builder
	for _, warn := range w.preview.Summary.Warnings(spec) {
		tail.WriteString(kit.Hang(t.Warn.Render("WARNING: "), warn, width) + "\n")
	}
	if w.preview.Blocker != nil && !tooLong {
		tail.WriteString(kit.Hang(t.Error.Render("ERROR: "), "cannot submit: "+blockerText(w.preview), width) + "\n")
	}
	if need, want := model.ConfirmationRequired(spec, w.preview.Summary); need && w.preview.Blocker == nil {
		tail.WriteString(w.field("Type "+want+" to confirm", 0, &w.confirm, true, min(width, 50)))
		tail.WriteString(w.errLine(w.confirmErr, width) + "\n")
	}
	tl := strings.TrimRight(tail.String(), "\n")
	// The blocker, the warnings and the confirmation stay on screen; when
	// the fields and the smallest list do not fit with them, the fields
	// scroll in a window (scrollSummary) with a line that says so.
	fixed := 0
	if mid != "" {
		fixed += lipgloss.Height(mid)
	}
	if tl != "" {
		fixed += lipgloss.Height(tl)
	}
	w.headMax = 0
	minList := w.summaryMinList(width)
	if room := height - fixed - minList; len(head) > room {
		win := max(1, room-1)
		w.headMax = max(0, len(head)-win)
		w.headOff = min(w.headOff, w.headMax)
		n, end := len(head), w.headOff+win
		shown := append([]string(nil), head[w.headOff:end]...)
		head = append(shown, t.Muted.Render(fmt.Sprintf("Summary lines %d-%d of %d: up/down scroll", w.headOff+1, end, n)))
	} else {
		w.headOff = 0
	}
	b.WriteString(strings.Join(head, "\n") + "\n")
	if mid != "" {
		b.WriteString(mid + "\n")
	}
	listRows := max(minList, height-len(head)-fixed)
	if w.listingTooLong() {
		b.WriteString(w.tooLongList(width, listRows))
	} else {
		b.WriteString(w.tokenList(width, listRows))
	}
	b.WriteString(tl)
	return b.String()
}

// blockerText says why the job cannot be submitted. Tokens whose password
// is too long are named (with their users), since the admin must narrow
// the criteria to leave exactly them out: a few in the line itself, and
// every one of them in the summary's scrollable list (tooLongList).
func blockerText(p *Preview) string {
	tl := p.Summary.TooLong
	if len(tl) == 0 {
		return p.Blocker.Error() + " (esc goes back)"
	}
	const inline = 3
	named := ", named below"
	if len(tl) <= inline {
		names := make([]string, len(tl))
		for i, r := range tl {
			names[i] = fmt.Sprintf("%s (%s)", r.Serial, r.User)
		}
		named = ": " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("%d token(s) would get a password over their limit%s. Go back (esc) and narrow the criteria or change the password mode.",
		len(tl), named)
}

// tooLongList is the summary's scrollable list of every token whose
// password would be too long: serial and user. It scrolls like tokenList
// (the same offset and keys). A user ID wider than the room left wraps
// onto more lines, so nothing is cut off.
func (w *wizard) tooLongList(width, rows int) string {
	t := w.c.Theme
	list := w.preview.Summary.TooLong
	n := len(list)
	off := min(w.listOffset, max(0, n-1))
	const serialW = 14
	userW := tooLongUserW(width)
	var lines []string
	end := off
	for end < n {
		user := kit.OrDash(list[end].User)
		ul := strings.Split(ansi.Hardwrap(user, userW, false), "\n")
		if end > off && len(lines)+len(ul) > rows-1 {
			break
		}
		for i, l := range ul {
			serial := ""
			if i == 0 {
				serial = list[end].Serial
			}
			lines = append(lines, fmt.Sprintf("%-*s %s", serialW, serial, l))
		}
		end++
	}
	var b strings.Builder
	head := fmt.Sprintf("%-*s %s", serialW, "Serial", "User (password too long)")
	pos := fmt.Sprintf("rows %d-%d of %d", off+1, end, n)
	b.WriteString(t.Heading.Render(head) + "  " + t.Muted.Render(pos) + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// tooLongUserW is the width of tooLongList's user column.
func tooLongUserW(width int) int { return max(10, width-14-1) }

// tokenListUserW is the width of tokenList's user column.
const tokenListUserW = 24

// tokenList is the scrollable dry-run list: serial, user, times
// distributed. A user ID longer than its column wraps onto more lines
// under the column (like tooLongList), so nothing is cut off.
func (w *wizard) tokenList(width, rows int) string {
	t := w.c.Theme
	list := w.preview.Rows
	n := len(list)
	off := min(w.listOffset, max(0, n-1))
	const serialW, userW = 14, tokenListUserW
	var lines []string
	end := off
	for end < n {
		r := list[end]
		ul := strings.Split(ansi.Hardwrap(r.User, userW, false), "\n")
		if end > off && len(lines)+len(ul) > rows-1 {
			break
		}
		for i, l := range ul {
			if i == 0 {
				lines = append(lines, fmt.Sprintf("%-*s %-*s %d", serialW, r.Serial, userW, l, r.TimesDistributed))
			} else {
				lines = append(lines, fmt.Sprintf("%-*s %s", serialW, "", l))
			}
		}
		end++
	}
	var b strings.Builder
	head := fmt.Sprintf("%-*s %-*s %s", serialW, "Serial", userW, "User", "Times distributed")
	pos := "no tokens"
	if n > 0 {
		pos = fmt.Sprintf("rows %d-%d of %d", off+1, end, n)
	}
	b.WriteString(t.Heading.Render(head) + "  " + t.Muted.Render(pos) + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func (w *wizard) submitView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	spec := w.spec()
	count := 0
	if w.preview != nil {
		count = w.preview.Summary.Count
	}
	// The names can be long words (128 characters): broken, never cut.
	b.WriteString(kit.WrapLong(fmt.Sprintf("Submit job %q for %d tokens with profile %s?", spec.Name, count, spec.Profile), width) + "\n\n")
	b.WriteString(kit.Wrap("The selection is frozen now. The engine then writes one token file per token into a ZIP in the background; follow it on the Jobs screen, which opens next. Each token gets a new seed when the job completes.", width) + "\n\n")
	b.WriteString(t.Key.Render("enter") + " submit the job    " + t.Key.Render("esc") + " back to the summary")
	if w.submitErr != nil {
		b.WriteString("\n" + w.errLine(w.submitErr, width))
		var fe *model.FieldError
		if errors.As(w.submitErr, &fe) {
			b.WriteString("\n" + t.Muted.Render(kit.Wrap("Go back with esc to the step named in the error, correct it, and come forward again.", width)))
		}
	}
	return b.String()
}

package wizard

import (
	"errors"
	"fmt"
	"slices"
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
	// pwFocusForm is the CTF form choice (v2 or v3), last: only for CTF
	// profiles on a phone device type (hasForm).
	pwFocusForm
)

// ctfForms are the CTF form choice's values, in order (v2 the default).
var ctfForms = []model.CTFForm{model.CTFv2, model.CTFv3}

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
	// deviceCheckedMsg is the plan's word on the DeviceSerialNumber field
	// (the plan resolves the binding, not the wizard).
	deviceCheckedMsg struct {
		device string
		err    error
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

	leaving bool // asked "leave the wizard?"
	walked  bool // the admin went past the first step at least once

	// pressed is the key press being dispatched, for a binding of several
	// keys that differ in what they do (the password modes' digits).
	pressed tea.KeyPressMsg

	// 1. Job Name
	opened    time.Time // when the wizard opened: the suggestion's time
	suggested string
	name      kit.TextField
	nameErr   error

	// 2. Profile
	profilesLoaded bool
	profilesErr    error
	allProfiles    int
	profiles       []model.Profile // those that can deliver (file-based and CTF)
	cannotDeliver  []model.Profile // CT-KIP profiles: not offered
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
	form    int // index into ctfForms: a phone CTF profile's form

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
	// several lines); scrollSummary keeps it within summaryHeadMax.
	headOff int
	// showSelection: the summary's list shows the selected tokens rather
	// than those whose password would be too long (tab switches).
	showSelection bool
	// skipTooLong leaves out the tokens whose password would be too long
	// (model.JobSpec.SkipTooLong), which otherwise block the job.
	skipTooLong bool
	// changedErr says why the summary is shown again: a submit found the
	// tokens changed since the summary the admin saw.
	changedErr error

	// 8. Submit
	submitErr error
}

func newWizard(c *common) *wizard {
	w := &wizard{c: c, profIdx: -1, opened: c.Now()}
	w.suggested = model.SuggestedJobNameFor(model.JobKindFiles, w.opened)
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
	full := "Distribute Software Tokens in Bulk" + w.c.Theme.G.Crumb + w.kind().Label()
	// The job type must show whole on every step: at 80 columns the CTF
	// label does not fit beside the menu's full name ("swtoken  " first).
	if w.Width() > 0 && len("swtoken  ")+lipgloss.Width(full) > w.Width() {
		return "Distribute in Bulk" + w.c.Theme.G.Crumb + w.kind().Label()
	}
	return full
}

// kind is the job type, which follows the chosen profile (files before
// one is chosen).
func (w *wizard) kind() model.JobKind {
	if p := w.chosen(); p != nil {
		if k, err := model.JobKindFor(p.Name, p.DeliveryMethod); err == nil {
			return k
		}
	}
	return model.JobKindFiles
}

// isCTF: the chosen profile makes a CTF job.
func (w *wizard) isCTF() bool { return w.kind() == model.JobKindCTF }

// hasForm: the job offers the CTF form choice (a CTF profile for a phone).
func (w *wizard) hasForm() bool {
	p := w.chosen()
	return p != nil && w.isCTF() && p.DeviceType.IsPhone()
}

// ctfForm is the CTF form the job writes: the choice for a phone, else v2.
func (w *wizard) ctfForm() model.CTFForm {
	if w.hasForm() {
		return ctfForms[w.form]
	}
	return model.CTFv2
}

// item is what the job writes per token, for the steps' wording.
func (w *wizard) item() string {
	if w.isCTF() {
		return "CTF string"
	}
	return "file"
}

// HasInput: anything beyond the untouched first step counts, so quitting
// asks first; so do the later steps' values after esc back to the first.
func (w *wizard) HasInput() bool {
	return w.step > stepName || w.walked || w.name.Value() != w.suggested
}

// ClearSecrets drops the admin password, its confirmation and the typed
// confirmation from the model. Go cannot wipe the runes the fields kept,
// but nothing refers to them after this.
func (w *wizard) ClearSecrets() {
	w.pw.Reset()
	w.pw2.Reset()
	w.confirm.Reset()
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
	// The plan resolves Device into the binding (Preview.Binding).
	s := model.JobSpec{
		Name: w.name.Value(), Device: w.device.Value(), Nickname: w.nick.Value(),
		PasswordMode: w.modeValue(), Criteria: w.criteria(), SkipTooLong: w.skipTooLong,
	}
	if p := w.chosen(); p != nil {
		s.Profile = p.Name
		s.Kind = w.kind()
		if s.Kind == model.JobKindCTF {
			s.CTFForm = w.ctfForm()
			s.CTFShape = model.CTFShapeFor(p.DeviceType)
		}
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
		return w.pwFocus == pwFocusPassword || w.pwFocus == pwFocusConfirm
	case stepCriteria:
		return w.critFocus == critFrom || w.critFocus == critTo || w.critFocus == critUser
	case stepSummary:
		return w.confirmNeeded()
	}
	return false
}

// confirmNeeded: the summary shows the field for the typed confirmation
// (a job that can be submitted and asks for it).
func (w *wizard) confirmNeeded() bool {
	if w.preview == nil || w.canSubmit() != nil {
		return false
	}
	need, _ := model.ConfirmationRequired(w.spec(), w.preview.Summary)
	return need
}

// canSubmit is model.CanSubmit for the latest preview.
func (w *wizard) canSubmit() error {
	if w.preview == nil {
		return errors.New("no summary yet")
	}
	return model.CanSubmit(w.spec(), w.preview.Summary)
}

// shownSpec is the spec with the binding the plan resolved, as the
// summary shows it.
func (w *wizard) shownSpec() model.JobSpec {
	s := w.spec()
	if w.preview != nil {
		s.Binding = w.preview.Binding
		if ps := w.preview.Spec; ps.Kind != "" {
			// The job type, CTF form and shape as the plan set them.
			s.Kind, s.CTFForm, s.CTFShape = ps.Kind, ps.CTFForm, ps.CTFShape
		}
	}
	return s
}

// HandlesBack is true: Back handles esc.
func (w *wizard) HandlesBack() bool { return true }

// escKey is the key press Back dispatches through the binding table.
var escKey = tea.KeyPressMsg{Code: tea.KeyEscape}

// Back handles esc (the root's key) through the binding table: one step
// back, keeping that step's focus; on the untouched first step the root
// closes the wizard.
func (w *wizard) Back() (nav.Screen, tea.Cmd, bool) {
	if w.busy != "" {
		return w, nil, true
	}
	if !w.leaving && w.step == stepName && !w.HasInput() {
		w.ClearSecrets()
		return w, nil, false
	}
	cmd, _ := w.Bindings().Handle(escKey, false)
	return w, cmd, true
}

// back is esc: one step back with that step's focus as the admin left it;
// on the first step it leaves, asking first when input would be lost.
func (w *wizard) back() tea.Cmd {
	if w.step > stepName {
		return w.goTo(w.step-1, true)
	}
	if w.HasInput() {
		w.leaving = true
		return nil
	}
	return w.leave()
}

// leave closes the wizard, dropping its secrets.
func (w *wizard) leave() tea.Cmd {
	w.leaving = false
	w.ClearSecrets()
	return nav.Pop
}

// goTo shows step s. Going forward (keep false) the step starts at its
// first field; going back (keep true) it keeps the focus and the scroll
// the admin left it with.
func (w *wizard) goTo(s step, keep bool) tea.Cmd {
	w.step = s
	w.walked = w.walked || s > stepName
	w.blurAll()
	if s != stepSummary {
		w.changedErr = nil
	}
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
		if !keep || (w.pwFocus == pwFocusForm && !w.hasForm()) {
			w.pwFocus = pwFocusModes
		}
		return w.focusPassword(w.pwFocus)
	case stepCriteria:
		if !keep {
			w.critFocus = critFrom
		}
		cmd := w.focusCriteria(w.critFocus)
		return tea.Batch(cmd, w.schedulePreview(false, 0))
	case stepSummary:
		if !keep {
			w.listOffset, w.headOff = 0, 0
			w.showSelection = false
		}
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
	s, cmd := w.update(msg)
	w.layout() // the profile list's size follows the highlighted profile
	return s, cmd
}

func (w *wizard) update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesMsg:
		w.profilesLoaded, w.profilesErr = true, msg.err
		w.allProfiles = len(msg.all)
		w.profiles, w.cannotDeliver = nil, nil
		for _, p := range msg.all {
			if p.DeliveryMethod.CanDeliver() {
				w.profiles = append(w.profiles, p)
			} else {
				w.cannotDeliver = append(w.cannotDeliver, p)
			}
		}
		names := make([]filterlist.Item, len(w.profiles))
		for i, p := range w.profiles {
			names[i] = nameItem(p.Name)
		}
		focused := w.profList.FilterFocused()
		w.profList = newProfileNameList(w.c)
		cmd := w.profList.SetItems(names)
		w.layout()
		if focused {
			return w, tea.Batch(cmd, w.profList.Focus())
		}
		return w, cmd

	case nameCheckedMsg:
		return w, w.fieldChecked(msg.name, w.name.Value(), msg.err, &w.nameErr, stepProfile)

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
		if msg.advance {
			changed := w.changedErr
			cmd := w.goTo(stepSummary, false)
			w.changedErr = changed
			return w, cmd
		}
		return w, nil

	case deviceCheckedMsg:
		return w, w.fieldChecked(msg.device, w.device.Value(), msg.err, &w.deviceErr, stepNickname)

	case submittedMsg:
		w.busy = ""
		if msg.err != nil {
			if changed := selectionChanged(msg.err); changed != nil {
				// Another admin or process changed the tokens since the
				// summary was made (a job over them, an import): show the
				// summary again, planned afresh, saying why.
				w.changedErr = changed
				w.busy = "Planning again..."
				w.previewSeq++
				return w, w.runPreview(w.previewSeq, true)
			}
			w.submitErr = msg.err
			return w, nil
		}
		w.ClearSecrets()
		j := msg.job
		return w, tea.Batch(
			nav.OpenInstead(nav.PageJobs, j.Seq),
			nav.Status(nav.StatusOK, fmt.Sprintf("Job #%d %q submitted: %s.", j.Seq, j.Name, model.Plural(j.Total, "token"))),
		)

	case filterlist.SelectedMsg:
		if w.step != stepProfile || msg.ListID != w.profList.ID() {
			return w, nil
		}
		return w, w.chooseProfile(msg.Index)

	case tea.PasteMsg:
		if w.leaving || w.busy != "" {
			return w, nil
		}
		return w, w.updateFocused(msg)

	case tea.KeyPressMsg:
		if w.busy != "" {
			return w, nil // keys wait, esc too
		}
		// Commands first, through the table; the rest is text for the
		// focused field.
		w.pressed = msg
		if cmd, ok := w.Bindings().Handle(msg, w.CapturesInput()); ok || w.leaving {
			return w, cmd // the leave question takes only its keys
		}
		return w, w.updateFocused(msg)
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

// updateFocused hands a key or paste to the focused text field.
func (w *wizard) updateFocused(msg tea.Msg) tea.Cmd {
	var ti *kit.TextField
	switch w.step {
	case stepName:
		ti = &w.name
	case stepProfile:
		if len(w.profiles) == 0 {
			return nil // no list to filter
		}
		return w.listKey(msg)
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

// fieldChecked takes the answer of a field's background check: one that
// comes when the wait is over or for a value no longer typed is dropped,
// a refusal is the field's error (*fieldErr), and a pass goes on to next.
func (w *wizard) fieldChecked(checked, typed string, err error, fieldErr *error, next step) tea.Cmd {
	if w.busy == "" || checked != typed {
		return nil
	}
	w.busy = ""
	if err != nil {
		*fieldErr = err
		return nil
	}
	return w.goTo(next, false)
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
	// The suggested name follows the job type, unless the admin wrote one.
	if w.name.Value() == w.suggested {
		w.suggested = model.SuggestedJobNameFor(w.kind(), w.opened)
		w.name.SetValue(w.suggested)
		w.name.CursorEnd()
	}
	w.profErr = nil
	w.deviceErr = nil
	return w.goTo(stepDevice, false)
}

func (w *wizard) nextFromDevice() tea.Cmd {
	if w.chosen() == nil {
		return w.goTo(stepProfile, false)
	}
	// The plan decides the binding and refuses a wrong field; the rest of
	// the spec is not asked about yet (no criteria: nothing is scanned).
	w.busy = "Checking the DeviceSerialNumber..."
	w.deviceErr = nil
	be, spec, dev := w.c.be, w.spec(), w.device.Value()
	spec.Criteria = model.Criteria{}
	return func() tea.Msg {
		_, err := be.Preview(spec, "")
		return deviceCheckedMsg{dev, deviceError(err)}
	}
}

// deviceError is what a plan said about the DeviceSerialNumber field: its
// field errors, or an error that is not about a field (the store), or nil.
func deviceError(err error) error {
	if err == nil {
		return nil
	}
	fes := model.AsFieldErrors(err)
	var other bool
	for _, e := range fes {
		if e.Field == "" {
			other = true
		}
	}
	if other {
		return err
	}
	if d := fes.For(model.FieldDeviceSerial); len(d) > 0 {
		return model.FieldErrors(d)
	}
	return nil
}

// passwordFocuses are the places the password step's focus moves
// through, in order: the mode list, the two fields when the mode uses
// them, and the CTF form choice for a phone CTF profile.
func (w *wizard) passwordFocuses() []int {
	fs := []int{pwFocusModes}
	if w.modeValue().NeedsAdminPassword() {
		fs = append(fs, pwFocusPassword, pwFocusConfirm)
	}
	if w.hasForm() {
		fs = append(fs, pwFocusForm)
	}
	return fs
}

// passwordFields is how many places the password step's focus moves
// through.
func (w *wizard) passwordFields() int { return len(w.passwordFocuses()) }

// movePasswordFocus moves the focus d places round passwordFocuses.
func (w *wizard) movePasswordFocus(d int) tea.Cmd {
	fs := w.passwordFocuses()
	i := max(0, slices.Index(fs, w.pwFocus))
	return w.focusPassword(fs[(i+d+len(fs))%len(fs)])
}

// passwordEnter goes down the fields, then on.
func (w *wizard) passwordEnter() tea.Cmd {
	if fs := w.passwordFocuses(); w.pwFocus != fs[len(fs)-1] {
		return w.movePasswordFocus(1)
	}
	return w.nextFromPassword()
}

// setForm chooses CTF form i (wrapping round).
func (w *wizard) setForm(i int) tea.Cmd {
	n := len(ctfForms)
	w.form = (i + n) % n
	return nil
}

// setMode chooses password mode i.
func (w *wizard) setMode(i int) tea.Cmd {
	n := len(model.PasswordModes())
	w.mode = (i + n) % n
	w.pwErrs = nil
	return nil
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
	return w.goTo(stepCriteria, false)
}

// toggleCriteria flips the focused checkbox.
func (w *wizard) toggleCriteria() tea.Cmd {
	if w.critFocus == critAll {
		w.all = !w.all
	} else {
		w.never = !w.never
	}
	return w.schedulePreview(false, 0)
}

// stepAlg moves the algorithm filter by d.
func (w *wizard) stepAlg(d int) tea.Cmd {
	n := len(algChoices)
	w.alg = (w.alg + d + n) % n
	return w.schedulePreview(false, 0)
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

// summaryNext checks the typed confirmation and goes to Submit.
func (w *wizard) summaryNext() tea.Cmd {
	if err := model.CheckConfirmation(w.spec(), w.preview.Summary, w.confirm.Value()); err != nil {
		w.confirmErr = err
		return nil
	}
	return w.goTo(stepSubmit, false)
}

// toggleSkipTooLong leaves out (or takes back in) the tokens whose
// password would be too long, and plans again: the summary then says
// they are left out, and the job can be submitted without them.
func (w *wizard) toggleSkipTooLong() tea.Cmd {
	w.skipTooLong = !w.skipTooLong
	w.listOffset, w.headOff = 0, 0
	w.previewSeq++
	return w.runPreview(w.previewSeq, false)
}

// scrollSummary moves the summary by d lines: as one page whose fields
// come first and whose list comes last. Down scrolls the fields while some
// are out of view (only on a short terminal), then the list; up scrolls
// the list back to its top, then the fields.
func (w *wizard) scrollSummary(d, rows int) {
	if d > 0 {
		headMax := w.summaryHeadMax()
		w.headOff = min(w.headOff, headMax)
		if w.headOff < headMax {
			w.headOff = min(headMax, w.headOff+d)
			return
		}
		w.listOffset = min(max(0, rows-1), w.listOffset+d)
		return
	}
	if w.listOffset > 0 {
		w.listOffset = max(0, w.listOffset+d)
		return
	}
	w.headOff = max(0, min(w.headOff, w.summaryHeadMax())+d)
}

// selectionChanged is the message for a submit refused because the tokens
// changed since the summary the admin saw: the plan selects others
// (model.SelectionChangedError), or now asks for a typed confirmation the
// summary did not ask for. nil for any other refusal.
func selectionChanged(err error) error {
	var sc *model.SelectionChangedError
	if errors.As(err, &sc) {
		return fmt.Errorf("%w; nothing was submitted", err)
	}
	var fe *model.FieldError
	if errors.As(err, &fe) && fe.Field == model.FieldConfirmation {
		return errors.New("the tokens changed since this summary was made (another job, an import or another admin): review the summary again; nothing was submitted")
	}
	return nil
}

func (w *wizard) submit() tea.Cmd {
	w.busy = "Submitting the job..."
	w.submitErr = nil
	be, spec, pw, typed := w.c.be, w.spec(), w.password(), w.confirm.Value()
	shown := w.preview.Summary.Selection()
	return func() tea.Msg {
		j, err := be.Submit(spec, pw, typed, shown)
		return submittedMsg{j, err}
	}
}

// nb is a binding of keys with its help.
func nb(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Bindings is the wizard's table in its current step and state: Update
// dispatches keys through it and the help is made from it.
func (w *wizard) Bindings() nav.Table {
	k := w.c.Keys
	if w.busy != "" {
		return nil // keys wait, esc too
	}
	if w.leaving {
		return nav.Table{
			{Key: kit.WithHelp(k.Yes, "y", "leave"), Run: w.leave},
			{Key: nb("n/esc", "stay", "n", "N", "esc"), Run: func() tea.Cmd { w.leaving = false; return nil }},
		}
	}
	esc := nav.Binding{Key: w.escHelp(), Run: w.back}
	next := func(run func() tea.Cmd) nav.Binding { return nav.Binding{Key: k.Next, Run: run} }
	// up and down in a list under a text field: the arrows (and ctrl+p,
	// ctrl+n), never j and k, which type.
	up, down := k.ArrowUp.Help().Key, k.ArrowDown.Help().Key
	switch w.step {
	case stepName:
		return nav.Table{next(w.nextFromName), esc}
	case stepProfile:
		if len(w.profiles) == 0 {
			return nav.Table{esc} // nothing to choose (loading, error or none)
		}
		var noMatch string
		if w.highlighted() < 0 {
			noMatch = "no profile matches the filter"
		}
		return nav.Table{
			{Key: k.ArrowUp, Run: w.listPress(tea.KeyUp)},
			{Key: k.ArrowDown, Run: w.listPress(tea.KeyDown)},
			{Key: k.PageUp, Run: w.listPress(tea.KeyPgUp), FullOnly: true},
			{Key: k.PageDown, Run: w.listPress(tea.KeyPgDown), FullOnly: true},
			{Key: kit.WithHelp(k.Next, "enter", "choose"), Run: func() tea.Cmd { return w.chooseProfile(w.highlighted()) }, Disabled: noMatch},
			esc,
		}
	case stepDevice:
		return nav.Table{next(w.nextFromDevice), esc, {Key: k.RestoreGUI, Run: w.restoreGUID}}
	case stepNickname:
		return nav.Table{next(w.nextFromNick), esc}
	case stepPassword:
		var noFields string
		if w.passwordFields() == 1 {
			noFields = "this password mode has no password field"
		}
		t := nav.Table{}
		if w.pwFocus == pwFocusForm {
			t = append(t,
				nav.Binding{Key: nb(up, "up", "up", "k", "ctrl+p"), Run: func() tea.Cmd { return w.setForm(w.form - 1) }},
				nav.Binding{Key: nb(down, "down", "down", "j", "ctrl+n"), Run: func() tea.Cmd { return w.setForm(w.form + 1) }},
				nav.Binding{Key: nb("1-2", "choose form", "1", "2"), FullOnly: true, Run: func() tea.Cmd {
					return w.setForm(int(w.pressed.Code - '1'))
				}},
			)
		}
		if w.pwFocus == pwFocusModes {
			modes := len(model.PasswordModes())
			digits := make([]string, modes)
			for i := range digits {
				digits[i] = fmt.Sprint(i + 1)
			}
			t = append(t,
				nav.Binding{Key: nb(up, "up", "up", "k", "ctrl+p"), Run: func() tea.Cmd { return w.setMode(w.mode - 1) }},
				nav.Binding{Key: nb(down, "down", "down", "j", "ctrl+n"), Run: func() tea.Cmd { return w.setMode(w.mode + 1) }},
				nav.Binding{Key: nb(fmt.Sprintf("1-%d", modes), "choose mode", digits...), FullOnly: true, Run: func() tea.Cmd {
					return w.setMode(int(w.pressed.Code - '1'))
				}},
			)
		}
		return append(t,
			nav.Binding{Key: k.NextField, Run: func() tea.Cmd { return w.movePasswordFocus(1) }, Disabled: noFields},
			nav.Binding{Key: k.PrevField, Run: func() tea.Cmd { return w.movePasswordFocus(-1) }, Disabled: noFields, FullOnly: true},
			next(w.passwordEnter), esc)
	case stepCriteria:
		t := nav.Table{
			{Key: nb("tab", "next field", "tab", "down", "ctrl+n"), Run: func() tea.Cmd { return w.focusCriteria((w.critFocus + 1) % numCritFields) }},
			{Key: nb("shift+tab", "previous field", "shift+tab", "up", "ctrl+p"), Run: func() tea.Cmd { return w.focusCriteria((w.critFocus + numCritFields - 1) % numCritFields) }, FullOnly: true},
		}
		switch w.critFocus {
		case critAll, critNever:
			t = append(t, nav.Binding{Key: nb("space", "toggle", "space", "x"), Run: w.toggleCriteria})
		case critAlg:
			t = append(t,
				nav.Binding{Key: nb("space/→", "next algorithm", "space", "right", "l"), Run: func() tea.Cmd { return w.stepAlg(1) }},
				nav.Binding{Key: nb("←", "previous algorithm", "left", "h"), Run: func() tea.Cmd { return w.stepAlg(-1) }, FullOnly: true})
		}
		return append(t, next(w.countAndNext), esc)
	case stepSummary:
		if w.preview == nil {
			return nav.Table{esc}
		}
		rows := w.summaryListLen()
		// One entry for both arrows: the footer must fit 80 columns.
		t := nav.Table{
			{Key: nb(up+"/"+down, "scroll", append(k.ArrowUp.Keys(), k.ArrowDown.Keys()...)...), Run: func() tea.Cmd {
				d := 1
				if key.Matches(w.pressed, k.ArrowUp) {
					d = -1
				}
				w.scrollSummary(d, rows)
				return nil
			}},
			{Key: k.PageUp, Run: func() tea.Cmd { w.scrollSummary(-10, rows); return nil }, FullOnly: true},
			{Key: k.PageDown, Run: func() tea.Cmd { w.scrollSummary(10, rows); return nil }, FullOnly: true},
		}
		if len(w.tooLong()) > 0 {
			other := "selection"
			if w.showSelection {
				other = "too long"
			}
			t = append(t, nav.Binding{Key: kit.WithHelp(k.NextField, "tab", other), Run: func() tea.Cmd {
				w.showSelection = !w.showSelection
				w.listOffset = 0
				return nil
			}})
			skip := nav.Binding{Key: nb("ctrl+o", "leave out", "ctrl+o"), Run: w.toggleSkipTooLong}
			if w.skipTooLong {
				skip.Key.SetHelp("ctrl+o", "take back in")
				skip.FullOnly = true
			}
			t = append(t, skip)
		}
		var cannot string
		if err := w.canSubmit(); err != nil {
			cannot = "cannot submit: " + err.Error()
		}
		return append(t, nav.Binding{Key: k.Next, Run: w.summaryNext, Disabled: cannot}, esc)
	case stepSubmit:
		return nav.Table{{Key: k.Submit, Run: w.submit}, esc}
	}
	return nav.Table{esc}
}

// ShortHelp is the table's footer.
func (w *wizard) ShortHelp() []key.Binding { return w.Bindings().ShortHelp(w.CapturesInput()) }

// FullHelp is every binding the table shows now, in columns.
func (w *wizard) FullHelp() [][]key.Binding { return w.Bindings().Columns(w.CapturesInput(), 6) }

// escHelp says what esc does on the current step (back): the first step
// leaves the wizard (asking first when input would be lost); every other
// step goes back one step, keeping the values and the focus. (The step
// number does not fit the summary's footer at 80 columns, so "back" it
// is.)
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

// listPress forwards a navigation key to the profile list.
func (w *wizard) listPress(code rune) func() tea.Cmd {
	return func() tea.Cmd { return w.listKey(tea.KeyPressMsg{Code: code}) }
}

// listKey hands msg to the profile list (its filter types, its cursor
// moves).
func (w *wizard) listKey(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	w.profList, cmd = w.profList.Update(msg)
	return cmd
}

// restoreGUID puts the chosen profile's class GUID back in the field.
func (w *wizard) restoreGUID() tea.Cmd {
	if p := w.chosen(); p != nil {
		w.device.SetValue(p.ClassGUID())
		w.device.CursorEnd()
		w.deviceErr = nil
	}
	return nil
}

func (w *wizard) nextFromNick() tea.Cmd {
	w.nickErr = model.ValidateNickname(w.nick.Value())
	if w.nickErr != nil {
		return nil
	}
	return w.goTo(stepPassword, false)
}

// countAndNext plans the job now and shows the summary.
func (w *wizard) countAndNext() tea.Cmd {
	w.busy = "Counting the eligible tokens..."
	return w.schedulePreview(true, 0)
}

// ---- view ----

// sidebarMinWidth is the width from which the steps get a sidebar; below
// it they fit on one line.
const sidebarMinWidth = 100

// sidebarOn: the screen has room for the steps sidebar.
func (w *wizard) sidebarOn() bool { return w.Width() >= sidebarMinWidth }

// bodySize is the size of the step's body: the screen less the sidebar
// and the step's heading.
func (w *wizard) bodySize() (width, height int) {
	width, height = w.Width(), w.Height()
	if w.sidebarOn() {
		width -= lipgloss.Width(w.sidebar()) + 3
	}
	return width, height - 2
}

// SetSize keeps the size and lays out what depends on it.
func (w *wizard) SetSize(width, height int) {
	w.Base.SetSize(width, height)
	w.layout()
}

// layout sizes the profile list for the body (its pages and cursor window
// depend on it), in Update and SetSize, so that View only renders.
func (w *wizard) layout() {
	if w.step != stepProfile || len(w.profiles) == 0 {
		return
	}
	width, height := w.bodySize()
	w.profList.SetSize(w.profListSize(width, height))
}

func (w *wizard) View() string {
	width, height := w.Width(), w.Height()
	t := w.c.Theme
	if w.sidebarOn() {
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
	if !w.sidebarOn() {
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
	// A copy renders: View keeps the field as Update left it.
	f := *ti
	f.SetWidth(max(10, width-len(mark)-labelW-2))
	return mark + t.Label.Render(fmt.Sprintf("%-*s", labelW, label+":")) + " " + f.View()
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
		return kit.Wrap(fmt.Sprintf("There is no software token profile that can deliver (%d profiles exist, none with delivery method %q or %q). Create one on the Software Token Profiles screen (home, item 4), or with swtoken profiles add, then start the wizard again.", w.allProfiles, model.DeliveryFile, model.DeliveryCTF), width) + w.cannotDeliverNote(width)
	}
	b.WriteString(kit.Wrap(fmt.Sprintf("Offered: the %d of %d profiles that can deliver (file-based and CTF).", len(w.profiles), w.allProfiles), width) + "\n")
	if width >= 84 {
		lw := width / 2
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
		b.WriteString(w.profList.View() + "\n\n" + det)
	}
	b.WriteString(w.cannotDeliverNote(width))
	return b.String()
}

// cannotDeliverNote says, once under the list, which profiles are not
// offered because their delivery method cannot deliver yet (CT-KIP), or
// "" when there are none.
func (w *wizard) cannotDeliverNote(width int) string {
	n := len(w.cannotDeliver)
	if n == 0 {
		return ""
	}
	var text string
	if len(w.profiles) == 0 && n == 1 {
		p := w.cannotDeliver[0]
		text = "Not offered: " + model.CannotDeliverYet(p.Name, p.DeliveryMethod) + "."
	} else {
		names := make([]string, n)
		for i, p := range w.cannotDeliver {
			names[i] = fmt.Sprintf("%q", p.Name)
		}
		text = fmt.Sprintf("Not offered: %s, which cannot deliver yet: %s.", model.Plural(n, "CT-KIP profile"), strings.Join(names, ", "))
	}
	return "\n" + w.c.Theme.Muted.Render(kit.WrapLong(text, width))
}

// profListSize is the profile list's size in a body of width x height:
// half the width beside the details from 84 columns, else above them.
func (w *wizard) profListSize(width, height int) (int, int) {
	if note := w.cannotDeliverNote(width); note != "" {
		height -= lipgloss.Height(note) - 1
	}
	if width >= 84 {
		return width/2 - 1, min(max(3, height-2), len(w.profiles)+2)
	}
	det := w.profileDetails(width, w.highlighted())
	rows := max(3, height-1-lipgloss.Height(det)-1)
	return width, min(rows, len(w.profiles)+2)
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
		{"Job type", jobTypeOf(p)},
		{"Tokencode", fmt.Sprintf("%d digits every %d seconds", p.TokencodeLength, p.Duration)},
		{"Authentication", string(p.AuthType)},
		{"Description", p.Description},
	}
	return t.Heading.Render("Highlighted profile") + "\n" + strings.Join(kit.WrapRows(t, rows, width), "\n")
}

// jobTypeOf is the job type a profile makes, as the profile step shows it.
func jobTypeOf(p model.Profile) string {
	k, err := model.JobKindFor(p.Name, p.DeliveryMethod)
	if err != nil {
		return "none: cannot deliver yet"
	}
	return k.Label()
}

// bindingLabel says how the field becomes the binding. It decides
// nothing: the plan resolves the field, and the summary shows the result.
func (w *wizard) bindingLabel() string {
	p := w.chosen()
	if p == nil {
		return ""
	}
	return fmt.Sprintf("Binding: the class GUID (or a blank field) is class binding: any %s device can import the %ss. Anything else is a device ID: DEVICE BINDING, the %ss import only on that one device. The summary shows which.", p.DeviceType, w.item(), w.item())
}

func (w *wizard) deviceView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	name := "the profile's"
	if p := w.chosen(); p != nil {
		name = string(p.DeviceType)
	}
	b.WriteString(kit.Wrap(fmt.Sprintf("Pre-filled with the %s class GUID (class binding). To bind the %ss to one device, clear the field and type the device ID the user reads off the app: 1-64 printable ASCII characters, no spaces.", name, w.item()), width) + "\n\n")
	b.WriteString(w.field("DeviceSerialNumber", 19, &w.device, true, width) + "\n")
	b.WriteString(kit.Hang(t.G.NoCursor, w.bindingLabel(), width))
	b.WriteString(w.errLine(w.deviceErr, width))
	return b.String()
}

func (w *wizard) nickView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	if w.isCTF() {
		b.WriteString(kit.Wrap(fmt.Sprintf("An optional nickname, at most %d characters, the same for every token of the job.", model.MaxNicknameLen), width) + "\n")
		b.WriteString(t.Warn.Render(kit.Wrap("NOTE: "+model.CTFManifestNote, width)) + "\n\n")
	} else {
		b.WriteString(kit.Wrap(fmt.Sprintf("An optional nickname shown in the user's app, at most %d characters. It is the same in every file of the job.", model.MaxNicknameLen), width) + "\n\n")
	}
	b.WriteString(w.field("Nickname", 9, &w.nick, true, width) + "\n")
	b.WriteString(t.G.NoCursor + t.Muted.Render(fmt.Sprintf("%d/%d characters", len([]rune(w.nick.Value())), model.MaxNicknameLen)))
	b.WriteString(w.errLine(w.nickErr, width))
	return b.String()
}

func (w *wizard) passwordView(width int) string {
	t := w.c.Theme
	var b strings.Builder
	what := "token file"
	if w.isCTF() {
		what = "CTF string"
	}
	b.WriteString(kit.Wrap(fmt.Sprintf("How each %s is protected. The user needs this password to import the %s.", what, w.item()), width) + "\n\n")
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
	if w.isCTF() {
		limits = "Limits: the password must be 1-24 characters (64-bit tokens have no CTF form and are left out)."
	}
	if mode.UsesUserID() {
		limits += " The user ID counts toward the limit; tokens whose password would be too long are named in the summary."
	}
	if mode == model.PasswordNone {
		limits = fmt.Sprintf("No password: anyone who gets a %s can import the token. Deliver the %ss over a protected channel.", w.item(), w.item())
	}
	b.WriteString(t.Muted.Render(kit.Wrap(limits, width)))
	if w.hasForm() {
		b.WriteString("\n\n" + w.formView(width))
	}
	return b.String()
}

// formView is the password step's CTF form choice (phone CTF profiles):
// v2 (the default) or v3, each worded as the summary words it.
func (w *wizard) formView(width int) string {
	t := w.c.Theme
	p := w.chosen()
	shape := model.CTFShapeFor(p.DeviceType)
	focused := w.pwFocus == pwFocusForm
	var b strings.Builder
	b.WriteString(t.Label.Render("CTF form:") + " " + t.Muted.Render(kit.Wrap("v2 by default; v3 is base64 with a stronger key derivation.", max(10, width-10))) + "\n")
	for i, f := range ctfForms {
		mark := t.G.NoCursor
		if i == w.form && focused {
			mark = t.G.Cursor
		}
		radio := t.G.RadioOff
		if i == w.form {
			radio = t.G.RadioOn
		}
		line := fmt.Sprintf("%s%s %d %s", mark, radio, i+1, model.CTFLabel(shape, f))
		if i == w.form && focused {
			line = t.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
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
	line := "Eligible: " + model.Plural(s.Count, "token")
	if s.Count > 0 {
		line += fmt.Sprintf(" (serials %s to %s)", s.First, s.Last)
	}
	if w.previewBusy {
		line += " (updating...)"
	}
	left := s.IneligibleText()
	if left == "" {
		left = "none"
	}
	return kit.Wrap(line, width) + "\n" + kit.Wrap("Left out: "+left, width)
}

func (w *wizard) summaryRows() [][2]string {
	spec := w.shownSpec()
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
		pw += fmt.Sprintf(": each %s's password is its user's ID", w.item())
	case model.PasswordNone:
		pw += fmt.Sprintf(": anyone with a %s can import it", w.item())
	}
	rows := [][2]string{
		{"Job Name", spec.Name},
		{"Profile", prof},
	}
	if spec.Kind == model.JobKindCTF {
		qr := "no: the strings are digits, not links"
		if spec.WantsQRImages() {
			qr = "yes: a PNG of each link beside its string"
		}
		// The job type is in the title on every step: not repeated here,
		// so the fields fit above the list at 80x24.
		rows = append(rows,
			[2]string{"CTF strings", model.CTFLabel(spec.CTFShape, spec.CTFForm)},
			[2]string{"QR images", qr})
	}
	rows = append(rows,
		[2]string{"DeviceSerialNumber", bind},
		[2]string{"Nickname", nick},
	)
	if spec.Kind == model.JobKindCTF {
		rows = append(rows, [2]string{"Note", model.CTFManifestNote})
	}
	rows = append(rows,
		[2]string{"Password", pw},
		[2]string{"Criteria", spec.Criteria.Describe()},
	)
	if w.preview != nil {
		s := w.preview.Summary
		tok := fmt.Sprintf("%d", s.Count)
		if s.Count > 0 {
			tok += fmt.Sprintf(" (first %s, last %s)", s.First, s.Last)
		}
		left := s.IneligibleText()
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

// summaryParts are the summary's pieces at width x height: the fields'
// lines, the line above the list (a blocker or a note), the lines under
// it (warnings, the confirmation), how many lines those two take, and the
// fewest lines the list gets.
func (w *wizard) summaryParts(width int) (head []string, mid, tail string, fixed, minList int) {
	t := w.c.Theme
	// Every field is shown whole: long values wrap (wrapRows).
	head = kit.WrapRows(t, w.summaryRows(), width)
	tooLong := len(w.tooLong()) > 0
	blocker := w.canSubmit()
	spec := w.shownSpec()
	switch {
	case w.changedErr != nil:
		mid = kit.Hang(t.Error.Render("ERROR: "), w.changedErr.Error(), width)
	case blocker != nil && tooLong:
		// Above the list that names the tokens.
		mid = kit.Hang(t.Error.Render("ERROR: "), "cannot submit: "+blockerText(blocker), width)
	case tooLong:
		mid = kit.Hang(t.Warn.Render("NOTE: "), w.preview.Summary.LeftOutNote(spec)+" (named below; ctrl+o takes them back in)", width)
	}
	var b strings.Builder
	for _, warn := range w.preview.Summary.Warnings(spec) {
		b.WriteString(kit.Hang(t.Warn.Render("WARNING: "), warn, width) + "\n")
	}
	if blocker != nil && !tooLong {
		b.WriteString(kit.Hang(t.Error.Render("ERROR: "), "cannot submit: "+blockerText(blocker), width) + "\n")
	}
	if need, want := model.ConfirmationRequired(spec, w.preview.Summary); need && blocker == nil {
		b.WriteString(w.field("Type "+want+" to confirm", 0, &w.confirm, true, min(width, 50)))
		b.WriteString(w.errLine(w.confirmErr, width) + "\n")
	}
	tail = strings.TrimRight(b.String(), "\n")
	if mid != "" {
		fixed += lipgloss.Height(mid)
	}
	if tail != "" {
		fixed += lipgloss.Height(tail)
	}
	return head, mid, tail, fixed, w.summaryMinList(width)
}

// headWindow is how many of the fields' lines fit above the list in a
// body of the given height (with a line that says they scroll), or 0
// when they all fit.
func headWindow(head, fixed, minList, height int) int {
	if room := height - fixed - minList; head > room {
		return max(1, room-1)
	}
	return 0
}

// summaryHeadMax is the largest headOff at the body's size now.
func (w *wizard) summaryHeadMax() int {
	if w.preview == nil {
		return 0
	}
	width, height := w.bodySize()
	head, _, _, fixed, minList := w.summaryParts(width)
	if win := headWindow(len(head), fixed, minList, height); win > 0 {
		return max(0, len(head)-win)
	}
	return 0
}

func (w *wizard) summaryView(width, height int) string {
	t := w.c.Theme
	var b strings.Builder
	if w.preview == nil {
		return "No preview yet."
	}
	// The blocker, the warnings and the confirmation stay on screen; when
	// the fields and the smallest list do not fit with them, the fields
	// scroll in a window (scrollSummary) with a line that says so.
	head, mid, tl, fixed, minList := w.summaryParts(width)
	if win := headWindow(len(head), fixed, minList, height); win > 0 {
		off := min(w.headOff, max(0, len(head)-win))
		n, end := len(head), off+win
		shown := append([]string(nil), head[off:end]...)
		head = append(shown, t.Muted.Render(fmt.Sprintf("Summary lines %d-%d of %d: up/down scroll", off+1, end, n)))
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

// blockerText says why the job cannot be submitted (model.CanSubmit's
// refusal). Tokens whose password is too long are named (with their
// users): a few in the line itself, and every one of them in the
// summary's scrollable list (tooLongList); ctrl+o leaves them out.
func blockerText(err error) string {
	var tl *model.TooLongError
	if !errors.As(err, &tl) {
		return err.Error() + " (esc goes back)"
	}
	const inline = 3
	named := ", named below"
	if len(tl.Tokens) <= inline {
		names := make([]string, len(tl.Tokens))
		for i, r := range tl.Tokens {
			names[i] = fmt.Sprintf("%s (%s)", r.Serial, r.User)
		}
		named = ": " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s would get a password over %s limit%s. Press ctrl+o to leave %s out, or go back (esc) and narrow the criteria or change the password mode.",
		model.Plural(tl.Count, "token"), model.Agree(tl.Count, "its", "their"), named, model.Agree(tl.Count, "it", "them"))
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
	writes := "one token file per token"
	if w.isCTF() {
		writes = "one CTF string per token (with a QR image of each link)"
	}
	b.WriteString(kit.Wrap("The selection is frozen now. The engine then writes "+writes+" into a ZIP in the background; follow it on the Jobs screen, which opens next. Each token gets a new seed when the job completes.", width) + "\n\n")
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

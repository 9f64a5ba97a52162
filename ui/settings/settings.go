package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// settingsScreen is "Self-Service Settings > Manage Authenticators": which
// software token profiles users may request, with what display text and
// links, which one is the default, the token file password rule and the
// replacement window. It is one form with a single focus ring:
//
//	the profile list (one tab stop; ↑/↓ move, space selects, enter opens the details, esc comes back)
//	the highlighted profile's details (only when it is selected)
//	Token File Password Settings, Expiring Token Parameters
//	E-mail to Users (SMTP): host, port, security, user, password file, from, .zip
//	[ Save ] [ Preview ]
//
// The form scrolls to keep the focused field in view, so it fits 80x24.
// Every rule (auto-fill, the one default, confirmation and its lapse, URL
// checks, all-or-nothing save) is the model's; the screen only edits a
// model.Settings, shows model.FieldErrors at their fields and calls the
// backend in Cmds.
type settingsScreen struct {
	nav.Base
	c *common

	loaded  bool
	loadErr error
	busy    string // what the screen waits for; keys are ignored meanwhile

	profiles []model.Profile
	orig     model.Settings // as loaded or last saved
	cur      model.Settings // being edited

	row    int    // the highlighted profile
	focus  sField // the focused field
	fields [numSFields]kit.TextField

	errs       model.FieldErrors // shown at their fields
	saveFailed bool              // errs come from a refused save
	saveErr    error             // a save that failed for another reason
	note       string            // a one-off hint, cleared by the next key

	// conflict is a save refused because someone else saved the settings
	// after they were loaded (compare-and-swap); reloadAsk asks whether to
	// reload them, which drops the edits.
	conflict  *store.ConflictError
	reloadAsk bool

	leaving bool // asked "leave without saving?"

	// saved is what the last save changed, shown under the form until
	// the next key.
	saved []string

	preview bool
	pv      kit.Scroll // the preview's lines, scrolled in Update
	form    kit.Scroll // the form's lines, scrolled in Update to show the focus
}

// sField is a focusable field of the settings form, in focus order.
type sField int

const (
	sfList sField = iota
	sfDisplayName
	sfImage
	sfDescription
	sfConfirm
	sfAppURL
	sfHelpURL
	sfDefault
	sfAllowEdit
	sfPassword
	sfDays
	sfSMTPHost
	sfSMTPPort
	sfSMTPSecurity
	sfSMTPUser
	sfSMTPPasswordFile
	sfSMTPFrom
	sfSMTPZip
	sfSave
	sfPreview
	numSFields
)

// detail reports a field of the highlighted profile's details.
func (f sField) detail() bool { return f >= sfDisplayName && f <= sfAllowEdit }

// text reports a text field (where letters are typed, not commands).
func (f sField) text() bool {
	switch f {
	case sfDisplayName, sfImage, sfDescription, sfAppURL, sfHelpURL, sfDays,
		sfSMTPHost, sfSMTPPort, sfSMTPUser, sfSMTPPasswordFile, sfSMTPFrom:
		return true
	}
	return false
}

// sfModelField names each field as model.FieldError does, so errors land
// at their field.
var sfModelField = map[sField]string{
	sfDisplayName: model.FieldDisplayName,
	sfImage:       model.FieldImageLocation,
	sfDescription: model.FieldDescription,
	sfConfirm:     model.FieldConfirmed,
	sfAppURL:      model.FieldAppDownloadURL,
	sfHelpURL:     model.FieldHelpDocURL,
	sfDefault:     model.FieldDefault,
	sfDays:        model.FieldReplacementWindow,

	sfSMTPHost:         model.FieldSMTPHost,
	sfSMTPPort:         model.FieldSMTPPort,
	sfSMTPSecurity:     model.FieldSMTPSecurity,
	sfSMTPUser:         model.FieldSMTPUser,
	sfSMTPPasswordFile: model.FieldSMTPPasswordFile,
	sfSMTPFrom:         model.FieldSMTPFrom,
}

// smtpField reports a field of the SMTP settings (top-level, no item).
func (f sField) smtp() bool { return f >= sfSMTPHost && f <= sfSMTPZip }

// smtpSecurities is the order space steps through the security modes;
// "" is no SMTP (a blank host: the messages wait in the outbox).
var smtpSecurities = []model.SMTPSecurity{"", model.SMTPStartTLS, model.SMTPTLS, model.SMTPPlain}

type (
	settingsLoadedMsg struct {
		s        model.Settings
		profiles []model.Profile
		err      error
		reload   bool // asked for after a conflict
	}
	settingsSavedMsg struct {
		saved    model.Settings // as stored, when err is nil
		profiles []model.Profile
		changes  []string // what the save changed, as the audit records it
		err      error
	}
)

func newSettings(c *common) *settingsScreen {
	s := &settingsScreen{c: c}
	s.fields[sfDisplayName] = s.input("", 2*model.MaxDisplayNameLen)
	s.fields[sfImage] = s.input("(none)", model.MaxURLLen+1)
	s.fields[sfDescription] = s.input("(none)", model.MaxDescriptionLen+1)
	s.fields[sfAppURL] = s.input("(blank: left out of the e-mail)", model.MaxURLLen+1)
	s.fields[sfHelpURL] = s.input("(blank: left out of the e-mail)", model.MaxURLLen+1)
	s.fields[sfDays] = s.input("", 3)
	s.fields[sfSMTPHost] = s.input("(blank: no SMTP, messages wait in the outbox)", 254)
	s.fields[sfSMTPPort] = s.input("(blank: the security mode's default)", 5)
	s.fields[sfSMTPUser] = s.input("(none: no login)", 257)
	s.fields[sfSMTPPasswordFile] = s.input("(none) the path of a file holding the password", 4096)
	s.fields[sfSMTPFrom] = s.input("(blank: swtoken@ this host)", 512)
	return s
}

func (s *settingsScreen) input(placeholder string, limit int) kit.TextField {
	f := kit.NewInput(s.c.Env, placeholder)
	f.CharLimit = limit
	return f
}

// copySettings copies the entries, so that editing one Settings never
// changes another.
func copySettings(s model.Settings) model.Settings {
	s.Entries = append([]model.SettingsEntry(nil), s.Entries...)
	return s
}

func (s *settingsScreen) Init() tea.Cmd { return s.load(false) }

// load reads the settings and the profiles in a Cmd.
func (s *settingsScreen) load(reload bool) tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		set, ps, err := be.Settings()
		return settingsLoadedMsg{set, ps, err, reload}
	}
}

// reload drops the edits and loads the settings as they are stored now,
// after a save was refused because someone else saved them meanwhile.
func (s *settingsScreen) reload() tea.Cmd {
	s.reloadAsk = false
	s.busy = "Reloading the self-service settings..."
	return s.load(true)
}

func (s *settingsScreen) Title() string {
	return "Self-Service Settings" + s.c.Theme.G.Crumb + "Manage Authenticators"
}

// HasInput: unsaved changes make quitting ask first.
func (s *settingsScreen) HasInput() bool { return s.loaded && s.dirty() }

func (s *settingsScreen) LossReason() string {
	return "The self-service settings have unsaved changes."
}

func (s *settingsScreen) changes() []string { return model.Diff(s.orig, s.cur) }
func (s *settingsScreen) dirty() bool       { return len(s.changes()) > 0 }

func (s *settingsScreen) CapturesInput() bool {
	return s.loaded && s.loadErr == nil && s.busy == "" && !s.leaving && !s.reloadAsk && !s.preview && s.focus.text()
}

// HandlesBack is true: Back handles esc.
func (s *settingsScreen) HandlesBack() bool { return true }

// Back is esc: it goes back one level (the preview or a question closes,
// a detail goes back to the list with the same profile highlighted), and
// from the list leaves the screen, asking first when there are unsaved
// changes. It runs the esc binding of the table, so that esc does what
// the help says.
func (s *settingsScreen) Back() (nav.Screen, tea.Cmd, bool) {
	if s.busy != "" {
		return s, nil, true
	}
	if s.escLeaves() {
		return s, nil, false
	}
	_, cmd := s.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	return s, cmd, true
}

// escLeaves reports whether esc leaves the screen now: nothing is open
// above the list and nothing would be lost.
func (s *settingsScreen) escLeaves() bool {
	if !s.loaded || s.loadErr != nil {
		return true
	}
	return !s.preview && !s.reloadAsk && !s.leaving && !s.inForm() && !s.HasInput()
}

// inForm reports a focus below the list, from which esc goes back to it.
func (s *settingsScreen) inForm() bool { return s.focus != sfList && s.focusable(sfList) }

// ---- state helpers ----

func (s *settingsScreen) profile() *model.Profile {
	if s.row < 0 || s.row >= len(s.profiles) {
		return nil
	}
	return &s.profiles[s.row]
}

// entry is the highlighted profile's entry, or nil.
func (s *settingsScreen) entry() *model.SettingsEntry {
	p := s.profile()
	if p == nil {
		return nil
	}
	return s.cur.Entry(p.Name)
}

// selected reports whether the highlighted profile is offered.
func (s *settingsScreen) selected() bool {
	e := s.entry()
	return e != nil && e.Selected
}

func (s *settingsScreen) focusable(f sField) bool {
	switch {
	case f == sfList:
		return len(s.profiles) > 0
	case f.detail():
		return s.selected()
	}
	return true
}

// reset takes fresh settings and profiles as the saved state, keeping the
// highlighted profile by name.
func (s *settingsScreen) reset(set model.Settings, ps []model.Profile) {
	name := ""
	if p := s.profile(); p != nil {
		name = p.Name
	}
	s.orig, s.cur = copySettings(set), copySettings(set)
	s.setProfiles(ps, name)
	s.fields[sfDays].SetValue(strconv.Itoa(s.cur.ReplacementWindowDays))
	s.fields[sfDays].CursorEnd()
	m := s.cur.SMTP
	port := ""
	if m.Port != 0 {
		port = strconv.Itoa(m.Port)
	}
	for f, v := range map[sField]string{sfSMTPHost: m.Host, sfSMTPPort: port, sfSMTPUser: m.User,
		sfSMTPPasswordFile: m.PasswordFile, sfSMTPFrom: m.From} {
		s.fields[f].SetValue(v)
		if s.focus == f {
			s.fields[f].CursorEnd()
		} else {
			toStart(&s.fields[f])
		}
	}
}

func (s *settingsScreen) setProfiles(ps []model.Profile, keep string) {
	s.profiles = ps
	s.row = 0
	for i, p := range ps {
		if keep != "" && model.SameName(p.Name, keep) {
			s.row = i
		}
	}
	s.loadFields()
	if !s.focusable(s.focus) {
		s.setFocus(s.nextFocus(s.focus, 1, true))
	}
}

// loadFields shows the highlighted profile's text in the detail fields.
// Newlines (a description may have them) show as spaces.
func (s *settingsScreen) loadFields() {
	var e model.SettingsEntry
	if p := s.entry(); p != nil {
		e = *p
	}
	oneLine := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
	for f, v := range map[sField]string{
		sfDisplayName: e.DisplayName, sfImage: e.ImageLocation, sfDescription: e.Description,
		sfAppURL: e.AppDownloadURL, sfHelpURL: e.HelpDocURL,
	} {
		s.fields[f].SetValue(oneLine.Replace(v))
		toStart(&s.fields[f])
	}
}

// store writes an edited text field back into the settings.
func (s *settingsScreen) store(f sField) {
	v := s.fields[f].Value()
	if f == sfDays {
		n, _ := strconv.Atoi(v) // digits only; blank is 0, which the model refuses
		s.cur.ReplacementWindowDays = n
		s.clearErr("", model.FieldReplacementWindow)
		return
	}
	if f.smtp() {
		m := &s.cur.SMTP
		switch f {
		case sfSMTPHost:
			if m.Host == "" && v != "" && m.Security == "" {
				m.Security = model.SMTPStartTLS // the safe default once there is a server
			}
			m.Host = v
		case sfSMTPPort:
			m.Port, _ = strconv.Atoi(v) // digits only; blank is 0, the mode's default
		case sfSMTPUser:
			m.User = v
		case sfSMTPPasswordFile:
			m.PasswordFile = v
		case sfSMTPFrom:
			m.From = v
		}
		s.clearErr("", sfModelField[f])
		return
	}
	e := s.entry()
	if e == nil {
		return
	}
	switch f {
	case sfDisplayName:
		e.DisplayName = v
	case sfImage:
		e.ImageLocation = v
	case sfDescription:
		e.Description = v
	case sfAppURL:
		e.AppDownloadURL = v
	case sfHelpURL:
		e.HelpDocURL = v
	}
	s.clearErr(e.Profile, sfModelField[f])
}

// errsFor returns the errors of one field of one item ("" for the
// top-level fields).
func (s *settingsScreen) errsFor(item, field string) []*model.FieldError {
	var out []*model.FieldError
	for _, e := range s.errs {
		if e.Field == field && sameItem(e.Item, item) {
			out = append(out, e)
		}
	}
	return out
}

func sameItem(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	return model.SameName(a, b)
}

// itemHasErrs reports errors about a profile, for its ERROR mark.
func (s *settingsScreen) itemHasErrs(name string) bool {
	for _, e := range s.errs {
		if e.Item != "" && model.SameName(e.Item, name) {
			return true
		}
	}
	return false
}

func (s *settingsScreen) clearErr(item, field string) {
	s.filterErrs(func(e *model.FieldError) bool { return e.Field == field && sameItem(e.Item, item) })
}

func (s *settingsScreen) filterErrs(drop func(*model.FieldError) bool) {
	var keep model.FieldErrors
	for _, e := range s.errs {
		if !drop(e) {
			keep = append(keep, e)
		}
	}
	s.errs = keep
	if len(s.errs) == 0 {
		s.saveFailed = false
	}
}

// placed reports whether an error is shown at a field of the form; the
// others are listed under the form.
func (s *settingsScreen) placed(e *model.FieldError) bool {
	if e.Item == "" {
		for f, mf := range sfModelField {
			if mf == e.Field && (f.smtp() || f == sfDays) {
				return true
			}
		}
		return e.Field == model.FieldDefault
	}
	if e.Field == model.FieldSelected {
		return false
	}
	for _, p := range s.profiles {
		if en := s.cur.Entry(p.Name); model.SameName(p.Name, e.Item) && en != nil && en.Selected {
			for _, mf := range sfModelField {
				if mf == e.Field {
					return true
				}
			}
		}
	}
	return false
}

// ---- focus ----

// nextFocus is the next focusable field in direction d; with wrap false
// it stays at the ends.
func (s *settingsScreen) nextFocus(from sField, d int, wrap bool) sField {
	f := from
	for i := 0; i < int(numSFields); i++ {
		n := int(f) + d
		if !wrap && (n < 0 || n >= int(numSFields)) {
			return from
		}
		f = sField((n + int(numSFields)) % int(numSFields))
		if s.focusable(f) {
			return f
		}
	}
	return from
}

// setFocus moves the focus; leaving a link field checks it at once.
func (s *settingsScreen) setFocus(f sField) {
	if (s.focus == sfAppURL || s.focus == sfHelpURL) && f != s.focus {
		if e := s.entry(); e != nil && e.Selected {
			field := sfModelField[s.focus]
			s.clearErr(e.Profile, field)
			if err := model.ValidateLinkURL(field, s.fields[s.focus].Value()); err != nil {
				for _, fe := range model.AsFieldErrors(err) {
					s.errs = append(s.errs, &model.FieldError{Item: e.Profile, Field: fe.Field, Msg: fe.Msg})
				}
			}
		}
	}
	for i := range s.fields {
		if s.fields[i].Focused() {
			s.fields[i].Blur()
			toStart(&s.fields[i])
		}
	}
	s.focus = f
	if f.text() {
		s.fields[f].Focus()
		s.fields[f].CursorEnd()
	}
}

// toStart puts the cursor at the start, so that a field without the focus
// shows the beginning of its value.
func toStart(f *kit.TextField) { f.CursorStart() }

func (s *settingsScreen) moveRow(d int) {
	n := len(s.profiles)
	if n == 0 {
		return
	}
	r := s.row + d
	switch {
	case r < 0:
		return
	case r >= n:
		// Down past the last profile goes on into the form.
		s.setFocus(s.nextFocus(sfList, 1, false))
		return
	}
	s.row = r
	s.loadFields()
}

// ---- update ----

// Update handles msg, then lays the form or the preview out again, so
// that View only draws what Update decided.
func (s *settingsScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := s.update(msg)
	s.layout()
	return s, cmd
}

// SetSize lays the screen out for its new size.
func (s *settingsScreen) SetSize(width, height int) {
	s.Base.SetSize(width, height)
	s.layout()
}

func (s *settingsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case settingsLoadedMsg:
		if msg.reload {
			s.busy = ""
			if msg.err != nil {
				// The edits are still there; the conflict stands.
				s.reloadAsk = true
				s.note = "Could not reload the settings: " + msg.err.Error() + ". Press r to try again."
				return nil
			}
			s.errs, s.saveFailed, s.saveErr, s.conflict, s.leaving = nil, false, nil, nil, false
			s.reset(msg.s, msg.profiles)
			return nav.Status(nav.StatusInfo, "Reloaded: these are the self-service settings as stored now. Make your change again.")
		}
		s.loaded, s.loadErr = true, msg.err
		if msg.err == nil {
			s.reset(msg.s, msg.profiles)
		}
		return nil

	case settingsSavedMsg:
		s.busy = ""
		if msg.err != nil {
			if msg.profiles != nil {
				// A profile may have changed meanwhile: judge the
				// confirmations against it as it is now.
				name := ""
				if p := s.profile(); p != nil {
					name = p.Name
				}
				s.setProfiles(msg.profiles, name)
			}
			var ce *store.ConflictError
			if errors.As(msg.err, &ce) {
				// Saved by someone else since loaded: nothing was
				// saved; offer to reload.
				s.conflict, s.reloadAsk, s.leaving = ce, true, false
				return nil
			}
			s.refused(msg.err)
			return nil
		}
		s.errs, s.saveFailed, s.saveErr, s.conflict = nil, false, nil, nil
		ps := msg.profiles
		if ps == nil {
			ps = s.profiles
		}
		s.reset(msg.saved, ps)
		return s.savedStatus(msg.changes)

	case tea.PasteMsg:
		if s.CapturesInput() {
			s.edit(msg)
		}
		return nil

	case tea.KeyPressMsg:
		return s.handleKey(msg)
	}
	return nil
}

// refused shows why a save was refused: field errors at their fields (and
// the focus on the first), anything else under the form.
func (s *settingsScreen) refused(err error) {
	var many model.FieldErrors
	var one *model.FieldError
	if !errors.As(err, &many) && !errors.As(err, &one) {
		s.saveErr = err
		return
	}
	s.errs = s.explainBlankDays(model.AsFieldErrors(err))
	s.saveFailed = true
	s.saveErr = nil
	s.focusError(s.errs[0])
}

// explainBlankDays: a blank replacement window is stored as 0, which the
// model refuses as "must be 1-365 days (got 0)"; the admin typed no 0, so
// the message says that the field is empty instead.
func (s *settingsScreen) explainBlankDays(es model.FieldErrors) model.FieldErrors {
	if strings.TrimSpace(s.fields[sfDays].Value()) != "" {
		return es
	}
	out := make(model.FieldErrors, len(es))
	for i, e := range es {
		if e.Item == "" && e.Field == model.FieldReplacementWindow {
			e = &model.FieldError{Field: e.Field, Msg: fmt.Sprintf("the replacement window is empty: enter a number of days, %d-%d",
				model.MinReplacementWindowDays, model.MaxReplacementWindowDays)}
		}
		out[i] = e
	}
	return out
}

// focusError highlights the profile of an error and focuses its field.
func (s *settingsScreen) focusError(e *model.FieldError) {
	if e.Item != "" {
		for i, p := range s.profiles {
			if model.SameName(p.Name, e.Item) && i != s.row {
				s.row = i
				s.loadFields()
			}
		}
	}
	target := sfList
	for f, mf := range sfModelField {
		if mf == e.Field && (f.detail() == (e.Item != "")) {
			target = f
		}
	}
	if !s.focusable(target) {
		target = sfList
	}
	s.setFocus(target)
}

// handleKey dispatches a key through the binding table; a key no binding
// takes goes to the focused text field.
func (s *settingsScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if !s.loaded || s.busy != "" {
		return nil
	}
	s.note, s.saved = "", nil
	typing := s.CapturesInput()
	if cmd, ok := s.Bindings().Handle(msg, typing); ok {
		return cmd
	}
	if typing {
		s.edit(msg)
	}
	return nil
}

// nb is a binding with its help.
func nb(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// The keys of the form. Commands on the form are never letters: it has
// text fields, and a person who believes a text field has the focus types
// letters (ftp://..., copy) that must not save, preview or confirm. ctrl+o
// saves (nano's "write out"; ctrl+s works too, but terminals may take it
// for XON/XOFF flow control), ctrl+p opens the preview and ctrl+t
// confirms: ssh and tmux (whose prefix is ctrl+b) pass all three, and the
// text field edits with none of them.
var (
	saveKeys    = []string{"ctrl+o", "ctrl+s"}
	previewKeys = []string{"ctrl+p"}
	confirmKeys = []string{"ctrl+t"}
)

// Bindings is the screen's binding table in its current state: the list,
// a profile's details, the global fields, the preview, or a question.
func (s *settingsScreen) Bindings() nav.Table {
	switch {
	case !s.loaded || s.busy != "":
		return nil
	case s.loadErr != nil:
		return nav.Table{{Key: nb("esc", "back", "esc"), Run: func() tea.Cmd { return nav.Pop }}}
	case s.reloadAsk:
		return s.questionTable(reloadQuestion, []string{"r", "R"}, s.reload,
			func() tea.Cmd { s.reloadAsk = false; return nil }, false)
	case s.leaving:
		return s.questionTable(leaveQuestion, nil,
			func() tea.Cmd { s.leaving = false; return nav.Pop },
			func() tea.Cmd { s.leaving = false; return nil }, true)
	case s.preview:
		return s.previewTable()
	}
	return s.formTable()
}

// The two questions the screen asks, with the same keys as every y/n
// question of the console.
var (
	leaveQuestion  = kit.Confirm{Yes: "leave without saving", No: "stay"}
	reloadQuestion = kit.Confirm{Yes: "reload", No: "keep editing (saving is refused until you reload)"}
)

// choices is the line under a question: its keys as the table has them
// (y and n/esc), so that the line and the help say the same.
func (s *settingsScreen) choices() string {
	var parts []string
	for _, b := range s.Bindings() {
		if b.Key.Help().Desc == "save" {
			continue
		}
		parts = append(parts, s.c.Theme.Key.Render(b.Key.Help().Key)+" "+b.Key.Help().Desc)
	}
	return strings.Join(parts, "    ")
}

// questionTable is a y/n question's bindings: y (and the extra keys) for
// yes, n or esc for no, and ctrl+o to save instead when withSave.
func (s *settingsScreen) questionTable(q kit.Confirm, extra []string, yes, no func() tea.Cmd, withSave bool) nav.Table {
	k := s.c.Keys
	yk := append(append([]string{}, k.Yes.Keys()...), extra...)
	yh := "y"
	if len(extra) > 0 {
		yh = "y/" + extra[0]
	}
	t := nav.Table{
		{Key: nb(yh, q.Yes, yk...), Run: yes},
		{Key: nb("n/esc", strings.SplitN(q.No, " (", 2)[0], append(append([]string{}, k.No.Keys()...), "esc")...), Run: no},
	}
	if withSave {
		t = append(t, nav.Binding{Key: nb(saveKeys[0], "save", saveKeys...), Run: s.save})
	}
	return t
}

// previewTable scrolls the preview (kit.Scroll: pgdn shows the next whole
// page) and closes it.
func (s *settingsScreen) previewTable() nav.Table {
	k := s.c.Keys
	still := ""
	if s.pv.Position() == "" {
		still = "the whole preview is shown"
	}
	run := func(f func()) func() tea.Cmd { return func() tea.Cmd { f(); return nil } }
	return nav.Table{
		{Key: k.Up, Run: run(func() { s.pv.By(-1) }), Disabled: still},
		{Key: k.Down, Run: run(func() { s.pv.By(1) }), Disabled: still},
		{Key: nb("pgup", "page up", "pgup"), Run: run(s.pv.PageUp), Disabled: still},
		{Key: nb("pgdn/space", "page down", "pgdown", "space"), Run: run(s.pv.PageDown), Disabled: still},
		{Key: nb("home/g", "top", "home", "g"), Run: run(s.pv.Top), Disabled: still, FullOnly: true},
		{Key: nb("end/G", "bottom", "end", "G"), Run: run(s.pv.Bottom), Disabled: still, FullOnly: true},
		{Key: nb("esc/ctrl+p", "close preview", append([]string{"esc", "p"}, previewKeys...)...),
			Run: run(func() { s.preview = false })},
	}
}

// formTable is the bindings of the form: the list, a profile's details
// and the global fields, by the focused field.
func (s *settingsScreen) formTable() nav.Table {
	k := s.c.Keys
	f := s.focus
	run := func(fn func()) func() tea.Cmd { return func() tea.Cmd { fn(); return nil } }
	arrow := func(b key.Binding) string { return strings.SplitN(b.Help().Key, "/", 2)[0] }
	var t nav.Table

	// Moving: the list's cursor, or the focus.
	if f == sfList {
		t = append(t,
			nav.Binding{Key: nb(arrow(k.Up), "previous profile", "up"), FullOnly: true, Run: run(func() { s.moveRow(-1) })},
			nav.Binding{Key: nb(arrow(k.Down), "next profile", "down"), FullOnly: true, Run: run(func() { s.moveRow(1) })})
	} else {
		t = append(t,
			nav.Binding{Key: nb(arrow(k.Up), "field above", "up"), FullOnly: true,
				Run: run(func() { s.setFocus(s.nextFocus(s.focus, -1, false)) })},
			nav.Binding{Key: nb(arrow(k.Down), "field below", "down"), FullOnly: true,
				Run: run(func() { s.setFocus(s.nextFocus(s.focus, 1, false)) })})
	}

	// What enter and space do on the focused field.
	p := s.profile()
	switch {
	case f == sfList:
		sel := "select"
		if s.selected() {
			sel = "unselect"
		}
		t = append(t,
			nav.Binding{Key: nb("space", sel, "space"), Run: run(s.toggleSelected)},
			nav.Binding{Key: nb("enter", "edit", "enter"), Run: run(s.openDetails)})
	case f == sfSave:
		t = append(t, nav.Binding{Key: nb("enter", "save", "enter", "space"), Run: s.save})
	case f == sfPreview:
		t = append(t, nav.Binding{Key: nb("enter", "open preview", "enter", "space"), Run: run(s.openPreview)})
	case f == sfSMTPSecurity:
		t = append(t,
			nav.Binding{Key: nb("space", "next security mode", "space"), Run: run(s.nextSecurity)},
			nav.Binding{Key: nb("enter", "next field", "enter"), Run: run(func() { s.setFocus(s.nextFocus(s.focus, 1, true)) }), FullOnly: true})
	case f.text():
		t = append(t, nav.Binding{Key: nb("enter", "next field", "enter"), FullOnly: true,
			Run: run(func() { s.setFocus(s.nextFocus(s.focus, 1, true)) })})
	default: // the check boxes
		t = append(t,
			nav.Binding{Key: nb("space", "toggle", "space"), Run: run(func() { s.toggle(s.focus) })},
			nav.Binding{Key: nb("enter", "next field", "enter"), Run: run(func() { s.setFocus(s.nextFocus(s.focus, 1, true)) }), FullOnly: true})
	}
	t = append(t,
		nav.Binding{Key: nb("tab", "next field", "tab"), FullOnly: f == sfList,
			Run: run(func() { s.setFocus(s.nextFocus(s.focus, 1, true)) })},
		nav.Binding{Key: nb("shift+tab", "previous field", "shift+tab"), FullOnly: true,
			Run: run(func() { s.setFocus(s.nextFocus(s.focus, -1, true)) })})

	// Confirming the highlighted profile: from the list and its details.
	if f == sfList || f.detail() {
		if p != nil {
			t = append(t, nav.Binding{Key: nb(confirmKeys[0], "confirm", confirmKeys...),
				Run: run(func() { s.confirm(false) })})
		}
	}
	t = append(t,
		nav.Binding{Key: nb(saveKeys[0], "save", saveKeys...), Run: s.save},
		nav.Binding{Key: nb(previewKeys[0], "preview", previewKeys...), Run: run(s.openPreview)})

	// esc: back to the list from below it, else leave the screen.
	switch {
	case s.inForm():
		t = append(t, nav.Binding{Key: nb("esc", "back to list", "esc"), Run: run(func() { s.setFocus(sfList) })})
	case s.HasInput():
		t = append(t, nav.Binding{Key: nb("esc", "leave", "esc"), Run: run(func() { s.leaving = true })})
	default:
		t = append(t, nav.Binding{Key: nb("esc", "leave", "esc"), Run: func() tea.Cmd { return nav.Pop }})
	}
	return t
}

// edit hands a key or paste to the focused text field and stores the
// result. The days field takes digits only.
func (s *settingsScreen) edit(msg tea.Msg) {
	f := s.focus
	if !f.text() {
		return
	}
	if f == sfDays || f == sfSMTPPort {
		switch m := msg.(type) {
		case tea.PasteMsg:
			m.Content = digitsOnly(m.Content)
			msg = m
		case tea.KeyPressMsg:
			if m.Text != "" && digitsOnly(m.Text) != m.Text {
				return
			}
		}
	}
	before := s.fields[f].Value()
	s.fields[f], _ = s.fields[f].Update(msg)
	if s.fields[f].Value() != before {
		s.store(f)
	}
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// toggleSelected selects or unselects the highlighted profile. Selecting
// fills in the blank display fields (model.Settings.Select); unselecting
// the default moves the default on (model.Settings.Unselect).
func (s *settingsScreen) toggleSelected() {
	p := s.profile()
	if p == nil {
		return
	}
	if s.selected() {
		s.cur.Unselect(p.Name)
		s.filterErrs(func(e *model.FieldError) bool { return e.Item != "" && model.SameName(e.Item, p.Name) })
	} else {
		s.cur.Select(*p)
	}
	s.clearErr("", model.FieldDefault)
	s.loadFields()
}

// toggle flips a checkbox field.
func (s *settingsScreen) toggle(f sField) {
	e, p := s.entry(), s.profile()
	switch f {
	case sfConfirm:
		s.confirm(true)
	case sfDefault:
		if e == nil || p == nil {
			return
		}
		if e.Default {
			s.note = fmt.Sprintf("%s is the default. Exactly one selected profile is the default: to change it, make another one the default.", p.Name)
			return
		}
		if err := s.cur.SetDefault(p.Name); err != nil {
			s.note = err.Error()
			return
		}
		s.filterErrs(func(e *model.FieldError) bool { return e.Field == model.FieldDefault })
	case sfAllowEdit:
		if e != nil {
			e.AllowUserEdit = !e.AllowUserEdit
		}
	case sfPassword:
		s.cur.UserMustProvidePassword = !s.cur.UserMustProvidePassword
	case sfSMTPZip:
		s.cur.SMTP.ZipTokenFile = !s.cur.SMTP.ZipTokenFile
	}
}

// nextSecurity steps the SMTP security mode: none, starttls, tls, plain.
func (s *settingsScreen) nextSecurity() {
	m := &s.cur.SMTP
	i := 0
	for j, sec := range smtpSecurities {
		if sec == m.Security {
			i = j
		}
	}
	m.Security = smtpSecurities[(i+1)%len(smtpSecurities)]
	s.clearErr("", model.FieldSMTPSecurity)
}

// confirm confirms the highlighted profile's read-only settings as they
// are now (c). As a checkbox (space) it withdraws a valid confirmation.
func (s *settingsScreen) confirm(toggle bool) {
	e, p := s.entry(), s.profile()
	if p == nil {
		return
	}
	if e == nil || !e.Selected {
		s.note = fmt.Sprintf("%s is not selected; select it (space on the list) before confirming.", p.Name)
		return
	}
	if toggle && e.IsConfirmed(*p) {
		e.Confirmed = ""
		return
	}
	e.Confirm(*p)
	s.clearErr(p.Name, model.FieldConfirmed)
}

// save checks the settings with the model first (no I/O, every problem at
// once), then saves through the backend in a Cmd. The store checks again,
// against the profiles as they are at that moment.
func (s *settingsScreen) save() tea.Cmd {
	s.leaving = false
	s.saveErr, s.conflict = nil, nil
	if err := s.cur.Validate(s.profiles); err != nil {
		s.refused(err)
		return nil
	}
	s.errs, s.saveFailed = nil, false
	if !s.dirty() {
		return nav.Status(nav.StatusInfo, "Nothing changed: the settings are as stored, so there is nothing to save.")
	}
	s.busy = "Saving the self-service settings..."
	be, next := s.c.be, copySettings(s.cur)
	return func() tea.Msg {
		changes, err := be.ApplySettings(next)
		if err != nil {
			ps, perr := be.Profiles()
			if perr != nil {
				ps = nil
			}
			return settingsSavedMsg{err: err, profiles: ps}
		}
		saved, ps, err := be.Settings()
		if err != nil {
			// Saved, but not read back: show what was saved, as the
			// revision the save wrote.
			if len(changes) > 0 {
				next.Revision++
			}
			return settingsSavedMsg{saved: next, changes: changes}
		}
		return settingsSavedMsg{saved: saved, profiles: ps, changes: changes}
	}
}

// savedStatus says what a save changed: the status line counts the
// changes and the area under the form lists them (as the audit trail
// records them) until the next key.
func (s *settingsScreen) savedStatus(changes []string) tea.Cmd {
	s.saved = changes
	if len(changes) == 0 {
		return nav.Status(nav.StatusInfo, "Saved: nothing changed (the settings were already as stored).")
	}
	return nav.Status(nav.StatusOK, fmt.Sprintf("Self-service settings saved: %s, listed below and in the audit trail.",
		kit.Plural(len(changes), "change", "changes")))
}

// maxSavedLines is how many changes the area under the form lists after a
// save; the audit trail has them all.
const maxSavedLines = 4

// openDetails focuses the highlighted profile's first detail, or says
// how to offer it first.
func (s *settingsScreen) openDetails() {
	if s.selected() {
		s.setFocus(sfDisplayName)
	} else if p := s.profile(); p != nil {
		s.note = fmt.Sprintf("%s is not offered for request; press space to select it, then enter to edit its details.", p.Name)
	}
}

func (s *settingsScreen) openPreview() {
	s.preview = true
	s.pv.Top()
}

// ---- help ----

// ShortHelp is the footer: the table's bindings.
func (s *settingsScreen) ShortHelp() []key.Binding {
	return s.Bindings().ShortHelp(s.CapturesInput())
}

// FullHelp is every binding the table shows, in columns that fit the
// body's height.
func (s *settingsScreen) FullHelp() [][]key.Binding {
	return s.Bindings().Columns(s.CapturesInput(), max(4, s.Height()-8))
}

// ---- view ----

// The labels of the detail fields, padded to one width.
const sLabelW = len("Application Installation Download URL:")

func (s *settingsScreen) View() string {
	width := s.Width()
	t := s.c.Theme
	switch {
	case !s.loaded:
		return "Loading the self-service settings..."
	case s.loadErr != nil:
		return t.Error.Render("ERROR: ") + kit.Wrap("cannot read the self-service settings: "+s.loadErr.Error(), width-7) +
			"\n\n" + t.Muted.Render("Nothing was changed. Press esc to go back.")
	case s.preview:
		return s.previewView(width)
	}
	head := t.Heading.Render("Manage Authenticators")
	if s.dirty() {
		tag := t.Warn.Render("UNSAVED CHANGES")
		head += strings.Repeat(" ", max(2, width-lipgloss.Width(head)-lipgloss.Width(tag))) + tag
	}
	out := head + "\n" + s.form.View()
	if pos := s.form.Position(); pos != "" {
		var more []string
		if !s.form.AtTop() {
			more = append(more, "more above")
		}
		if !s.form.AtBottom() {
			more = append(more, "more below")
		}
		line := "-- " + pos + ", " + strings.Join(more, " and ") + " (tab, arrows) --"
		out += "\n" + t.Muted.Render(ansi.Truncate(line, width, t.G.Ellipsis))
	}
	if bottom := s.bottomView(width); bottom != "" {
		out += "\n\n" + bottom
	}
	return out
}

// layout renders the form (or the preview) into its scroll window and
// moves the window to show the focused field. It runs in Update and
// SetSize, never in View.
func (s *settingsScreen) layout() {
	if !s.loaded || s.loadErr != nil {
		return
	}
	width, height := s.Width(), s.Height()
	if s.preview {
		s.pv.SetHeight(max(1, height-2))
		s.pv.SetLines(s.previewLines(width))
		return
	}
	formH := height - 1
	if bottom := s.bottomView(width); bottom != "" {
		formH -= lipgloss.Height(bottom) + 1
	}
	formH = max(3, formH)
	lines, focus := s.formLines(width)
	if len(lines) > formH {
		formH-- // the position line
	}
	s.form.SetHeight(formH)
	s.form.SetLines(lines)
	s.form.Show(focus[0], focus[1]-1)
}

// formLines renders the whole form and returns the line range [start, end)
// of the focused field, its errors included.
func (s *settingsScreen) formLines(width int) ([]string, [2]int) {
	t := s.c.Theme
	var lines []string
	var focus [2]int
	add := func(text string) {
		if text == "" {
			lines = append(lines, "")
			return
		}
		lines = append(lines, strings.Split(text, "\n")...)
	}
	// mark notes the focused field's lines: from start (or the section
	// heading above it) to the end so far.
	mark := func(f sField, start int) {
		if s.focus == f {
			focus = [2]int{start, len(lines)}
		}
	}

	// Software Token Profiles Available for Request
	add(t.Heading.Render("Software Token Profiles Available for Request"))
	if len(s.profiles) == 0 {
		add(kit.Wrap("There are no software token profiles yet. Add one on the Software Token Profiles screen or with swtoken profiles add.", width))
	}
	nameW := 0
	for _, p := range s.profiles {
		nameW = max(nameW, min(32, ansi.StringWidth(p.Name)))
	}
	for i, p := range s.profiles {
		start := len(lines)
		if i == 0 {
			start = 0
		}
		add(s.profileRow(i, p, nameW))
		if i == s.row {
			mark(sfList, start)
		}
	}
	for _, e := range s.errsFor("", model.FieldDefault) {
		add(s.errView(e, width))
	}
	add("")

	// The highlighted profile's details.
	if p := s.profile(); p != nil {
		e := s.entry()
		sel := e != nil && e.Selected
		state := "not selected"
		if sel {
			state = "selected"
			if e.Default {
				state += ", the default"
			}
		}
		add(t.Heading.Render(ansi.Truncate(p.Name, max(10, width-len(state)-2), t.G.Ellipsis)) + ": " + state)
		if !sel {
			add(kit.Hang(t.G.NoCursor, "Press space on the list to offer this profile for request. Display Name, Image Location and Description are then filled in from the profile; you can edit them.", width))
		} else {
			s.textRow(&lines, sfDisplayName, "Display Name", width, mark)
			s.textRow(&lines, sfImage, "Image Location", width, mark)
			s.textRow(&lines, sfDescription, "Description", width, mark)
		}
		for _, r := range [][2]string{
			{"Tokencode Duration", fmt.Sprintf("%d seconds", p.Duration)},
			{"Tokencode Length", fmt.Sprintf("%d digits", p.TokencodeLength)},
			{"Authentication Type", string(p.AuthType)},
			{"Delivery Method", string(p.DeliveryMethod)},
		} {
			add(t.G.NoCursor + t.Label.Render(fmt.Sprintf("%-*s", sLabelW, r[0]+":")) + " " + ansi.Truncate(r[1], max(10, width-sLabelW-3), t.G.Ellipsis))
		}
		if !p.DeliveryMethod.CanDeliver() {
			add(kit.Hang(t.G.NoCursor+t.Warn.Render("NOTE: "), model.CannotDeliverYet(p.Name, p.DeliveryMethod)+".", width))
		}
		if sel {
			start := len(lines)
			add(s.checkRow(sfConfirm, s.confirmText(*e, *p), width))
			for _, fe := range s.errsFor(p.Name, model.FieldConfirmed) {
				add(s.errView(fe, width))
			}
			mark(sfConfirm, start)
			s.textRow(&lines, sfAppURL, "Application Installation Download URL", width, mark)
			s.textRow(&lines, sfHelpURL, "Device Help Document URL", width, mark)
			start = len(lines)
			box := t.G.RadioOff
			if e.Default {
				box = t.G.RadioOn
			}
			add(s.checkRow(sfDefault, box+" Make this the default option for software token requests", width))
			for _, fe := range s.errsFor(p.Name, model.FieldDefault) {
				add(s.errView(fe, width))
			}
			mark(sfDefault, start)
			start = len(lines)
			add(s.checkRow(sfAllowEdit, s.box(e.AllowUserEdit)+" Allow user to edit token attribute details", width))
			mark(sfAllowEdit, start)
		}
		add("")
	}

	// Token File Password Settings
	start := len(lines)
	add(t.Heading.Render("Token File Password Settings"))
	add(s.checkRow(sfPassword, s.box(s.cur.UserMustProvidePassword)+" The user needs to provide the password, to protect the token file", width))
	mark(sfPassword, start)

	// Expiring Token Parameters
	start = len(lines)
	add(t.Heading.Render("Expiring Token Parameters"))
	m := t.G.NoCursor
	if s.focus == sfDays {
		m = t.G.Cursor
	}
	s.fields[sfDays].SetWidth(4)
	add(m + t.Label.Render("Replacement window:") + " " + s.fields[sfDays].View() + " " +
		t.Muted.Render(fmt.Sprintf("days before a token expires (%d-%d)", model.MinReplacementWindowDays, model.MaxReplacementWindowDays)))
	for _, fe := range s.errsFor("", model.FieldReplacementWindow) {
		add(s.errView(fe, width))
	}
	mark(sfDays, start)
	add("")

	s.smtpLines(&lines, width, mark)
	add("")

	// Buttons
	start = len(lines)
	add(s.button(sfSave, "Save") + "  " + s.button(sfPreview, "Preview"))
	mark(sfSave, start)
	mark(sfPreview, start)
	return lines, focus
}

// smtpLines renders "E-mail to Users (SMTP)": where the request e-mails
// go. The password is never typed here: the field holds the path of a
// file the sender reads.
func (s *settingsScreen) smtpLines(lines *[]string, width int, mark func(sField, int)) {
	t := s.c.Theme
	add := func(text string) { *lines = append(*lines, strings.Split(text, "\n")...) }
	start := len(*lines)
	add(t.Heading.Render("E-mail to Users (SMTP)"))
	s.topTextRow(lines, sfSMTPHost, "SMTP Host", width, mark, start)
	s.topTextRow(lines, sfSMTPPort, "Port", width, mark, len(*lines))
	start = len(*lines)
	sec := "none (no SMTP)"
	switch s.cur.SMTP.Security {
	case model.SMTPStartTLS:
		sec = "starttls (default port 587)"
	case model.SMTPTLS:
		sec = "tls (default port 465)"
	case model.SMTPPlain:
		sec = "plain (unencrypted, loopback only)"
	case "":
	default:
		sec = string(s.cur.SMTP.Security)
	}
	add(s.checkRow(sfSMTPSecurity, t.Label.Render(fmt.Sprintf("%-*s", sLabelW, "Security:"))+" "+sec, width))
	for _, fe := range s.errsFor("", model.FieldSMTPSecurity) {
		add(s.errView(fe, width))
	}
	mark(sfSMTPSecurity, start)
	s.topTextRow(lines, sfSMTPUser, "User", width, mark, len(*lines))
	s.topTextRow(lines, sfSMTPPasswordFile, "Password File (a path)", width, mark, len(*lines))
	s.topTextRow(lines, sfSMTPFrom, "From Address", width, mark, len(*lines))
	start = len(*lines)
	add(s.checkRow(sfSMTPZip, s.box(s.cur.SMTP.ZipTokenFile)+" Send the token file inside a .zip (for mail servers that block .sdtid)", width))
	mark(sfSMTPZip, start)
}

// topTextRow renders a labelled top-level text field with its errors;
// start is where its focus range begins (a section heading above it).
func (s *settingsScreen) topTextRow(lines *[]string, f sField, label string, width int, mark func(sField, int), start int) {
	t := s.c.Theme
	m := t.G.NoCursor
	if s.focus == f {
		m = t.G.Cursor
	}
	ti := &s.fields[f]
	ti.SetWidth(max(10, width-len(m)-sLabelW-2))
	*lines = append(*lines, m+t.Label.Render(fmt.Sprintf("%-*s", sLabelW, label+":"))+" "+ti.View())
	for _, fe := range s.errsFor("", sfModelField[f]) {
		*lines = append(*lines, strings.Split(s.errView(fe, width), "\n")...)
	}
	mark(f, start)
}

func (s *settingsScreen) box(on bool) string {
	if on {
		return s.c.Theme.G.Checked
	}
	return s.c.Theme.G.Unchecked
}

// profileRow is one line of the list: checkbox, name and, for a selected
// profile, its default and confirmation marks, in words.
func (s *settingsScreen) profileRow(i int, p model.Profile, nameW int) string {
	t := s.c.Theme
	focused := s.focus == sfList && i == s.row
	m := t.G.NoCursor
	if focused {
		m = t.G.Cursor
	}
	e := s.cur.Entry(p.Name)
	sel := e != nil && e.Selected
	name := ansi.Truncate(p.Name, nameW, t.G.Ellipsis)
	line := m + s.box(sel) + " " + name + strings.Repeat(" ", max(0, nameW-ansi.StringWidth(name)))
	var tags []string
	if sel {
		def := "       "
		if e.Default {
			def = "default"
		}
		tags = append(tags, def)
		switch e.ConfirmStatus(p) {
		case model.Confirmed:
			tags = append(tags, "confirmed")
		case model.ConfirmationLapsed:
			tags = append(tags, "CONFIRMATION LAPSED, NOT OFFERED")
		default:
			tags = append(tags, "NOT CONFIRMED, NOT OFFERED")
		}
	}
	if !p.DeliveryMethod.CanDeliver() {
		tags = append(tags, "CT-KIP: CANNOT DELIVER YET")
	}
	if s.itemHasErrs(p.Name) {
		tags = append(tags, "ERROR")
	}
	if len(tags) > 0 {
		line += "  " + strings.Join(tags, "  ")
	}
	line = ansi.Truncate(strings.TrimRight(line, " "), s.Width(), t.G.Ellipsis)
	if focused {
		return t.Selected.Render(line)
	}
	return line
}

// confirmText is the confirmation line, in the model's words.
func (s *settingsScreen) confirmText(e model.SettingsEntry, p model.Profile) string {
	st := e.ConfirmStatus(p)
	text := st.String()
	text = strings.ToUpper(text[:1]) + text[1:]
	switch st {
	case model.Confirmed:
		return s.c.Theme.G.Checked + " " + text + ": the four settings above are right"
	case model.ConfirmationLapsed:
		return "[!] " + text + "; not offered until you confirm again (" + confirmKeys[0] + ")"
	}
	return s.c.Theme.G.Unchecked + " " + text + ": press " + confirmKeys[0] + " to confirm the four settings above"
}

// textRow renders a labelled text field with its errors.
func (s *settingsScreen) textRow(lines *[]string, f sField, label string, width int, mark func(sField, int)) {
	t := s.c.Theme
	start := len(*lines)
	m := t.G.NoCursor
	if s.focus == f {
		m = t.G.Cursor
	}
	ti := &s.fields[f]
	ti.SetWidth(max(10, width-len(m)-sLabelW-2))
	*lines = append(*lines, m+t.Label.Render(fmt.Sprintf("%-*s", sLabelW, label+":"))+" "+ti.View())
	if p := s.profile(); p != nil {
		for _, fe := range s.errsFor(p.Name, sfModelField[f]) {
			*lines = append(*lines, strings.Split(s.errView(fe, width), "\n")...)
		}
	}
	mark(f, start)
}

// checkRow renders a checkbox-like field, reversed when focused.
func (s *settingsScreen) checkRow(f sField, text string, width int) string {
	t := s.c.Theme
	m := t.G.NoCursor
	if s.focus == f {
		m = t.G.Cursor
	}
	line := ansi.Truncate(m+text, width, t.G.Ellipsis)
	if s.focus == f {
		return t.Selected.Render(line)
	}
	return line
}

func (s *settingsScreen) button(f sField, label string) string {
	t := s.c.Theme
	b := "[ " + label + " ]"
	if s.focus == f {
		return t.G.Cursor + t.Selected.Render(b)
	}
	return t.G.NoCursor + b
}

// errView is an inline error under its field, indented past the cursor.
func (s *settingsScreen) errView(e *model.FieldError, width int) string {
	t := s.c.Theme
	return kit.Hang(t.G.NoCursor+t.Error.Render("ERROR: "), e.Msg, width)
}

// bottomView is the fixed area under the form: the question, the saving
// state, why a save was refused, a hint.
func (s *settingsScreen) bottomView(width int) string {
	t := s.c.Theme
	var parts []string
	switch {
	case s.busy != "":
		parts = append(parts, s.busy)
	case s.leaving:
		parts = append(parts, kit.Hang(t.Warn.Render("Leave without saving? "), "Your unsaved changes will be lost.", width),
			s.choices()+"    "+t.Key.Render(saveKeys[0])+" save")
	}
	if s.conflict != nil {
		parts = append(parts, kit.ConflictText(t, s.conflict, width))
		if s.reloadAsk && s.busy == "" {
			parts = append(parts, kit.Hang(t.Warn.Render("Reload the current settings? "), "Your unsaved changes are lost.", width),
				ansi.Truncate(s.choices(), width, t.G.Ellipsis))
		}
	}
	if s.saveErr != nil {
		parts = append(parts, kit.Hang(t.Error.Render("ERROR: "), "could not save: "+s.saveErr.Error()+". Nothing was changed; your edits are kept, so you can try again.", width))
	}
	if s.saveFailed && len(s.errs) > 0 {
		text := fmt.Sprintf("Not saved, nothing changed: %s to fix, shown at the fields", kit.Plural(len(s.errs), "problem", "problems"))
		for _, e := range s.errs {
			if e.Item != "" {
				text += "; profiles with problems are marked ERROR"
				break
			}
		}
		parts = append(parts, kit.Hang(t.Error.Render("ERROR: "), text+".", width))
	}
	for _, e := range s.errs {
		if !s.placed(e) {
			parts = append(parts, kit.Hang(t.Error.Render("ERROR: "), e.Error(), width))
		}
	}
	if len(s.saved) > 0 {
		parts = append(parts, t.Heading.Render("Saved:"))
		for i, c := range s.saved {
			if i == maxSavedLines-1 && len(s.saved) > maxSavedLines {
				parts = append(parts, kit.Hang("- ", fmt.Sprintf("and %d more (the audit trail lists them all)", len(s.saved)-i), width))
				break
			}
			parts = append(parts, ansi.Truncate("- "+c, width, t.G.Ellipsis))
		}
	}
	if s.note != "" {
		parts = append(parts, kit.Hang(t.Warn.Render("NOTE: "), s.note, width))
	}
	return strings.Join(parts, "\n")
}

// previewLines is model.Preview of the settings being edited, wrapped to
// the width.
func (s *settingsScreen) previewLines(width int) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(model.Preview(s.cur, s.profiles), "\n"), "\n") {
		if l == "" {
			lines = append(lines, "")
			continue
		}
		// Continuation lines keep the line's indent.
		body := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(body)]
		for _, w := range strings.Split(ansi.Wrap(body, max(20, width-len(indent)), " "), "\n") {
			lines = append(lines, indent+w)
		}
	}
	return lines
}

// previewView shows the preview as scrolled in Update.
func (s *settingsScreen) previewView(width int) string {
	t := s.c.Theme
	head := t.Heading.Render("Preview")
	if s.dirty() {
		head += " " + t.Warn.Render("(with your unsaved changes)")
	}
	out := head + "\n" + s.pv.View()
	if pos := s.pv.Position(); pos != "" {
		out += "\n" + t.Muted.Render(ansi.Truncate("-- "+pos+" (arrows, pgup/pgdn) --", width, t.G.Ellipsis))
	}
	return out
}

// StoreChanged reloads the self-service settings only while the screen has
// no unsaved edits, and delivers the result only if it still has none when
// it lands (the admin may have started typing meanwhile): saving, and
// what a save does when the stored settings changed, are the settings
// screen's own.
func (s *settingsScreen) StoreChanged() tea.Cmd {
	untouched := func() bool { return s.busy == "" && !s.leaving && !s.HasInput() }
	if !untouched() {
		return nil
	}
	load := s.Init()
	return func() tea.Msg { return nav.GuardedMsg{To: s, Msg: load(), OK: untouched} }
}

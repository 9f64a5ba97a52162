package inventory

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

// profileRow is one profile in the list; FilterValue is "name device-type
// delivery". rec is the record as loaded: an edit or delete hands it back,
// so that a change made elsewhere meanwhile is refused, not overwritten.
type profileRow struct {
	rec store.ProfileRecord
	p   model.Profile
	fs  [3]string
	fv  string
}

func (r *profileRow) FilterValue() string { return r.fv }

// shortDelivery is the list's column text for a delivery method.
func shortDelivery(m model.DeliveryMethod) string {
	switch m {
	case model.DeliveryFile:
		return "File (SDTID)"
	case model.DeliveryCTF:
		return "CTF"
	case model.DeliveryCTKIP:
		return "CT-KIP"
	case model.DeliveryQR:
		return "QR (CT-KIP)"
	}
	return string(m)
}

func profileCells(width int) []kit.Cell {
	nameW := max(12, width-2-48-5)
	return []kit.Cell{{Text: "Name", W: nameW, FV: 0}, {Text: "Device type", W: 13, FV: 1}, {Text: "Delivery", W: 12, FV: 2}, {Text: "Code", W: 9, FV: -1}, {Text: "Auth type", W: 14, FV: -1}}
}

func profileRender(c *common) filterlist.RenderFunc {
	return func(it filterlist.Item, width int, selected bool, matched []int) string {
		r := it.(*profileRow)
		cs := profileCells(width + 2)
		vals := []string{r.fs[0], r.fs[1], r.fs[2], fmt.Sprintf("%d / %ds", r.p.TokencodeLength, r.p.Duration), string(r.p.AuthType)}
		for i := range cs {
			cs[i].Text = vals[i]
		}
		return kit.RenderRow(c.Theme, cs, r.fs[:], matched, width, selected)
	}
}

type (
	profilesLoadedMsg struct {
		ps  []store.ProfileRecord
		err error
	}
	// profilesChangedMsg is broadcast after an add, edit or delete.
	profilesChangedMsg struct{ selectName string }
	profileDeletedMsg  struct {
		name string
		err  error
	}
)

// profilesScreen lists the software token profiles: add, edit, delete.
type profilesScreen struct {
	listScreen
	ps      []store.ProfileRecord
	confirm string              // the profile to delete, asked
	delRec  store.ProfileRecord // its record as loaded
	working bool
	delErr  error // the last delete refusal (in use, changed meanwhile), shown until a key
}

func newProfiles(c *common) *profilesScreen {
	s := &profilesScreen{listScreen: listScreen{c: c, list: kit.NewList(c.Env, profileRender(c))}}
	s.self = s
	return s
}

func (s *profilesScreen) reload() tea.Cmd {
	be := s.c.be
	return func() tea.Msg {
		ps, err := be.ProfileRecords()
		return nav.To(s, profilesLoadedMsg{ps, err})
	}
}

func (s *profilesScreen) Init() tea.Cmd           { return s.reloads.Start(s.reload()) }
func (s *profilesScreen) Title() string           { return "Software Token Profiles" }
func (s *profilesScreen) OwnsList(id uint64) bool { return id == s.list.ID() }
func (s *profilesScreen) CapturesInput() bool     { return s.typing() }

// typing is true while the filter input has the focus.
func (s *profilesScreen) typing() bool {
	return s.loaded && !s.working && s.confirm == "" && s.list.FilterFocused()
}

// StoreChanged reloads the profiles (saved by another admin); the filter
// and the selected profile (by name) stay.
func (s *profilesScreen) StoreChanged() tea.Cmd { return s.reloads.Changed(s, s.reload()) }

func sameProfile(a, b filterlist.Item) bool {
	return model.SameName(a.(*profileRow).p.Name, b.(*profileRow).p.Name)
}

func (s *profilesScreen) selected() (store.ProfileRecord, bool) {
	r, ok := selected[*profileRow](&s.list)
	if !ok {
		return store.ProfileRecord{}, false
	}
	return r.rec, true
}

func (s *profilesScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesLoadedMsg:
		s.loaded, s.err = true, msg.err
		s.ps = msg.ps
		rows := make([]profileRow, len(s.ps))
		items := make([]filterlist.Item, len(s.ps))
		for i, r := range s.ps {
			p := r.Profile
			rows[i] = profileRow{rec: r, p: p, fs: [3]string{p.Name, string(p.DeviceType), shortDelivery(p.DeliveryMethod)}}
			rows[i].fv = strings.Join(rows[i].fs[:], " ")
			items[i] = &rows[i]
		}
		return s, tea.Batch(s.list.SetItemsKeep(items, sameProfile), s.reloads.Loaded(s, s.reload()))
	case kit.LiveTickMsg:
		return s, s.reloads.Tick(s.reload())
	case profilesChangedMsg:
		return s, s.reload()
	case profileDeletedMsg:
		s.working = false
		if msg.err != nil {
			s.delErr = msg.err
			var ce *store.ConflictError
			if errors.As(msg.err, &ce) {
				// Changed elsewhere meanwhile: show the list as it is.
				return s, s.reload()
			}
			return s, nil
		}
		return s, tea.Batch(s.reload(), nav.Status(nav.StatusOK, fmt.Sprintf("Profile %q deleted.", msg.name)))
	case filterlist.SelectedMsg:
		if msg.ListID != s.list.ID() {
			return s, nil
		}
		return s, nav.Push(newProfileForm(s.c, msg.Item.(*profileRow).rec, true))
	case tea.KeyPressMsg:
		t := s.Bindings()
		if t.Match(msg, s.typing()) >= 0 {
			s.delErr = nil // a refusal shows until the next command
		}
		return s, dispatch(t, &s.list, msg)
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd
}

// Bindings is the Profiles list's table: the list with new, edit and
// delete, or the delete question.
func (s *profilesScreen) Bindings() nav.Table {
	switch {
	case s.working:
		return busy()
	case !s.loaded:
		return nil
	case s.confirm != "":
		return ask(s.c.Keys, deleteConfirm, func() tea.Cmd {
			name, rec, be := s.confirm, s.delRec, s.c.be
			s.confirm, s.working = "", true
			return func() tea.Msg { return nav.To(s, profileDeletedMsg{name, be.DeleteProfile(rec)}) }
		}, func() tea.Cmd { s.confirm = ""; return nil })
	}
	lt := listTable(s.c, &s.list, listKeys{open: "edit", empty: "No profile to edit.", keepFilter: true})
	var t nav.Table
	if s.delErr != nil {
		t = append(t, esc("dismiss", func() tea.Cmd { s.delErr = nil; return nil }))
	}
	if s.list.FilterFocused() {
		return append(t, lt...)
	}
	none := "No profile selected."
	edit := nav.Binding{Key: bind("e", "edit", "e"), FullOnly: true, Run: func() tea.Cmd {
		r, _ := s.selected()
		return nav.Push(newProfileForm(s.c, r, true))
	}}
	del := nav.Binding{Key: bind("x", "delete", "x", "delete"), Run: func() tea.Cmd {
		r, _ := s.selected()
		s.confirm, s.delRec = r.Name, r
		return nil
	}}
	if _, ok := s.selected(); !ok {
		edit.Disabled, del.Disabled = none, none
	}
	return append(append(t, lt[0],
		nav.Binding{Key: bind("n", "new", "n", "a"), Run: func() tea.Cmd {
			return nav.Push(newProfileForm(s.c, store.ProfileRecord{Profile: model.NewProfile("", model.DeviceIPhone)}, false))
		}},
		del, edit), lt[1:]...)
}

// deleteConfirm is the question before a profile is deleted.
var deleteConfirm = kit.Confirm{Yes: "delete", No: "keep"}

func (s *profilesScreen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	if v, ok := loadState(s.c, s.err, s.loaded, "profiles", w); ok {
		return v
	}
	var tail strings.Builder
	switch {
	case s.confirm != "":
		tail.WriteString(t.Warn.Render(fmt.Sprintf("Delete profile %q?", s.confirm)) + "\n")
		tail.WriteString(kit.Wrap("Token files already handed out are not affected. A profile that the self-service settings offer or a job names cannot be deleted.", w) + "\n")
		tail.WriteString(deleteConfirm.Choices(t))
	case s.delErr != nil:
		err := s.delErr
		var fe *model.FieldError
		if errors.As(err, &fe) && fe.Field == model.FieldProfile && fe.Item != "" {
			err = fmt.Errorf("profile %q %s", fe.Item, fe.Msg)
		}
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			tail.WriteString(kit.ConflictText(t, ce, w) + "\n")
			tail.WriteString(t.Muted.Render(kit.Wrap("The list now shows the profiles as they are stored.", w)))
		} else {
			tail.WriteString(kit.ErrorText(t, err, w) + "\n")
			tail.WriteString(t.Muted.Render(kit.Wrap("Nothing was deleted. Remove the profile from the self-service settings first; a profile that a job names stays for that job's record.", w)))
		}
	case s.working:
		tail.WriteString("Working...")
	default:
		if r, ok := s.selected(); ok {
			tail.WriteString(t.Label.Render("Description: ") + kit.Wrap(kit.TextValue(r.Description), w-13))
		}
	}
	tl := tail.String()
	th := 0
	if tl != "" {
		th = strings.Count(tl, "\n") + 2
	}
	rows := min(h-th, max(3, len(s.ps)+3))
	out := kit.ListWithHeader(&s.list, kit.HeaderRow(t, profileCells(w), w), w, rows)
	if tl != "" {
		out += "\n\n" + tl
	}
	return out
}

// ---- add / edit form ----

type profileField int

const (
	pfName profileField = iota
	pfDesc
	pfDevice
	pfGUID
	pfDelivery
	pfLength
	pfDuration
	pfAuth
	numProfileFields
)

var profileFieldNames = [numProfileFields]string{
	model.FieldProfileName, model.FieldDescription, model.FieldDeviceType, model.FieldDeviceGUID,
	model.FieldDeliveryMethod, model.FieldTokencodeLength, model.FieldDuration, model.FieldAuthType,
}

type (
	profileSavedMsg struct {
		name string
		err  error
		// lapsed is true when the edit lapsed the self-service
		// confirmation of a profile the settings offered.
		lapsed bool
	}
	// profileReloadedMsg is the edited profile as stored now, after a
	// conflict; found is false when it was deleted.
	profileReloadedMsg struct {
		rec   store.ProfileRecord
		found bool
		err   error
	}
)

// profileForm adds a profile, or edits one: the device type (and an Other
// GUID) is locked once the profile exists, and the edit screen says that
// files already handed out do not change (model.ProfileEditNote).
type profileForm struct {
	tabled
	c       *common
	edit    bool
	loaded  store.ProfileRecord // the edited profile as loaded; a save hands it back
	orig    model.Profile
	focus   profileField
	name    kit.TextField
	desc    kit.TextField
	guid    kit.TextField
	device  int // index into model.DeviceTypes()
	deliv   int
	length  int // index into {6, 8}
	dur     int // index into {30, 60}
	auth    int
	errs    model.FieldErrors
	other   error // a refusal that names no field
	leaving bool
	working bool
	// conflict is a save refused because the profile was changed, renamed
	// or deleted elsewhere after it was loaded; reloadAsk asks whether to
	// reload it (or, when it is gone, go back to the list), which drops
	// the edits.
	conflict  *store.ConflictError
	reloadAsk bool
	// descShown is the description as the field first showed it (without
	// line breaks), to tell an untouched description from an edited one.
	descShown string
}

var (
	lengthChoices   = []int{6, 8}
	durationChoices = []int{30, 60}
)

// newProfileForm edits r as loaded (edit), or adds a profile starting from
// r.Profile.
func newProfileForm(c *common, r store.ProfileRecord, edit bool) *profileForm {
	f := &profileForm{c: c, edit: edit}
	f.self = f
	// The text fields take more than the model allows (twice as much, as
	// the wizard's job name does), so that a name or description that is
	// too long is refused on save with the model's message ("is 129
	// characters; at most 128 are allowed"), never shortened in silence.
	f.name = kit.NewInput(c.Env, "(1-128 characters, unique)")
	f.name.CharLimit = 2 * model.MaxProfileNameLen
	f.desc = kit.NewInput(c.Env, "(optional)")
	f.desc.CharLimit = 2 * model.MaxDescriptionLen
	f.guid = kit.NewInput(c.Env, "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
	f.load(r)
	return f
}

// load shows r in the fields, as the profile being edited (or the start
// of a new one).
func (f *profileForm) load(r store.ProfileRecord) {
	p := r.Profile
	f.loaded, f.orig = r, p
	f.name.SetValue(p.Name)
	f.name.CursorEnd()
	f.desc.SetValue(p.Description)
	f.descShown = f.desc.Value()
	f.guid.SetValue(p.OtherGUID)
	f.device = max(0, slices.Index(model.DeviceTypes(), p.DeviceType))
	f.deliv = max(0, slices.Index(model.DeliveryMethods(), p.DeliveryMethod))
	f.length = max(0, slices.Index(lengthChoices, p.TokencodeLength))
	f.dur = max(0, slices.Index(durationChoices, p.Duration))
	f.auth = max(0, slices.Index(model.AuthTypes(), p.AuthType))
	if !f.edit {
		f.orig = f.profile()
	}
}

func (f *profileForm) Init() tea.Cmd { return f.name.Focus() }

func (f *profileForm) Title() string {
	if f.edit {
		return "Edit " + f.orig.Name
	}
	return "New profile"
}

func (f *profileForm) profile() model.Profile {
	desc := f.desc.Value()
	if f.edit && desc == f.descShown {
		// Untouched: keep the line breaks a one-line field cannot show
		// (a description set with the CLI may have them).
		desc = f.orig.Description
	}
	p := model.Profile{
		Name: f.name.Value(), Description: desc,
		DeviceType:      model.DeviceTypes()[f.device],
		DeliveryMethod:  model.DeliveryMethods()[f.deliv],
		TokencodeLength: lengthChoices[f.length], Duration: durationChoices[f.dur],
		AuthType: model.AuthTypes()[f.auth],
	}
	if p.DeviceType == model.DeviceOther {
		p.OtherGUID = f.guid.Value()
	}
	return p
}

func (f *profileForm) HasInput() bool     { return f.profile() != f.orig }
func (f *profileForm) LossReason() string { return "The profile form's changes will be lost." }
func (f *profileForm) CapturesInput() bool {
	return !f.leaving && !f.working && !f.reloadAsk && f.isText(f.focus)
}

func (f *profileForm) isText(pf profileField) bool {
	return pf == pfName || pf == pfDesc || pf == pfGUID
}

// locked: the device class of an existing profile never changes.
func (f *profileForm) locked(pf profileField) bool {
	return f.edit && (pf == pfDevice || pf == pfGUID)
}

func (f *profileForm) visible(pf profileField) bool {
	return pf != pfGUID || model.DeviceTypes()[f.device] == model.DeviceOther
}

// SetSize fits the text fields to the width.
func (f *profileForm) SetSize(w, h int) {
	f.Base.SetSize(w, h)
	for _, t := range []*kit.TextField{&f.name, &f.desc, &f.guid} {
		t.SetWidth(max(10, w-profileLabelW-6))
	}
}

func (f *profileForm) field(pf profileField) *kit.TextField {
	switch pf {
	case pfName:
		return &f.name
	case pfDesc:
		return &f.desc
	case pfGUID:
		return &f.guid
	}
	return nil
}

func (f *profileForm) setFocus(pf profileField) tea.Cmd {
	for _, t := range []*kit.TextField{&f.name, &f.desc, &f.guid} {
		t.Blur()
	}
	f.focus = pf
	if t := f.field(pf); t != nil {
		return t.Focus()
	}
	return nil
}

func (f *profileForm) move(d int) tea.Cmd {
	pf := f.focus
	for range numProfileFields {
		pf = (pf + profileField(d) + numProfileFields) % numProfileFields
		if f.visible(pf) && !f.locked(pf) {
			break
		}
	}
	return f.setFocus(pf)
}

func (f *profileForm) cycle(d int) {
	step := func(i *int, n int) { *i = (*i + d + n) % n }
	switch f.focus {
	case pfDevice:
		step(&f.device, len(model.DeviceTypes()))
	case pfDelivery:
		step(&f.deliv, len(model.DeliveryMethods()))
	case pfLength:
		step(&f.length, len(lengthChoices))
	case pfDuration:
		step(&f.dur, len(durationChoices))
	case pfAuth:
		step(&f.auth, len(model.AuthTypes()))
	default:
		return
	}
	f.clearErr(f.focus)
}

func (f *profileForm) clearErr(pf profileField) {
	name := profileFieldNames[pf]
	f.errs = slices.DeleteFunc(slices.Clone(f.errs), func(e *model.FieldError) bool { return e.Field == name })
	f.other = nil
}

func (f *profileForm) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profileSavedMsg:
		f.working = false
		if msg.err != nil {
			var ce *store.ConflictError
			if errors.As(msg.err, &ce) {
				// Changed elsewhere since loaded: nothing was saved;
				// offer to reload.
				f.errs, f.other = nil, nil
				f.conflict, f.reloadAsk = ce, true
				return f, nil
			}
			f.showErr(msg.err)
			return f, nil
		}
		verb := "added"
		if f.edit {
			verb = "saved"
		}
		status := nav.Status(nav.StatusOK, fmt.Sprintf("Profile %q %s.", msg.name, verb))
		if msg.lapsed {
			status = nav.Status(nav.StatusWarn, fmt.Sprintf("Profile %q saved. The self-service confirmation of %q lapsed: confirm it again in Settings.", msg.name, msg.name))
		}
		return f, tea.Batch(nav.Pop, nav.Broadcast(profilesChangedMsg{msg.name}), status)
	case profileReloadedMsg:
		f.working = false
		switch {
		case msg.err != nil:
			f.reloadAsk = true
			f.other = fmt.Errorf("could not reload the profile: %w", msg.err)
			return f, nil
		case !msg.found:
			return f, f.backToList()
		}
		f.conflict, f.errs, f.other = nil, nil, nil
		f.load(msg.rec)
		return f, tea.Batch(f.setFocus(pfName), nav.Broadcast(profilesChangedMsg{msg.rec.Name}),
			nav.Status(nav.StatusInfo, fmt.Sprintf("Reloaded: profile %q as stored now. Make your change again.", msg.rec.Name)))
	case tea.PasteMsg:
		if t := f.field(f.focus); t != nil && !f.leaving && !f.reloadAsk {
			*t, _ = t.Update(msg)
			f.clearErr(f.focus)
		}
		return f, nil
	case tea.KeyPressMsg:
		if cmd, ok := f.Bindings().Handle(msg, f.CapturesInput()); ok {
			return f, cmd
		}
		if t := f.field(f.focus); t != nil && !f.working && !f.leaving && !f.reloadAsk {
			before := t.Value()
			*t, _ = t.Update(msg)
			if t.Value() != before {
				f.clearErr(f.focus)
			}
		}
	}
	return f, nil
}

// showErr puts field errors at their fields; anything else under the form.
func (f *profileForm) showErr(err error) {
	f.errs, f.other = nil, nil
	for _, e := range model.AsFieldErrors(err) {
		if slices.Contains(profileFieldNames[:], e.Field) {
			f.errs = append(f.errs, e)
		} else {
			f.other = errors.Join(f.other, e)
		}
	}
	for pf := range numProfileFields {
		if len(f.errs.For(profileFieldNames[pf])) > 0 && f.visible(pf) && !f.locked(pf) {
			f.setFocus(pf)
			break
		}
	}
}

// Bindings is the profile form's table: moving between the fields, a
// choice field's arrows, save and cancel; or the leave and reload
// questions. Text fields take every key that types.
func (f *profileForm) Bindings() nav.Table {
	k := f.c.Keys
	switch {
	case f.working:
		return busy()
	case f.reloadAsk:
		yes, no := "reload", "keep editing"
		if f.conflict != nil && f.conflict.Deleted() {
			yes, no = "back to the list", "stay"
		}
		stay := func() tea.Cmd { f.reloadAsk = false; return nil }
		return nav.Table{
			{Key: bind("r/y", yes, "r", "R", "y", "Y"), Run: f.reload},
			{Key: bind("n", no, "n", "N"), Run: stay},
			esc(no, stay),
		}
	case f.leaving:
		stay := func() tea.Cmd { f.leaving = false; return nil }
		return ask(k, kit.Confirm{Yes: "leave", No: "stay"}, func() tea.Cmd { f.leaving = false; return nav.Pop }, stay)
	}
	t := nav.Table{
		{Key: bind("tab/↓", "next field", "tab", "down", "ctrl+n"), Run: func() tea.Cmd { return f.move(1) }},
		{Key: bind("shift+tab/↑", "previous field", "shift+tab", "up", "ctrl+p"), Run: func() tea.Cmd { return f.move(-1) }, FullOnly: true},
	}
	if !f.isText(f.focus) {
		next, prev := "→/space", "←"
		if kit.ASCIITheme(f.c.Theme) {
			next, prev = "right/space", "left"
		}
		t = append(t,
			nav.Binding{Key: bind(next, "next choice", "right", "l", "space"), Run: func() tea.Cmd { f.cycle(1); return nil }},
			nav.Binding{Key: bind(prev, "previous choice", "left", "h"), Run: func() tea.Cmd { f.cycle(-1); return nil }, FullOnly: true})
	}
	cancel := esc("cancel", nil)
	if f.HasInput() {
		cancel = esc("cancel", func() tea.Cmd { f.leaving = true; return nil })
	}
	return append(t, nav.Binding{Key: bind("enter", "save", "enter", "ctrl+s"), Run: f.save}, cancel)
}

func (f *profileForm) save() tea.Cmd {
	p := f.profile()
	var err error
	if f.edit {
		err = model.ValidateProfileEdit(f.orig, p)
	} else {
		err = p.Validate()
	}
	if err != nil {
		f.showErr(err)
		return nil
	}
	if f.edit && p == f.orig {
		return tea.Batch(nav.Pop, nav.Status(nav.StatusInfo, fmt.Sprintf("Profile %q: nothing changed.", p.Name)))
	}
	f.errs, f.other, f.conflict, f.working = nil, nil, nil, true
	be, edit, loaded := f.c.be, f.edit, f.loaded
	return func() tea.Msg {
		if !edit {
			return nav.To(f, profileSavedMsg{name: p.Name, err: be.AddProfile(p)})
		}
		// Whether the settings offered the profile, confirmed as it was
		// loaded: the edit that saves is the one that lapses it.
		e, found, err := be.SettingsEntry(loaded.Name)
		if err != nil {
			return nav.To(f, profileSavedMsg{name: p.Name, err: err})
		}
		wasConfirmed := found && e.Selected && e.ConfirmStatus(loaded.Profile) == model.Confirmed
		err = be.EditProfile(loaded, p)
		lapsed := err == nil && wasConfirmed && e.ConfirmStatus(p) != model.Confirmed
		return nav.To(f, profileSavedMsg{name: p.Name, err: err, lapsed: lapsed})
	}
}

// reload drops the edits and loads the profile as stored now (by its ID,
// so a rename is followed); a profile deleted meanwhile goes back to the
// list.
func (f *profileForm) reload() tea.Cmd {
	f.reloadAsk = false
	if f.conflict != nil && f.conflict.Deleted() {
		return f.backToList()
	}
	f.working = true
	be, id := f.c.be, f.loaded.ID
	return func() tea.Msg {
		rs, err := be.ProfileRecords()
		for _, r := range rs {
			if r.ID == id {
				return nav.To(f, profileReloadedMsg{rec: r, found: true})
			}
		}
		return nav.To(f, profileReloadedMsg{err: err})
	}
}

// backToList leaves the form for the list, reloaded, when the profile no
// longer exists.
func (f *profileForm) backToList() tea.Cmd {
	return tea.Batch(nav.Pop, nav.Broadcast(profilesChangedMsg{}),
		nav.Status(nav.StatusWarn, fmt.Sprintf("Profile %q no longer exists; the list shows the profiles as stored now.", f.orig.Name)))
}

// profileLabelW is the width of the form's labels.
const profileLabelW = 21

func (f *profileForm) View() string {
	w := f.Width()
	t := f.c.Theme
	var b strings.Builder
	if f.edit {
		b.WriteString(t.Heading.Render("Edit profile "+f.orig.Name) + "\n")
		b.WriteString(t.Warn.Render("NOTE: ") + kit.Wrap(model.ProfileEditNote+" The device type is locked: create a new profile for another device class.", w-6) + "\n\n")
	} else {
		b.WriteString(t.Heading.Render("New software token profile") + "\n")
		b.WriteString(t.Muted.Render(kit.Wrap("The device type cannot be changed once the profile exists.", w)) + "\n\n")
	}
	const lw = profileLabelW
	p := f.profile()
	for pf := range numProfileFields {
		if !f.visible(pf) {
			continue
		}
		mark := t.G.NoCursor
		if pf == f.focus && !f.locked(pf) {
			mark = t.G.Cursor
		}
		label := t.Label.Render(fmt.Sprintf("%-*s", lw, profileFieldNames[pf]+":"))
		var val string
		switch pf {
		case pfName, pfDesc, pfGUID:
			val = "  " + f.field(pf).View()
			if f.locked(pf) {
				val = "  " + p.OtherGUID + t.Muted.Render("  (locked)")
			}
		case pfDevice:
			val = f.choice(string(p.DeviceType), pf)
			if f.locked(pf) {
				val = "  " + string(p.DeviceType) + t.Muted.Render("  (locked)")
			}
		case pfDelivery:
			val = f.choice(string(p.DeliveryMethod), pf)
		case pfLength:
			val = f.choice(fmt.Sprintf("%d digits", p.TokencodeLength), pf)
		case pfDuration:
			val = f.choice(fmt.Sprintf("%d seconds", p.Duration), pf)
		case pfAuth:
			val = f.choice(string(p.AuthType), pf)
		}
		b.WriteString(mark + label + " " + val + "\n")
		if pf == pfDelivery && !p.DeliveryMethod.CanDeliver() {
			// Saved, such a profile is never offered for a job.
			b.WriteString(kit.Hang(strings.Repeat(" ", lw+3)+t.Warn.Render("NOTE: "), "cannot deliver yet: no job can use a "+string(p.DeliveryMethod)+" profile (choose "+string(model.DeliveryFile)+" or "+string(model.DeliveryCTF)+" to distribute tokens with it).", w) + "\n")
		}
		for _, e := range f.errs.For(profileFieldNames[pf]) {
			b.WriteString(kit.Hang(strings.Repeat(" ", lw+3)+t.Error.Render("ERROR: "), e.Msg, w) + "\n")
		}
	}
	if f.other != nil {
		b.WriteString("\n" + kit.ErrorText(t, f.other, w) + "\n")
	}
	if f.conflict != nil {
		b.WriteString("\n" + kit.ConflictText(t, f.conflict, w) + "\n")
	}
	switch {
	case f.reloadAsk && f.conflict != nil && f.conflict.Deleted():
		b.WriteString("\n" + kit.Hang(t.Warn.Render("Back to the list of profiles? "), "Your unsaved changes are lost.", w) + "\n" +
			t.Key.Render("r/y") + " back to the list  " + t.Key.Render("n/esc") + " stay")
	case f.reloadAsk:
		b.WriteString("\n" + kit.Hang(t.Warn.Render("Reload the profile as stored now? "), "Your unsaved changes are lost.", w) + "\n" +
			t.Key.Render("r/y") + " reload  " + t.Key.Render("n/esc") + " keep editing (saving is refused until you reload)")
	case f.leaving:
		b.WriteString("\n" + t.Warn.Render("Leave without saving? The changes will be lost.") + "  " + t.Key.Render("y") + " leave  " + t.Key.Render("n") + " stay")
	case f.working:
		b.WriteString("\nSaving...")
	default:
		b.WriteString("\n" + t.Muted.Render(kit.Wrap("enter saves. Distribution jobs use file-based (SDTID) and CTF profiles; CT-KIP profiles cannot deliver yet.", w)))
	}
	return b.String()
}

// choice renders a choice field: "< value >" when focused.
func (f *profileForm) choice(v string, pf profileField) string {
	if pf == f.focus {
		return f.c.Theme.Selected.Render("< " + v + " >")
	}
	return "  " + v
}

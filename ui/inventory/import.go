package inventory

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

type importField int

const (
	ifKind importField = iota
	ifPath
	ifPassword // token files only
	ifExisting
	ifPartial
	numImportFields
)

type importDoneMsg struct {
	kind  int
	paths []string
	res   store.ImportResult
	err   error
}

// importScreen imports token record files (paths, masked password,
// duplicates skipped or overwritten) or a users CSV (update existing or
// skip), all or nothing unless the admin asks for a partial import, and
// shows the result with a reason per rejected item.
type importScreen struct {
	tabled
	c        *common
	kind     int // 0 token files, 1 users CSV
	focus    importField
	path     [2]kit.TextField
	password kit.TextField
	existing [2]bool // overwrite / update
	partial  [2]bool
	err      error
	working  bool

	done   *importDoneMsg
	offset int // first rejection shown
}

func newImport(c *common) *importScreen {
	s := &importScreen{c: c}
	s.self = s
	s.path[0] = kit.NewInput(c.Env, "(files, a directory or a pattern, e.g. /srv/tokens/*.sdtid)")
	s.path[1] = kit.NewInput(c.Env, "(e.g. /srv/users.csv)")
	for i := range s.path {
		s.path[i].CharLimit = 4096
	}
	s.password = kit.NewSecretInput(c.Env)
	s.password.Placeholder = "(only for password-protected files)"
	return s
}

func (s *importScreen) Init() tea.Cmd { return nil }
func (s *importScreen) Title() string { return "Import" }

func (s *importScreen) CapturesInput() bool {
	return s.done == nil && !s.working && (s.focus == ifPath || s.focus == ifPassword)
}

func (s *importScreen) HasInput() bool {
	return s.done == nil && (s.path[s.kind].Value() != "" || s.password.Value() != "")
}
func (s *importScreen) LossReason() string { return "The import form's input will be lost." }

func (s *importScreen) Back() (nav.Screen, tea.Cmd, bool) {
	cmd, ok := backVia(s.Bindings())
	if !ok {
		s.ClearSecrets() // leaving the screen
	}
	return s, cmd, ok
}

// ClearSecrets drops a typed password (the root calls it when the screen
// is closed and when the console quits).
func (s *importScreen) ClearSecrets() { s.password.Reset() }

// SetSize fits the text fields to the width.
func (s *importScreen) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	for _, t := range []*kit.TextField{&s.path[0], &s.path[1], &s.password} {
		t.SetWidth(max(10, w-importLabelW-4))
	}
}

func (s *importScreen) visible(f importField) bool { return f != ifPassword || s.kind == 0 }

func (s *importScreen) text(f importField) *kit.TextField {
	switch f {
	case ifPath:
		return &s.path[s.kind]
	case ifPassword:
		return &s.password
	}
	return nil
}

func (s *importScreen) setFocus(f importField) tea.Cmd {
	s.path[0].Blur()
	s.path[1].Blur()
	s.password.Blur()
	s.focus = f
	if t := s.text(f); t != nil {
		return t.Focus()
	}
	return nil
}

func (s *importScreen) move(d int) tea.Cmd {
	f := s.focus
	for range numImportFields {
		f = (f + importField(d) + numImportFields) % numImportFields
		if s.visible(f) {
			break
		}
	}
	return s.setFocus(f)
}

func (s *importScreen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case importDoneMsg:
		s.working = false
		if msg.err != nil && !isRefusal(msg.err) {
			s.err = msg.err
			return s, nav.Status(nav.StatusError, "Import failed: "+msg.err.Error())
		}
		s.done, s.offset = &msg, 0
		return s, importStatus(&msg)
	case tea.PasteMsg:
		if t := s.text(s.focus); t != nil && s.done == nil {
			*t, _ = t.Update(msg)
			s.err = nil
		}
		return s, nil
	case tea.KeyPressMsg:
		if cmd, ok := s.Bindings().Handle(msg, s.CapturesInput()); ok {
			return s, cmd
		}
		if t := s.text(s.focus); t != nil && s.done == nil && !s.working {
			before := t.Value()
			*t, _ = t.Update(msg)
			if t.Value() != before {
				s.err = nil
			}
		}
	}
	return s, nil
}

// importStatus is the status line after an import: it replaces what an
// earlier import said (an "OK: Import done" must not stay above a refusal).
func importStatus(d *importDoneMsg) tea.Cmd {
	r := d.res
	var refused *store.ImportRejectedError
	switch {
	case errors.As(d.err, &refused):
		return nav.Status(nav.StatusError, fmt.Sprintf("Import refused: %d of %d item(s) rejected; nothing was imported.", refused.Rejected, refused.Total))
	case d.err != nil:
		return nav.Status(nav.StatusError, "Import failed: "+d.err.Error())
	case r.Imported+r.Updated > 0:
		return nav.Status(nav.StatusOK, fmt.Sprintf("Import done: %d imported, %d updated.", r.Imported, r.Updated))
	}
	return nav.Status(nav.StatusInfo, fmt.Sprintf("Import done: nothing changed (%d skipped, %d rejected).", r.Skipped, len(r.Rejected)))
}

func isRefusal(err error) bool {
	var r *store.ImportRejectedError
	return errors.As(err, &r)
}

// Bindings is the Import screen's table: the form (fields, a choice's
// toggle, import, back), or the result (scrolling the rejections, back to
// the form). Text fields take every key that types.
func (s *importScreen) Bindings() nav.Table {
	k := s.c.Keys
	switch {
	case s.working:
		return busy()
	case s.done != nil:
		toForm := func() tea.Cmd { s.done = nil; return nil }
		t := nav.Table{
			{Key: k.Down, Run: func() tea.Cmd { s.offset = min(max(0, len(s.done.res.Rejected)-1), s.offset+1); return nil }},
			{Key: k.Up, Run: func() tea.Cmd { s.offset = max(0, s.offset-1); return nil }},
		}
		if len(s.done.res.Rejected) < 2 {
			for i := range t {
				t[i].Disabled = "No rejections to scroll."
			}
		}
		back := esc("back to the form", toForm)
		back.FullOnly = true
		return append(t, nav.Binding{Key: bind("enter", "back to the form", "enter"), Run: toForm}, back)
	}
	t := nav.Table{
		{Key: bind("tab/↓", "next field", "tab", "down", "ctrl+n"), Run: func() tea.Cmd { return s.move(1) }},
		{Key: bind("shift+tab/↑", "previous field", "shift+tab", "up", "ctrl+p"), Run: func() tea.Cmd { return s.move(-1) }, FullOnly: true},
	}
	if s.text(s.focus) == nil {
		t = append(t, nav.Binding{Key: bind("space", "change", "space", "left", "right", "h", "l"), Run: s.toggle})
	}
	return append(t, nav.Binding{Key: bind("enter", "import", "enter"), Run: s.run}, esc("back", nil))
}

// toggle changes the focused choice (each has two values).
func (s *importScreen) toggle() tea.Cmd {
	switch s.focus {
	case ifKind:
		s.kind = 1 - s.kind
	case ifExisting:
		s.existing[s.kind] = !s.existing[s.kind]
	case ifPartial:
		s.partial[s.kind] = !s.partial[s.kind]
	}
	s.err = nil
	return nil
}

// splitPaths splits the typed paths at spaces; "double" or 'single' quotes
// keep a path with spaces together.
func splitPaths(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '"' || r == '\''):
			quote, in = r, true
		case quote == 0 && r == ' ':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

func (s *importScreen) run() tea.Cmd {
	paths := splitPaths(s.path[s.kind].Value())
	if len(paths) == 0 {
		s.err = errors.New("type the path of the file to import")
		s.setFocus(ifPath)
		return nil
	}
	if s.kind == 1 && len(paths) != 1 {
		s.err = fmt.Errorf("give exactly one CSV file (got %d paths)", len(paths))
		s.setFocus(ifPath)
		return nil
	}
	s.err, s.working = nil, true
	kind, be := s.kind, s.c.be
	opts := store.ImportOptions{Overwrite: s.existing[kind], Partial: s.partial[kind]}
	pw := s.password.Value()
	// The password leaves the form now; the Cmd holds the only copy.
	s.password.Reset()
	// An earlier import's status must not stand for this one.
	return tea.Batch(nav.Status(nav.StatusInfo, "Importing..."), func() tea.Msg {
		var res store.ImportResult
		var err error
		if kind == 0 {
			res, err = be.ImportTokenFiles(paths, pw, opts)
		} else {
			res, err = be.ImportUsersCSV(paths[0], opts)
		}
		return nav.To(s, importDoneMsg{kind, paths, res, err})
	})
}

// importLabelW is the width of the form's labels.
const importLabelW = 18

func (s *importScreen) radio(on bool, label string) string {
	g := s.c.Theme.G
	if on {
		return g.RadioOn + " " + label
	}
	return g.RadioOff + " " + label
}

func (s *importScreen) View() string {
	w, h := s.Width(), s.Height()
	if s.done != nil {
		return s.resultView(w, h)
	}
	t := s.c.Theme
	var b strings.Builder
	b.WriteString(t.Heading.Render("Import") + "\n")
	b.WriteString(t.Muted.Render(kit.Wrap("All or nothing: when any item is rejected nothing is imported, unless you choose to import the valid ones. Each rejected item is listed with its reason.", w)) + "\n\n")
	const lw = importLabelW
	line := func(f importField, label, val string) {
		mark := t.G.NoCursor
		if f == s.focus {
			mark = t.G.Cursor
		}
		b.WriteString(mark + t.Label.Render(fmt.Sprintf("%-*s", lw, label+":")) + " " + val + "\n")
	}
	line(ifKind, "Import", s.radio(s.kind == 0, "Token record files (SDTID)")+"   "+s.radio(s.kind == 1, "Users CSV"))
	pf := &s.path[s.kind]
	label := "Files"
	if s.kind == 1 {
		label = "CSV file"
	}
	line(ifPath, label, pf.View())
	if s.kind == 0 {
		line(ifPassword, "Password", s.password.View())
		line(ifExisting, "Existing serials", s.radio(!s.existing[0], "skip")+"   "+s.radio(s.existing[0], "overwrite"))
	} else {
		line(ifExisting, "Existing users", s.radio(!s.existing[1], "skip")+"   "+s.radio(s.existing[1], "update names and e-mail"))
	}
	line(ifPartial, "Rejections", s.radio(!s.partial[s.kind], "import nothing")+"   "+s.radio(s.partial[s.kind], "import the valid ones"))
	b.WriteString("\n")
	switch {
	case s.err != nil:
		b.WriteString(kit.ErrorText(t, s.err, w))
	case s.working:
		b.WriteString("Importing...")
	case s.kind == 0:
		b.WriteString(t.Muted.Render(kit.Wrap("Several paths are separated by spaces; quote a path that holds spaces. A directory means its *.sdtid files. Overwrite gives existing serials the file's seed and keeps their assignment and history. The password is not shown or kept.", w)))
	default:
		b.WriteString(t.Muted.Render(kit.Wrap("The CSV has a header line: user_id, first_name, last_name and optionally email.", w)))
	}
	return b.String()
}

func (s *importScreen) resultView(w, h int) string {
	t := s.c.Theme
	d := s.done
	r := d.res
	var b strings.Builder
	what := "Token files"
	if d.kind == 1 {
		what = "Users CSV"
	}
	b.WriteString(t.Heading.Render("Import result: "+what) + "\n")
	b.WriteString(kit.Truncate(t, "From: "+model.Printable(strings.Join(d.paths, " ")), w) + "\n\n")
	var refused *store.ImportRejectedError
	if errors.As(d.err, &refused) {
		b.WriteString(t.Error.Render("REFUSED: ") + kit.Wrap(fmt.Sprintf("%d of %d item(s) rejected, so nothing was imported (all or nothing). Fix them, or import again choosing \"import the valid ones\".", refused.Rejected, refused.Total), w-9) + "\n\n")
	} else if d.err != nil {
		b.WriteString(kit.ErrorText(t, d.err, w) + "\n\n")
	} else if r.Imported+r.Updated == 0 && len(r.Rejected) == 0 {
		b.WriteString(t.Warn.Render("NOTE: ") + "nothing changed.\n\n")
	}
	if hint := passwordHint(d); hint != "" {
		b.WriteString(t.Warn.Render("NOTE: ") + kit.Wrap(hint, w-6) + "\n\n")
	}
	b.WriteString(fmt.Sprintf("Imported: %s   Updated: %s   Skipped: %s   Rejected: %s\n",
		kit.Commas(r.Imported), kit.Commas(r.Updated), kit.Commas(r.Skipped), kit.Commas(len(r.Rejected))))
	if r.Skipped > 0 {
		word := "serials"
		if d.kind == 1 {
			word = "user IDs"
		}
		b.WriteString(t.Muted.Render(kit.Wrap(fmt.Sprintf("Skipped items exist already (%s); choose overwrite/update to replace them.", word), w)) + "\n")
	}
	if len(r.Rejected) == 0 {
		return b.String()
	}
	b.WriteString("\n" + t.Heading.Render("Rejected") + "\n")
	used := strings.Count(b.String(), "\n")
	room := max(2, h-used-1)
	var lines []string
	shown := 0
	for _, rj := range r.Rejected[s.offset:] {
		more := strings.Split(kit.Hang("- ", model.Printable(rj.Item+": "+rj.Reason), w), "\n")
		if shown > 0 && len(lines)+len(more) > room {
			break
		}
		lines = append(lines, more...)
		shown++
	}
	lines = lines[:min(len(lines), room)]
	b.WriteString(strings.Join(lines, "\n"))
	if len(r.Rejected) > shown {
		b.WriteString("\n" + t.Muted.Render(fmt.Sprintf("rejections %d-%d of %d (up/down to scroll)", s.offset+1, s.offset+shown, len(r.Rejected))))
	}
	return b.String()
}

// passwordHint says what to do when token files were rejected for their
// password: the reader's reason ("password required: ...", "wrong password:
// ...") names the file's problem, not the form's Password field, where the
// console takes the password (the CLI's --password-file F).
func passwordHint(d *importDoneMsg) string {
	if d.kind != 0 {
		return ""
	}
	var required, wrong int
	for _, rj := range d.res.Rejected {
		switch {
		case strings.HasPrefix(rj.Reason, sdtid.KindPasswordRequired.String()):
			required++
		case strings.HasPrefix(rj.Reason, sdtid.KindWrongPassword.String()):
			wrong++
		}
	}
	switch {
	case required == 1:
		return "A file is password protected: type its password in the Password field and import again."
	case required > 1:
		return fmt.Sprintf("%d files are password protected: type their password in the Password field and import again.", required)
	case wrong == 1:
		return "The password in the Password field does not open a file: type the right one and import again."
	case wrong > 1:
		return fmt.Sprintf("The password in the Password field does not open %d files: type the right one and import again.", wrong)
	}
	return ""
}

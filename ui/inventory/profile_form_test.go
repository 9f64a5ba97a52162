package inventory

import (
	"slices"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestProfileFormRefusesTooLongTextWithAMessage: the profile form's name
// and description take more than the model allows, so that a value that
// is too long is refused on save with the model's message (as the
// wizard's job name is), never shortened to the limit without a word.
func TestProfileFormRefusesTooLongTextWithAMessage(t *testing.T) {
	t.Run("add", func(t *testing.T) {
		be := listFixture()
		m := openMenu(t, be, "4", 80, 24)
		press(t, m, "n")
		f := m.Top().(*profileForm)
		typeText(t, m, strings.Repeat("n", model.MaxProfileNameLen+1))
		if got := len([]rune(f.name.Value())); got != model.MaxProfileNameLen+1 {
			t.Fatalf("the name field kept %d of %d characters typed", got, model.MaxProfileNameLen+1)
		}
		press(t, m, "tab")
		update(t, m, pasteMsg(strings.Repeat("d", model.MaxDescriptionLen+1)))
		if got := len([]rune(f.desc.Value())); got != model.MaxDescriptionLen+1 {
			t.Fatalf("the description field kept %d of %d characters pasted", got, model.MaxDescriptionLen+1)
		}
		press(t, m, "enter")
		if m.Top() != f {
			t.Fatalf("the form closed:\n%s", screenText(m))
		}
		wantScreen(t, m, "ERROR: is 129 characters; at most 128 are allowed")
		wantScreen(t, m, "ERROR: is 4097 characters; at most 4096 are allowed")
		if slices.ContainsFunc(be.Calls, func(c string) bool { return strings.HasPrefix(c, "add profile") }) {
			t.Fatalf("a refused profile reached the backend: %v", be.Calls)
		}
		if f.focus != pfName {
			t.Fatalf("focus on field %d, want the name", f.focus)
		}
		// Back to the limits: saved.
		press(t, m, "backspace")
		wantNoScreen(t, m, "is 129 characters")
		press(t, m, "tab", "backspace", "enter")
		if !slices.Contains(be.Calls, "add profile "+strings.Repeat("n", model.MaxProfileNameLen)) {
			t.Fatalf("calls %v\n%s", be.Calls, screenText(m))
		}
	})

	t.Run("edit", func(t *testing.T) {
		be := listFixture()
		m := openMenu(t, be, "4", 80, 24)
		press(t, m, "enter") // edit the first profile
		f, ok := m.Top().(*profileForm)
		if !ok || !f.edit {
			t.Fatalf("edit form not open:\n%s", screenText(m))
		}
		orig := f.name.Value()
		typeText(t, m, strings.Repeat("x", model.MaxProfileNameLen+1-len([]rune(orig))))
		press(t, m, "enter")
		if m.Top() != f {
			t.Fatalf("the form closed:\n%s", screenText(m))
		}
		wantScreen(t, m, "ERROR: is 129 characters; at most 128 are allowed")
		if slices.ContainsFunc(be.Calls, func(c string) bool { return strings.HasPrefix(c, "edit profile") }) {
			t.Fatalf("a refused edit reached the backend: %v", be.Calls)
		}
	})
}

// TestProfileEditKeepsDescriptionLineBreaks: a description with line
// breaks (set with the CLI) shows on one line in the form; saving an edit
// of another field keeps the breaks, and opening the form is no change.
func TestProfileEditKeepsDescriptionLineBreaks(t *testing.T) {
	be := listFixture()
	const desc = "Line one.\nLine two."
	be.profiles[0].Description = desc
	name := be.profiles[0].Name
	m := openMenu(t, be, "4", 120, 40)
	press(t, m, "/")
	typeText(t, m, name)
	press(t, m, "enter")
	f, ok := m.Top().(*profileForm)
	if !ok {
		t.Fatalf("top is %T", m.Top())
	}
	if f.HasInput() {
		t.Fatal("opening the form counts as a change")
	}
	f.length = 1 - f.length // the other code length
	if got := f.profile().Description; got != desc {
		t.Fatalf("description %q, want %q", got, desc)
	}
	// Typing in the description is an edit: what the field shows is saved.
	f.desc.SetValue("New text")
	if got := f.profile().Description; got != "New text" {
		t.Fatalf("edited description %q", got)
	}
}

package inventory

import (
	"testing"

	"github.com/swtoken/swtoken/store"
)

func noProfiles() *fakeBackend {
	be := listFixture()
	be.profiles = nil
	return be
}

// TestProfilesHelpMatchesItsKeys: the Profiles list loaded, empty,
// filtering, with the filter kept, the delete question and a refused
// delete.
func TestProfilesHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "profiles list", opened(listFixture, "4"))
	checkHelp(t, "profiles empty", opened(noProfiles, "4"))
	checkHelp(t, "profiles filtering", opened(listFixture, "4", "/", "s", "t"))
	checkHelp(t, "profiles filter kept", opened(listFixture, "4", "/", "s", "t", "tab"))
	checkHelp(t, "profiles delete question", opened(listFixture, "4", "x"))
	refused := func(t *testing.T) *Model {
		m := opened(listFixture, "4", "/")(t)
		typeText(t, m, "Staff iPhone")
		press(t, m, "tab", "x", "y")
		wantScreen(t, m, "cannot be deleted")
		return m
	}
	checkHelp(t, "profiles delete refused", refused)
}

// TestProfileFormHelpMatchesItsKeys: the form on a text field (letters
// type), on a choice field, the leave question and the reload question.
func TestProfileFormHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "profile form name", opened(listFixture, "4", "n"))
	checkHelp(t, "profile form typed", opened(listFixture, "4", "n", "a", "b"))
	checkHelp(t, "profile form device", opened(listFixture, "4", "n", "tab", "tab"))
	checkHelp(t, "profile form edit delivery", opened(listFixture, "4", "enter", "tab", "tab"))
	checkHelp(t, "profile form leave question", opened(listFixture, "4", "n", "a", "esc"))
	reload := func(deleted bool) func(t *testing.T) *Model {
		return func(t *testing.T) *Model {
			m := opened(listFixture, "4", "enter")(t)
			f := m.Top().(*profileForm)
			f.reloadAsk = true
			f.conflict = &store.ConflictError{What: "profile", Change: "edited", Op: "saved"}
			if deleted {
				f.conflict.Change = store.ChangeDeleted
			}
			return m
		}
	}
	checkHelp(t, "profile form reload question", reload(false))
	checkHelp(t, "profile form gone question", reload(true))
}

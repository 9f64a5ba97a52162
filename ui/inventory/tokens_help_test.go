package inventory

import "testing"

func noTokens() *fakeBackend {
	be := listFixture()
	be.tokens = nil
	return be
}

// unassignedAdminSet is the fixture whose tenth token (unassigned) has an
// enabled flag the admin set.
func unassignedAdminSet() *fakeBackend {
	be := listFixture()
	be.tokens[9].Enabled, be.tokens[9].EnabledSetByAdmin = true, true
	return be
}

// TestTokensHelpMatchesItsKeys: the Tokens list, loaded, empty and
// filtering.
func TestTokensHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "tokens list", opened(listFixture, "5"))
	checkHelp(t, "tokens quick filter", opened(listFixture, "5", "2"))
	checkHelp(t, "tokens filtering", opened(listFixture, "5", "/", "c", "n"))
	checkHelp(t, "tokens empty", opened(noTokens, "5"))
}

// TestTokenDetailHelpMatchesItsKeys: the token detail's facts (assigned;
// unassigned with the admin's flag), both questions and the verify form
// (typing: letters are the code's, not commands).
func TestTokenDetailHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "token assigned", opened(listFixture, "5", "enter"))
	checkHelp(t, "token unassigned", opened(unassignedAdminSet, "5", "2", "enter"))
	checkHelp(t, "token unassign question", opened(listFixture, "5", "enter", "u"))
	checkHelp(t, "token enabled question", opened(listFixture, "5", "enter", "e"))
	checkHelp(t, "token follow question", opened(unassignedAdminSet, "5", "2", "enter", "f"))
	checkHelp(t, "token verify code", opened(listFixture, "5", "enter", "v", "1", "2"))
	checkHelp(t, "token verify PIN", opened(listFixture, "5", "enter", "v", "tab", "9"))
}

// TestUserPickerHelpMatchesItsKeys: the user picker's filter has the
// focus: only keys that type no text are commands.
func TestUserPickerHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "user picker", opened(listFixture, "5", "2", "enter", "a"))
	checkHelp(t, "user picker filtered", opened(listFixture, "5", "2", "enter", "a", "i", "j"))
	checkHelp(t, "user picker no match", opened(listFixture, "5", "2", "enter", "a", "z", "z", "z"))
}

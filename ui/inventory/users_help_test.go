package inventory

import "testing"

// TestUsersHelpMatchesItsKeys: the Users list, loaded, filtering and with
// no matching row.
func TestUsersHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "users list", opened(listFixture, "6"))
	checkHelp(t, "users filtering", opened(listFixture, "6", "/", "a", "s"))
	checkHelp(t, "users no row", opened(listFixture, "6", "/", "z", "z", "z"))
}

// TestUserDetailHelpMatchesItsKeys: a user with tokens, one without, the
// unassign question, the filter, and the token picker.
func TestUserDetailHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "user with tokens", opened(listFixture, "6", "enter"))
	checkHelp(t, "user without tokens", opened(listFixture, "6", "/", "i", "j", "o", "enter"))
	checkHelp(t, "user unassign question", opened(listFixture, "6", "enter", "u"))
	checkHelp(t, "user tokens filtering", opened(listFixture, "6", "enter", "/", "1"))
	checkHelp(t, "user tokens filter kept", opened(listFixture, "6", "enter", "/", "1", "tab"))
	checkHelp(t, "token picker", opened(listFixture, "6", "enter", "a"))
	checkHelp(t, "token picker filtered", opened(listFixture, "6", "enter", "a", "1", "0"))
}

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

// TestUserDetailKeysHelpMatchesItsKeys: the user detail with keys (and
// the second selected), the remove question, the enrollment question with
// and without an e-mail address, the code dialog, and a user without
// keys.
func TestUserDetailKeysHelpMatchesItsKeys(t *testing.T) {
	dmuller := []string{"/", "d", "m", "u", "l", "l", "e", "r", "enter"}
	with := func(keys ...string) []string { return append(append([]string(nil), dmuller...), keys...) }
	checkHelp(t, "user with keys", opened(listFixture, "6", with()...))
	checkHelp(t, "user second key selected", opened(listFixture, "6", with("s")...))
	checkHelp(t, "user key remove question", opened(listFixture, "6", with("x")...))
	checkHelp(t, "user enrollment question", opened(listFixture, "6", with("i")...))
	checkHelp(t, "user enrollment code dialog", opened(listFixture, "6", with("i", "y")...))
	checkHelp(t, "user enrollment question without e-mail", opened(listFixture, "6", "/", "f", "k", "o", "w", "enter", "i"))
	checkHelp(t, "user without keys", opened(listFixture, "6", "/", "i", "j", "o", "enter"))
}

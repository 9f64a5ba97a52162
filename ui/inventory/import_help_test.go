package inventory

import "testing"

// TestImportHelpMatchesItsKeys: the form on a choice and on its text
// fields (path, password: letters type), and the results.
func TestImportHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "import kind", opened(listFixture, "7"))
	checkHelp(t, "import users CSV", opened(listFixture, "7", "space", "tab", "tab"))
	checkHelp(t, "import path", opened(listFixture, "7", "tab", "a"))
	checkHelp(t, "import password", opened(listFixture, "7", "tab", "tab", "p"))
	checkHelp(t, "import existing", opened(listFixture, "7", "tab", "tab", "tab"))
	result := func(path string) func(t *testing.T) *Model {
		return func(t *testing.T) *Model {
			m := opened(listFixture, "7", "tab")(t)
			typeText(t, m, path)
			press(t, m, "enter")
			wantScreen(t, m, "Import result")
			return m
		}
	}
	checkHelp(t, "import done", result("/in/ok.sdtid"))
	checkHelp(t, "import refused", result("/in/bad.sdtid /in/bad2.sdtid /in/x.sdtid"))
}

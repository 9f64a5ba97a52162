package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/inventory"
)

// TestImportUsersOverTheLimit: a CSV with more users than one import takes
// is refused naming the line where the limit was passed, and nothing is
// imported; a file at the limit is imported.
func TestImportUsersOverTheLimit(t *testing.T) {
	dir := dataDir(t)
	var b strings.Builder
	b.WriteString("user_id,first_name,last_name\n")
	for i := range inventory.MaxUsersCSVUsers + 1 {
		fmt.Fprintf(&b, "u%07d,First,Last\n", i)
	}
	over := b.String()
	code, out, errOut := runCmd(t, dir, over, "import", "users", "-")
	want := fmt.Sprintf("swtoken: standard input: line %d: the file holds more than %d users; an import takes at most %d",
		inventory.MaxUsersCSVUsers+2, inventory.MaxUsersCSVUsers, inventory.MaxUsersCSVUsers)
	if code != ExitFailure || out != "" || !strings.HasPrefix(errOut, want) || !strings.HasSuffix(errOut, "; nothing was imported\n") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s\nwant: %s", code, out, errOut, want)
	}
	atLimit := over[:strings.LastIndex(over[:len(over)-1], "\n")+1]
	code, out, errOut = runCmd(t, dir, atLimit, "import", "users", "-")
	if code != ExitOK || out != fmt.Sprintf("imported %d, skipped 0, rejected 0\n", inventory.MaxUsersCSVUsers) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

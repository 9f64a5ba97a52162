package cli

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// TestAuditObjectsLineUpWhateverTheActionsLength: the action column is as
// wide as the longest action shown, so that "ssh session end" and
// "user enrollment ended" do not push their objects out of line.
func TestAuditObjectsLineUpWhateverTheActionsLength(t *testing.T) {
	dir := demoDir(t)
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"ssh login", "ssh session end", "user enrollment ended"} {
		if err := st.AppendAudit(action, "OBJ-"+strings.ReplaceAll(action, " ", "-"), "address 127.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out := mustRun(t, dir, "audit", "--limit", "3")
	col := -1
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n")[:3] {
		i := strings.Index(line, "OBJ-")
		if i < 0 {
			t.Fatalf("no object in %q:\n%s", line, out)
		}
		if col >= 0 && i != col {
			t.Fatalf("objects do not line up (column %d, then %d):\n%s", col, i, out)
		}
		col = i
	}
}

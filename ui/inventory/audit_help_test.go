package inventory

import "testing"

// TestAuditHelpMatchesItsKeys: in every state of the Audit Log, each key
// its help shows does what the help says and no other key acts.
func TestAuditHelpMatchesItsKeys(t *testing.T) {
	checkHelp(t, "audit list", opened(listFixture, "8"))
	checkHelp(t, "audit filtering", opened(listFixture, "8", "/", "a", "s"))
	checkHelp(t, "audit filter kept", opened(listFixture, "8", "/", "a", "s", "tab"))
	checkHelp(t, "audit no row", opened(listFixture, "8", "/", "z", "z", "z", "z", "tab"))
	checkHelp(t, "audit record", opened(listFixture, "8", "enter"))
	checkHelp(t, "audit long record", func(t *testing.T) *Model { return openLongAuditRecord(t, 80, 24) })
}

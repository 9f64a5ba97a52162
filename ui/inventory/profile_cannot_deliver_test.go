package inventory

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestProfileFormSaysCTKIPCannotDeliverYet: choosing a CT-KIP delivery
// method in the profile form says plainly that no job can use it; the
// file-based and CTF methods get no note, and the form's foot names the
// methods jobs use.
func TestProfileFormSaysCTKIPCannotDeliverYet(t *testing.T) {
	m := openMenu(t, listFixture(), "4", 80, 24)
	press(t, m, "n")
	f := m.Top().(*profileForm)
	for i := 0; f.focus != pfDelivery; i++ {
		if i > int(numProfileFields) {
			t.Fatalf("tab does not reach the delivery method")
		}
		press(t, m, "tab")
	}
	// Without any space: the note may break a word at the edge.
	flat := func() string { return strings.Join(strings.Fields(screenText(m)), "") }
	for _, want := range model.DeliveryMethods() {
		if got := model.DeliveryMethods()[f.deliv]; got != want {
			t.Fatalf("delivery method %q, want %q", got, want)
		}
		says := strings.Contains(flat(), strings.ReplaceAll("NOTE: cannot deliver yet: no job can use a "+string(want)+" profile", " ", ""))
		if says != !want.CanDeliver() {
			t.Fatalf("%s: says cannot deliver yet = %v:\n%s", want, says, screenText(m))
		}
		press(t, m, "right")
	}
	wantScreen(t, m, "Distribution jobs use file-based (SDTID) and CTF profiles")
}

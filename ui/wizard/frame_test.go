package wizard

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

func TestEveryFrameFitsTheTerminal(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	check := func() {
		t.Helper()
		lines := strings.Split(screenText(m), "\n")
		if len(lines) != 24 {
			t.Fatalf("%d lines, want 24:\n%s", len(lines), screenText(m))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > 80 {
				t.Fatalf("line %d is %d cells: %q", i, w, l)
			}
		}
	}
	for s := stepName; s < stepSubmit; s++ {
		check()
		walk(t, m, model.PasswordAdmin, s+1)
	}
	check()
}

package selfservice

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/uitest"
)

// TestAPassingStatusGoesAfterItsTime: "Request R-9 is made; it is
// pending" goes once kit.Env.StatusTTL is up (it must not stay under the
// request once an admin has approved it), and the expiry of an older
// message leaves a newer one alone.
func TestAPassingStatusGoesAfterItsTime(t *testing.T) {
	env := uitest.Env()
	env.StatusTTL = time.Millisecond
	be := fixture()
	h := &harness{t: t, m: newModel(env, be), be: be}
	h.run(h.m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.press("n", "tab", "tab")
	h.typeText("my phone")
	h.press("enter")
	if len(be.made) != 1 {
		t.Fatalf("MakeRequest called %d times", len(be.made))
	}
	// The harness ran the expiry's tick at once.
	h.wantNot("is made")
	if h.m.status != "" {
		t.Fatalf("the status %q stayed", h.m.status)
	}

	h.m.setStatus("older", false)
	older := h.m.statusSeq
	h.m.setStatus("newer", false)
	_, _ = h.m.Update(clearStatusMsg{older})
	h.want("newer")
	_, _ = h.m.Update(clearStatusMsg{h.m.statusSeq})
	h.wantNot("newer")
}

// TestWithoutAStatusTTLTheStatusStays: a zero StatusTTL (the tests') keeps
// the message.
func TestWithoutAStatusTTLTheStatusStays(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("n", "tab", "tab")
	h.typeText("my phone")
	h.press("enter")
	h.want("Request R-9 is made; it is pending.")
}

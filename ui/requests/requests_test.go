package requests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
)

func view(h *harness) string { return ansi.Strip(h.s.View()) }

func wantView(t *testing.T, h *harness, subs ...string) {
	t.Helper()
	v := view(h)
	for _, sub := range subs {
		if !strings.Contains(v, sub) {
			t.Errorf("the view lacks %q:\n%s", sub, v)
		}
	}
}

func wantNoView(t *testing.T, h *harness, subs ...string) {
	t.Helper()
	v := view(h)
	for _, sub := range subs {
		if strings.Contains(v, sub) {
			t.Errorf("the view shows %q:\n%s", sub, v)
		}
	}
}

// openScreen is the requests screen, 120 by 40, on a fixture backend.
func openScreen() (*fakeBackend, *harness) {
	be := fixture()
	return be, newHarness(newTestScreen(be), 120, 40)
}

// wantDecided fails unless the backend was asked for exactly the decisions
// want.
func wantDecided(t *testing.T, be *fakeBackend, want ...string) {
	t.Helper()
	if !slices.Equal(be.decided, want) {
		t.Fatalf("decided %q; want %q", be.decided, want)
	}
}

func TestTabsSortRequestsByState(t *testing.T) {
	h := newHarness(newTestScreen(fixture()), 120, 40)
	wantView(t, h, "Pending (3)", "Completed (1)", "Rejected/Canceled/Failed (2)", "R-6", "R-5", "R-4")
	wantNoView(t, h, "R-3 ", "R-2 ")
	h.press("tab")
	wantView(t, h, "R-3", "erin", "fulfilled")
	wantNoView(t, h, "R-6")
	h.press("3")
	wantView(t, h, "R-2", "frank", "R-1", "grace")
	h.press("shift+tab")
	wantView(t, h, "R-3")
}

func TestRowsShowKindStateCreatedAndApprovals(t *testing.T) {
	h := newHarness(newTestScreen(fixture()), 120, 40)
	v := view(h)
	line := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "R-5") {
			line = l
		}
	}
	for _, want := range []string{"bob", "new", "Staff iPhone", "pending", model.FormatTime(at(95)), "1/2"} {
		if !strings.Contains(line, want) {
			t.Errorf("row of R-5 lacks %q: %q", want, line)
		}
	}
}

func TestFilterMatchesUserIDAndProfile(t *testing.T) {
	h := newHarness(newTestScreen(fixture()), 120, 40)
	h.press("/")
	h.typeText("dave")
	wantView(t, h, "R-4")
	wantNoView(t, h, "R-6", "R-5 ")
	h.press("esc")
	h.press("/")
	h.typeText("iphone")
	wantView(t, h, "R-5")
	wantNoView(t, h, "R-6", "R-4")
}

func TestEnterOpensDetailsWithHistory(t *testing.T) {
	h := newHarness(newTestScreen(fixture()), 120, 40)
	h.press("down", "enter")
	wantView(t, h, "Request details", "R-5", "History", "carol", "approval", "to the user: ok", "private note: checked HR")
	h.press("esc")
	wantView(t, h, "Pending (3)")
}

func TestApproveSendsCommentAndNote(t *testing.T) {
	be, h := openScreen()
	h.press("enter", "a")
	h.typeText("welcome")
	h.press("tab")
	h.typeText("ticket 42")
	h.press("enter")
	wantDecided(t, be, "approve R-6 welcome|ticket 42")
	wantView(t, h, "R-6", "waits for another admin")
}

func TestRejectNeedsAComment(t *testing.T) {
	be, h := openScreen()
	h.press("enter", "r", "enter")
	if len(be.decided) != 0 {
		t.Fatalf("rejected without a comment: %q", be.decided)
	}
	wantView(t, h, "A rejection needs a comment")
	h.typeText("no badge")
	h.press("enter")
	wantDecided(t, be, "reject R-6 no badge|")
	wantView(t, h, "R-6 rejected", "rejected")
}

func TestDeferKeepsTheRequestPending(t *testing.T) {
	be, h := openScreen()
	h.press("enter", "d", "enter")
	if len(be.decided) != 1 || !strings.HasPrefix(be.decided[0], "defer R-6") {
		t.Fatalf("decided %q", be.decided)
	}
	wantView(t, h, "deferred; it is now pending")
}

func TestLettersTypeInTheCommentField(t *testing.T) {
	be, h := openScreen()
	h.press("enter", "a")
	h.typeText("a r d n b q")
	if len(be.decided) != 0 {
		t.Fatalf("a letter decided: %q", be.decided)
	}
	wantView(t, h, "a r d n b q")
}

func TestRefusalIsShownPlainly(t *testing.T) {
	be := fixture()
	be.refuse = map[string]error{"R-6": &model.RequestError{Rule: model.RuleSameAdmin, Msg: "admin already approved request R-6; a second approval must come from another admin"}}
	h := newHarness(newTestScreen(be), 120, 40)
	h.press("enter", "a", "enter")
	wantView(t, h, "Refused: admin already approved request R-6")
	if got := h.lastStatus(); got != "Request R-6 was not approved." {
		t.Errorf("status %q", got)
	}
}

func TestConflictNamesWhoChangedIt(t *testing.T) {
	be, h := openScreen()
	be.reqs[0].Revision = 7 // another admin changed R-6 after the load
	h.press("enter", "a", "enter")
	wantView(t, h, "Refused: bob changed it")
}

func TestDecisionsOnlyOnPendingRequests(t *testing.T) {
	be, h := openScreen()
	h.press("2", "enter", "a")
	if len(be.decided) != 0 || !strings.Contains(h.lastStatus(), "only a pending request can be decided") {
		t.Fatalf("decided %q, status %q", be.decided, h.lastStatus())
	}
}

func TestBulkApproveNeedsTheTypedCount(t *testing.T) {
	be, h := openScreen()
	h.press("/")
	h.typeText("Android")
	h.press("tab", "b")
	wantView(t, h, "Approve the 2 pending requests shown", "Type 2")
	h.typeText("3")
	h.press("enter")
	if len(be.decided) != 0 {
		t.Fatalf("approved with the wrong count: %q", be.decided)
	}
	wantView(t, h, "Type 2, the number of requests shown")
	h.press("backspace")
	h.typeText("2")
	h.press("enter")
	got := strings.Join(be.decided, ",")
	if len(be.decided) != 2 || !strings.Contains(got, "approve R-6") || !strings.Contains(got, "approve R-4") {
		t.Fatalf("decided %q", be.decided)
	}
	wantView(t, h, "2 requests approved.")
}

func TestBulkApproveReportsRefusals(t *testing.T) {
	be := fixture()
	be.refuse = map[string]error{"R-5": &model.RequestError{Rule: model.RuleSameAdmin, Msg: "same admin"}}
	h := newHarness(newTestScreen(be), 120, 40)
	h.press("b")
	h.typeText("3")
	h.press("enter")
	wantView(t, h, "2 requests approved. 1 refused: R-5: same admin")
}

func TestBulkApproveOnlyOnPending(t *testing.T) {
	_, h := openScreen()
	h.press("2", "b")
	if !strings.Contains(h.lastStatus(), "Bulk approval is for the Pending tab") {
		t.Fatalf("status %q", h.lastStatus())
	}
}

func TestStoreChangedReloadsKeepingTheOpenRequest(t *testing.T) {
	be, h := openScreen()
	h.press("down", "enter")
	be.reqs[1].History = append(be.reqs[1].History, model.RequestEvent{At: at(1), Actor: "zoe", Action: "deferred", Note: "call back"})
	h.run(h.s.StoreChanged())
	wantView(t, h, "Request details", "R-5", "zoe", "call back")
}

func TestNewRequestKeyOpensTheForm(t *testing.T) {
	h := newHarness(newTestScreen(fixture()), 120, 40)
	h.press("n")
	if len(h.pushed) != 1 || h.pushed[0].Title() != "New Request" {
		t.Fatalf("pushed %v", h.pushed)
	}
}

// longHistory is the fixture with a request deferred 30 times.
func longHistory() *fakeBackend {
	be := fixture()
	for i := 0; i < 30; i++ {
		be.reqs[0].History = append(be.reqs[0].History, model.RequestEvent{At: at(60 - i), Actor: "admin", Action: "deferred", Note: fmt.Sprintf("call %d", i+1)})
	}
	return be
}

func TestDetailsScrollThroughALongHistory(t *testing.T) {
	h := newHarness(newTestScreen(longHistory()), 80, 22)
	h.press("enter")
	wantView(t, h, "Request details", "lines 1-")
	wantNoView(t, h, "call 30")
	h.press("end")
	wantView(t, h, "call 30")
	wantNoView(t, h, "Request details")
	h.press("home")
	wantView(t, h, "Request details")
}

func TestDecisionOnARequestChangedWhileTypingIsRefused(t *testing.T) {
	be, h := openScreen()
	h.press("enter", "a")
	h.typeText("ok")
	be.reqs[0].Revision++ // another admin deferred it meanwhile
	h.run(h.s.StoreChanged())
	h.press("enter")
	if len(be.decided) != 0 {
		t.Fatalf("decided on the changed request: %q", be.decided)
	}
	wantView(t, h, "Refused: bob changed it")
}

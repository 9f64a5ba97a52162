package requests

import (
	"strings"
	"testing"
)

// The bulk approval's comment to the users and private note reach every
// decision, as the single approval sends them.
func TestBulkApproveSendsTheCommentAndNoteWithEveryApproval(t *testing.T) {
	be, h := openScreen()
	h.press("b")
	h.typeText("3")
	h.press("tab")
	h.typeText("Welcome aboard")
	h.press("tab")
	h.typeText("batch of May")
	wantView(t, h, "Comment to the users:", "Welcome aboard", "Private note:", "batch of May")
	h.press("enter")
	want := []string{"approve R-6 Welcome aboard|batch of May", "approve R-5 Welcome aboard|batch of May", "approve R-4 Welcome aboard|batch of May"}
	if strings.Join(be.decided, ",") != strings.Join(want, ",") {
		t.Fatalf("decided %q, want %q", be.decided, want)
	}
	wantView(t, h, "3 requests approved.")
}

// A comment does not replace the typed count: without it nothing is
// approved, the count gets the focus back, and the words stay.
func TestBulkApproveWithCommentStillNeedsTheCount(t *testing.T) {
	be, h := openScreen()
	h.press("b", "tab")
	h.typeText("Welcome")
	h.press("enter")
	if len(be.decided) != 0 {
		t.Fatalf("approved without the count: %q", be.decided)
	}
	wantView(t, h, "Type 3, the number of requests shown", "Welcome")
	h.typeText("3") // the count has the focus again
	h.press("enter")
	if len(be.decided) != 3 || !strings.HasSuffix(be.decided[0], " Welcome|") {
		t.Fatalf("decided %q", be.decided)
	}
}

// Without a comment the approvals carry none, as before.
func TestBulkApproveWithoutCommentSendsNone(t *testing.T) {
	be, h := openScreen()
	h.press("b")
	h.typeText("3")
	h.press("enter")
	for _, d := range be.decided {
		if !strings.HasSuffix(d, " |") {
			t.Fatalf("decision %q carries words nobody typed", d)
		}
	}
}

// A cancelled bulk approval forgets its comment: the next one starts
// empty.
func TestBulkApproveCancelForgetsTheComment(t *testing.T) {
	_, h := openScreen()
	h.press("b", "tab")
	h.typeText("stale words")
	h.press("esc", "b")
	wantNoView(t, h, "stale words")
}

package requests

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// userField is the form's User ID field as typed or picked.
func userField(h *harness) string { return h.s.(*formScreen).in[fUser].Value() }

func TestUserPickerTypingFiltersByIDNameOrEmail(t *testing.T) {
	h := newHarness(newTestForm(fixture()), 120, 40)
	wantView(t, h, "alice", "bob", "dmuller", "5 items")
	h.typeText("müller") // a part of the name only
	wantView(t, h, "dmuller", "Dana Müller", "dana.mueller@example.com", "1 of 5")
	wantNoView(t, h, "alicia", "bob@example.com")
	for range "müller" {
		h.press("backspace")
	}
	h.typeText("mueller@") // a part of the e-mail address only
	wantView(t, h, "dmuller", "1 of 5")
	wantNoView(t, h, "alicia")
}

func TestUserPickerEnterPicksTheSelectedUser(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("dana")
	h.press("enter")
	if got := userField(h); got != "dmuller" {
		t.Fatalf("the User ID field holds %q after enter on Dana Müller, want dmuller", got)
	}
	if f := h.s.(*formScreen); f.focus != fProfile {
		t.Errorf("after the pick the focus is on field %d, want the profile", f.focus)
	}
	wantView(t, h, "Dana Müller <dana.mueller@example.com>")
	wantNoView(t, h, "Users matching") // the list is gone with the focus
	h.press("enter")
	if len(be.made) != 1 || be.made[0].User != "dmuller" {
		t.Fatalf("made %+v, want one request for dmuller", be.made)
	}
}

func TestUserPickerArrowsChooseTheRow(t *testing.T) {
	h := newHarness(newTestForm(fixture()), 120, 40)
	h.press("down", "down", "up", "down", "down") // alice, alicia, bob, dmuller
	h.press("enter")
	if got := userField(h); got != "dmuller" {
		t.Fatalf("picked %q, want dmuller (the fourth row)", got)
	}
}

// An ID typed exactly is that user, even when the cursor is on another
// row that the filter also matches.
func TestUserPickerTakesAnExactTypedID(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("alice")
	wantView(t, h, "alicia") // "alicia ... Keller" matches a-l-i-c-e too
	h.press("down")
	if it, _, _ := h.s.(*formScreen).users.Selected(); it.(*userRow).u.ID == "alice" {
		t.Fatal("the cursor did not leave alice")
	}
	h.press("enter")
	if got := userField(h); got != "alice" {
		t.Fatalf("the exact ID alice became %q", got)
	}
	wantView(t, h, "Alice Martin <alice@example.com>")
}

// Without the users (they cannot be read), the ID is typed and enter
// makes the request as before.
func TestUserPickerUnreadableUsersLeaveTheTypedID(t *testing.T) {
	be := fixture()
	be.usersErr = errors.New("store locked")
	h := newHarness(newTestForm(be), 120, 40)
	wantView(t, h, "cannot list the users (type the exact user ID): store locked")
	h.typeText("alice")
	h.press("enter")
	if len(be.made) != 1 || be.made[0].User != "alice" {
		t.Fatalf("made %+v, want one request for alice", be.made)
	}
}

func TestUserPickerNotesAUserWithoutEmail(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("xaver")
	wantView(t, h, "xnomail", "(none: a request is refused)")
	h.press("enter")
	if got := userField(h); got != "xnomail" {
		t.Fatalf("picked %q, want xnomail", got)
	}
	wantView(t, h, "This user has no e-mail address: a request for them is refused")
}

func TestUserPickerNoMatchSaysWhyEnterDoesNothing(t *testing.T) {
	be := fixture()
	h := newHarness(newTestForm(be), 120, 40)
	h.typeText("zzz")
	wantView(t, h, "No matches.")
	h.press("enter")
	if userField(h) != "zzz" || h.s.(*formScreen).focus != fUser || len(be.made) != 0 {
		t.Fatalf("enter without a match acted: field %q, made %v", userField(h), be.made)
	}
	if !strings.Contains(h.lastStatus(), "No user matches") {
		t.Errorf("status %q does not say why", h.lastStatus())
	}
	// Left with an ID no user has, the form says so under the field.
	h.press("tab")
	wantView(t, h, "No user has this ID")
}

// The picker over 100,000 users filters off Update (ui/filterlist) and
// enter picks from the result of what is typed now.
func TestUserPickerOver100kUsers(t *testing.T) {
	be := fixture()
	be.users = make([]UserChoice, 100_000)
	for i := range be.users {
		be.users[i] = UserChoice{ID: fmt.Sprintf("u%06d", i), Name: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("u%d@example.com", i)}
	}
	h := newHarness(newTestForm(be), 120, 40)
	wantView(t, h, "100,000 items")
	h.typeText("u099998")
	h.press("enter")
	if got := userField(h); got != "u099998" {
		t.Fatalf("picked %q, want u099998", got)
	}
	h.press("shift+tab", "backspace") // back to the field: "u09999" filters again
	h.press("enter")
	if got := userField(h); !strings.HasPrefix(got, "u09999") {
		t.Fatalf("picked %q from the filter u09999", got)
	}
}

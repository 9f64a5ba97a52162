package inventory

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// listFixture is the fake with one token inside the replacement window
// and a job that names "Staff iPhone" (so deleting it is refused).
func listFixture() *fakeBackend {
	be := newFakeBackend()
	be.tokens[12].Death = testNow.AddDate(0, 0, 10)
	be.jobs = append(be.jobs, model.Job{Seq: 1, Name: "Q3 rollout", Spec: model.JobSpec{Name: "Q3 rollout", Profile: "Staff iPhone"}, State: model.JobCompleted})
	return be
}

// openMenu opens home menu item n (1-based).
func openMenu(t *testing.T, be *fakeBackend, n string, w, h int) *Model {
	t.Helper()
	m := newTestModel(t, be, w, h)
	press(t, m, n, "enter")
	return m
}

// play runs a golden walk's script on m: "snap NAME" takes the golden
// NAME, "type TEXT" types TEXT, "clear" clears the focused field, and
// anything else is a key name to press.
func play(t *testing.T, m *Model, script ...string) {
	t.Helper()
	for _, step := range script {
		switch verb, arg, _ := strings.Cut(step, " "); {
		case verb == "snap" && arg != "":
			snap(t, m, arg)
		case verb == "type" && arg != "":
			typeText(t, m, arg)
		case step == "clear":
			clearField(t, m)
		default:
			press(t, m, step)
		}
	}
}

func TestGoldenTokens(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		play(t, openMenu(t, listFixture(), "5", w, h),
			"snap 1_list",
			"2", "snap 2_quick_unassigned",
			"3", "snap 3_quick_expiring",
			"1", "/", "type cnguy", "snap 4_fuzzy_filter",
			"enter", "snap 5_detail",
			"v", "type 12345678", "tab", "type 4321", "enter", "snap 6_verify_match",
			"clear", "shift+tab", "clear", "type 11112222", "enter", "snap 7_verify_no_match",
			"esc", "u", "snap 8_unassign_confirm",
			"y", "snap 9_unassigned",
			"a", "type ijon", "snap 10_user_picker",
			"enter", "snap 11_assigned")
		// SID-64: the check is refused, not guessed.
		play(t, openMenu(t, listFixture(), "5", w, h),
			"end", "enter", "v", "type 12345678", "enter", "snap 12_verify_unsupported")
	})
}

func TestGoldenUsers(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		play(t, openMenu(t, listFixture(), "6", w, h),
			"snap 1_list",
			"/", "type muller", "snap 2_filter_non_ascii",
			"enter", "snap 3_detail",
			"esc", "esc", "/", "type ijones", "enter", "snap 4_detail_no_tokens",
			"a", "snap 5_token_picker",
			"type 30", "enter", "snap 6_detail_assigned")
	})
}

func TestGoldenProfiles(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		play(t, openMenu(t, listFixture(), "4", w, h),
			"snap 1_list",
			"n", "snap 2_add_form",
			"tab", "tab", "right", "right", "right", "right", "right", "right", "right", "enter", "snap 3_add_field_errors",
			"esc", "y", "down", "enter", "snap 4_edit_form",
			"esc", "x", "snap 5_delete_confirm",
			"y", "snap 6_delete_in_use")
	})
}

func TestGoldenImport(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		play(t, openMenu(t, listFixture(), "7", w, h),
			"tab", "type /srv/in/good.sdtid /srv/in/bad.sdtid '/srv/in/locked one.sdtid' /srv/in/dup.sdtid",
			"tab", "type hunter2", "snap 1_tokens_form",
			"enter", "snap 2_tokens_refused",
			"enter", "tab", "space", "tab", "space", "enter", "snap 3_tokens_partial_overwrite",
			"enter", "shift+tab", "shift+tab", "shift+tab", "shift+tab",
			"space", "tab", "type /srv/users.csv", "snap 4_users_form",
			"enter", "snap 5_users_result")
	})
}

func TestGoldenAudit(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		be := listFixture()
		m := openMenu(t, be, "8", w, h)
		play(t, m,
			"snap 1_list",
			"a", "/", "type bgarcia", "snap 2_filtered_action_text",
			"esc", "o", "snap 3_filtered_admin",
			"v", "snap 4_verify_ok",
			"enter", "snap 5_detail")
		be.inv.auditBroken = true
		play(t, m, "esc", "v", "snap 6_verify_broken")
	})
}

// TestGoldenUserKeys: a user's SSH keys and enrollment code in the user
// detail: the keys, the remove question, the enrollment question, the
// code shown once, the detail after it, and the question for a user
// without an e-mail address.
func TestGoldenUserKeys(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		play(t, openMenu(t, listFixture(), "6", w, h),
			"/", "type dmuller", "enter", "snap 1_detail_with_keys",
			"s", "x", "snap 2_remove_confirm",
			"n", "i", "snap 3_invite_question",
			"y", "snap 4_code_dialog",
			"enter", "snap 5_code_live",
			"i", "snap 6_invite_replaces")
		play(t, openMenu(t, listFixture(), "6", w, h),
			"/", "type fkowalski", "enter", "i", "snap 7_invite_without_email")
	})
}

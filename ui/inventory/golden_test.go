package inventory

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

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

func snap(t *testing.T, m *Model, name string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, screenText(m)) })
}

func TestGoldenTokens(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := openMenu(t, listFixture(), "5", sz[0], sz[1])
			snap(t, m, "1_list")
			press(t, m, "2")
			snap(t, m, "2_quick_unassigned")
			press(t, m, "3")
			snap(t, m, "3_quick_expiring")
			press(t, m, "1", "/")
			typeText(t, m, "cnguy")
			snap(t, m, "4_fuzzy_filter")
			press(t, m, "enter")
			snap(t, m, "5_detail")
			press(t, m, "v")
			typeText(t, m, "12345678")
			press(t, m, "tab")
			typeText(t, m, "4321")
			press(t, m, "enter")
			snap(t, m, "6_verify_match")
			clearField(t, m)
			press(t, m, "shift+tab")
			clearField(t, m)
			typeText(t, m, "11112222")
			press(t, m, "enter")
			snap(t, m, "7_verify_no_match")
			press(t, m, "esc", "u")
			snap(t, m, "8_unassign_confirm")
			press(t, m, "y")
			snap(t, m, "9_unassigned")
			press(t, m, "a")
			typeText(t, m, "ijon")
			snap(t, m, "10_user_picker")
			press(t, m, "enter")
			snap(t, m, "11_assigned")

			// SID-64: the check is refused, not guessed.
			m = openMenu(t, listFixture(), "5", sz[0], sz[1])
			update(t, m, tea.KeyPressMsg{Code: tea.KeyEnd})
			press(t, m, "enter", "v")
			typeText(t, m, "12345678")
			press(t, m, "enter")
			snap(t, m, "12_verify_unsupported")
		})
	}
}

func TestGoldenUsers(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := openMenu(t, listFixture(), "6", sz[0], sz[1])
			snap(t, m, "1_list")
			press(t, m, "/")
			typeText(t, m, "muller")
			snap(t, m, "2_filter_non_ascii")
			press(t, m, "enter")
			snap(t, m, "3_detail")
			press(t, m, "esc", "esc")
			press(t, m, "/")
			typeText(t, m, "ijones")
			press(t, m, "enter")
			snap(t, m, "4_detail_no_tokens")
			press(t, m, "a")
			snap(t, m, "5_token_picker")
			typeText(t, m, "30")
			press(t, m, "enter")
			snap(t, m, "6_detail_assigned")
		})
	}
}

func TestGoldenProfiles(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := openMenu(t, listFixture(), "4", sz[0], sz[1])
			snap(t, m, "1_list")
			press(t, m, "n")
			snap(t, m, "2_add_form")
			press(t, m, "tab", "tab", "right", "right", "right", "right", "right", "right", "right")
			press(t, m, "enter")
			snap(t, m, "3_add_field_errors")
			press(t, m, "esc", "y")
			press(t, m, "down", "enter")
			snap(t, m, "4_edit_form")
			press(t, m, "esc")
			press(t, m, "x")
			snap(t, m, "5_delete_confirm")
			press(t, m, "y")
			snap(t, m, "6_delete_in_use")
		})
	}
}

func TestGoldenImport(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			m := openMenu(t, listFixture(), "7", sz[0], sz[1])
			press(t, m, "tab")
			typeText(t, m, "/srv/in/good.sdtid /srv/in/bad.sdtid '/srv/in/locked one.sdtid' /srv/in/dup.sdtid")
			press(t, m, "tab")
			typeText(t, m, "hunter2")
			snap(t, m, "1_tokens_form")
			press(t, m, "enter")
			snap(t, m, "2_tokens_refused")
			press(t, m, "enter", "tab", "space", "tab", "space", "enter")
			snap(t, m, "3_tokens_partial_overwrite")
			press(t, m, "enter")
			for range 4 {
				press(t, m, "shift+tab")
			}
			press(t, m, "space", "tab")
			typeText(t, m, "/srv/users.csv")
			snap(t, m, "4_users_form")
			press(t, m, "enter")
			snap(t, m, "5_users_result")
		})
	}
}

func TestGoldenAudit(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			be := listFixture()
			m := openMenu(t, be, "8", sz[0], sz[1])
			snap(t, m, "1_list")
			press(t, m, "a")
			press(t, m, "/")
			typeText(t, m, "bgarcia")
			snap(t, m, "2_filtered_action_text")
			press(t, m, "esc", "o")
			snap(t, m, "3_filtered_admin")
			press(t, m, "v")
			snap(t, m, "4_verify_ok")
			press(t, m, "enter")
			snap(t, m, "5_detail")
			be.inv.auditBroken = true
			press(t, m, "esc", "v")
			snap(t, m, "6_verify_broken")
		})
	}
}

package wizard

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestWizardPasswordErrorKeepsConfirmOnItsOwnLine: on step 5 an error
// under the Password field stands on its own line(s), right under the
// field and whole; the Confirm field keeps its own line, and so does the
// limits text after it.
func TestWizardPasswordErrorKeepsConfirmOnItsOwnLine(t *testing.T) {
	for _, tc := range []struct {
		name, pw, pw2, err string
	}{
		{"25 characters", strings.Repeat("p", 25), strings.Repeat("p", 25), "ERROR: Password: is 25 characters; no token allows more than 24"},
		{"34 bytes", strings.Repeat("é", 17), strings.Repeat("é", 17), "ERROR: Password: is 34 bytes in UTF-8; token files allow at most 32"},
		{"too long and mismatch", strings.Repeat("p", 25), "other", "ERROR: Password: is 25 characters; no token allows more than 24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := openWizard(t, newFakeBackend(), 80, 24)
			walk(t, m, model.PasswordAdmin, stepPassword)
			press(t, m, "enter") // the mode list to the Password field
			typeText(t, m, tc.pw)
			press(t, m, "enter")
			typeText(t, m, tc.pw2)
			press(t, m, "enter")
			wantStep(t, m, stepPassword)
			wantFits(t, m, 80, 24)

			lines := screenLines(m)
			pw := lineIndex(lines, "Password: *")
			if pw < 0 {
				t.Fatalf("no Password field line:\n%s", screenText(m))
			}
			// The error is the very next line, not after a blank one.
			if !strings.HasPrefix(lines[pw+1], tc.err) {
				t.Fatalf("line after the Password field = %q, want it to start with %q:\n%s", lines[pw+1], tc.err, screenText(m))
			}
			cf := lineIndex(lines, "Confirm:")
			if cf < 0 {
				t.Fatalf("no Confirm line:\n%s", screenText(m))
			}
			if strings.Contains(lines[cf], "ERROR") || !strings.HasPrefix(strings.TrimLeft(lines[cf], " >"), "Confirm:") {
				t.Fatalf("the Confirm field shares a line: %q\n%s", lines[cf], screenText(m))
			}
			if cf <= pw+1 {
				t.Fatalf("Confirm (line %d) is not under the error (line %d):\n%s", cf, pw+1, screenText(m))
			}
			for _, l := range lines[pw+1 : cf] {
				if strings.TrimSpace(l) == "" {
					t.Fatalf("blank line between the Password field and Confirm:\n%s", screenText(m))
				}
			}
			if tc.pw != tc.pw2 {
				if !strings.HasPrefix(lines[cf+1], "ERROR: Confirm password: the two passwords do not match") {
					t.Fatalf("line after Confirm = %q:\n%s", lines[cf+1], screenText(m))
				}
				cf++
			}
			if !strings.HasPrefix(lines[cf+1], "Limits:") {
				t.Fatalf("the limits text does not start its own line after Confirm: %q\n%s", lines[cf+1], screenText(m))
			}
			wantNoScreen(t, m, tc.pw)
		})
	}
}

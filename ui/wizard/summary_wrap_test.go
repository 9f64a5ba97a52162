package wizard

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
)

// screenLines is the screen split into lines.
func screenLines(m *Model) []string { return strings.Split(screenText(m), "\n") }

// lineIndex is the index of the first screen line containing sub, or -1.
func lineIndex(lines []string, sub string) int {
	for i, l := range lines {
		if strings.Contains(l, sub) {
			return i
		}
	}
	return -1
}

// bodyLines is the screen's lines without the wizard's steps sidebar
// (from 100 columns): the step's own text, from the step heading's column.
func bodyLines(m *Model) []string {
	lines := screenLines(m)
	i := lineIndex(lines, "| (")
	if i < 0 {
		return lines
	}
	col := ansi.StringWidth(lines[i][:strings.Index(lines[i], "| (")+2])
	for j, l := range lines {
		if j > 1 && j < len(lines)-2 {
			lines[j] = ansi.Cut(l, col, ansi.StringWidth(l))
		}
	}
	return lines
}

// wantFits fails when the frame is not exactly w x h cells or less.
func wantFits(t *testing.T, m *Model, w, h int) {
	t.Helper()
	lines := screenLines(m)
	if len(lines) > h {
		t.Fatalf("%d lines on a %d-line terminal:\n%s", len(lines), h, screenText(m))
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line %d is %d cells wide on a %d-column terminal: %q", i+1, ansi.StringWidth(l), w, l)
		}
	}
}

// A long job name (127 characters, one word of 116) and a long profile
// name (128 characters, one word of 120).
var (
	longJobName     = "Q4 rollout " + strings.Repeat("j", 116)
	longProfileName = strings.Repeat("P", 120) + " (SDTID)"
	longDeviceID    = strings.Repeat("D", 60) + "0001"
)

// longValuesBackend is the fake with a file-based profile of the longest
// name.
func longValuesBackend() *fakeBackend {
	be := newFakeBackend()
	be.profiles = append(be.profiles, model.Profile{Name: longProfileName, Description: "Long name.",
		DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryFile, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob})
	return be
}

// toLongSummary walks to the summary with the long job name, the long
// profile, a 64-character device ID, a 24-character nickname and serials
// 1-20 (17 tokens, 2 redistributed: the typed confirmation is required).
func toLongSummary(t *testing.T, m *Model) {
	t.Helper()
	if len(longJobName) != 127 || len(longProfileName) != 128 || len(longDeviceID) != 64 {
		t.Fatal("fixture lengths")
	}
	clearField(t, m)
	typeText(t, m, longJobName)
	press(t, m, "enter")
	wantStep(t, m, stepProfile)
	typeText(t, m, "PPPPPPPP")
	press(t, m, "enter")
	wantStep(t, m, stepDevice)
	if p := wizardOf(m).chosen(); p == nil || p.Name != longProfileName {
		t.Fatalf("profile %v", p)
	}
	clearField(t, m)
	typeText(t, m, longDeviceID)
	press(t, m, "enter")
	typeText(t, m, "Nick-name-of-24-chars-ok")
	press(t, m, "enter")
	wantStep(t, m, stepPassword)
	press(t, m, "enter")
	typeText(t, m, testPassword)
	press(t, m, "enter")
	typeText(t, m, testPassword)
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)
	typeRange(t, m, "100000000001", "100000000020")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
}

var summaryWindow = regexp.MustCompile(`Summary lines (\d+)-(\d+) of (\d+)`)

// summaryHead collects the summary's field lines (label and value), the
// lines above its list, scrolling down with the keyboard while the
// summary says that only some are shown. It checks on every frame that the
// frame fits and that the confirmation and the warnings stay on screen.
func summaryHead(t *testing.T, m *Model, w, h int, pinned ...string) []string {
	t.Helper()
	var head []string
	for range 60 {
		wantFits(t, m, w, h)
		for _, p := range pinned {
			wantScreen(t, m, p)
		}
		lines := bodyLines(m)
		top := lineIndex(lines, "(7/8) Summary") + 2
		end := lineIndex(lines, "Serial ")
		if top < 2 || end < top {
			t.Fatalf("no summary fields:\n%s", screenText(m))
		}
		win := summaryWindow.FindStringSubmatch(screenText(m))
		if win == nil {
			return lines[top:end] // all of them at once
		}
		from, _ := strconv.Atoi(win[1])
		to, _ := strconv.Atoi(win[2])
		n, _ := strconv.Atoi(win[3])
		if head == nil {
			head = make([]string, n)
		}
		shown := lines[top : top+to-from+1]
		for i, l := range shown {
			head[from-1+i] = l
		}
		if to == n {
			return head
		}
		press(t, m, "down")
	}
	t.Fatalf("the summary's fields never all came on screen:\n%s", screenText(m))
	return nil
}

// fieldValue joins the value of a label/value row and its continuation
// lines (indented under the value column) from the summary's field lines.
func fieldValue(t *testing.T, head []string, label string) string {
	t.Helper()
	col := -1
	var parts []string
	for _, l := range head {
		switch {
		case col < 0 && strings.HasPrefix(l, label+":"):
			col = len(label) + 1
			for col < len(l) && l[col] == ' ' {
				col++
			}
			parts = append(parts, l[col:])
		case col >= 0 && len(l) > col && strings.TrimSpace(l[:col]) == "":
			parts = append(parts, l[col:])
		case col >= 0:
			return strings.Join(parts, "\n")
		}
	}
	if col < 0 {
		t.Fatalf("no %s row in:\n%s", label, strings.Join(head, "\n"))
	}
	return strings.Join(parts, "\n")
}

// noSpace drops every space and newline, so that a value wrapped at a
// space or inside a word compares equal to the value itself.
func noSpace(s string) string {
	return strings.NewReplacer(" ", "", "\n", "").Replace(s)
}

// TestWizardSummaryWrapsLongValues: the summary shows every field whole:
// a long job name, a long profile name and a 64-character device ID wrap
// under the value column instead of being cut with "…". At 80x24 the
// fields no longer fit with the list, the warnings and the confirmation:
// the fields scroll, while the warnings and the confirmation stay on
// screen, and the job can still be confirmed and submitted.
func TestWizardSummaryWrapsLongValues(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openWizard(t, longValuesBackend(), w, h)
		toLongSummary(t, m)
		wantNoScreen(t, m, "…")
		head := summaryHead(t, m, w, h,
			"Type 17 to confirm", "WARNING: 2 of the 17 tokens", "WARNING: All 17 tokens will be bound")
		for _, l := range head {
			if strings.Contains(l, "…") {
				t.Fatalf("a value is cut: %q", l)
			}
		}
		for _, tc := range []struct{ label, want string }{
			{"Job Name", longJobName},
			{"Profile", longProfileName + " (Android, 6 digits / 30 s, Fob-style)"},
			{"DeviceSerialNumber", longDeviceID + " (DEVICE BINDING: one device)"},
			{"Nickname", "Nick-name-of-24-chars-ok"},
			{"Password", "Password; admin password: (set)"},
			{"Criteria", "serials 100000000001 to 100000000020"},
			{"Tokens", "17 (first 100000000001, last 100000000019)"},
			{"Left out", "2 unassigned, 1 expired"},
		} {
			if got := fieldValue(t, head, tc.label); noSpace(got) != noSpace(tc.want) {
				t.Errorf("%s = %q, want %q", tc.label, got, tc.want)
			}
		}
		if w == 80 && summaryWindow.FindString(screenText(m)) == "" && len(head) <= 8 {
			t.Fatal("the long values did not wrap at 80 columns; the test proves nothing")
		}
		// Down then scrolls the list; up comes back to the top.
		wantScreen(t, m, "rows 1-")
		press(t, m, "down")
		wantScreen(t, m, "rows 2-")
		for range 40 {
			press(t, m, "up")
		}
		wantScreen(t, m, "rows 1-")
		wantScreen(t, m, "Job Name:")

		// The confirmation is in reach: type it and go on.
		typeText(t, m, "17")
		press(t, m, "enter")
		wantStep(t, m, stepSubmit)
		wantFits(t, m, w, h)
		if s := noSpace(strings.Join(bodyLines(m), "\n")); !strings.Contains(s, noSpace(fmt.Sprintf("Submit job %q for 17 tokens with profile %s?", longJobName, longProfileName))) {
			t.Fatalf("the submit step does not show the names whole:\n%s", screenText(m))
		}
		wantNoScreen(t, m, "…")
	})
}

// TestWizardSummaryWrapsLongUserIDs: a 64-character user ID, in the
// criteria and in the summary's list of the selected tokens, wraps
// instead of being cut.
func TestWizardSummaryWrapsLongUserIDs(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openWizard(t, tooLongBackend(29), w, h)
		walk(t, m, model.PasswordNone, stepCriteria)
		typeRange(t, m, "100000000001", "100000000030")
		press(t, m, "tab", "tab")
		typeText(t, m, longUserID)
		press(t, m, "enter")
		wantStep(t, m, stepSummary)
		wantFits(t, m, w, h)
		wantNoScreen(t, m, "…")
		head := summaryHead(t, m, w, h)
		if got, want := fieldValue(t, head, "Criteria"), "serials 100000000001 to 100000000030, assigned to "+longUserID; noSpace(got) != noSpace(want) {
			t.Errorf("Criteria = %q, want %q", got, want)
		}
		// The list: serial, the user's first 24 characters, times
		// distributed; the rest of the user ID under the user column.
		lines := bodyLines(m)
		i := lineIndex(lines, "100000000030 ")
		if i < 0 {
			t.Fatalf("token not listed:\n%s", screenText(m))
		}
		user := strings.Fields(lines[i])[1]
		for _, l := range lines[i+1:] {
			if len(l) < 16 || strings.TrimSpace(l[:15]) != "" {
				break
			}
			user += strings.TrimSpace(l)
		}
		if user != longUserID {
			t.Fatalf("listed user %q, want %q:\n%s", user, longUserID, screenText(m))
		}
	})
}

// unknownUserBackend refuses an assigned user it does not know, as the
// engine's backend does.
type unknownUserBackend struct{ *fakeBackend }

func (b unknownUserBackend) Preview(spec model.JobSpec, pw string) (Preview, error) {
	if u := spec.Criteria.AssignedUser; u != "" && u != "asmith" {
		return Preview{}, model.FieldErrors{{Field: model.FieldAssignedUser, Msg: fmt.Sprintf("user %q: not found", u)}}
	}
	return b.fakeBackend.Preview(spec, pw)
}

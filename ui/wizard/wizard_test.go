package wizard

import (
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

const testPassword = "S3cret!pw"

// openWizard starts the console on the fake and opens the wizard.
func openWizard(t *testing.T, be *fakeBackend, w, h int) *Model {
	t.Helper()
	m := newTestModel(t, be, w, h)
	press(t, m, "1", "enter")
	if wizardOf(m) == nil || wizardOf(m).step != stepName {
		t.Fatalf("wizard not open on step 1: %s", screenText(m))
	}
	return m
}

// openSummary opens the wizard over be, sized w x h, and walks with
// password mode to the summary of the serials from..to.
func openSummary(t *testing.T, be *fakeBackend, w, h int, mode model.PasswordMode, from, to string) *Model {
	t.Helper()
	m := openWizard(t, be, w, h)
	walk(t, m, mode, stepCriteria)
	typeRange(t, m, from, to)
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	return m
}

func wantStep(t *testing.T, m *Model, s step) {
	t.Helper()
	if got := wizardOf(m).step; got != s {
		t.Fatalf("step = %d (%s), want %d (%s)\n%s", got+1, stepTitles[got], s+1, stepTitles[s], screenText(m))
	}
}

// walk drives the wizard from step 1 to the given step with defaults:
// the suggested name, Staff iPhone, class binding, nickname "Ops",
// mode, and serials 1-20 (17 eligible, 2 redistributed).
func walk(t *testing.T, m *Model, mode model.PasswordMode, to step) {
	t.Helper()
	steps := []func(){
		func() { press(t, m, "enter") },
		func() { typeText(t, m, "iph"); press(t, m, "enter") },
		func() { press(t, m, "enter") },
		func() { typeText(t, m, "Ops"); press(t, m, "enter") },
		func() {
			w := wizardOf(m)
			for model.PasswordModes()[w.mode] != mode {
				press(t, m, "down")
			}
			press(t, m, "enter")
			if mode.NeedsAdminPassword() {
				typeText(t, m, testPassword)
				press(t, m, "enter")
				typeText(t, m, testPassword)
				press(t, m, "enter")
			}
		},
		func() {
			typeRange(t, m, "100000000001", "100000000020")
			press(t, m, "enter")
		},
		func() { typeText(t, m, "17"); press(t, m, "enter") },
	}
	for s := wizardOf(m).step; s < to; s++ {
		steps[s]()
		wantStep(t, m, s+1)
	}
}

func TestWizardJobNameValidation(t *testing.T) {
	be := newFakeBackend()
	be.jobs = []model.Job{{Seq: 1, Name: "Quarterly batch", State: model.JobCompleted}}
	m := openWizard(t, be, 80, 24)
	w := wizardOf(m)
	if got := w.name.Value(); got != "Generate Software Token Files 2026-09-30 14:05:09" {
		t.Fatalf("suggested name = %q", got)
	}
	for _, tc := range []struct{ name, want string }{
		{"", "must not be blank"},
		{"A & B", "none of & % < > are allowed"},
		{"50% off", "none of & % < > are allowed"},
		{strings.Repeat("n", 129), "at most 128"},
		{"quarterly BATCH", "already used by job \"Quarterly batch\""},
	} {
		clearField(t, m)
		typeText(t, m, tc.name)
		press(t, m, "enter")
		wantStep(t, m, stepName)
		wantScreen(t, m, "ERROR: Job Name")
		if w.nameErr == nil || !strings.Contains(w.nameErr.Error(), tc.want) {
			t.Fatalf("name %q: error %v, want %q", tc.name, w.nameErr, tc.want)
		}
	}
	// Typing clears the stale error; a good name moves on.
	clearField(t, m)
	typeText(t, m, "Batch 7")
	wantNoScreen(t, m, "ERROR:")
	press(t, m, "enter")
	wantStep(t, m, stepProfile)
}

// TestWizardProfileStepOffersFileAndCTFProfilesNotCTKIP: the profile
// step offers every profile that can deliver (file-based and CTF) and
// says once, under the list, that the CT-KIP one cannot deliver yet.
func TestWizardProfileStepOffersFileAndCTFProfilesNotCTKIP(t *testing.T) {
	be := ctkipBackend()
	m := openWizard(t, be, 120, 40) // the whole list beside the details
	press(t, m, "enter")
	wantStep(t, m, stepProfile)
	wantScreen(t, m, "the 5 of 6 profiles that can deliver")
	wantScreen(t, m, "  "+ctfIPhone)
	wantScreen(t, m, "  "+ctfWindows)
	wantScreen(t, m, "cannot deliver yet")
	if n := strings.Count(screenText(m), "Self-service CT-KIP"); n != 1 {
		t.Fatalf("the CT-KIP profile is named %d times, want once (in the note):\n%s", n, screenText(m))
	}
	// The CT-KIP profile cannot be found by the filter.
	typeText(t, m, "self-service")
	wantScreen(t, m, "No matches.")
	clearField(t, m)
	// Details follow the highlight.
	wantScreen(t, m, "Name:           Staff Android")
	press(t, m, "down")
	wantScreen(t, m, "Name:           Staff iPhone")
	// The filter narrows with a fuzzy match; j and k are text there.
	typeText(t, m, "wdesk")
	wantScreen(t, m, "> Windows desktop")
	wantScreen(t, m, "2 of 5") // and the CTF one
	press(t, m, "enter")
	wantStep(t, m, stepDevice)
	w := wizardOf(m)
	if w.chosen().Name != "Windows desktop" || w.device.Value() != model.DeviceWindows.GUID() {
		t.Fatalf("chosen %q, device %q", w.chosen().Name, w.device.Value())
	}
	// No match: enter does nothing.
	press(t, m, "esc")
	typeText(t, m, "zzzz")
	wantScreen(t, m, "No matches.")
	press(t, m, "enter")
	wantStep(t, m, stepProfile)
}

func TestWizardWithoutDeliverableProfiles(t *testing.T) {
	m := openWizard(t, ctkipOnlyBackend(), 80, 24)
	press(t, m, "enter", "enter")
	wantStep(t, m, stepProfile)
	for _, want := range []string{"There is no software token profile that can deliver", "Create one on the Software Token Profiles", "cannot deliver yet"} {
		if !strings.Contains(flat(m), want) {
			t.Fatalf("screen lacks %q:\n%s", want, screenText(m))
		}
	}
}

// TestWizardDeviceBinding: the plan, not the wizard, resolves the
// DeviceSerialNumber field: its refusals show at the field, and the
// summary shows the binding the plan made.
func TestWizardDeviceBinding(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordNone, stepDevice)
	w := wizardOf(m)
	guid := model.DeviceIPhone.GUID()
	if w.device.Value() != guid {
		t.Fatalf("device pre-filled with %q", w.device.Value())
	}
	wantScreen(t, m, "the class GUID (or a blank field) is class binding")

	clearField(t, m)
	typeText(t, m, "AB 12")
	press(t, m, "enter")
	wantStep(t, m, stepDevice)
	wantScreen(t, m, "must not contain spaces")

	clearField(t, m)
	typeText(t, m, model.DeviceAndroid.GUID())
	press(t, m, "enter")
	wantStep(t, m, stepDevice)
	wantScreen(t, m, "is the Android")

	press(t, m, "ctrl+r")
	if w.device.Value() != guid {
		t.Fatalf("ctrl+r restored %q", w.device.Value())
	}
	clearField(t, m)
	typeText(t, m, "3F2A9C11D0E4B876")
	press(t, m, "enter")
	wantStep(t, m, stepNickname)
	if w.spec().Device != "3F2A9C11D0E4B876" || w.spec().Binding.Kind != model.BindingNone {
		t.Fatalf("spec gives the plan device %q and binding %+v, want the field and no binding", w.spec().Device, w.spec().Binding)
	}
	walk(t, m, model.PasswordNone, stepSummary)
	if b := w.preview.Binding; b.Kind != model.BindingDevice || b.Value != "3F2A9C11D0E4B876" {
		t.Fatalf("binding = %+v", b)
	}
	wantScreen(t, m, "3F2A9C11D0E4B876 (DEVICE BINDING: one device)")
}

// TestWizardBlankDeviceFieldIsClassBinding: a blank DeviceSerialNumber
// is the profile's class, as the plan resolves it.
func TestWizardBlankDeviceFieldIsClassBinding(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordNone, stepDevice)
	clearField(t, m)
	press(t, m, "enter")
	wantStep(t, m, stepNickname)
	walk(t, m, model.PasswordNone, stepSummary)
	wantScreen(t, m, "DeviceSerialNumber: "+model.DeviceIPhone.GUID()+" (class binding)")
}

func TestWizardChangingProfileRefillsClassGUID(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordNone, stepDevice)
	press(t, m, "esc")
	wantStep(t, m, stepProfile)
	// The earlier choice is highlighted again.
	wantScreen(t, m, "> Staff iPhone")
	typeText(t, m, "andr")
	press(t, m, "enter")
	if got := wizardOf(m).device.Value(); got != model.DeviceAndroid.GUID() {
		t.Fatalf("device = %q after switching to Android", got)
	}
	// A typed device ID survives a profile change.
	clearField(t, m)
	typeText(t, m, "DEVICE42")
	press(t, m, "esc", "up", "enter")
	if got := wizardOf(m).device.Value(); got != "DEVICE42" {
		t.Fatalf("device = %q, want the typed ID kept", got)
	}
}

func TestWizardNickname(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepNickname)
	typeText(t, m, strings.Repeat("x", 25))
	wantScreen(t, m, "25/24 characters")
	press(t, m, "enter")
	wantStep(t, m, stepNickname)
	wantScreen(t, m, "ERROR: Nickname: is 25 characters; at most 24")
	press(t, m, "backspace")
	press(t, m, "enter")
	wantStep(t, m, stepPassword)
	// Empty is fine (optional).
	press(t, m, "esc")
	clearField(t, m)
	press(t, m, "enter")
	wantStep(t, m, stepPassword)
}

func TestWizardPasswordStep(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepPassword)
	w := wizardOf(m)
	// Four choices; the fields appear only where a password is needed.
	for _, mode := range model.PasswordModes() {
		wantScreen(t, m, mode.Label())
	}
	if w.modeValue() != model.PasswordAdmin {
		t.Fatalf("default mode %s", w.modeValue())
	}
	wantScreen(t, m, "Password:")
	wantScreen(t, m, "1-24 characters for AES-128")
	press(t, m, "down") // No password
	wantNoScreen(t, m, "Confirm:")
	press(t, m, "up")

	// Empty password.
	press(t, m, "enter", "enter", "enter")
	wantStep(t, m, stepPassword)
	wantScreen(t, m, "ERROR: Password: is required")
	// Mismatch.
	typeText(t, m, "abc12345")
	press(t, m, "enter")
	typeText(t, m, "abc12346")
	press(t, m, "enter")
	wantStep(t, m, stepPassword)
	wantScreen(t, m, "do not match")
	if w.pwFocus != pwFocusConfirm {
		t.Fatalf("focus %d, want the confirm field", w.pwFocus)
	}
	// Too long for any token.
	press(t, m, "shift+tab")
	clearField(t, m)
	typeText(t, m, strings.Repeat("p", 25))
	press(t, m, "tab")
	clearField(t, m)
	typeText(t, m, strings.Repeat("p", 25))
	press(t, m, "enter")
	wantScreen(t, m, "is 25 characters; no token allows more than 24")
	// The password is masked everywhere.
	wantNoScreen(t, m, "ppppp")
	wantScreen(t, m, strings.Repeat("*", 25))

	if w.pwFocus != pwFocusPassword {
		t.Fatalf("focus %d, want the password field", w.pwFocus)
	}
	clearField(t, m)
	typeText(t, m, testPassword)
	press(t, m, "tab")
	clearField(t, m)
	typeText(t, m, testPassword)
	wantNoScreen(t, m, testPassword)
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)

	// Mode without a password: the fields are dropped, not kept unused.
	press(t, m, "esc")
	if w.pwFocus != pwFocusConfirm {
		t.Fatalf("back on the password step with focus %d, want Confirm as it was left", w.pwFocus)
	}
	press(t, m, "shift+tab", "shift+tab") // to the modes
	press(t, m, "down", "down")           // User ID
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)
	if w.pw.Value() != "" || w.pw2.Value() != "" {
		t.Fatal("a password typed for another mode was kept")
	}
}

func TestWizardCriteriaValidationAndLiveCount(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordNone, stepCriteria)
	wantScreen(t, m, "Eligible: - (choose a serial range or all eligible tokens)")
	// Empty criteria never mean everything.
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)
	wantScreen(t, m, "choose a serial range or all eligible tokens")

	typeRange(t, m, "100000000020", "100000000010")
	wantScreen(t, m, "from must not be greater than to")
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)

	clearField(t, m)
	typeText(t, m, "1000x")
	wantScreen(t, m, `To serial: "1000x" must contain digits only`)

	// A valid range: the live count by reason.
	clearField(t, m)
	typeText(t, m, "100000000030")
	wantScreen(t, m, "Eligible: 9 tokens (serials 100000000021 to 100000000029)")
	wantScreen(t, m, "Left out: 2 unassigned")
	press(t, m, "shift+tab")
	clearField(t, m)
	typeText(t, m, "100000000001")
	wantScreen(t, m, "Eligible: 26 tokens")
	wantScreen(t, m, "Left out: 3 unassigned, 1 expired")

	// Filters: algorithm and never distributed.
	press(t, m, "tab", "tab", "tab", "tab", "tab") // to Algorithm
	press(t, m, "space", "space")
	wantScreen(t, m, "< SID-64 >")
	wantScreen(t, m, "Eligible: 2 tokens (serials 100000000028 to 100000000029)")
	press(t, m, "space")
	press(t, m, "shift+tab", "space") // never distributed only
	wantScreen(t, m, "[x] Never distributed only")
	wantScreen(t, m, "Eligible: 24 tokens")

	// All eligible and a range together are refused.
	press(t, m, "shift+tab", "shift+tab", "space")
	wantScreen(t, m, "[x] All eligible tokens")
	press(t, m, "enter")
	wantStep(t, m, stepCriteria)
	wantScreen(t, m, "not both")
	press(t, m, "space")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
}

func TestWizardBackAndForwardKeepsValues(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	clearField(t, m)
	typeText(t, m, "Keep me")
	walk(t, m, model.PasswordUserIDAndAdmin, stepSummary)
	w := wizardOf(m)
	before := w.spec()
	if before.Name != "Keep me" || before.Profile != "Staff iPhone" || before.Nickname != "Ops" ||
		before.PasswordMode != model.PasswordUserIDAndAdmin || before.Criteria.From != "100000000001" {
		t.Fatalf("spec %+v", before)
	}
	// All the way back, checking each step still shows its value.
	for _, back := range []struct {
		step  step
		shows []string
	}{
		{stepCriteria, []string{"From serial:   100000000001"}},
		{stepPassword, []string{"(*) 4 User ID followed by Password", "Password: " + strings.Repeat("*", len(testPassword))}},
		{stepNickname, []string{"Nickname: Ops"}},
		{stepDevice, []string{model.DeviceIPhone.GUID()}},
		{stepProfile, []string{"> Staff iPhone"}},
		{stepName, []string{"Job Name: Keep me"}},
	} {
		press(t, m, "esc")
		wantStep(t, m, back.step)
		for _, s := range back.shows {
			wantScreen(t, m, s)
		}
	}
	// And forward again with enter only: every value kept.
	for s := stepName; s < stepSummary; s++ {
		press(t, m, "enter")
		if s == stepPassword {
			press(t, m, "enter", "enter") // through the two password fields
		}
		wantStep(t, m, s+1)
	}
	if after := w.spec(); after != before {
		t.Fatalf("spec changed: %+v -> %+v", before, after)
	}
	if w.pw.Value() != testPassword {
		t.Fatal("password not kept across back and forward")
	}
}

func TestWizardSummaryAndTypedConfirmation(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordAdmin, stepSummary)
	for _, s := range []string{
		"Job Name:", "Profile:            Staff iPhone", "DeviceSerialNumber: " + model.DeviceIPhone.GUID() + " (class binding)",
		"Nickname:           Ops", "Password:           Password; admin password: (set)",
		"Criteria:           serials 100000000001 to 100000000020",
		"Tokens:             17 (first 100000000001, last 100000000019)",
		"Left out:           2 unassigned, 1 expired", "rows 1-", "of 17",
		"WARNING: 2 of the 17 tokens were distributed before.",
		"Type 17 to confirm",
	} {
		wantScreen(t, m, s)
	}
	wantNoScreen(t, m, testPassword)
	// The list scrolls.
	press(t, m, "down", "down")
	wantScreen(t, m, "rows 3-")

	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "ERROR: Confirmation: type the number of tokens, 17, to confirm")
	typeText(t, m, "16")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	press(t, m, "backspace")
	typeText(t, m, "7")
	wantNoScreen(t, m, "ERROR:")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
	wantScreen(t, m, "for 17 tokens")
}

func TestWizardNoConfirmationWhenNothingIsRedistributed(t *testing.T) {
	be := newFakeBackend()
	m := openSummary(t, be, 80, 24, model.PasswordNone, "100000000010", "100000000020")
	wantNoScreen(t, m, "WARNING")
	wantNoScreen(t, m, "to confirm")
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
}

func TestWizardSummaryRefusesTooLongPasswords(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 120, 40)
	walk(t, m, model.PasswordUserIDAndAdmin, stepCriteria)
	typeRange(t, m, "100000000021", "100000000030")
	wantScreen(t, m, "Left out: 1 unassigned, 2 password too long")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	wantScreen(t, m, "ERROR: cannot submit: 2 tokens would get a password over their limit: 100000000028")
	wantScreen(t, m, "(dmuller), 100000000029 (eokafor)")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
}

func TestWizardSubmitOpensJobsAndClearsThePassword(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordUserIDAndAdmin, stepSubmit)
	w := wizardOf(m)
	press(t, m, "enter")
	if be.lastSubmitPassword != testPassword || be.lastTyped != "17" {
		t.Fatalf("backend got password ok=%v typed %q", be.lastSubmitPassword == testPassword, be.lastTyped)
	}
	js, ok := m.Top().(*jobsStub)
	if !ok || js.seq != 1 {
		t.Fatalf("the Jobs screen was not opened on job 1 (top %T):\n%s", m.Top(), screenText(m))
	}
	if w.pw.Value() != "" || w.pw2.Value() != "" || w.password() != "" {
		t.Fatal("password still held by the wizard after submit")
	}
	if wizardOf(m) != nil {
		t.Fatal("wizard still on the stack")
	}
	wantScreen(t, m, "OK: Job #1")
	// Back goes home, not into the finished wizard.
	press(t, m, "esc")
	wantScreen(t, m, "Distribute Software Tokens")
	if ok := m.Top().IsHome(); !ok {
		t.Fatalf("top is %T", m.Top())
	}
}

func TestWizardSubmitErrorIsShown(t *testing.T) {
	be := newFakeBackend()
	m := openWizard(t, be, 80, 24)
	walk(t, m, model.PasswordNone, stepSubmit)
	// Another console took the name meanwhile.
	be.jobs = append(be.jobs, model.Job{Seq: 1, Name: wizardOf(m).name.Value(), State: model.JobQueued})
	be.profiles = be.profiles[:1] // and the profile vanished
	press(t, m, "enter")
	wantStep(t, m, stepSubmit)
	wantScreen(t, m, "ERROR:")
}

func TestWizardLeaveAsksWhenInputWouldBeLost(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	// Untouched: esc leaves at once.
	press(t, m, "esc")
	if wizardOf(m) != nil {
		t.Fatal("untouched wizard did not close on esc")
	}
	press(t, m, "enter")
	typeText(t, m, "x")
	press(t, m, "esc")
	wantScreen(t, m, "Leave the wizard? Its input will be lost.")
	press(t, m, "n")
	wantStep(t, m, stepName)
	press(t, m, "esc", "y")
	if wizardOf(m) != nil {
		t.Fatal("wizard still open after confirming")
	}
}

func TestWizardPasteNeverUsesTheClipboard(t *testing.T) {
	m := openWizard(t, newFakeBackend(), 80, 24)
	clearField(t, m)
	// ctrl+v is not a paste here (no clipboard program runs); a terminal
	// paste arrives as PasteMsg and is inserted, control characters dropped.
	press(t, m, "ctrl+v")
	update(t, m, pasteMsg("Batch\n\x1b[31m 9"))
	if got := wizardOf(m).name.Value(); got != "Batch[31m 9" {
		t.Fatalf("name after paste = %q", got)
	}
}

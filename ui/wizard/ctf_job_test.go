package wizard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/model"
)

// The CTF profiles of ctkipBackend: a phone one (form choice, links, QR
// images) and a desktop one (digits in blocks, v2 only).
const (
	ctfIPhone  = "iPhone quick setup (CTF)"
	ctfWindows = "Windows desktop (CTF)"
	ctkipName  = "Self-service CT-KIP"
)

// ctkipBackend is the fake with a desktop CTF profile and a CT-KIP
// profile beside the usual ones (three file-based, one iPhone CTF).
func ctkipBackend() *fakeBackend {
	be := newFakeBackend()
	be.profiles = append(be.profiles,
		model.Profile{Name: ctfWindows, Description: "Desktop token delivered as CTF digits.",
			DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly},
		model.Profile{Name: ctkipName, Description: "Provisioned over CT-KIP.",
			DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTKIP, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob},
	)
	return be
}

// ctkipOnlyBackend has only profiles that cannot deliver yet.
func ctkipOnlyBackend() *fakeBackend {
	be := newFakeBackend()
	be.profiles = []model.Profile{{Name: ctkipName, DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTKIP,
		TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob}}
	return be
}

// walkCTF is walk with profile chosen by its name: on the password step
// enter also passes the CTF form choice when the profile has one.
func walkCTF(t *testing.T, m *Model, profile string, mode model.PasswordMode, to step) {
	t.Helper()
	steps := []func(){
		func() { press(t, m, "enter") },
		func() { typeText(t, m, profile); press(t, m, "enter") },
		func() { press(t, m, "enter") },
		func() { typeText(t, m, "Ops"); press(t, m, "enter") },
		func() {
			w := wizardOf(m)
			chooseMode(t, m, mode)
			press(t, m, "enter")
			if mode.NeedsAdminPassword() {
				typeText(t, m, testPassword)
				press(t, m, "enter")
				typeText(t, m, testPassword)
				press(t, m, "enter")
			}
			if w.hasForm() {
				press(t, m, "enter")
			}
		},
		func() {
			typeRange(t, m, "100000000001", "100000000020")
			press(t, m, "enter")
		},
		func() {
			if w := wizardOf(m); w.confirmNeeded() {
				typeText(t, m, fmt.Sprint(w.preview.Summary.Count))
			}
			press(t, m, "enter")
		},
	}
	for s := wizardOf(m).step; s < to; s++ {
		steps[s]()
		wantStep(t, m, s+1)
	}
	if p := wizardOf(m).chosen(); to > stepProfile && (p == nil || p.Name != profile) {
		t.Fatalf("chose %v, want %q", p, profile)
	}
}

// chooseMode puts the password step's focus on the mode list and chooses
// mode there.
func chooseMode(t *testing.T, m *Model, mode model.PasswordMode) {
	t.Helper()
	w := wizardOf(m)
	for i := 0; w.pwFocus != pwFocusModes; i++ {
		if i > 4 {
			t.Fatalf("tab does not reach the mode list")
		}
		press(t, m, "tab")
	}
	for i := 0; model.PasswordModes()[w.mode] != mode; i++ {
		if i > len(model.PasswordModes()) {
			t.Fatalf("no mode %q", mode)
		}
		press(t, m, "down")
	}
}

// flat is the screen's text with every run of spaces and line breaks made
// one space, so wrapped sentences can be found whole (80 columns: no
// sidebar).
func flat(m *Model) string { return strings.Join(strings.Fields(screenText(m)), " ") }

// TestWizardJobTypeFollowsTheProfileOnEveryStep: a CTF profile makes the
// wizard a "Generate Compressed Token Format Credentials" job, shown whole
// in the top bar on every step at 80 and 120 columns, and the suggested
// job name follows; a file profile keeps the file job's label.
func TestWizardJobTypeFollowsTheProfileOnEveryStep(t *testing.T) {
	ctf := model.JobKindCTF.Label()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := openWizard(t, ctkipBackend(), size[0], size[1])
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepDevice)
		if got, want := wizardOf(m).name.Value(), model.SuggestedJobNameFor(model.JobKindCTF, testNow); got != want {
			t.Fatalf("suggested name %q, want %q", got, want)
		}
		for s := stepDevice; s < numSteps; s++ {
			walkCTF(t, m, ctfIPhone, model.PasswordNone, s)
			if top := screenLines(m)[0]; !strings.Contains(top, ctf) {
				t.Fatalf("%dx%d step %d: top bar %q lacks %q", size[0], size[1], s+1, top, ctf)
			}
		}
		// Back to the profile step: a file profile is a file job again.
		for wizardOf(m).step > stepProfile {
			press(t, m, "esc")
		}
		clearField(t, m)
		typeText(t, m, "Staff iPhone")
		press(t, m, "enter")
		wantStep(t, m, stepDevice)
		if top := screenLines(m)[0]; !strings.Contains(top, model.JobKindFiles.Label()) {
			t.Fatalf("file profile: top bar %q", top)
		}
		if got := wizardOf(m).name.Value(); got != model.SuggestedJobNameFor(model.JobKindFiles, testNow) {
			t.Fatalf("file profile: suggested name %q", got)
		}
	}
	// A name the admin wrote is kept whatever the profile.
	m := openWizard(t, ctkipBackend(), 80, 24)
	clearField(t, m)
	typeText(t, m, "Batch 7")
	walkCTF(t, m, ctfIPhone, model.PasswordNone, stepDevice)
	if got := wizardOf(m).name.Value(); got != "Batch 7" {
		t.Fatalf("edited name replaced by %q", got)
	}
}

// TestWizardCTFFormOnlyForPhoneProfiles: the password step offers the CTF
// form (v2, v3) for a phone CTF profile only, after the mode list.
func TestWizardCTFFormOnlyForPhoneProfiles(t *testing.T) {
	m := openWizard(t, ctkipBackend(), 80, 24)
	walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
	chooseMode(t, m, model.PasswordNone)
	wantScreen(t, m, "CTF form:")
	wantScreen(t, m, "1 iPhone link, v2 (81 digits)")
	wantScreen(t, m, "2 iPhone link, v3 (base64)")
	press(t, m, "tab")
	if w := wizardOf(m); w.pwFocus != pwFocusForm || w.CapturesInput() {
		t.Fatalf("tab: focus %d, typing %v; want the form choice", w.pwFocus, w.CapturesInput())
	}
	press(t, m, "down")
	if w := wizardOf(m); w.ctfForm() != model.CTFv3 {
		t.Fatalf("down chose %q", w.ctfForm())
	}
	press(t, m, "1")
	if w := wizardOf(m); w.ctfForm() != model.CTFv2 {
		t.Fatalf("1 chose %q", w.ctfForm())
	}

	for _, name := range []string{ctfWindows, "Staff iPhone"} {
		m := openWizard(t, ctkipBackend(), 80, 24)
		walkCTF(t, m, name, model.PasswordNone, stepPassword)
		chooseMode(t, m, model.PasswordNone)
		wantNoScreen(t, m, "CTF form")
		wantNoScreen(t, m, "v3")
		press(t, m, "tab")
		if w := wizardOf(m); w.pwFocus != pwFocusModes {
			t.Fatalf("%s: tab moved the focus to %d", name, w.pwFocus)
		}
	}
}

// TestWizardCTFv3ReachesPreviewAndSubmit: the form chosen is the form of
// the spec the backend plans and submits; untouched it is v2.
func TestWizardCTFv3ReachesPreviewAndSubmit(t *testing.T) {
	for _, want := range []model.CTFForm{model.CTFv2, model.CTFv3} {
		be := ctkipBackend()
		m := openWizard(t, be, 80, 24)
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
		if want == model.CTFv3 {
			chooseMode(t, m, model.PasswordNone)
			press(t, m, "tab", "down")
		}
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSummary)
		if s := be.lastPreviewSpec; s.Kind != model.JobKindCTF || s.CTFForm != want || s.CTFShape != model.CTFShapeIPhone {
			t.Fatalf("%s: preview spec kind %q form %q shape %q", want, s.Kind, s.CTFForm, s.CTFShape)
		}
		wantScreen(t, m, model.CTFLabel(model.CTFShapeIPhone, want))
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSubmit)
		press(t, m, "enter")
		if s := be.lastSubmitSpec; s.Kind != model.JobKindCTF || s.CTFForm != want {
			t.Fatalf("%s: submitted kind %q form %q", want, s.Kind, s.CTFForm)
		}
		if len(be.jobs) != 1 {
			t.Fatalf("%s: %d jobs submitted\n%s", want, len(be.jobs), screenText(m))
		}
	}
	// A desktop CTF profile writes v2 digits (no choice to make).
	be := ctkipBackend()
	m := openWizard(t, be, 80, 24)
	walkCTF(t, m, ctfWindows, model.PasswordNone, stepSummary)
	if s := be.lastPreviewSpec; s.CTFForm != model.CTFv2 || s.CTFShape != model.CTFShapeBlocks {
		t.Fatalf("desktop: form %q shape %q", s.CTFForm, s.CTFShape)
	}
}

// TestWizardCTFManifestNoteOnNicknameAndSummary: a CTF job says on the
// nickname step and the summary that the nickname and names travel in
// the manifest only; a file job does not.
func TestWizardCTFManifestNoteOnNicknameAndSummary(t *testing.T) {
	m := openWizard(t, ctkipBackend(), 80, 40) // the summary's fields all fit
	walkCTF(t, m, ctfIPhone, model.PasswordNone, stepNickname)
	if !strings.Contains(flat(m), model.CTFManifestNote) {
		t.Fatalf("nickname step lacks the note:\n%s", screenText(m))
	}
	walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSummary)
	if !strings.Contains(flat(m), model.CTFManifestNote) {
		t.Fatalf("summary lacks the note:\n%s", screenText(m))
	}
	m = openWizard(t, ctkipBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepNickname)
	wantNoScreen(t, m, "manifest.csv")
}

// TestWizardCTFSummarySaysWhetherQRImagesAreWritten: links get QR images,
// digits do not; the summary names the job type and the strings' form.
func TestWizardCTFSummarySaysWhetherQRImagesAreWritten(t *testing.T) {
	m := openWizard(t, ctkipBackend(), 80, 24)
	walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSummary)
	wantScreen(t, m, "QR images:          yes")
	wantScreen(t, m, model.JobKindCTF.Label()) // in the title
	wantScreen(t, m, "CTF strings:        iPhone link, v2 (81 digits)")
	m = openWizard(t, ctkipBackend(), 80, 24)
	walkCTF(t, m, ctfWindows, model.PasswordNone, stepSummary)
	wantScreen(t, m, "QR images:          no")
	wantScreen(t, m, "CTF strings:        81 digits in blocks of five (v2)")
	m = openWizard(t, ctkipBackend(), 80, 24)
	walk(t, m, model.PasswordNone, stepSummary)
	wantNoScreen(t, m, "QR images")
}

// TestWizardCTFLeavesOut64BitTokensWithTheirReason: the summary's left-out
// list names 64-bit tokens with their own reason in a CTF job.
func TestWizardCTFLeavesOut64BitTokensWithTheirReason(t *testing.T) {
	m := openWizard(t, ctkipBackend(), 80, 24)
	walkCTF(t, m, ctfWindows, model.PasswordNone, stepCriteria)
	typeRange(t, m, "100000000021", "100000000030")
	press(t, m, "enter")
	wantStep(t, m, stepSummary)
	// 100000000030 is unassigned as well, which comes first.
	if !strings.Contains(flat(m), "Left out: 1 unassigned, 2 64-bit tokens (no CTF form)") {
		t.Fatalf("summary does not leave out the 2 assigned SID-64 tokens with their reason:\n%s", screenText(m))
	}
}

func TestGoldenCTFSummary(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openWizard(t, ctkipBackend(), w, h)
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
		chooseMode(t, m, model.PasswordNone)
		press(t, m, "tab", "down") // v3
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepSummary)
		golden.RequireEqual(t, screenText(m))
	})
}

func TestGoldenCTFPasswordStep(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openWizard(t, ctkipBackend(), w, h)
		walkCTF(t, m, ctfIPhone, model.PasswordNone, stepPassword)
		chooseMode(t, m, model.PasswordUserIDAndAdmin)
		press(t, m, "tab", "tab", "tab", "down") // the form: v3
		golden.RequireEqual(t, screenText(m))
	})
}

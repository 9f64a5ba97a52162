package selfservice

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/engine/qr/qrtest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
)

func TestHeaderSaysWhoTheUserIs(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.want("signed in as alice (Alice Martin)")
}

func TestTokensShowSerialNicknameExpiryAndTheHintOnlyInsideTheWindow(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.want("000100000001 laptop expires 2027-06-30")
	h.want("000100000002 phone expires 2026-10-09")
	h.want("expires in 9 days: you may request a replacement")
	if n := strings.Count(h.view(), "you may request a replacement"); n != 1 {
		t.Fatalf("the hint shows %d times, want once (only the token inside the window):\n%s", n, h.view())
	}
}

func TestRequestsShowNewestFirstWithStateAndComments(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	v := h.view()
	if i, j := strings.Index(v, "R-7"), strings.Index(v, "R-5"); i < 0 || j < 0 || i > j {
		t.Fatalf("R-7 should come before R-5:\n%s", v)
	}
	h.want("R-7 replacement pending")
	h.want("deferred: Waiting for your manager's OK.")
	h.press("down")
	h.want("approved: Enjoy.")
	h.want("Press s to show it (once)")
}

func TestFulfilledFileRequestSaysWhereTheFileWasMailed(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("down", "down")
	h.want("The token file was mailed to alice@example.com.")
	h.press("s")
	h.want("The token of R-2 is a file, mailed to alice@example.com.")
	if h.m.mode != modeMain {
		t.Fatal("s on a file request left the main screen")
	}
}

func TestFormOffersTheProfilesWithTheDefaultPreselected(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("n")
	h.want("Profile: Android phone (2 of 2), the default")
	h.want("Scan a QR code with the SecurID app.")
	h.want("Image: images/android.png")
	h.press("right")
	h.want("Profile: Laptop file (1 of 2)")
	h.want("Image: images/laptop.png")
}

func TestDeviceSerialFieldOnlyWhereTheProfileAllowsEditing(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("n")
	h.want("Device serial:")
	h.press("left")
	h.wantNot("Device serial:")
}

func TestPasswordFieldsOnlyWhereRequiredAndMasked(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("n")
	h.wantNot("Password")
	h.press("esc")
	be.choices.PasswordRequired = true
	h = newHarness(t, be, 80, 24)
	h.press("n", "tab", "tab", "tab")
	h.want("Password again:")
	h.typeText("s3cret!")
	h.wantNot("s3cret!")
	h.want("*******")
}

func TestFormSendsWhatWasTypedWithoutUserOrOrigin(t *testing.T) {
	be := fixture()
	be.choices.PasswordRequired = true
	h := newHarness(t, be, 80, 24)
	h.press("n", "tab")
	h.typeText("DEV-1")
	h.press("tab")
	h.typeText("my phone")
	h.press("tab")
	h.typeText("pw123456")
	h.press("tab")
	h.typeText("pw123456")
	h.press("tab")
	h.typeText("lost the old one")
	h.press("enter")
	if len(be.made) != 1 {
		t.Fatalf("MakeRequest called %d times", len(be.made))
	}
	got := be.made[0]
	want := model.RequestInput{Kind: model.RequestNew, Profile: "Android", DeviceSerial: "DEV-1", Nickname: "my phone",
		Password: "pw123456", PasswordConfirm: "pw123456", Reason: "lost the old one"}
	if got != want {
		t.Fatalf("MakeRequest got %+v, want %+v", got, want)
	}
	h.want("Request R-9 is made; it is pending.")
	if h.m.mode != modeMain || h.m.form != nil {
		t.Fatal("the form is still open after the request was made")
	}
	if r, _ := h.m.selected(); r.ID != "R-9" {
		t.Fatalf("the cursor is on %s, want the new request R-9", r.ID)
	}
}

func TestRefusalIsShownAndTheFormKeepsWhatWasTyped(t *testing.T) {
	be := fixture()
	be.makeErr = &model.RequestError{Rule: model.RuleOpenRequest, Field: model.FieldRequestKind, Msg: `user "alice" already has an open new request, R-7 (pending): cancel it or wait until it ends`}
	h := newHarness(t, be, 80, 24)
	h.press("n", "left", "tab")
	h.typeText("work laptop")
	h.press("enter")
	h.want("ERROR: Refused: Request kind: user \"alice\" already has an open new request")
	h.want("Nickname: work laptop")
	h.want("Profile: Laptop file (1 of 2)")
	if h.m.mode != modeForm {
		t.Fatal("a refusal closed the form")
	}
}

func TestReplacementFormOffersOnlyTokensThatMayBeReplaced(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("r")
	h.want("Token to replace: 000100000002 phone, expires 2026-10-09")
	h.press("enter")
	if len(be.made) != 1 || be.made[0].Kind != model.RequestReplacement || be.made[0].Replaces != "000100000002" {
		t.Fatalf("MakeRequest got %+v, want a replacement of 000100000002", be.made)
	}
}

func TestReplacementRefusedOutsideTheWindowSaysWhy(t *testing.T) {
	be := fixture()
	be.choices.Replaceable = nil
	h := newHarness(t, be, 80, 24)
	_, cmd := h.m.Update(uitest.KeyPress("r"))
	if h.m.mode != modeMain {
		t.Fatal("r opened the replacement form with no token to replace")
	}
	msg, ok := cmd().(nav.DisabledMsg)
	if !ok || !strings.Contains(msg.Reason, "None of your tokens expires within 14 days") {
		t.Fatalf("r said %#v", msg)
	}
}

func TestShowMyTokenAsksFirstAndNotNowShowsNothing(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("down", "s")
	h.want("It is shown once")
	h.press("n")
	if len(be.shown) != 0 || h.m.mode != modeMain {
		t.Fatalf("n showed the token (%v) or stayed (%v)", be.shown, h.m.mode)
	}
}

func TestShowMyTokenDrawsAQRCodeThatDecodesToTheLinkAt80x24(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("down", "s", "y")
	v := h.view()
	if n := len(strings.Split(v, "\n")); n != 24 {
		t.Fatalf("the frame is %d lines, want 24", n)
	}
	if !strings.Contains(strings.ReplaceAll(v, "\n", ""), v2Link) {
		t.Fatalf("the link is not on the screen:\n%s", v)
	}
	if got := decodeScreen(t, zbar, v); got != v2Link {
		t.Fatalf("the QR code reads %q, want %q", got, v2Link)
	}
}

func TestShowMyTokenAtALargeWindowKeepsTheWholeQuietZone(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	h := newHarness(t, fixture(), 120, 40)
	h.press("down", "s", "y")
	full, _ := qr.HalfBlocks(v2Link)
	if !strings.Contains(h.view(), strings.TrimSuffix(full, "\n")) {
		t.Fatalf("the screen lacks the full rendering:\n%s", h.view())
	}
	if got := decodeScreen(t, zbar, h.view()); got != v2Link {
		t.Fatalf("the QR code reads %q, want %q", got, v2Link)
	}
}

// decodeScreen reads the QR code in a screen: its lines of half blocks,
// through FromHalfBlocks and zbarimg.
func decodeScreen(t *testing.T, zbar, screen string) string {
	t.Helper()
	var code []string
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "█") && strings.Trim(l, "▀▄█ ") == "" {
			code = append(code, l)
		}
	}
	img, err := qr.FromHalfBlocks(strings.Join(code, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := qr.ImagePNG(img, 4)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "screen.png")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := qrtest.Read(zbar, file)
	if err != nil {
		t.Fatalf("zbarimg: %v (%q)", err, got)
	}
	return got
}

func TestLeavingTheQRScreenClearsTheLinkFromTheModel(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("down", "s", "y")
	if h.m.link != v2Link {
		t.Fatalf("the QR screen holds %q", h.m.link)
	}
	h.press("esc")
	if h.m.link != "" || h.m.qrText != "" {
		t.Fatal("the link or its code stayed in the model after leaving the QR screen")
	}
	h.wantNot("ctfData")
	h.want("shown on")
}

func TestQuittingFromTheQRScreenClearsTheLink(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("down", "s", "y", "q")
	if !h.quit || h.m.link != "" || h.m.qrText != "" {
		t.Fatalf("quit %v, link %q left", h.quit, h.m.link)
	}
}

func TestSecondShowIsRefusedWithWhenItWasShown(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.press("down", "s", "y", "esc")
	_, cmd := h.m.Update(uitest.KeyPress("s"))
	msg, ok := cmd().(nav.DisabledMsg)
	if !ok || !strings.Contains(msg.Reason, "was shown on") || !strings.Contains(msg.Reason, "shown only once") {
		t.Fatalf("a second s said %#v", msg)
	}
	if len(be.shown) != 1 {
		t.Fatalf("ShowToken succeeded %d times", len(be.shown))
	}
}

func TestShowRefusedByTheBackendSaysWhy(t *testing.T) {
	be := fixture()
	be.showErr = errors.New("the token of request R-5 was shown on 2026-09-30 14:00:00; it is shown only once")
	h := newHarness(t, be, 80, 24)
	h.press("down", "s", "y")
	if h.m.mode != modeMain {
		t.Fatal("a refused Show left the main screen")
	}
	h.want("Refused: the token of request R-5 was shown on 2026-09-30 14:00:00")
}

func TestAnAdminsDecisionInAnotherProcessShowsAtTheNextPoll(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.send(PollMsg{}) // the baseline
	h.want("R-7 replacement pending")
	be.change(func() {
		be.reqs[0].State = model.RequestRejected
		be.reqs[0].Comments = append(be.reqs[0].Comments, Comment{At: be.reqs[0].Created, Action: "rejected", Text: "Your token is fine."})
	})
	h.send(PollMsg{})
	h.want("R-7 replacement rejected")
	h.want("rejected: Your token is fine.")
}

func TestAPollWithoutChangeReadsNothingElse(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.send(PollMsg{})
	before := be.callCount()
	h.send(PollMsg{})
	if n := be.callCount() - before; n != 1 {
		t.Fatalf("an unchanged poll made %d calls, want 1 (the counter)", n)
	}
}

// TestAChangeReloadsWithOneRead: a poll that sees a change reads the
// counter and then loads everything in one backend call.
func TestAChangeReloadsWithOneRead(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.send(PollMsg{})
	be.change(func() { be.reqs[0].State = model.RequestApproved })
	before := be.callCount()
	h.send(PollMsg{})
	if n := be.callCount() - before; n != 2 {
		t.Fatalf("a poll after a change made %d calls, want 2 (the counter, the load)", n)
	}
	h.want("R-7 replacement approved")
}

func TestAReloadKeepsTheFormsInput(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	h.send(PollMsg{})
	h.press("n", "tab", "tab")
	h.typeText("kept")
	be.change(func() { be.reqs[0].State = model.RequestApproved })
	h.send(PollMsg{})
	h.want("Nickname: kept")
	h.press("esc")
	h.want("R-7 replacement approved")
}

func TestUpdateDoesNoIO(t *testing.T) {
	be := fixture()
	h := newHarness(t, be, 80, 24)
	before := be.callCount()
	for _, k := range []string{"n", "enter"} {
		h.m.Update(uitest.KeyPress(k))
	}
	h.m.Update(uitest.KeyPress("esc"))
	h.press("down")
	h.m.Update(uitest.KeyPress("s"))
	h.m.Update(uitest.KeyPress("y"))
	h.m.Update(PollMsg{})
	if n := be.callCount() - before; n != 0 {
		t.Fatalf("Update called the backend %d times", n)
	}
}

func TestQuitNeedsNoQuestion(t *testing.T) {
	for _, keys := range [][]string{{"q"}, {"ctrl+c"}, {"n", "tab", "tab", "ctrl+c"}} {
		h := newHarness(t, fixture(), 80, 24)
		h.press(keys...)
		if !h.quit {
			t.Fatalf("%v did not quit", keys)
		}
		if h.view() != "" {
			t.Fatalf("%v left a frame", keys)
		}
	}
}

func TestQIsTextInTheForm(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("n", "tab", "tab", "q", "?")
	if h.quit || h.m.help {
		t.Fatal("q or ? acted while typing a nickname")
	}
	h.want("Nickname: q?")
}

func TestFirstLoadFailureIsShownAndCanBeRetried(t *testing.T) {
	be := fixture()
	be.loadErr = errors.New("store busy")
	h := newHarness(t, be, 80, 24)
	h.want("cannot read your tokens and requests: store busy")
	be.loadErr = nil
	h.press("r")
	h.want("signed in as alice")
}

func TestF1OpensTheHelpWhileTyping(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("n", "tab", "tab", "f1")
	h.want("send")
	h.want("ctrl+c quit")
	h.press("esc")
	if h.m.help || h.m.mode != modeForm {
		t.Fatal("esc did not close the help back to the form")
	}
}

func TestWindowSizeIsTaken(t *testing.T) {
	h := newHarness(t, fixture(), 100, 30)
	if n := len(strings.Split(h.view(), "\n")); n != 30 {
		t.Fatalf("the frame is %d lines, want 30", n)
	}
	var _ tea.Model = New(h.m.env, fixture())
}

func TestAnASCIITerminalGetsOnlyASCIIOutsideTheQRCode(t *testing.T) {
	env := uitest.Env()
	env.Theme = kit.NewTheme(false, false)
	h := &harness{t: t, m: newModel(env, fixture()), be: fixture()}
	h.be = h.m.be.(*fakeBackend)
	h.run(h.m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, keys := range [][]string{nil, {"n"}, {"tab", "tab"}, {"f1"}, {"esc", "esc", "r"}, {"esc", "down", "s"}, {"n", "?"}} {
		h.press(keys...)
		for _, r := range h.view() {
			if r > 127 {
				t.Fatalf("after %v the screen has %q:\n%s", keys, r, h.view())
			}
		}
	}
}

func TestASecondShowIsRefusedBeforeTheReloadLands(t *testing.T) {
	h := newHarness(t, fixture(), 80, 24)
	h.press("down", "s")
	h.m.Update(shownMsg{id: "R-5", link: v2Link}) // the reload it returns is not run
	h.m.Update(uitest.KeyPress("esc"))
	_, cmd := h.m.Update(uitest.KeyPress("s"))
	if msg, ok := cmd().(nav.DisabledMsg); !ok || !strings.Contains(msg.Reason, "shown only once") {
		t.Fatalf("s right after the show said %#v", msg)
	}
}

func TestManyRequestsScrollWithTheCursorInAFrameOf24Lines(t *testing.T) {
	be := fixture()
	be.reqs = nil
	for i := 40; i >= 1; i-- {
		be.reqs = append(be.reqs, Request{ID: "R-" + strconv.Itoa(i), Kind: model.RequestNew, Profile: "Laptop file",
			State: model.RequestRejected, Created: uitest.Now, Comments: []Comment{{At: uitest.Now, Action: "rejected", Text: "no"}}})
	}
	h := newHarness(t, be, 80, 24)
	for i := 0; i < 30; i++ {
		h.press("down")
	}
	v := h.view()
	if n := len(strings.Split(v, "\n")); n != 24 {
		t.Fatalf("the frame is %d lines, want 24", n)
	}
	h.want("> R-10 ")
	h.want("R-10: new token.")
	h.wantNot("R-40 ")
}

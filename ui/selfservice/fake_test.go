package selfservice

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// v2Link is a v2 CTF link as a fulfilled request gives it (engine/qr's
// test link: version 5 at level M).
const v2Link = "http://127.0.0.1/securid/ctf?ctfData=252183154536347124653246702113264363265246451345134136430475601762135241624234423"

// fakeBackend is a Backend over fixed data; every call is counted.
type fakeBackend struct {
	mu      sync.Mutex
	me      model.User
	tokens  []Token
	reqs    []Request
	choices Choices
	counter uint64
	links   map[string]string // request ID -> CTF link
	shown   map[string]time.Time
	made    []model.RequestInput
	makeErr error
	showErr error
	loadErr error
	keys    []Key
	keyErr  error    // AddMyKey's refusal, after the line parsed
	keyAdds []string // the lines AddMyKey was given
	calls   int
}

// keyLine is a public key line of a fixed ed25519 key (the same seed, the
// same key), as ~/.ssh/id_ed25519.pub holds it.
func keyLine(seed byte, comment string) string {
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)).Public()
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment
}

// fixtureKey is a registered key of the fixture, parsed.
func fixtureKey(seed byte, comment string, added time.Time) Key {
	k, err := model.ParseSSHKey(keyLine(seed, comment))
	if err != nil {
		panic(err)
	}
	return Key{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, Added: added}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixture is alice with two tokens (one inside the 14-day window), three
// requests (a fulfilled CTF one, a fulfilled file one, a pending
// replacement with a deferral comment) and two profiles offered.
func fixture() *fakeBackend {
	now := uitest.Now
	return &fakeBackend{
		me: model.User{ID: "alice", FirstName: "Alice", LastName: "Martin", Email: "alice@example.com"},
		tokens: []Token{
			{Serial: "000100000001", Nickname: "laptop", Expires: day(2027, 6, 30)},
			{Serial: "000100000002", Nickname: "phone", Expires: day(2026, 10, 9)},
		},
		reqs: []Request{
			{ID: "R-7", Kind: model.RequestReplacement, Replaces: "000100000002", Profile: "Android phone", State: model.RequestPending,
				Created: now.Add(-time.Hour), Comments: []Comment{{At: now.Add(-30 * time.Minute), Action: "deferred", Text: "Waiting for your manager's OK."}}},
			{ID: "R-5", Kind: model.RequestNew, Profile: "Android phone", State: model.RequestFulfilled, Serial: "000100000002",
				Created: now.Add(-48 * time.Hour), CTF: true,
				Comments: []Comment{{At: now.Add(-47 * time.Hour), Action: "approved", Text: "Enjoy."}}},
			{ID: "R-2", Kind: model.RequestNew, Profile: "Laptop file", State: model.RequestFulfilled, Serial: "000100000001",
				Created: now.Add(-90 * 24 * time.Hour), MailedTo: "alice@example.com"},
		},
		choices: Choices{
			Profiles: []ProfileChoice{
				{Name: "Laptop", DisplayName: "Laptop file", Description: "A token file for the desktop app.", ImageLocation: "images/laptop.png", ClassGUID: "a01c4380-fc01-4df0-b113-7fb98ec74694"},
				{Name: "Android", DisplayName: "Android phone", Description: "Scan a QR code with the SecurID app.", ImageLocation: "images/android.png", DeviceID: true, ClassGUID: "a01c4380-fc01-4df0-b113-7fb98ec74694"},
			},
			Default: "Android", WindowDays: 14, Replaceable: []string{"000100000002"},
		},
		keys:    []Key{fixtureKey(1, "alice@laptop", now.Add(-20*24*time.Hour))},
		counter: 10,
		links:   map[string]string{"R-5": v2Link},
		shown:   map[string]time.Time{},
	}
}

func (f *fakeBackend) call() { f.calls++ }

// Load is the fake's data (copies of its slices), or loadErr.
func (f *fakeBackend) Load() (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call()
	if f.loadErr != nil {
		return Snapshot{}, f.loadErr
	}
	return Snapshot{Me: f.me, Tokens: append([]Token(nil), f.tokens...), Requests: append([]Request(nil), f.reqs...),
		Choices: f.choices, Keys: append([]Key(nil), f.keys...)}, nil
}
func (f *fakeBackend) MakeRequest(in model.RequestInput) (Made, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call()
	f.made = append(f.made, in)
	if f.makeErr != nil {
		return Made{}, f.makeErr
	}
	id := fmt.Sprintf("R-%d", 8+len(f.made))
	f.reqs = append([]Request{{ID: id, Kind: in.Kind, Replaces: in.Replaces, Profile: in.Profile, State: model.RequestPending, Created: uitest.Now}}, f.reqs...)
	f.counter++
	return Made{ID: id, State: model.RequestPending}, nil
}
func (f *fakeBackend) ShowToken(id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call()
	if f.showErr != nil {
		return "", f.showErr
	}
	if at, ok := f.shown[id]; ok {
		return "", fmt.Errorf("the token of request %s was shown on %s; it is shown only once", id, at.Format(time.DateTime))
	}
	link, ok := f.links[id]
	if !ok {
		return "", errors.New("no such request")
	}
	f.shown[id] = uitest.Now
	for i := range f.reqs {
		if f.reqs[i].ID == id {
			f.reqs[i].ShownAt = uitest.Now
		}
	}
	f.counter++
	return link, nil
}

// AddMyKey parses the line as the real backend does and refuses a key
// registered already (or with keyErr).
func (f *fakeBackend) AddMyKey(line string) (Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call()
	f.keyAdds = append(f.keyAdds, line)
	k, err := model.ParseSSHKey(line)
	if err != nil {
		return Key{}, err
	}
	if f.keyErr != nil {
		return Key{}, f.keyErr
	}
	for _, have := range f.keys {
		if have.Fingerprint == k.Fingerprint {
			return Key{}, fmt.Errorf("the key %s is registered for you already", k.Fingerprint)
		}
	}
	key := Key{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, Added: uitest.Now}
	f.keys = append(f.keys, key)
	f.counter++
	return key, nil
}

func (f *fakeBackend) Changes() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call()
	return f.counter, nil
}

// change edits the fake's data as another process would, raising the
// counter.
func (f *fakeBackend) change(edit func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	edit()
	f.counter++
}

func (f *fakeBackend) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// harness drives a Model by hand: every Cmd runs at once.
type harness struct {
	t    testing.TB
	m    *Model
	be   *fakeBackend
	quit bool
}

func newHarness(t testing.TB, be *fakeBackend, w, h int) *harness {
	t.Helper()
	hs := &harness{t: t, m: newModel(uitest.Env(), be), be: be}
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

func (h *harness) send(msgs ...tea.Msg) {
	h.t.Helper()
	for _, msg := range msgs {
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			h.t.Fatal("command loop")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(uitest.KeyPress(k))
	}
}

func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) view() string { return ansi.Strip(h.m.render()) }

func (h *harness) want(sub string) {
	h.t.Helper()
	if v := h.view(); !strings.Contains(strings.Join(strings.Fields(v), " "), sub) {
		h.t.Fatalf("the screen lacks %q:\n%s", sub, v)
	}
}

func (h *harness) wantNot(sub string) {
	h.t.Helper()
	if v := h.view(); strings.Contains(strings.Join(strings.Fields(v), " "), sub) {
		h.t.Fatalf("the screen shows %q:\n%s", sub, v)
	}
}

// subject is the harness as navtest sees it.
func (h *harness) subject() navtest.Subject {
	return navtest.Subject{Table: h.m.Bindings(), Typing: h.m.typing(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd { _, cmd := h.m.Update(msg); return cmd },
		View:  h.view}
}

// errRefused is a refusal of the store's rules, as CreateRequest words it.
var errRefused = &model.RequestError{Rule: model.RulePasswordRequired, Field: model.FieldPasswordConfirm, Msg: "the two passwords do not match"}

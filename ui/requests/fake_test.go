package requests

import (
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// fakeBackend is the Requests screen's backend in memory: decisions
// change the requests as the store would (one approval approves), and
// errors can be forced.
type fakeBackend struct {
	reqs    []model.Request // newest first
	needed  int
	choices Choices

	decideErr error            // returned by every DecideRequest when set
	refuse    map[string]error // per request ID
	decided   []string         // "approve R-1 rev 1 comment|note"
	made      []model.RequestInput
	makeErr   error
	warning   string
	users     []UserChoice
	usersErr  error
}

func (f *fakeBackend) RequestList() (Listing, error) {
	return Listing{Requests: append([]model.Request(nil), f.reqs...), Needed: f.needed}, nil
}

func (f *fakeBackend) DecideRequest(what Decision, d store.RequestDecision) (Outcome, error) {
	if f.decideErr != nil {
		return Outcome{}, f.decideErr
	}
	if err := f.refuse[d.ID]; err != nil {
		return Outcome{}, err
	}
	for i := range f.reqs {
		r := &f.reqs[i]
		if r.ID() != d.ID {
			continue
		}
		if r.Revision != d.Revision {
			return Outcome{}, &store.ConflictError{What: "request " + d.ID, Change: "changed", Op: "saved", By: "bob", At: uitest.Now}
		}
		f.decided = append(f.decided, what.String()+" "+d.ID+" "+d.Comment+"|"+d.Note)
		r.Revision++
		switch what {
		case Approve:
			r.Approvals = append(r.Approvals, model.Approval{Admin: "admin", Comment: d.Comment, Note: d.Note})
			if len(r.Approvals) >= f.needed {
				r.State = model.RequestApproved
			}
		case Reject:
			r.State, r.StateReason = model.RequestRejected, d.Comment
		}
		r.History = append(r.History, model.RequestEvent{At: uitest.Now, Actor: "admin", Action: past(what), State: r.State, Comment: d.Comment, Note: d.Note})
		return Outcome{Request: *r, Warning: f.warning}, nil
	}
	return Outcome{}, errors.New("no request " + d.ID)
}

func (f *fakeBackend) RequestChoices() (Choices, error) { return f.choices, nil }

func (f *fakeBackend) RequestUsers() ([]UserChoice, error) {
	return append([]UserChoice(nil), f.users...), f.usersErr
}

func (f *fakeBackend) MakeRequest(in model.RequestInput) (Outcome, error) {
	if f.makeErr != nil {
		return Outcome{}, f.makeErr
	}
	f.made = append(f.made, in)
	r := model.Request{Seq: uint64(len(f.reqs) + 1), User: in.User, Profile: in.Profile, Kind: model.RequestNew, State: model.RequestPending, Revision: 1}
	f.reqs = append([]model.Request{r}, f.reqs...)
	return Outcome{Request: r, Warning: f.warning}, nil
}

func at(min int) time.Time { return uitest.Now.Add(-time.Duration(min) * time.Minute) }

func req(seq uint64, user, profile string, st model.RequestState) model.Request {
	created := model.RequestEvent{At: at(int(100 - seq)), Actor: "helpdesk", Action: "created", State: model.RequestPending}
	return model.Request{Seq: seq, User: user, Kind: model.RequestNew, Profile: profile, State: st,
		Binding: model.Binding{Kind: model.BindingClass, Value: "9c4f4d9e-1f2b-4b73-a9a8-5f6b2f0c8e11"},
		Origin:  model.OriginCLI, Created: created.At, CreatedBy: "helpdesk", Revision: 1,
		History: []model.RequestEvent{created}}
}

// fixture: three pending (one with an approval of two), one fulfilled,
// one rejected, one canceled.
func fixture() *fakeBackend {
	r6 := req(6, "alice", "Staff Android", model.RequestPending)
	r6.Reason = "new phone"
	r6.Nickname = "work phone"
	r5 := req(5, "bob", "Staff iPhone", model.RequestPending)
	r5.Approvals = []model.Approval{{Admin: "carol", At: at(30), Comment: "ok", Note: "checked HR"}}
	r5.History = append(r5.History, model.RequestEvent{At: at(30), Actor: "carol", Action: "approval", State: model.RequestPending, Comment: "ok", Note: "checked HR"})
	r4 := req(4, "dave", "Staff Android", model.RequestPending)
	r3 := req(3, "erin", "Staff Android", model.RequestFulfilled)
	r3.Serial = "000123456789"
	r2 := req(2, "frank", "Staff iPhone", model.RequestRejected)
	r2.StateReason = "not employed here"
	r1 := req(1, "grace", "Staff iPhone", model.RequestCanceled)
	users := []UserChoice{
		{ID: "alice", Name: "Alice Martin", Email: "alice@example.com"},
		{ID: "alicia", Name: "Alicia Keller", Email: "alicia@example.com"},
		{ID: "bob", Name: "Bob Stone", Email: "bob@example.com"},
		{ID: "dmuller", Name: "Dana Müller", Email: "dana.mueller@example.com"},
		{ID: "xnomail", Name: "Xaver Ohnepost", Email: ""},
	}
	return &fakeBackend{reqs: []model.Request{r6, r5, r4, r3, r2, r1}, needed: 2, users: users,
		choices: Choices{Profiles: []ProfileChoice{{Name: "Staff iPhone"}, {Name: "Staff Android", DeviceID: true}}, Default: "Staff Android"}}
}

// harness drives one screen by hand as the root would: every Cmd is run
// and its messages given back to the screen; navigation and status
// messages are recorded.
type harness struct {
	s      nav.Screen
	status []string
	pushed []nav.Screen
	popped int
}

func newHarness(s nav.Screen, w, h int) *harness {
	hs := &harness{s: s}
	s.SetSize(w, h)
	hs.run(s.Init())
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			h.run(c)
		}
	case nav.AddressedMsg:
		h.deliver(m.Msg)
	case nav.StatusMsg:
		h.status = append(h.status, m.Text)
	case nav.PushMsg:
		h.pushed = append(h.pushed, m.S)
	case nav.PopMsg:
		h.popped++
	case nav.DisabledMsg:
		h.status = append(h.status, m.Reason)
	default:
		h.deliver(m)
	}
}

func (h *harness) deliver(msg tea.Msg) {
	s, cmd := h.s.Update(msg)
	h.s = s
	h.run(cmd)
}

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.deliver(navtest.Key(k))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			h.press("space")
			continue
		}
		h.press(string(r))
	}
}

func (h *harness) lastStatus() string {
	if len(h.status) == 0 {
		return ""
	}
	return h.status[len(h.status)-1]
}

func newTestScreen(be Backend) *screen { return newScreen(&common{Env: uitest.Env(), be: be}) }

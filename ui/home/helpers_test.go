package home

import (
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/shell"
)

// The tests drive the real root; the pages Home opens are placeholders
// titled as the features' screens are.

type Model = shell.Model

var (
	update     = uitest.Update
	press      = uitest.Press
	screenText = uitest.ScreenText
	wantScreen = uitest.WantScreen
)

// pageTitles are the titles of the features' screens, for the placeholders.
var pageTitles = map[nav.Page]string{
	nav.PageWizard: "Distribute Software Tokens", nav.PageJobs: "Jobs", nav.PageSettings: "Self-Service Settings",
	nav.PageProfiles: "Software Token Profiles", nav.PageTokens: "Tokens", nav.PageUsers: "Users",
	nav.PageImport: "Import", nav.PageAudit: "Audit Log", nav.PageRequests: "Requests",
}

// newTestModel is the root over be, sized w x h.
func newTestModel(t *testing.T, be *fakeBackend, w, h int) *Model {
	t.Helper()
	env := uitest.Env()
	return uitest.NewModel(t, shell.Config{Env: env, Backend: be,
		Home:     func() nav.Screen { return New(env, be) },
		FirstRun: func() nav.Screen { return NewFirstRun(env, be) },
		Open:     func(p nav.Page, _ any) nav.Screen { return uitest.Placeholder(pageTitles[p]) },
	}, w, h)
}

// fakeBackend is an empty or filled store: what the root and Home read.
type fakeBackend struct{ uitest.FakeStore }

func newFakeBackend() *fakeBackend { return &fakeBackend{} }

func (f *fakeBackend) Jobs() ([]model.Job, error) { return nil, nil }

// touch is a write by another process: it raises the change counter.
func (f *fakeBackend) touch(change func(f *fakeBackend)) { f.Touch(func() { change(f) }) }

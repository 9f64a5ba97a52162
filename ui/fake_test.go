package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/kit"
)

// The root's tests: the frame, quitting, help, the first run and the home
// menu, over a fake store without an engine. Each feature's screens are
// tested in its own package, over a fake of its own narrow backend.

var testNow = uitest.Now

// fakeBackend is the root's fake: an empty or filled store. It answers
// what the root and Home read; the features' methods are left to the nil
// Backend (their tests are in their packages).
type fakeBackend struct {
	nilBackend
	uitest.FakeStore
}

// nilBackend holds the nil Backend one level down, so that FakeStore's
// methods win over its.
type nilBackend struct{ Backend }

func newFakeBackend() *fakeBackend { return &fakeBackend{} }

func (f *fakeBackend) Jobs() ([]model.Job, error) { return nil, nil }

// Profiles: the wizard, which TestFatalErrorState opens, finds none.
func (f *fakeBackend) Profiles() ([]model.Profile, error) { return nil, nil }

// ---- driving Update by hand ----

func testOptions() Options {
	return Options{Now: func() time.Time { return testNow }, Theme: kit.NewTheme(false, true), Host: "tokenhost", User: "admin", instant: true}
}

// newTestModel is a root model sized w x h that has answered its start-up
// questions.
func newTestModel(t *testing.T, be Backend, w, h int) *Model {
	t.Helper()
	m := New(be, testOptions())
	run(t, m, m.Init())
	update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

var (
	update         = uitest.Update
	run            = uitest.Run
	keyPress       = uitest.KeyPress
	press          = uitest.Press
	screenText     = uitest.ScreenText
	wantScreen     = uitest.WantScreen
	forGoldenSizes = uitest.ForGoldenSizes
	snap           = uitest.Snap
)

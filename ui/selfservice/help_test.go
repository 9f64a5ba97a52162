package selfservice

import (
	"errors"
	"testing"

	"github.com/swtoken/swtoken/ui/nav/navtest"
)

func TestHelpMatchesTheKeysInEveryState(t *testing.T) {
	noReqs := func() *fakeBackend { be := fixture(); be.reqs = nil; return be }
	noTokens := func() *fakeBackend {
		be := fixture()
		be.tokens, be.reqs, be.choices.Replaceable = nil, nil, nil
		return be
	}
	noProfiles := func() *fakeBackend { be := fixture(); be.choices.Profiles = nil; return be }
	password := func() *fakeBackend { be := fixture(); be.choices.PasswordRequired = true; return be }
	oneProfile := func() *fakeBackend { be := fixture(); be.choices.Profiles = be.choices.Profiles[:1]; return be }
	refused := func() *fakeBackend { be := fixture(); be.makeErr = errors.New("Profile: not offered"); return be }
	noKeys := func() *fakeBackend { be := fixture(); be.keys = nil; return be }
	failing := func() *fakeBackend { be := fixture(); be.loadErr = errors.New("store busy"); return be }
	states := []struct {
		name string
		be   func() *fakeBackend
		keys []string
		want string
	}{
		{"main pending selected", fixture, nil, "It waits for approval"},
		{"main ctf selected", fixture, []string{"down"}, "Press s to show it"},
		{"main file selected", fixture, []string{"down", "down"}, "mailed to"},
		{"main no requests", noReqs, nil, "You have made no request"},
		{"main no tokens", noTokens, nil, "You hold no token"},
		{"main no profiles", noProfiles, nil, "Your tokens"},
		{"form profile", fixture, []string{"n"}, "Request a new token"},
		{"form one profile", oneProfile, []string{"n"}, "Laptop file (1 of 1)"},
		{"form device", fixture, []string{"n", "tab"}, "Device serial"},
		{"form nickname", fixture, []string{"n", "tab", "tab"}, "Nickname"},
		{"form password", password, []string{"n", "tab", "tab", "tab"}, "Password again"},
		{"form reason", fixture, []string{"n", "shift+tab"}, "Reason"},
		{"form refused", refused, []string{"n", "enter"}, "Refused: Profile: not offered"},
		{"replacement token", fixture, []string{"r"}, "Token to replace"},
		{"confirm show", fixture, []string{"down", "s"}, "It is shown once"},
		{"qr", fixture, []string{"down", "s", "y"}, "ctfData"},
		{"shown", fixture, []string{"down", "s", "y", "esc"}, "cannot be shown again"},
		{"help", fixture, []string{"?"}, "close help"},
		{"help over the form", fixture, []string{"n", "tab", "tab", "f1"}, "close help"},
		{"load failed", failing, nil, "store busy"},
		{"main no keys", noKeys, nil, "a to add one"},
		{"keys", fixture, []string{"a"}, "Add an SSH key"},
		{"keys refused", fixture, []string{"a", "x", "enter"}, "ERROR: not an SSH public key"},
		{"help over the keys", fixture, []string{"a", "f1"}, "close help"},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			navtest.CheckHelp(t, st.name, func() navtest.Subject {
				h := newHarness(t, st.be(), 80, 24)
				h.press(st.keys...)
				h.want(st.want)
				h.m.status = ""
				return h.subject()
			})
		})
	}
}

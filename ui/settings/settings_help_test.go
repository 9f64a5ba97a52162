package settings

import (
	"errors"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/ui/internal/uitest"
	"github.com/swtoken/swtoken/ui/nav/navtest"
)

// loadedScreen is the settings screen over the fake, loaded and sized,
// with setup run on it.
func loadedScreen(t *testing.T, w, h int, setup func(s *settingsScreen)) *settingsScreen {
	t.Helper()
	s := newSettings(&common{Env: uitest.Env(), be: newFakeBackend()})
	s.SetSize(w, h)
	s.Update(s.Init()())
	if !s.loaded || s.loadErr != nil {
		t.Fatalf("not loaded: %v", s.loadErr)
	}
	if setup != nil {
		setup(s)
	}
	return s
}

func subject(s *settingsScreen) navtest.Subject {
	return navtest.Subject{Table: s.Bindings(), Typing: s.CapturesInput(),
		Press: func(msg tea.KeyPressMsg) tea.Cmd { _, cmd := s.Update(msg); return cmd },
		View:  s.View}
}

// key sends one key through the screen's Update.
func hit(s *settingsScreen, k string) { s.Update(navtest.Key(k)) }

func TestSettingsHelpMatchesKeysInEveryState(t *testing.T) {
	states := []struct {
		name  string
		setup func(s *settingsScreen)
	}{
		{"list on a selected profile", nil},
		{"list on an unselected profile", func(s *settingsScreen) { hit(s, "down"); hit(s, "down") }},
		{"list with unsaved changes", func(s *settingsScreen) { hit(s, "down"); hit(s, "down"); hit(s, "space") }},
		{"detail text field", func(s *settingsScreen) { hit(s, "enter") }},
		{"detail link field", func(s *settingsScreen) {
			s.Update(tea.KeyPressMsg{})
			s.setFocus(sfAppURL)
			s.Update(tea.KeyPressMsg{})
		}},
		{"detail confirmation", func(s *settingsScreen) { s.setFocus(sfConfirm); s.Update(tea.KeyPressMsg{}) }},
		{"detail default", func(s *settingsScreen) { s.setFocus(sfDefault); s.Update(tea.KeyPressMsg{}) }},
		{"global password rule", func(s *settingsScreen) { s.setFocus(sfPassword); s.Update(tea.KeyPressMsg{}) }},
		{"global replacement window", func(s *settingsScreen) { s.setFocus(sfDays); s.Update(tea.KeyPressMsg{}) }},
		{"SMTP host", func(s *settingsScreen) { s.setFocus(sfSMTPHost); s.Update(tea.KeyPressMsg{}) }},
		{"SMTP port", func(s *settingsScreen) { s.setFocus(sfSMTPPort); s.Update(tea.KeyPressMsg{}) }},
		{"SMTP security", func(s *settingsScreen) { s.setFocus(sfSMTPSecurity); s.Update(tea.KeyPressMsg{}) }},
		{"SMTP password file", func(s *settingsScreen) { s.setFocus(sfSMTPPasswordFile); s.Update(tea.KeyPressMsg{}) }},
		{"SMTP token file as .zip", func(s *settingsScreen) { s.setFocus(sfSMTPZip); s.Update(tea.KeyPressMsg{}) }},
		{"save button", func(s *settingsScreen) { s.setFocus(sfSave); s.Update(tea.KeyPressMsg{}) }},
		{"preview button", func(s *settingsScreen) { s.setFocus(sfPreview); s.Update(tea.KeyPressMsg{}) }},
		{"preview that fits", func(s *settingsScreen) { hit(s, "ctrl+p") }},
		{"leave question", func(s *settingsScreen) { hit(s, "down"); hit(s, "down"); hit(s, "space"); hit(s, "esc") }},
		{"reload question", func(s *settingsScreen) { s.reloadAsk = true; s.Update(tea.KeyPressMsg{}) }},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			navtest.CheckHelp(t, st.name, func() navtest.Subject { return subject(loadedScreen(t, 80, 40, st.setup)) })
		})
	}
	// A preview taller than the screen scrolls.
	navtest.CheckHelp(t, "preview that scrolls", func() navtest.Subject {
		return subject(loadedScreen(t, 80, 10, func(s *settingsScreen) { hit(s, "ctrl+p") }))
	})
	// A load error offers only esc.
	navtest.CheckHelp(t, "load error", func() navtest.Subject {
		s := newSettings(&common{Env: uitest.Env(), be: newFakeBackend()})
		s.SetSize(80, 24)
		s.Update(settingsLoadedMsg{err: errors.New("disk unreadable")})
		return subject(s)
	})
}

package ui

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestEngineBackendSettingsEntryIsTheStoredEntry: the profile form reads a
// profile's self-service entry (selected, confirmed) before an edit, to
// say when the edit lapsed the confirmation.
func TestEngineBackendSettingsEntryIsTheStoredEntry(t *testing.T) {
	be, st := realBackend(t)
	p := model.NewProfile("Entry test", model.DeviceAndroid)
	if err := be.AddProfile(p); err != nil {
		t.Fatal(err)
	}
	if _, found, err := be.SettingsEntry(p.Name); err != nil || found {
		t.Fatalf("before any settings: found=%v err=%v", found, err)
	}
	set, err := st.Settings()
	if err != nil {
		t.Fatal(err)
	}
	set.Select(p)
	set.Entry(p.Name).Confirm(p)
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	e, found, err := be.SettingsEntry(p.Name)
	if err != nil || !found || !e.Selected || e.ConfirmStatus(p) != model.Confirmed {
		t.Fatalf("entry %+v found=%v err=%v", e, found, err)
	}
}

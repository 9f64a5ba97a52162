package cli

import (
	"strings"
	"testing"
)

func TestProfilesJSON(t *testing.T) {
	dir := dataDir(t)

	added := decodeJSON[profileJSON](t, mustRun(t, dir, "profiles", "add", "--name", "Staff iPhone", "--device-type", "iphone",
		"--length", "6", "--duration", "30", "--auth", "fob", "--description", "For staff", "--json"))
	if added.Name != "Staff iPhone" || added.DeviceType != "iPhone" || added.DeviceClassGUID != "556f1985-33dd-442c-9155-3a0e994f21b1" ||
		!added.FileBased || added.TokencodeLength != 6 || added.DurationSeconds != 30 || added.AuthType != "Fob-style" ||
		added.AddPIN || added.Revision != 1 || added.Description != "For staff" || added.ID == 0 || added.Created.IsZero() {
		t.Fatalf("add --json: %+v", added)
	}
	// The same form as one element of profiles list --json.
	list := decodeJSON[[]profileJSON](t, mustRun(t, dir, "profiles", "list", "--json"))
	if len(list) != 1 || list[0] != added {
		t.Fatalf("list %+v, add %+v", list, added)
	}

	// --json alone is not a change.
	expectFail(t, dir, ExitUsage, "nothing to change", "profiles", "edit", "Staff iPhone", "--json")
	out := mustRun(t, dir, "profiles", "edit", "staff iphone", "--length", "8", "--rename", "Staff iPhone 8", "--json")
	edited := decodeJSON[profileJSON](t, out)
	if edited.ID != added.ID || edited.Name != "Staff iPhone 8" || edited.TokencodeLength != 8 || edited.Revision != 2 ||
		!edited.Created.Equal(added.Created) {
		t.Fatalf("edit --json: %+v", edited)
	}
	if strings.Contains(out, "never changes token files") {
		t.Fatalf("edit --json printed the note for people: %q", out)
	}
	list = decodeJSON[[]profileJSON](t, mustRun(t, dir, "profiles", "list", "--json"))
	if len(list) != 1 || list[0] != edited {
		t.Fatalf("list %+v, edit %+v", list, edited)
	}

	// Failures print nothing on standard output.
	if out := expectFail(t, dir, ExitFailure, "not found", "profiles", "edit", "nope", "--length", "6", "--json"); out != "" {
		t.Fatalf("stdout %q", out)
	}
	if out := expectFail(t, dir, ExitFailure, "Staff iPhone 8", "profiles", "add", "--name", "staff iphone 8", "--device-type", "Android", "--json"); out != "" {
		t.Fatalf("stdout %q", out)
	}

	// delete --json names the profile as stored, whatever the case given.
	out = mustRun(t, dir, "profiles", "delete", "STAFF IPHONE 8", "--json")
	if out != "{\n  \"deleted\": \"Staff iPhone 8\"\n}\n" {
		t.Fatalf("delete --json: %q", out)
	}
	if got := decodeJSON[profileDeletedJSON](t, out); got.Deleted != "Staff iPhone 8" {
		t.Fatalf("%+v", got)
	}
	if out := expectFail(t, dir, ExitFailure, "not found", "profiles", "delete", "Staff iPhone 8", "--json"); out != "" {
		t.Fatalf("stdout %q", out)
	}
	if list := mustRun(t, dir, "profiles", "list", "--json"); list != "[]\n" {
		t.Fatalf("list after delete: %q", list)
	}
}

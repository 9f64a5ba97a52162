package cli

import (
	"encoding/json"
	"os/user"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// settingsState is what a refused apply must leave exactly as it was: the
// settings as settings show --json prints them, the number of audit
// records and the store's change counter.
type settingsState struct {
	json    string
	audits  int
	counter uint64
}

func readSettingsState(t *testing.T, dir string) settingsState {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.ChangeCounter()
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	return settingsState{json: mustRun(t, dir, "settings", "show", "--json"), audits: len(recs), counter: n}
}

func assertSettingsUnchanged(t *testing.T, dir string, before settingsState) {
	t.Helper()
	after := readSettingsState(t, dir)
	if after.json != before.json {
		t.Errorf("the settings changed:\nbefore %s\nafter  %s", before.json, after.json)
	}
	if after.audits != before.audits || after.counter != before.counter {
		t.Errorf("audit records %d -> %d, change counter %d -> %d: something was written", before.audits, after.audits, before.counter, after.counter)
	}
}

// applyEdited prints the settings, lets edit change them and applies the
// result from standard input.
func applyEdited(t *testing.T, dir string, edit func(*settingsJSON), extra ...string) (int, string, string) {
	t.Helper()
	s := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	edit(&s)
	return applyDoc(t, dir, s, extra...)
}

func applyDoc(t *testing.T, dir string, s settingsJSON, extra ...string) (int, string, string) {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return runCmd(t, dir, string(data), append([]string{"settings", "apply", "-"}, extra...)...)
}

// row returns the file's row of a profile.
func row(t *testing.T, s *settingsJSON, profile string) *settingsEntryJSON {
	t.Helper()
	for i := range s.Profiles {
		if s.Profiles[i].Profile == profile {
			return &s.Profiles[i]
		}
	}
	t.Fatalf("no row for %q", profile)
	return nil
}

func TestSettingsShowJSONAppliedBackChangesNothing(t *testing.T) {
	dir := demoDir(t)
	before := readSettingsState(t, dir)
	code, out, errOut := runCmd(t, dir, before.json, "settings", "apply", "-")
	if code != ExitOK || !strings.Contains(out, "nothing changed") || errOut != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	assertSettingsUnchanged(t, dir, before)

	// From a file too, and on a store whose settings were never saved.
	dir = dataDir(t)
	mustRun(t, dir, "profiles", "add", "--name", "Solo", "--device-type", "macOS")
	before = readSettingsState(t, dir)
	if out := mustRun(t, dir, "settings", "apply", writeFile(t, "s.json", before.json)); !strings.Contains(out, "nothing changed") {
		t.Fatalf("%s", out)
	}
	assertSettingsUnchanged(t, dir, before)
}

func TestSettingsApplyRefusesEveryRuleNamingTheField(t *testing.T) {
	long := strings.Repeat("x", 129)
	cases := []struct {
		name string
		edit func(*testing.T, *settingsJSON)
		want string
	}{
		{"blank display name", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff iPhone").DisplayName = "  " },
			`profiles["Staff iPhone"].display_name: must not be blank`},
		{"display name too long", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff iPhone").DisplayName = long },
			`profiles["Staff iPhone"].display_name: is 129 characters; at most 128`},
		{"display name with a control character", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff iPhone").DisplayName = "a\x07b" },
			`profiles["Staff iPhone"].display_name: contains a control character`},
		{"selected but not confirmed", func(t *testing.T, s *settingsJSON) {
			r := row(t, s, "Windows desktop")
			r.Selected, r.DisplayName = true, "Desk"
		}, `profiles["Windows desktop"].confirmed: confirm the profile's Tokencode Duration`},
		{"confirmation withdrawn", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff Android").Confirmed = false },
			`profiles["Staff Android"].confirmed: confirm the profile's`},
		{"app download URL not http", func(t *testing.T, s *settingsJSON) {
			row(t, s, "Staff iPhone").AppDownloadURL = "ftp://apps.example.com/x"
		},
			`profiles["Staff iPhone"].app_download_url: "ftp://apps.example.com/x" must start with https:// or http://`},
		{"app download URL relative", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff iPhone").AppDownloadURL = "apps/ios" },
			`profiles["Staff iPhone"].app_download_url: "apps/ios" must start with https:// or http://`},
		{"help document URL without a host", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff Android").HelpDocURL = "https://" },
			`profiles["Staff Android"].help_doc_url: "https://" has no host name`},
		{"help document URL with a space", func(t *testing.T, s *settingsJSON) {
			row(t, s, "Staff Android").HelpDocURL = "https://help.example.com/a b"
		},
			`profiles["Staff Android"].help_doc_url: must not contain spaces`},
		{"no default", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff iPhone").Default = false },
			`profiles[*].default: make one of the selected profiles the default`},
		{"two defaults", func(t *testing.T, s *settingsJSON) { row(t, s, "Staff Android").Default = true },
			`profiles[*].default: only one profile can be the default`},
		{"default not selected", func(t *testing.T, s *settingsJSON) { row(t, s, "Windows desktop").Default = true },
			`profiles["Windows desktop"].default: is marked as the default but is not selected`},
		{"replacement window 0", func(t *testing.T, s *settingsJSON) { s.ReplacementWindowDays = 0 },
			`replacement_window_days: the replacement window must be 1-365 days (got 0)`},
		{"replacement window 366", func(t *testing.T, s *settingsJSON) { s.ReplacementWindowDays = 366 },
			`replacement_window_days: the replacement window must be 1-365 days (got 366)`},
		{"unknown approval policy", func(t *testing.T, s *settingsJSON) { s.ApprovalPolicy = "three" },
			`approval_policy: "three" is not an approval policy; use automatic, one or two`},
		{"unknown profile", func(t *testing.T, s *settingsJSON) {
			s.Profiles = append(s.Profiles, settingsEntryJSON{Profile: "Nope", Selected: true, DisplayName: "Nope"})
		}, `profiles["Nope"]: no such profile`},
		{"profile given twice", func(t *testing.T, s *settingsJSON) { s.Profiles = append(s.Profiles, *row(t, s, "Staff iPhone")) },
			`profiles["Staff iPhone"]: appears twice`},
		{"profile left out", func(t *testing.T, s *settingsJSON) {
			var keep []settingsEntryJSON
			for _, r := range s.Profiles {
				if r.Profile != "Windows desktop" {
					keep = append(keep, r)
				}
			}
			s.Profiles = keep
		}, `profiles["Windows desktop"]: missing`},
		{"read-only profile field edited", func(t *testing.T, s *settingsJSON) {
			r := row(t, s, "Windows desktop")
			r.TokencodeLength = 6
		}, `profiles["Windows desktop"]: the profile's read-only fields differ from the profile (Tokencode length is 8, not 6)`},
	}
	dir := demoDir(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readSettingsState(t, dir)
			code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { c.edit(t, s) })
			if code != ExitFailure || !strings.Contains(errOut, "swtoken: "+c.want) || !strings.Contains(errOut, "nothing changed") {
				t.Fatalf("exit %d (want 1)\nstdout %s\nstderr %s\n(want %q)", code, out, errOut, c.want)
			}
			assertSettingsUnchanged(t, dir, before)
		})
	}
}

func TestSettingsApplyRefusesAFileThatIsNotTheShownForm(t *testing.T) {
	dir := demoDir(t)
	before := readSettingsState(t, dir)
	shown := before.json
	cases := []struct{ name, doc, want string }{
		{"unknown top-level field", strings.Replace(shown, `"revision"`, `"colour": "red", "revision"`, 1), `unknown field "colour"`},
		{"unknown row field", strings.Replace(shown, `"selected"`, `"enabled": true, "selected"`, 1), `unknown field "enabled"`},
		{"empty input", "", "is empty"},
		{"two documents", shown + shown, "more after the settings' closing brace"},
		{"not JSON", "selected: yes", "is not the settings as settings show --json prints them"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, dir, c.doc, "settings", "apply", "-")
			if code != ExitFailure || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d (want 1)\nstdout %s\nstderr %s\n(want %q)", code, out, errOut, c.want)
			}
			assertSettingsUnchanged(t, dir, before)
		})
	}
	// A field left out would read as false, 0 or blank: refused by name.
	var doc map[string]any
	if err := json.Unmarshal([]byte(shown), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "revision")
	data, _ := json.Marshal(doc)
	if code, _, errOut := runCmd(t, dir, string(data), "settings", "apply", "-"); code != ExitFailure || !strings.Contains(errOut, "revision: missing") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	delete(doc["profiles"].([]any)[1].(map[string]any), "default")
	doc["revision"] = before.revisionOf(t)
	data, _ = json.Marshal(doc)
	if code, _, errOut := runCmd(t, dir, string(data), "settings", "apply", "-"); code != ExitFailure || !strings.Contains(errOut, `].default: missing`) {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	assertSettingsUnchanged(t, dir, before)

	// Command-line mistakes are usage errors.
	expectFail(t, dir, ExitUsage, "exactly one FILE.json", "settings", "apply")
	expectFail(t, dir, ExitUsage, "exactly one FILE.json", "settings", "apply", "a.json", "b.json")
	expectFail(t, dir, ExitFailure, "settings file", "settings", "apply", dir+"/no-such.json")

	// No store: refused, and none is created.
	none := noStoreDir(t)
	if code, _, errOut := runCmd(t, none, shown, "settings", "apply", "-"); code != ExitFailure || !strings.Contains(errOut, "there is no store in") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	assertNoStore(t, none)
}

func (s settingsState) revisionOf(t *testing.T) int {
	t.Helper()
	return decodeJSON[settingsJSON](t, s.json).Revision
}

func TestSettingsApplyOfALapsedConfirmationIsRefused(t *testing.T) {
	// The profile changed after the file was printed: the confirmation the
	// file carries was given to fields the profile no longer has.
	dir := demoDir(t)
	printed := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	mustRun(t, dir, "profiles", "edit", "Staff Android", "--length", "8")
	before := readSettingsState(t, dir)
	row(t, &printed, "Staff Android").DisplayName = "Android"
	code, out, errOut := applyDoc(t, dir, printed)
	want := `profiles["Staff Android"].confirmed: the profile changed since it was shown (Tokencode length is 8, not 6); review it and confirm it again`
	if code != ExitFailure || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s\n(want %q)", code, out, errOut, want)
	}
	assertSettingsUnchanged(t, dir, before)

	// Printed again, the lapse shows, and the lapsed selected profile is
	// refused until it is confirmed again, as the console's Save refuses it.
	code, _, errOut = applyEdited(t, dir, func(s *settingsJSON) {
		r := row(t, s, "Staff Android")
		if r.Confirmed || !strings.Contains(r.ConfirmStatus, "lapsed") {
			t.Fatalf("%+v", r)
		}
	})
	if code != ExitFailure || !strings.Contains(errOut, `profiles["Staff Android"].confirmed: the profile changed since it was confirmed; review and confirm it again`) {
		t.Fatalf("exit %d\nstderr %s", code, errOut)
	}
	assertSettingsUnchanged(t, dir, before)

	// Confirmed again against the fields as they are now, it is saved.
	code, out, errOut = applyEdited(t, dir, func(s *settingsJSON) { row(t, s, "Staff Android").Confirmed = true })
	if code != ExitOK || !strings.Contains(out, `Profile "Staff Android": confirmed (duration=30;length=8;`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if r := row(t, ptr(decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))), "Staff Android"); !r.Confirmed {
		t.Fatalf("%+v", r)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSettingsApplyDryRunPrintsTheAuditTextAndChangesNothing(t *testing.T) {
	dir := demoDir(t)
	before := readSettingsState(t, dir)
	edit := func(s *settingsJSON) {
		s.ReplacementWindowDays = 45
		row(t, s, "Staff Android").HelpDocURL = "https://help.example.com/tokens/android"
	}
	code, dry, errOut := applyEdited(t, dir, edit, "--dry-run")
	if code != ExitOK || !strings.Contains(dry, "dry run, nothing changed") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, dry, errOut)
	}
	assertSettingsUnchanged(t, dir, before)

	code, out, errOut := applyEdited(t, dir, edit)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	details := recs[0].Details
	if recs[0].Action != "settings save" || !strings.Contains(details, "Replacement window: 30 -> 45 days") {
		t.Fatalf("%+v", recs[0])
	}
	// The dry run printed exactly the text the audit trail then recorded.
	if !strings.Contains(dry, "\n"+details+"\n") || !strings.Contains(out, "\n"+details+"\n") {
		t.Fatalf("dry run %q and apply %q do not print the audit details %q", dry, out, details)
	}
}

func TestSettingsApplySavesAndAuditsTheChange(t *testing.T) {
	dir := demoDir(t)
	before := readSettingsState(t, dir)
	code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) {
		// Newly selected with its fields blank: filled in from the profile,
		// as selecting it in the console does.
		r := row(t, s, "Windows desktop")
		r.Selected, r.Confirmed, r.Default = true, true, true
		row(t, s, "Staff iPhone").Default = false
		s.UserMustProvidePassword = false
	})
	if code != ExitOK || !strings.Contains(out, "settings applied") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	after := readSettingsState(t, dir)
	if after.audits != before.audits+1 || after.counter == before.counter || after.revisionOf(t) != before.revisionOf(t)+1 {
		t.Fatalf("audits %d -> %d, counter %d -> %d, revision %d -> %d", before.audits, after.audits, before.counter, after.counter, before.revisionOf(t), after.revisionOf(t))
	}
	s := decodeJSON[settingsJSON](t, after.json)
	if r := row(t, &s, "Windows desktop"); !r.Selected || !r.Confirmed || !r.Default || r.DisplayName != "Windows desktop" || r.ImageLocation == "" || r.Description == "" {
		t.Fatalf("%+v", r)
	}
	recs := decodeJSON[[]auditJSON](t, mustRun(t, dir, "audit", "--json"))
	if recs[0].Action != "settings save" || recs[0].Object != "self-service settings" ||
		!strings.Contains(recs[0].Details, `Profile "Windows desktop": selected for request`) ||
		!strings.Contains(recs[0].Details, "User must provide the token file password: yes -> no") {
		t.Fatalf("%+v", recs[0])
	}
	if !strings.Contains(out, recs[0].Details) {
		t.Fatalf("apply printed %q, the audit recorded %q", out, recs[0].Details)
	}
}

func TestSettingsApplyOfAStaleFileIsAConflictNamingWhoChangedIt(t *testing.T) {
	dir := demoDir(t)
	stale := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json"))
	if code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { s.ReplacementWindowDays = 60 }); code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	before := readSettingsState(t, dir)
	stale.ReplacementWindowDays = 90
	code, out, errOut := applyDoc(t, dir, stale)
	who := "the self-service settings were changed by "
	if u, err := user.Current(); err == nil {
		who += u.Username
	}
	if code != ExitFailure || !strings.Contains(errOut, who) || !strings.Contains(errOut, "nothing was saved") || !strings.Contains(errOut, "settings show --json") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s\n(want %q)", code, out, errOut, who)
	}
	assertSettingsUnchanged(t, dir, before)
	// A dry run of it says the same.
	if code, _, errOut := applyDoc(t, dir, stale, "--dry-run"); code != ExitFailure || !strings.Contains(errOut, who) {
		t.Fatalf("exit %d\nstderr %s", code, errOut)
	}
}

func TestSettingsPreviewLeavesOutALapsedProfileAndSaysWhy(t *testing.T) {
	dir := demoDir(t)
	if p := mustRun(t, dir, "settings", "show", "--preview"); strings.Contains(p, "Not offered") || !strings.Contains(p, "Approval e-mail: Staff Android") {
		t.Fatalf("%s", p)
	}
	mustRun(t, dir, "profiles", "edit", "Staff Android", "--length", "8")
	p := mustRun(t, dir, "settings", "show", "--preview")
	want := `Staff Android (profile "Staff Android"): its confirmation lapsed: the profile changed since it was confirmed`
	if !strings.Contains(p, "Not offered (shown to you only):\n  "+want) {
		t.Fatalf("preview lacks %q:\n%s", want, p)
	}
	if strings.Contains(p, "Approval e-mail: Staff Android") || strings.Contains(p, ". Staff Android") {
		t.Fatalf("the lapsed profile is still offered:\n%s", p)
	}
}

// The approval policy of requests is a settings field: shown as "one" on a
// store that never set it, applied back unchanged, and changed by apply.
func TestSettingsApplyChangesTheApprovalPolicy(t *testing.T) {
	dir := demoDir(t)
	if s := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json")); s.ApprovalPolicy != "one" {
		t.Fatalf("approval_policy %q on a new store, want one", s.ApprovalPolicy)
	}
	code, out, errOut := applyEdited(t, dir, func(s *settingsJSON) { s.ApprovalPolicy = "two" })
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if s := decodeJSON[settingsJSON](t, mustRun(t, dir, "settings", "show", "--json")); s.ApprovalPolicy != "two" {
		t.Fatalf("approval_policy %q after apply, want two", s.ApprovalPolicy)
	}
	if text := mustRun(t, dir, "settings", "show"); !strings.Contains(text, "Request approval: Two approvals by two different admins") {
		t.Fatalf("settings show:\n%s", text)
	}
}

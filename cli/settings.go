package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("settings", command{
		summary: "show the self-service settings (Manage Authenticators), or apply an edited copy",
		usage:   "settings show [--json | --preview] | settings apply FILE.json|- [--dry-run]",
		run:     runSettings,
	})
}

// settingsJSON is the stable JSON form of the self-service settings, as
// settings show --json prints it and settings apply takes it back.
type settingsJSON struct {
	Profiles                []settingsEntryJSON `json:"profiles"`
	UserMustProvidePassword bool                `json:"user_must_provide_password"`
	ReplacementWindowDays   int                 `json:"replacement_window_days"`
	// ApprovalPolicy is automatic, one or two (approvals of a request).
	ApprovalPolicy string `json:"approval_policy"`
	// SMTP is how e-mail to users is sent; a blank host: the outbox.
	SMTP smtpSettingsJSON `json:"smtp"`
	// Revision is the settings' revision when they were printed; apply
	// refuses a file whose revision is no longer the stored one.
	Revision int `json:"revision"`
}

// smtpSettingsJSON is model.SMTPSettings. It names the password file,
// never a password: the password is read from the file when sending.
type smtpSettingsJSON struct {
	Host         string `json:"host"`
	Port         int    `json:"port"`
	Security     string `json:"security"` // starttls, tls or plain (loopback only)
	User         string `json:"user"`
	PasswordFile string `json:"password_file"`
	From         string `json:"from"`
	ZipTokenFile bool   `json:"zip_token_file"`
}

// settingsEntryJSON is one profile's row. Every profile appears, selected
// or not, as on the settings screen. The profile's fields the admin
// confirms (duration_seconds, tokencode_length, auth_type, delivery_method)
// and confirm_status are read-only: apply refuses the first four when they
// are not the profile's (so a confirmation given against what the file
// showed lapses when the profile changed since) and ignores the status.
type settingsEntryJSON struct {
	Profile         string `json:"profile"`
	Selected        bool   `json:"selected"`
	Default         bool   `json:"default"`
	DisplayName     string `json:"display_name"`
	ImageLocation   string `json:"image_location"`
	Description     string `json:"description"`
	DurationSeconds int    `json:"duration_seconds"`
	TokencodeLength int    `json:"tokencode_length"`
	AuthType        string `json:"auth_type"`
	DeliveryMethod  string `json:"delivery_method"`
	Confirmed       bool   `json:"confirmed"`
	ConfirmStatus   string `json:"confirm_status"` // "confirmed", "not confirmed" or "confirmation lapsed: ..."
	AppDownloadURL  string `json:"app_download_url"`
	HelpDocURL      string `json:"help_doc_url"`
	AllowUserEdit   bool   `json:"allow_user_edit"`
}

func runSettings(g Globals, args []string, stdio IO) error {
	if len(args) > 0 && args[0] == "apply" {
		return runSettingsApply(g, args[1:], stdio)
	}
	if len(args) == 0 || args[0] != "show" {
		return usagef("expected the subcommand show or apply")
	}
	fs := newFlags("settings show")
	asJSON := fs.Bool("json", false, "print JSON")
	preview := fs.Bool("preview", false, "show what a user sees and the approval e-mails")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *asJSON && *preview {
		return usagef("--json and --preview exclude each other")
	}
	return withStore(g, readOnly, "settings show", func(st *store.Store) error {
		s, profiles, err := st.SettingsWithProfiles()
		if err != nil {
			return err
		}
		if *preview {
			_, err := fmt.Fprint(stdio.Stdout, model.Preview(s, profiles))
			return err
		}
		out := newSettingsJSON(s, profiles)
		if *asJSON {
			return writeJSON(stdio.Stdout, out)
		}
		printSettings(stdio, out, profiles)
		return nil
	})
}

func newSettingsJSON(s model.Settings, profiles []model.Profile) settingsJSON {
	out := settingsJSON{
		Profiles:                []settingsEntryJSON{},
		UserMustProvidePassword: s.UserMustProvidePassword,
		ReplacementWindowDays:   s.ReplacementWindowDays,
		ApprovalPolicy:          string(s.Policy()),
		Revision:                s.Revision,
		SMTP: smtpSettingsJSON{Host: s.SMTP.Host, Port: s.SMTP.Port, Security: string(s.SMTP.Security), User: s.SMTP.User,
			PasswordFile: s.SMTP.PasswordFile, From: s.SMTP.From, ZipTokenFile: s.SMTP.ZipTokenFile},
	}
	for _, p := range profiles {
		row := settingsEntryJSON{Profile: p.Name, ConfirmStatus: model.NotConfirmed.String()}
		if e := s.Entry(p.Name); e != nil {
			row = settingsEntryJSON{
				Profile: p.Name, Selected: e.Selected, Default: e.Default && e.Selected,
				DisplayName: e.DisplayName, ImageLocation: e.ImageLocation, Description: e.Description,
				Confirmed: e.IsConfirmed(p), ConfirmStatus: e.ConfirmStatus(p).String(),
				AppDownloadURL: e.AppDownloadURL, HelpDocURL: e.HelpDocURL, AllowUserEdit: e.AllowUserEdit,
			}
		}
		row.DurationSeconds, row.TokencodeLength = p.Duration, p.TokencodeLength
		row.AuthType, row.DeliveryMethod = string(p.AuthType), string(p.DeliveryMethod)
		out.Profiles = append(out.Profiles, row)
	}
	return out
}

// maxSettingsFile bounds what apply reads: settings of thousands of
// profiles stay far below it.
const maxSettingsFile = 16 << 20

func runSettingsApply(g Globals, args []string, stdio IO) error {
	fs := newFlags("settings apply")
	dryRun := fs.Bool("dry-run", false, "print the changes as the audit trail would record them, and change nothing")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usagef("expected exactly one FILE.json (- for standard input), as settings show --json prints it")
	}
	name := pos[0]
	var r io.Reader = stdio.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("settings file: %w", err)
		}
		defer f.Close()
		r = f
	} else {
		name = "standard input"
	}
	doc, err := decodeSettingsFile(r, name)
	if err != nil {
		return err
	}
	mode, activity := readWrite, "settings apply"
	if *dryRun {
		mode, activity = readOnly, "settings apply --dry-run"
	}
	// Settings refer to profiles: with no store there is nothing to apply
	// them to, and a mistyped --data-dir must not create one.
	if dir, err := store.ResolveDataDir(g.DataDir); err != nil {
		return err
	} else if _, err := os.Stat(filepath.Join(dir, store.DBFileName)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no store in %s: settings apply changes an existing store's settings; check --data-dir", dir)
	}
	return withStore(g, mode, activity, func(st *store.Store) error {
		cur, profiles, err := st.SettingsWithProfiles()
		if err != nil {
			return err
		}
		next, err := doc.settings(cur, profiles)
		if err != nil {
			return refuseSettings(stdio, err)
		}
		var changes []string
		if *dryRun {
			changes, err = st.CheckSettings(next)
		} else {
			changes, err = st.ApplySettings(next)
		}
		if err != nil {
			return refuseSettings(stdio, err)
		}
		w := stdio.Stdout
		switch {
		case len(changes) == 0:
			fmt.Fprintln(w, "nothing changed: the file is the settings as they are; nothing was written")
		case *dryRun:
			fmt.Fprintf(w, "dry run, nothing changed; applying would record this audit record (settings save, self-service settings):\n%s\n",
				model.Printable(strings.Join(changes, store.SettingsChangeSep)))
		default:
			fmt.Fprintf(w, "settings applied; audit record (settings save, self-service settings):\n%s\n",
				model.Printable(strings.Join(changes, store.SettingsChangeSep)))
		}
		return nil
	})
}

// decodeSettingsFile reads one settingsJSON: unknown fields are refused
// with their name, every field must be given (an omitted one would
// silently read as false, 0 or blank), and nothing may follow it.
func decodeSettingsFile(r io.Reader, name string) (settingsJSON, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSettingsFile+1))
	if err != nil {
		return settingsJSON{}, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxSettingsFile {
		return settingsJSON{}, fmt.Errorf("%s is larger than %d MiB; it is not settings as settings show --json prints them", name, maxSettingsFile>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return settingsJSON{}, fmt.Errorf("%s is empty: give the settings as settings show --json prints them", name)
	}
	var doc settingsJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		// encoding/json names an unknown field as `json: unknown field "x"`.
		return settingsJSON{}, fmt.Errorf("%s is not the settings as settings show --json prints them: %s; nothing changed", name, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return settingsJSON{}, fmt.Errorf("%s has more after the settings' closing brace; give one JSON object; nothing changed", name)
	}
	if err := requireFields(data); err != nil {
		return settingsJSON{}, fmt.Errorf("%s: %w; nothing changed", name, err)
	}
	return doc, nil
}

// requireFields refuses a document that leaves out a field of settingsJSON
// or of a row, naming it.
func requireFields(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	if m := missingKeys(top, reflect.TypeOf(settingsJSON{})); m != "" {
		return fmt.Errorf("%s: missing; give every field as settings show --json prints it", m)
	}
	var smtp map[string]json.RawMessage
	if err := json.Unmarshal(top["smtp"], &smtp); err != nil || smtp == nil {
		return fmt.Errorf("smtp: must be an object as settings show --json prints it")
	}
	if m := missingKeys(smtp, reflect.TypeOf(smtpSettingsJSON{})); m != "" {
		return fmt.Errorf("smtp.%s: missing; give every field as settings show --json prints it", m)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(top["profiles"], &rows); err != nil {
		return fmt.Errorf("profiles: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	for i, row := range rows {
		if m := missingKeys(row, reflect.TypeOf(settingsEntryJSON{})); m != "" {
			var name string
			_ = json.Unmarshal(row["profile"], &name)
			if name == "" {
				return fmt.Errorf("profiles[%d].%s: missing", i, m)
			}
			return fmt.Errorf("profiles[%q].%s: missing; give every field as settings show --json prints it", name, m)
		}
	}
	return nil
}

// missingKeys is the first JSON field name of t that m lacks, or "".
func missingKeys(m map[string]json.RawMessage, t reflect.Type) string {
	var missing []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if _, ok := m[tag]; !ok && tag != "" && tag != "-" {
			missing = append(missing, tag)
		}
	}
	sort.Strings(missing)
	return strings.Join(missing, ", ")
}

// settings turns the file into the settings to save, from cur (the stored
// settings) and the profiles, by the console's rules (model.WithRows); the
// revision is the file's, so the store's compare-and-swap sees a stale one.
func (doc settingsJSON) settings(cur model.Settings, profiles []model.Profile) (model.Settings, error) {
	rows := make([]model.SettingsRow, len(doc.Profiles))
	for i, r := range doc.Profiles {
		rows[i] = model.SettingsRow{
			Profile: r.Profile, Selected: r.Selected, Default: r.Default,
			DisplayName: r.DisplayName, ImageLocation: r.ImageLocation, Description: r.Description,
			Confirmed: r.Confirmed, AppDownloadURL: r.AppDownloadURL, HelpDocURL: r.HelpDocURL, AllowUserEdit: r.AllowUserEdit,
			Shown: model.Profile{Duration: r.DurationSeconds, TokencodeLength: r.TokencodeLength,
				AuthType: model.AuthType(r.AuthType), DeliveryMethod: model.DeliveryMethod(r.DeliveryMethod)},
		}
	}
	next := cur
	next.UserMustProvidePassword = doc.UserMustProvidePassword
	next.ReplacementWindowDays = doc.ReplacementWindowDays
	policy, err := model.ParseApprovalPolicy(doc.ApprovalPolicy)
	if err != nil {
		return next, err
	}
	if policy != cur.Policy() { // a stored blank reads as "one": keep it unless it changes
		next.ApprovalPolicy = policy
	}
	next.Revision = doc.Revision
	next.SMTP = model.SMTPSettings{Host: doc.SMTP.Host, Port: doc.SMTP.Port, Security: model.SMTPSecurity(doc.SMTP.Security),
		User: doc.SMTP.User, PasswordFile: doc.SMTP.PasswordFile, From: doc.SMTP.From, ZipTokenFile: doc.SMTP.ZipTokenFile}
	return next.WithRows(profiles, rows)
}

// settingsFieldKeys maps the model's field names to the JSON keys of the
// file, so that an error names the field the admin edits.
var settingsFieldKeys = map[string]string{
	model.FieldSelected:          "selected",
	model.FieldDefault:           "default",
	model.FieldDisplayName:       "display_name",
	model.FieldImageLocation:     "image_location",
	model.FieldDescription:       "description",
	model.FieldConfirmed:         "confirmed",
	model.FieldAppDownloadURL:    "app_download_url",
	model.FieldHelpDocURL:        "help_doc_url",
	model.FieldReplacementWindow: "replacement_window_days",
	model.FieldApprovalPol:       "approval_policy",
	model.FieldDuration:          "duration_seconds",
	model.FieldTokencodeLength:   "tokencode_length",
	model.FieldAuthType:          "auth_type",
	model.FieldDeliveryMethod:    "delivery_method",
	model.FieldSMTPHost:          "smtp.host",
	model.FieldSMTPPort:          "smtp.port",
	model.FieldSMTPSecurity:      "smtp.security",
	model.FieldSMTPUser:          "smtp.user",
	model.FieldSMTPPasswordFile:  "smtp.password_file",
	model.FieldSMTPFrom:          "smtp.from",
}

// settingsFieldPath names a field error as a path in the file:
// profiles["Staff iPhone"].display_name, profiles[*].default for a rule
// over every row, replacement_window_days for a top-level field.
func settingsFieldPath(fe *model.FieldError) string {
	key := settingsFieldKeys[fe.Field]
	if key == "" {
		key = fe.Field
	}
	switch {
	case fe.Item != "" && key != "":
		return fmt.Sprintf("profiles[%q].%s", fe.Item, key)
	case fe.Item != "":
		return fmt.Sprintf("profiles[%q]", fe.Item)
	case fe.Field == model.FieldDefault:
		return "profiles[*].default"
	}
	return key
}

// refuseSettings prints each field error on its own line, named by its
// path in the file, and returns the one-line refusal; other errors (a
// conflict, a store error) pass through.
func refuseSettings(stdio IO, err error) error {
	var fes model.FieldErrors
	var one *model.FieldError
	if !errors.As(err, &fes) && !errors.As(err, &one) {
		var conflict *store.ConflictError
		if errors.As(err, &conflict) {
			return fmt.Errorf("%w (print them again with settings show --json)", err)
		}
		return err
	}
	fes = model.AsFieldErrors(err)
	for _, fe := range fes {
		fmt.Fprintf(stdio.Stderr, "swtoken: %s: %s\n", model.Printable(settingsFieldPath(fe)), model.Printable(fe.Msg))
	}
	return fmt.Errorf("settings not applied: %s; nothing changed", plural(len(fes), "problem"))
}

func printSettings(stdio IO, s settingsJSON, profiles []model.Profile) {
	w := stdio.Stdout
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintln(w, "Software Token Profiles Available for Request")
	if len(profiles) == 0 {
		fmt.Fprintln(w, "  (no profiles yet: add one with swtoken profiles add)")
	}
	for i, e := range s.Profiles {
		mark := "[ ]"
		if e.Selected {
			mark = "[x]"
		}
		def := ""
		if e.Default {
			def = "  (default)"
		}
		fmt.Fprintf(w, "  %s %s%s\n", mark, e.Profile, def)
		if !e.Selected {
			continue
		}
		p := profiles[i]
		fmt.Fprintf(w, "      Display Name:      %s\n", e.DisplayName)
		fmt.Fprintf(w, "      Image Location:    %s\n", e.ImageLocation)
		fmt.Fprintf(w, "      Description:       %s\n", e.Description)
		fmt.Fprintf(w, "      Tokencode:         %d digits, %d s, %s, %s (%s)\n", p.TokencodeLength, p.Duration, p.AuthType, p.DeliveryMethod, e.ConfirmStatus)
		fmt.Fprintf(w, "      App download URL:  %s\n", orNone(e.AppDownloadURL, "(left out of the e-mail)"))
		fmt.Fprintf(w, "      Help document URL: %s\n", orNone(e.HelpDocURL, "(left out of the e-mail)"))
		fmt.Fprintf(w, "      User may edit token attributes: %s\n", yes[e.AllowUserEdit])
	}
	fmt.Fprintf(w, "Token File Password Settings: the user provides the password: %s\n", yes[s.UserMustProvidePassword])
	fmt.Fprintf(w, "Expiring Token Parameters: replacement from %d days before expiry\n", s.ReplacementWindowDays)
	if policy, err := model.ParseApprovalPolicy(s.ApprovalPolicy); err == nil {
		fmt.Fprintf(w, "Request approval: %s\n", policy.Label())
	}
	if m := s.SMTP; m.Host == "" {
		fmt.Fprintln(w, "E-mail: no SMTP server; messages wait in the outbox (swtoken mail outbox)")
	} else {
		auth := "no login"
		if m.User != "" {
			auth = "user " + m.User + ", password read from " + m.PasswordFile
		}
		fmt.Fprintf(w, "E-mail: SMTP %s (%s), %s, from %s\n", model.SMTPSettings{Host: m.Host, Port: m.Port, Security: model.SMTPSecurity(m.Security)}.Addr(), m.Security, auth, m.From)
	}
	fmt.Fprintf(w, "E-mail token files as .zip: %s\n", yes[s.SMTP.ZipTokenFile])
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

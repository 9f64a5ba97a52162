package model

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

const (
	// MinReplacementWindowDays .. MaxReplacementWindowDays bound the days
	// before expiry from which a user may request a replacement.
	MinReplacementWindowDays     = 1
	MaxReplacementWindowDays     = 365
	DefaultReplacementWindowDays = 30
	// MaxDisplayNameLen bounds a display name, like a profile name.
	MaxDisplayNameLen = 128
	// MaxURLLen bounds links; longer ones break mail clients.
	MaxURLLen = 2048
)

// SettingsEntry is one profile's row in the self-service settings
// ("Software Token Profiles Available for Request").
type SettingsEntry struct {
	Profile       string // the profile's name
	Selected      bool
	DisplayName   string
	ImageLocation string
	Description   string
	// Confirmed is the profile's ConfirmFingerprint when the admin
	// confirmed its read-only fields; "" if never confirmed.
	Confirmed      string
	AppDownloadURL string
	HelpDocURL     string
	Default        bool
	AllowUserEdit  bool
}

// Settings are the self-service settings, saved all or nothing.
type Settings struct {
	Entries                 []SettingsEntry
	UserMustProvidePassword bool
	ReplacementWindowDays   int
	// ApprovalPolicy is how many admins approve a request before it is
	// fulfilled; "" reads as DefaultApprovalPolicy (settings saved before
	// the policy existed).
	ApprovalPolicy ApprovalPolicy
	// SMTP is how e-mail to users is sent (model/mailsettings.go); no
	// host: the outbox maildir.
	SMTP SMTPSettings
	// Revision is the store's count of writes of the settings when they
	// were read (0: never saved). A save hands it back unchanged: the store
	// refuses it when the settings were written since (compare-and-swap),
	// so one admin cannot overwrite another's change unseen. Diff ignores
	// it.
	Revision int
}

// DefaultSettings are the settings of a new store: nothing offered yet.
func DefaultSettings() Settings {
	return Settings{ReplacementWindowDays: DefaultReplacementWindowDays, ApprovalPolicy: DefaultApprovalPolicy}
}

// Select marks the entry selected and fills in Display Name, Image Location
// and Description from the profile (its name, its device type's default
// image, its description). Only blank fields are filled, so text the admin
// edited survives unselecting and selecting again.
func (e *SettingsEntry) Select(p Profile) {
	e.Profile = p.Name
	e.Selected = true
	if strings.TrimSpace(e.DisplayName) == "" {
		e.DisplayName = p.Name
	}
	if strings.TrimSpace(e.ImageLocation) == "" {
		e.ImageLocation = p.DeviceType.DefaultImage()
	}
	if strings.TrimSpace(e.Description) == "" {
		e.Description = p.Description
	}
}

// Confirm records that the admin confirmed the profile's read-only fields
// as they are now.
func (e *SettingsEntry) Confirm(p Profile) { e.Confirmed = ConfirmFingerprint(p) }

// IsConfirmed reports whether the confirmation matches the profile as it is
// now; an edit of the confirmed fields makes it lapse.
func (e SettingsEntry) IsConfirmed(p Profile) bool {
	return e.Confirmed != "" && e.Confirmed == ConfirmFingerprint(p)
}

// ConfirmStatus distinguishes "never confirmed" from "lapsed", which the
// settings screen shows differently.
type ConfirmStatus int

const (
	NotConfirmed ConfirmStatus = iota
	Confirmed
	ConfirmationLapsed
)

func (c ConfirmStatus) String() string {
	switch c {
	case Confirmed:
		return "confirmed"
	case ConfirmationLapsed:
		return "confirmation lapsed: the profile changed"
	}
	return "not confirmed"
}

// ConfirmStatus is the entry's confirmation state against the profile now.
func (e SettingsEntry) ConfirmStatus(p Profile) ConfirmStatus {
	switch {
	case e.IsConfirmed(p):
		return Confirmed
	case e.Confirmed != "":
		return ConfirmationLapsed
	}
	return NotConfirmed
}

// Entry returns the entry for a profile name (compared with NameKey), or nil.
func (s *Settings) Entry(profile string) *SettingsEntry {
	for i := range s.Entries {
		if SameName(s.Entries[i].Profile, profile) {
			return &s.Entries[i]
		}
	}
	return nil
}

// Select selects a profile, creating its entry if needed. The first
// selected profile becomes the default, so the "exactly one default" rule
// holds without an extra step.
func (s *Settings) Select(p Profile) {
	e := s.Entry(p.Name)
	if e == nil {
		s.Entries = append(s.Entries, SettingsEntry{})
		e = &s.Entries[len(s.Entries)-1]
	}
	e.Select(p)
	if s.defaultIndex() < 0 {
		e.Default = true
	}
}

// Unselect unselects a profile. If it was the default, the first other
// selected profile becomes the default, keeping the rule.
func (s *Settings) Unselect(profile string) {
	e := s.Entry(profile)
	if e == nil {
		return
	}
	wasDefault := e.Default
	e.Selected, e.Default = false, false
	if wasDefault {
		for i := range s.Entries {
			if s.Entries[i].Selected {
				s.Entries[i].Default = true
				break
			}
		}
	}
}

// SetDefault makes a selected profile the only default.
func (s *Settings) SetDefault(profile string) error {
	e := s.Entry(profile)
	if e == nil || !e.Selected {
		return itemErr(profile, FieldDefault, "only a selected profile can be the default; select it first")
	}
	for i := range s.Entries {
		s.Entries[i].Default = false
	}
	e.Default = true
	return nil
}

// defaultIndex is the index of the first selected default entry, or -1.
func (s *Settings) defaultIndex() int {
	for i, e := range s.Entries {
		if e.Selected && e.Default {
			return i
		}
	}
	return -1
}

// ValidateLinkURL accepts a blank link (it is then left out of the approval
// e-mail) or an absolute http:// or https:// URL with a host.
func ValidateLinkURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	if raw != strings.TrimSpace(raw) || strings.ContainsAny(raw, " \t") || hasControl(raw) {
		return fieldErr(field, "must not contain spaces or control characters")
	}
	if len(raw) > MaxURLLen {
		return fieldErr(field, "is %d characters; at most %d are allowed", len(raw), MaxURLLen)
	}
	// RFC 3986 never allows these unencoded; the link goes into the
	// approval e-mail and the self-service page, where < > " would break
	// out of the markup around it.
	if i := strings.IndexAny(raw, "<>\"{}|\\^`"); i >= 0 {
		return fieldErr(field, "must not contain %q; percent-encode it (for example %%3C for <)", raw[i:i+1])
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fieldErr(field, "%q is not a valid URL", raw)
	}
	if s := strings.ToLower(u.Scheme); s != "https" && s != "http" {
		return fieldErr(field, "%q must start with https:// or http://, or be left blank", raw)
	}
	if u.Hostname() == "" {
		return fieldErr(field, "%q has no host name after the //", raw)
	}
	return nil
}

// Validate checks the settings against the current profiles and returns
// every field error at once: a blank display name, a selected profile that
// is unconfirmed or whose confirmation lapsed, a bad link, a default that is
// missing, doubled or not selected, a window outside 1-365 days.
func (s Settings) Validate(profiles []Profile) error {
	var es FieldErrors
	byKey := make(map[string]Profile, len(profiles))
	for _, p := range profiles {
		byKey[NameKey(p.Name)] = p
	}
	seen := map[string]bool{}
	var defaults []string
	selected := 0
	for _, e := range s.Entries {
		item := e.Profile
		k := NameKey(e.Profile)
		if seen[k] {
			es = append(es, itemErr(item, FieldSelected, "appears twice in the settings"))
			continue
		}
		seen[k] = true
		if !e.Selected {
			if e.Default {
				es = append(es, itemErr(item, FieldDefault, "is marked as the default but is not selected; select it or make a selected profile the default"))
			}
			continue
		}
		selected++
		if e.Default {
			defaults = append(defaults, e.Profile)
		}
		p, ok := byKey[k]
		if !ok {
			es = append(es, itemErr(item, FieldSelected, "profile %q no longer exists; unselect it", e.Profile))
			continue
		}
		switch n := charLen(e.DisplayName); {
		case strings.TrimSpace(e.DisplayName) == "":
			es = append(es, itemErr(item, FieldDisplayName, "must not be blank"))
		case n > MaxDisplayNameLen:
			es = append(es, itemErr(item, FieldDisplayName, "is %d characters; at most %d are allowed", n, MaxDisplayNameLen))
		case hasControl(e.DisplayName):
			es = append(es, itemErr(item, FieldDisplayName, "contains a control character"))
		}
		if hasControl(e.ImageLocation) || charLen(e.ImageLocation) > MaxURLLen {
			es = append(es, itemErr(item, FieldImageLocation, "must be a path or URL of at most %d characters without control characters", MaxURLLen))
		}
		if err := validateFreeText(FieldDescription, e.Description); err != nil {
			es = append(es, asItem(item, err))
		}
		switch e.ConfirmStatus(p) {
		case NotConfirmed:
			es = append(es, itemErr(item, FieldConfirmed, "confirm the profile's Tokencode Duration, Tokencode Length, Authentication Type and Delivery Method before saving"))
		case ConfirmationLapsed:
			es = append(es, itemErr(item, FieldConfirmed, "the profile changed since it was confirmed; review and confirm it again"))
		}
		if err := ValidateLinkURL(FieldAppDownloadURL, e.AppDownloadURL); err != nil {
			es = append(es, asItem(item, err))
		}
		if err := ValidateLinkURL(FieldHelpDocURL, e.HelpDocURL); err != nil {
			es = append(es, asItem(item, err))
		}
	}
	switch {
	case selected > 0 && len(defaults) == 0:
		es = append(es, fieldErr(FieldDefault, "make one of the selected profiles the default"))
	case len(defaults) > 1:
		es = append(es, fieldErr(FieldDefault, "only one profile can be the default, but %s are all marked", quoteList(defaults)))
	}
	if w := s.ReplacementWindowDays; w < MinReplacementWindowDays || w > MaxReplacementWindowDays {
		es = append(es, fieldErr(FieldReplacementWindow, "the replacement window must be %d-%d days (got %d)", MinReplacementWindowDays, MaxReplacementWindowDays, w))
	}
	if p := s.ApprovalPolicy; p != "" && !p.Valid() {
		es = append(es, fieldErr(FieldApprovalPol, "%q is not an approval policy; use automatic, one or two", string(p)))
	}
	es.Add(FieldSMTPHost, s.SMTP.Validate())
	return es.Err()
}

// asItem attaches a row name to a field error.
func asItem(item string, err error) *FieldError {
	fe := AsFieldErrors(err)[0]
	return &FieldError{Item: item, Field: fe.Field, Msg: fe.Msg}
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Diff lists, in plain words for the audit trail, what changed from old to
// new. It is empty when nothing changed. It contains no secrets because
// settings hold none.
func Diff(old, new Settings) []string {
	var out []string
	if old.UserMustProvidePassword != new.UserMustProvidePassword {
		out = append(out, fmt.Sprintf("User must provide the token file password: %s -> %s",
			yesNo(old.UserMustProvidePassword), yesNo(new.UserMustProvidePassword)))
	}
	if old.ReplacementWindowDays != new.ReplacementWindowDays {
		out = append(out, fmt.Sprintf("Replacement window: %d -> %d days", old.ReplacementWindowDays, new.ReplacementWindowDays))
	}
	if op, np := old.Policy(), new.Policy(); op != np {
		out = append(out, fmt.Sprintf("Approval: %s -> %s", op.Label(), np.Label()))
	}
	out = append(out, diffSMTP(old.SMTP, new.SMTP)...)
	// Compare entries by profile, in a stable order: the new order, then
	// profiles only the old settings had.
	var keys []string
	names := map[string]string{}
	for _, e := range new.Entries {
		k := NameKey(e.Profile)
		if _, ok := names[k]; !ok {
			keys = append(keys, k)
			names[k] = e.Profile
		}
	}
	var gone []string
	for _, e := range old.Entries {
		k := NameKey(e.Profile)
		if _, ok := names[k]; !ok {
			gone = append(gone, k)
			names[k] = e.Profile
		}
	}
	sort.Strings(gone)
	keys = append(keys, gone...)
	for _, k := range keys {
		var o, n SettingsEntry
		if e := old.Entry(k); e != nil {
			o = *e
		}
		if e := new.Entry(k); e != nil {
			n = *e
		}
		out = append(out, diffEntry(names[k], o, n)...)
	}
	return out
}

func diffEntry(name string, o, n SettingsEntry) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("Profile %q: ", name)+fmt.Sprintf(format, args...))
	}
	if o.Selected != n.Selected {
		if n.Selected {
			add("selected for request")
		} else {
			add("no longer selected for request")
		}
	}
	text := func(label, a, b string) {
		if a != b {
			add("%s changed from %q to %q", label, a, b)
		}
	}
	text(FieldDisplayName, o.DisplayName, n.DisplayName)
	text(FieldImageLocation, o.ImageLocation, n.ImageLocation)
	text(FieldDescription, o.Description, n.Description)
	text(FieldAppDownloadURL, o.AppDownloadURL, n.AppDownloadURL)
	text(FieldHelpDocURL, o.HelpDocURL, n.HelpDocURL)
	if o.Confirmed != n.Confirmed {
		if n.Confirmed == "" {
			add("confirmation withdrawn")
		} else {
			add("confirmed (%s)", n.Confirmed)
		}
	}
	if o.Default != n.Default {
		if n.Default {
			add("made the default")
		} else {
			add("no longer the default")
		}
	}
	if o.AllowUserEdit != n.AllowUserEdit {
		add("allow user to edit token attributes: %s -> %s", yesNo(o.AllowUserEdit), yesNo(n.AllowUserEdit))
	}
	return out
}

// NotOfferedReason says why a selected profile is not offered for request,
// or "" when it is: its confirmation lapsed because the profile changed
// since, or it was never confirmed.
func NotOfferedReason(e SettingsEntry, p Profile) string {
	if !p.DeliveryMethod.CanDeliver() {
		return fmt.Sprintf("it delivers by %s, which cannot deliver yet", p.DeliveryMethod)
	}
	switch e.ConfirmStatus(p) {
	case ConfirmationLapsed:
		return "its confirmation lapsed: the profile changed since it was confirmed"
	case NotConfirmed:
		return "it is not confirmed"
	}
	return ""
}

// Offered reports whether users may request the profile: it is selected,
// its confirmation holds, and its delivery method can deliver (CT-KIP
// cannot yet).
func (e SettingsEntry) Offered(p Profile) bool {
	return e.Selected && e.IsConfirmed(p) && p.DeliveryMethod.CanDeliver()
}

// Preview renders, as plain text, what a user would see for each profile
// available for request (the default first) and the request approval
// e-mail for each. Links appear only where they are set. A selected
// profile whose confirmation lapsed (or that is not confirmed) is not
// offered: it is left out of what the user sees and listed first, for the
// admin, with the reason.
func Preview(s Settings, profiles []Profile) string {
	byKey := make(map[string]Profile, len(profiles))
	for _, p := range profiles {
		byKey[NameKey(p.Name)] = p
	}
	type row struct {
		e SettingsEntry
		p Profile
	}
	var rows, held []row
	for _, e := range s.Entries {
		p, ok := byKey[NameKey(e.Profile)]
		switch {
		case !ok || !e.Selected:
		case e.Offered(p):
			rows = append(rows, row{e, p})
		default:
			held = append(held, row{e, p})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].e.Default && !rows[j].e.Default })

	var b strings.Builder
	b.WriteString("What a user sees when requesting a software token\n")
	b.WriteString("==================================================\n")
	if len(held) > 0 {
		// A note for the admin, not part of what the user sees: a
		// selected profile is offered only while its confirmation holds.
		b.WriteString("\nNot offered (shown to you only):\n")
		for _, r := range held {
			mark := ""
			if r.e.Default {
				mark = ", the default"
			}
			fix := "; confirm it to offer it"
			if !r.p.DeliveryMethod.CanDeliver() {
				fix = ""
			}
			fmt.Fprintf(&b, "  %s (profile %q%s): %s%s\n",
				r.e.DisplayName, r.p.Name, mark, NotOfferedReason(r.e, r.p), fix)
		}
	}
	if len(rows) == 0 {
		b.WriteString("\nNo software token profiles are available for request.\n")
		return b.String()
	}
	for i, r := range rows {
		mark := ""
		if r.e.Default {
			mark = "  (default)"
		}
		fmt.Fprintf(&b, "\n%d. %s%s\n", i+1, r.e.DisplayName, mark)
		if r.e.ImageLocation != "" {
			fmt.Fprintf(&b, "   Image: %s\n", r.e.ImageLocation)
		}
		if d := strings.TrimSpace(r.e.Description); d != "" {
			fmt.Fprintf(&b, "   %s\n", strings.ReplaceAll(d, "\n", "\n   "))
		}
		fmt.Fprintf(&b, "   Tokencode: %d digits, changes every %d seconds, %s\n", r.p.TokencodeLength, r.p.Duration, r.p.AuthType)
		fmt.Fprintf(&b, "   Delivery: %s\n", r.p.DeliveryMethod)
		if r.e.AllowUserEdit {
			b.WriteString("   You may edit the token details, such as your device serial number.\n")
		}
	}
	b.WriteString("\n")
	if s.UserMustProvidePassword {
		b.WriteString("You will be asked for a password to protect your token file.\n")
	}
	fmt.Fprintf(&b, "You may request a replacement from %d days before your token expires.\n", s.ReplacementWindowDays)

	for _, r := range rows {
		title := "Approval e-mail: " + r.e.DisplayName
		fmt.Fprintf(&b, "\n%s\n%s\n", title, strings.Repeat("-", charLen(title)))
		b.WriteString("Subject: Your software token request has been approved\n\n")
		fmt.Fprintf(&b, "Your request for the software token %q has been approved.\n", r.e.DisplayName)
		if r.e.AppDownloadURL != "" {
			fmt.Fprintf(&b, "Install the application from: %s\n", r.e.AppDownloadURL)
		}
		if r.e.HelpDocURL != "" {
			fmt.Fprintf(&b, "Help for your device: %s\n", r.e.HelpDocURL)
		}
		b.WriteString("Follow the instructions you receive with your token to import it.\n")
	}
	return b.String()
}

// SettingsRow is one profile's row of the self-service settings as an
// admin edits them outside the console (swtoken settings apply): every
// field the console edits, plus the profile's read-only fields as the admin
// saw them when they confirmed (Shown: only Duration, TokencodeLength,
// AuthType and DeliveryMethod are read).
type SettingsRow struct {
	Profile        string
	Selected       bool
	Default        bool
	DisplayName    string
	ImageLocation  string
	Description    string
	Confirmed      bool
	AppDownloadURL string
	HelpDocURL     string
	AllowUserEdit  bool
	Shown          Profile
}

// WithRows returns s with rows applied the way the console applies the same
// edits, ready for Validate (which the store's save runs), or every error
// found in the rows themselves:
//   - every profile has exactly one row; a row naming no profile, a row
//     given twice and a profile without a row are refused;
//   - the read-only fields of a row must be the profile's as it is now: a
//     row confirmed against fields the profile no longer has is refused as
//     a confirmation that lapsed (the profile changed since it was shown),
//     and an edit of a read-only field is refused as such;
//   - a row newly selected has its blank Display Name, Image Location and
//     Description filled in from the profile, as selecting it does in the
//     console (SettingsEntry.Select);
//   - Confirmed true confirms the profile as it is now; false withdraws a
//     current confirmation and keeps one that lapsed as it is, so a row
//     handed back unchanged changes nothing.
//
// The default is not chosen for the admin: the rows say which it is, and
// Validate refuses none or several.
func (s Settings) WithRows(profiles []Profile, rows []SettingsRow) (Settings, error) {
	var es FieldErrors
	byKey := make(map[string]Profile, len(profiles))
	for _, p := range profiles {
		byKey[NameKey(p.Name)] = p
	}
	next := s
	next.Entries = make([]SettingsEntry, 0, len(rows))
	for _, e := range s.Entries {
		// Entries of profiles that no longer exist are kept as they are
		// (the store removes them with the profile).
		if _, ok := byKey[NameKey(e.Profile)]; !ok {
			next.Entries = append(next.Entries, e)
		}
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := NameKey(r.Profile)
		p, ok := byKey[k]
		switch {
		case !ok:
			es = append(es, itemErr(r.Profile, "", "no such profile; every row must name an existing profile"))
			continue
		case seen[k]:
			es = append(es, itemErr(r.Profile, "", "appears twice; give each profile once"))
			continue
		}
		seen[k] = true
		var e SettingsEntry
		if cur := s.Entry(p.Name); cur != nil {
			e = *cur
		}
		e.Profile = p.Name
		wasSelected := e.Selected
		e.DisplayName, e.ImageLocation, e.Description = r.DisplayName, r.ImageLocation, r.Description
		e.AppDownloadURL, e.HelpDocURL = r.AppDownloadURL, r.HelpDocURL
		e.Default, e.AllowUserEdit = r.Default, r.AllowUserEdit
		e.Selected = r.Selected
		if r.Selected && !wasSelected {
			e.Select(p)
		}
		if bad := shownDiffers(p, r.Shown); len(bad) > 0 {
			if r.Confirmed && !e.IsConfirmed(p) {
				es = append(es, itemErr(p.Name, FieldConfirmed, "the profile changed since it was shown (%s); review it and confirm it again", strings.Join(bad, ", ")))
			} else {
				es = append(es, itemErr(p.Name, "", "the profile's read-only fields differ from the profile (%s): they are shown for confirmation and changed only by editing the profile", strings.Join(bad, ", ")))
			}
			continue
		}
		switch {
		case r.Confirmed:
			e.Confirm(p)
		case e.IsConfirmed(p):
			e.Confirmed = ""
		}
		next.Entries = append(next.Entries, e)
	}
	for _, p := range profiles {
		if !seen[NameKey(p.Name)] {
			es = append(es, itemErr(p.Name, "", "missing; give every profile once, as the settings list them"))
		}
	}
	if err := es.Err(); err != nil {
		return s, err
	}
	return next, nil
}

// shownDiffers names the read-only fields whose shown value is not the
// profile's.
func shownDiffers(p, shown Profile) []string {
	var bad []string
	if shown.Duration != p.Duration {
		bad = append(bad, fmt.Sprintf("%s is %d, not %d", FieldDuration, p.Duration, shown.Duration))
	}
	if shown.TokencodeLength != p.TokencodeLength {
		bad = append(bad, fmt.Sprintf("%s is %d, not %d", FieldTokencodeLength, p.TokencodeLength, shown.TokencodeLength))
	}
	if shown.AuthType != p.AuthType {
		bad = append(bad, fmt.Sprintf("%s is %q, not %q", FieldAuthType, p.AuthType, shown.AuthType))
	}
	if shown.DeliveryMethod != p.DeliveryMethod {
		bad = append(bad, fmt.Sprintf("%s is %q, not %q", FieldDeliveryMethod, p.DeliveryMethod, shown.DeliveryMethod))
	}
	return bad
}

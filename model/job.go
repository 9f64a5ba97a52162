package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// MaxJobNameLen is the longest job name, in characters.
	MaxJobNameLen = 128
	// MaxBatchIDLen is the longest SDTID batch Name: only the first 16
	// bytes enter the file's keys (sdtid-format.md 2.2).
	MaxBatchIDLen = 16
	// MaxDeviceIDLen is the longest device ID for device binding.
	MaxDeviceIDLen = 64
)

// jobNameForbidden are refused in job names: they break the web consoles,
// e-mails and file names that a job name travels into.
const jobNameForbidden = "&%<>"

// ValidateJobName checks a job name: 1-128 characters, no control
// characters, none of & % < >. Uniqueness ignoring case is the store's
// check, comparing NameKey.
func ValidateJobName(name string) error {
	if err := validateName(FieldJobName, name, MaxJobNameLen); err != nil {
		return err
	}
	if i := strings.IndexAny(name, jobNameForbidden); i >= 0 {
		return fieldErr(FieldJobName, "must not contain %q (none of & %% < > are allowed)", name[i:i+1])
	}
	return nil
}

// JobNameTakenError is the message for a name another job has (ignoring case).
func JobNameTakenError(name, existing string) error {
	return fieldErr(FieldJobName, "%q is already used by job %q (names are compared ignoring case)", name, existing)
}

// SuggestedJobName is the wizard's default job name at time t, in t's
// location (the admin's local time reads best).
func SuggestedJobName(t time.Time) string {
	return "Generate Software Token Files " + t.Format(time.DateTime)
}

// BatchID is the job's short batch id for the SDTID header Name, built from
// the job's sequence number: "SWT-000042". The job name cannot be used
// there, since it may be long and non-ASCII; the id is ASCII and at most 16
// characters for any sequence number below 10^12.
func BatchID(seq uint64) string {
	return fmt.Sprintf("SWT-%06d", seq)
}

// ValidateBatchID checks a batch id: 1-16 printable ASCII characters.
func ValidateBatchID(id string) error {
	if id == "" || len(id) > MaxBatchIDLen {
		return fieldErr("Batch id", "must be 1-%d ASCII characters (got %d bytes)", MaxBatchIDLen, len(id))
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return fieldErr("Batch id", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// Binding is what a job writes as each file's DeviceSerialNumber.
type Binding struct {
	Kind  BindingKind
	Value string // class GUID or device ID
}

func (b Binding) String() string {
	switch b.Kind {
	case BindingClass:
		return "device class " + b.Value
	case BindingDevice:
		return "device " + b.Value
	}
	return "none"
}

// ValidateDeviceID checks a device ID for device binding: 1-64 printable
// ASCII characters, no spaces (it is typed from what the user reads off the
// app, and anything else is a transcription error).
func ValidateDeviceID(id string) error {
	if id == "" {
		return fieldErr(FieldDeviceSerial, "must not be blank: type the device ID, or restore the device class GUID for class binding")
	}
	if len(id) > MaxDeviceIDLen {
		return fieldErr(FieldDeviceSerial, "the device ID is %d characters; at most %d are allowed", charLen(id), MaxDeviceIDLen)
	}
	for _, r := range id {
		switch {
		case r == ' ':
			return fieldErr(FieldDeviceSerial, "the device ID must not contain spaces")
		case r < ' ' || r > '~':
			return fieldErr(FieldDeviceSerial, "the device ID must be printable ASCII (found %q)", r)
		}
	}
	return nil
}

// ResolveBinding decides the binding from the DeviceSerialNumber field,
// which the wizard pre-fills with the profile's class GUID: that GUID (in
// any case) means class binding, anything else is a device ID. A GUID of a
// different known class is refused, since it is almost certainly the wrong
// profile rather than a device ID.
func ResolveBinding(field, classGUID string) (Binding, error) {
	v := strings.TrimSpace(field)
	if classGUID != "" && strings.EqualFold(v, classGUID) {
		return Binding{Kind: BindingClass, Value: strings.ToLower(classGUID)}, nil
	}
	if dt, ok := DeviceTypeForGUID(v); ok {
		return Binding{}, fieldErr(FieldDeviceSerial, "%s is the %s class GUID, not this profile's class; choose a profile of that device type, or type a device ID", v, dt)
	}
	if err := ValidateDeviceID(v); err != nil {
		return Binding{}, err
	}
	return Binding{Kind: BindingDevice, Value: v}, nil
}

// ValidateNickname checks the optional nickname: at most 24 characters, no
// control characters.
func ValidateNickname(n string) error {
	switch c := charLen(n); {
	case c > MaxNicknameLen:
		return fieldErr(FieldNickname, "is %d characters; at most %d are allowed", c, MaxNicknameLen)
	case hasControl(n):
		return fieldErr(FieldNickname, "contains a control character")
	}
	return nil
}

// JobSpec is a distribution job as the wizard or the command line describes
// it. It holds the password mode but never the password, which travels
// sealed, separately.
type JobSpec struct {
	Name    string
	Profile string // profile name
	// Binding is what each file gets as DeviceSerialNumber. Leave it zero
	// and set Device instead: the job planner resolves it (ResolveBinding)
	// against the profile, so that no caller decides it on its own.
	Binding Binding
	// Device is the DeviceSerialNumber field as the admin gave it: blank or
	// the profile's class GUID (any case) means class binding, anything
	// else is a device ID. Used only while Binding is zero.
	Device       string
	Nickname     string
	PasswordMode PasswordMode
	Criteria     Criteria
	// SkipTooLong leaves out of the job the tokens whose password would be
	// too long for their algorithm (PasswordTooLong), instead of refusing
	// the job: the summary counts them as left out and the audit records
	// it. Without it they block submission (CanSubmit).
	SkipTooLong bool
	// Kind is the job type. Leave it zero: the job planner sets it from
	// the profile's delivery method (JobKindFor). A stored job without it
	// is a file job (OrFiles).
	Kind JobKind
	// CTFForm is a CTF job's version, v2 or v3 (v3 for the phone device
	// types only). Zero means v2: the planner sets it. Empty for file jobs.
	CTFForm CTFForm
	// CTFShape is how a CTF job writes its strings, from the profile's
	// device type (CTFShapeFor): set by the planner. Empty for file jobs.
	CTFShape CTFShape
}

// Validate checks the spec against its profile, reporting every wrong field.
// The profile must exist (the caller looks it up by NameKey) and its
// delivery method must be the job's kind (JobKindFor: CT-KIP profiles cannot
// deliver yet); a CTF job's form must fit the profile's device type; a class
// binding must be that profile's class.
func (s JobSpec) Validate(p Profile) error {
	var es FieldErrors
	es.Add(FieldJobName, ValidateJobName(s.Name))
	switch {
	case strings.TrimSpace(s.Profile) == "":
		es = append(es, fieldErr(FieldProfile, "choose a software token profile"))
	case !SameName(s.Profile, p.Name):
		es = append(es, fieldErr(FieldProfile, "profile %q does not exist", s.Profile))
	default:
		want, err := JobKindFor(p.Name, p.DeliveryMethod)
		switch k := s.Kind.OrFiles(); {
		case err != nil:
			es.Add(FieldProfile, err)
		case k != want:
			es = append(es, fieldErr(FieldProfile, "profile %q delivers by %s, so its job is %q, not %q", p.Name, p.DeliveryMethod, want.Label(), k.Label()))
		default:
			es.Add(FieldCTFForm, s.validateCTF(k, p))
		}
	}
	switch s.Binding.Kind {
	case BindingClass:
		if !strings.EqualFold(s.Binding.Value, p.ClassGUID()) {
			es = append(es, fieldErr(FieldDeviceSerial, "class GUID %s is not profile %q's class %s", s.Binding.Value, p.Name, p.ClassGUID()))
		}
	case BindingDevice:
		es.Add(FieldDeviceSerial, ValidateDeviceID(s.Binding.Value))
	default:
		es = append(es, fieldErr(FieldDeviceSerial, "choose class binding (the profile's GUID) or type a device ID"))
	}
	es.Add(FieldNickname, ValidateNickname(s.Nickname))
	if !s.PasswordMode.Valid() {
		es = append(es, fieldErr(FieldPasswordMode, "%q is not a password mode; use none, password, userid or userid+password", string(s.PasswordMode)))
	}
	es.Add(FieldCriteria, s.Criteria.Validate())
	return es.Err()
}

// RedistributionWarning is shown, word for word, when a selected token was
// distributed before.
const RedistributionWarning = "Existing users of these tokens may no longer be able to authenticate; they must import the new token data."

// TokenRef names one token in a summary list.
type TokenRef struct {
	Serial string
	User   string
}

// Summary is the dry run of a job: what would be distributed and what is
// left out. Build it with Add for every token that matches the criteria;
// it keeps counts, not the tokens, so it stays small for 100,000 tokens
// (the console keeps its own scrollable list).
type Summary struct {
	Count         int    // eligible tokens
	First, Last   string // lowest and highest eligible serial
	Redistributed int    // eligible tokens distributed before
	Ineligible    map[Reason]int
	// TooLong names the tokens whose password breaks the limit, because
	// the admin must narrow the criteria to leave exactly them out.
	TooLong []TokenRef
}

// Add counts one matching token under its eligibility reason.
func (s *Summary) Add(t Token, r Reason) {
	if r != Eligible {
		if s.Ineligible == nil {
			s.Ineligible = map[Reason]int{}
		}
		s.Ineligible[r]++
		if r == PasswordTooLong {
			s.TooLong = append(s.TooLong, TokenRef{Serial: t.Serial, User: t.AssignedUser})
		}
		return
	}
	s.Count++
	if s.First == "" || CompareSerials(t.Serial, s.First) < 0 {
		s.First = t.Serial
	}
	if s.Last == "" || CompareSerials(t.Serial, s.Last) > 0 {
		s.Last = t.Serial
	}
	if t.Distribution.Distributed() {
		s.Redistributed++
	}
}

// IneligibleTotal is the number of matching tokens left out.
func (s Summary) IneligibleTotal() int {
	n := 0
	for _, c := range s.Ineligible {
		n += c
	}
	return n
}

// Warnings are the notes the summary must show before submit.
func (s Summary) Warnings(spec JobSpec) []string {
	var w []string
	if s.Redistributed > 0 {
		w = append(w, fmt.Sprintf("%d of the %s %s distributed before. %s", s.Redistributed, Plural(s.Count, "token"), Agree(s.Redistributed, "was", "were"), RedistributionWarning))
	}
	if spec.Binding.Kind == BindingDevice && s.Count > 1 {
		w = append(w, fmt.Sprintf("All %d tokens will be bound to the one device %s.", s.Count, spec.Binding.Value))
	}
	return w
}

// Blocks reports whether matching tokens left out for reason r stop the
// job from being submitted. Only PasswordTooLong blocks, and only without
// spec.SkipTooLong: the admin must see those tokens and decide (leave them
// out, narrow the criteria or choose another password mode). Every other
// reason is simply left out; the job proceeds without those tokens.
func (r Reason) Blocks(spec JobSpec) bool {
	return r == PasswordTooLong && !spec.SkipTooLong
}

// maxTooLongNamed bounds how many too-long tokens TooLongError names; the
// summary lists them all.
const maxTooLongNamed = 10

// TooLongError is CanSubmit's refusal of a job with tokens whose password
// would be too long for their algorithm. It unwraps to a *FieldError on
// the password field, so a form can show it there. The caller adds how to
// leave them out in its own words (the command line's --skip-too-long, the
// console's key).
type TooLongError struct {
	Count  int          // tokens whose password would be too long
	Tokens []TokenRef   // all of them, in serial order
	Mode   PasswordMode // the job's password mode
}

func (e *TooLongError) fieldError() *FieldError {
	names := make([]string, 0, min(len(e.Tokens), maxTooLongNamed+1))
	for i, r := range e.Tokens {
		if i == maxTooLongNamed {
			names = append(names, fmt.Sprintf("and %d more", len(e.Tokens)-maxTooLongNamed))
			break
		}
		names = append(names, fmt.Sprintf("%s (user %s)", r.Serial, r.User))
	}
	mode := ""
	if e.Mode.Valid() {
		mode = fmt.Sprintf(" with password mode %q", e.Mode.Label())
	}
	msg := fmt.Sprintf("%s would get a password outside %s limit%s (1-24 characters for AES-128, 1-8 for SID-64)",
		Plural(e.Count, "token"), Agree(e.Count, "its", "their"), mode)
	if len(names) > 0 {
		msg += ": " + strings.Join(names, ", ")
	}
	msg += "; leave " + Agree(e.Count, "it", "them") + " out, change the criteria, or choose another password mode"
	return &FieldError{Field: FieldPassword, Msg: msg}
}

func (e *TooLongError) Error() string { return e.fieldError().Error() }

// Unwrap gives the *FieldError on the password field.
func (e *TooLongError) Unwrap() error { return e.fieldError() }

// CanSubmit is the one rule for whether a job can be submitted, for the
// console, the command line and the engine alike: nil, a *TooLongError when
// tokens whose password is too long block it (Reason.Blocks), or a
// *FieldError on the criteria when no token is eligible (naming what was
// left out, IneligibleText).
func CanSubmit(spec JobSpec, s Summary) error {
	for _, r := range IneligibleReasons() {
		if n := s.Ineligible[r]; n > 0 && r.Blocks(spec) {
			return &TooLongError{Count: n, Tokens: s.TooLong, Mode: spec.PasswordMode}
		}
	}
	if s.Count == 0 {
		msg := "no eligible tokens match the criteria"
		if left := s.IneligibleText(); left != "" {
			msg += " (left out: " + left + ")"
		}
		return fieldErr(FieldCriteria, "%s", msg)
	}
	return nil
}

// IneligibleText is the one wording of what a summary left out, by reason
// in IneligibleReasons order: "3 unassigned, 1 expired, 2 password too
// long". "" when nothing was left out.
func (s Summary) IneligibleText() string {
	var parts []string
	for _, r := range IneligibleReasons() {
		if n := s.Ineligible[r]; n > 0 {
			parts = append(parts, r.countText(n))
		}
	}
	return strings.Join(parts, ", ")
}

// LeftOutNote is the summary's line for the tokens a job leaves out that
// would otherwise block it: "2 left out: password too long" when
// spec.SkipTooLong leaves them out, "" otherwise.
func (s Summary) LeftOutNote(spec JobSpec) string {
	n := s.Ineligible[PasswordTooLong]
	if n == 0 || !spec.SkipTooLong {
		return ""
	}
	return fmt.Sprintf("%d left out: %s", n, PasswordTooLong.Label())
}

// Selection is what a summary showed of the tokens a job would take: their
// count and the first and last serial. Submitting from a summary checks it
// against a fresh plan (SelectionChangedError).
type Selection struct {
	Count       int
	First, Last string
}

// Selection is the summary's selection.
func (s Summary) Selection() Selection {
	return Selection{Count: s.Count, First: s.First, Last: s.Last}
}

// String is "22 tokens 000000000001-000000000022", "1 token 000000000007"
// or "0 tokens".
func (s Selection) String() string {
	switch {
	case s.Count == 0:
		return Plural(0, "token")
	case s.First == s.Last:
		return Plural(s.Count, "token") + " " + s.First
	}
	return Plural(s.Count, "token") + " " + s.First + "-" + s.Last
}

// SelectionChangedError refuses a submit whose plan, made again at submit
// time, selects other tokens than the summary the admin saw.
type SelectionChangedError struct {
	Then, Now Selection
}

func (e *SelectionChangedError) Error() string {
	return fmt.Sprintf("the selection changed since the summary: %s then, %s now; review the summary again", e.Then, e.Now)
}

// ConfirmationRequired says whether the admin must type the token count
// before submit, and what to type: when tokens are redistributed (their
// current files stop working) or when all eligible tokens are selected.
func ConfirmationRequired(spec JobSpec, s Summary) (needed bool, expected string) {
	if spec.Criteria.All || s.Redistributed > 0 {
		return true, strconv.Itoa(s.Count)
	}
	return false, ""
}

// CheckConfirmation checks what the admin typed against
// ConfirmationRequired.
func CheckConfirmation(spec JobSpec, s Summary, typed string) error {
	needed, want := ConfirmationRequired(spec, s)
	if !needed || strings.TrimSpace(typed) == want {
		return nil
	}
	return fieldErr(FieldConfirmation, "type the number of tokens, %s, to confirm", want)
}

// JobState is where a job is in its life. The value is the stored form.
type JobState string

const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobCompleted JobState = "completed"
	JobFailed    JobState = "failed"
	JobCanceled  JobState = "canceled"
)

// JobStates lists the states in life order.
func JobStates() []JobState {
	return []JobState{JobQueued, JobRunning, JobCompleted, JobFailed, JobCanceled}
}

// ParseJobState reads a stored or typed state, ignoring case.
func ParseJobState(s string) (JobState, error) {
	for _, st := range JobStates() {
		if NameKey(s) == string(st) {
			return st, nil
		}
	}
	return "", fieldErr(FieldState, "%q is not a job state; use queued, running, completed, failed or canceled", s)
}

func (s JobState) String() string {
	switch s {
	case JobQueued:
		return "Queued"
	case JobRunning:
		return "Running"
	case JobCompleted:
		return "Completed"
	case JobFailed:
		return "Failed"
	case JobCanceled:
		return "Canceled"
	}
	return "Unknown(" + string(s) + ")"
}

// Terminal reports a state a job never leaves.
func (s JobState) Terminal() bool {
	return s == JobCompleted || s == JobFailed || s == JobCanceled
}

// Cancelable reports whether the admin may cancel a job in this state.
func (s JobState) Cancelable() bool { return s == JobQueued || s == JobRunning }

// jobTransitions are the allowed moves. Running → Queued is recovery: a job
// that was running when the process died runs again from the start.
// Queued → Failed covers a job that cannot start at all.
var jobTransitions = map[JobState][]JobState{
	JobQueued:  {JobRunning, JobCanceled, JobFailed},
	JobRunning: {JobCompleted, JobFailed, JobCanceled, JobQueued},
}

// CanTransition reports whether a job may move from one state to another.
func CanTransition(from, to JobState) bool {
	for _, s := range jobTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CheckTransition is CanTransition with the reason as an error.
func CheckTransition(from, to JobState) error {
	if CanTransition(from, to) {
		return nil
	}
	return fieldErr(FieldState, "a job cannot go from %s to %s", from, to)
}

// JobTab is the jobs screen tab a state belongs to.
type JobTab int

const (
	TabInProgress JobTab = iota
	TabCompleted
	TabFailedCanceled
)

func (t JobTab) String() string {
	switch t {
	case TabInProgress:
		return "In Progress"
	case TabCompleted:
		return "Completed"
	}
	return "Failed/Canceled"
}

// Tab is the tab that lists a job in this state.
func (s JobState) Tab() JobTab {
	switch s {
	case JobCompleted:
		return TabCompleted
	case JobFailed, JobCanceled:
		return TabFailedCanceled
	}
	return TabInProgress
}

// Job is a submitted distribution job. The selection (the serials) is
// frozen at submit; the store keeps it beside the job, since it can hold
// 100,000 serials.
type Job struct {
	Seq     uint64
	Name    string
	BatchID string
	Spec    JobSpec
	// File is the profile's tokencode settings as the summary showed them,
	// frozen at submit: the job writes these, whatever happens to the
	// profile before it runs. Zero in jobs submitted before it existed;
	// they read the profile when they run.
	File      FileSettings
	State     JobState
	Reason    string // why it failed or was canceled
	Total     int    // tokens in the frozen selection
	Done      int    // tokens written so far
	Submitted time.Time
	Started   time.Time
	Ended     time.Time
	// Output is the output ZIP once completed, relative to the data
	// directory ("outputs/<Seq>.zip"); store.Store.OutputFile resolves it.
	Output string
	// OutputSize and OutputSHA256 (hex) identify the output ZIP, so a
	// download can be checked against what the job wrote.
	OutputSize   int64
	OutputSHA256 string
	// OutputDeleted is when the admin deleted the output file (zero while
	// it exists or before completion); Output is then empty.
	OutputDeleted time.Time
	// CancelRequested is set on a Running job when an admin in another
	// process cancels it; its runner stops within a second and ends it
	// Canceled.
	CancelRequested bool
}

// FileSettings are the profile values a job writes into every file.
type FileSettings struct {
	Digits          int // 6 or 8
	IntervalSeconds int // 30 or 60
	AddPIN          bool
}

// IsZero reports whether the settings were never frozen.
func (f FileSettings) IsZero() bool { return f == FileSettings{} }

// FileSettings are the values of p that go into a distributed file.
func (p Profile) FileSettings() FileSettings {
	return FileSettings{Digits: p.TokencodeLength, IntervalSeconds: p.Duration, AddPIN: p.AuthType.AddPIN()}
}

// SupersededWarning words the warning shown when a completed job's ZIP is
// downloaded or shown after later jobs distributed n of its total tokens
// again (later names some of those jobs): those files no longer work.
func SupersededWarning(n, total int, later []string) string {
	if n == 0 {
		return ""
	}
	by := "later jobs"
	if len(later) > 0 {
		q := make([]string, len(later))
		for i, l := range later {
			q[i] = strconv.Quote(l)
		}
		by = "later jobs (" + strings.Join(q, ", ") + ")"
	}
	return fmt.Sprintf("%d of the %s in this ZIP no longer %s: %s distributed %s again, and the store holds %s; do not hand %s out",
		n, Plural(total, "file"), Agree(n, "works", "work"), by, Agree(n, "that token", "those tokens"),
		Agree(n, "its newer seed", "their newer seeds"), Agree(n, "that file", "those files"))
}

// Label is the tokencode settings in words ("8 digits every 60 s, PIN pad
// (AddPIN)").
func (f FileSettings) Label() string {
	pin := "no PIN pad"
	if f.AddPIN {
		pin = "PIN pad (AddPIN)"
	}
	return fmt.Sprintf("%d digits every %d s, %s", f.Digits, f.IntervalSeconds, pin)
}

// MaxFileNameBytes is the longest file name (one path component) that
// common file systems take: NAME_MAX on Linux, and the limit of APFS, NTFS
// and most others.
const MaxFileNameBytes = 255

// DefaultDownloadName is the default download path for a job's ZIP,
// "./<job name>.zip". Path separators in the name become "_", so the
// default always lands in the current directory. A job name of 128
// characters can be up to 512 bytes in UTF-8: the name is then cut at a
// character boundary so that "<name>.zip" fits in MaxFileNameBytes.
func DefaultDownloadName(jobName string) string {
	base := strings.NewReplacer("/", "_", "\\", "_").Replace(jobName)
	if max := MaxFileNameBytes - len(".zip"); len(base) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return "./" + base + ".zip"
}

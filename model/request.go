package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Self-service requests (product.md section 12). Everything here is pure:
// the rules take the settings, profiles, user, tokens and open requests as
// arguments, so that the console, the CLI and the SSH console decide
// alike, and the store runs the same functions inside the write
// transaction that creates or changes a request.

const (
	// MaxReasonLen bounds a request's reason.
	MaxReasonLen = 512
	// MaxRequestCommentLen bounds an approver's comment to the user and
	// private note.
	MaxRequestCommentLen = 512
	// RequestIDPrefix starts every request ID: "R-1", "R-2", ...
	RequestIDPrefix = "R-"
)

// Field names of requests in errors.
const (
	FieldRequestUser   = "User"
	FieldRequestKind   = "Request kind"
	FieldReplaces      = "Token to replace"
	FieldReason        = "Reason"
	FieldOrigin        = "Origin"
	FieldClientAddress = "Client address"
	FieldComment       = "Comment to the user"
	FieldNote          = "Private note"
	FieldApprovalPol   = "Approval"
)

// RequestKind is a new token or the replacement of one the user holds.
type RequestKind string

const (
	RequestNew         RequestKind = "new"
	RequestReplacement RequestKind = "replacement"
)

// Valid reports a known kind.
func (k RequestKind) Valid() bool { return k == RequestNew || k == RequestReplacement }

// RequestState is where a request is in its life.
type RequestState string

const (
	RequestPending   RequestState = "pending"
	RequestApproved  RequestState = "approved"
	RequestFulfilled RequestState = "fulfilled"
	RequestRejected  RequestState = "rejected"
	RequestCanceled  RequestState = "canceled"
	RequestFailed    RequestState = "failed"
)

// RequestStates lists every state in life order.
func RequestStates() []RequestState {
	return []RequestState{RequestPending, RequestApproved, RequestFulfilled, RequestRejected, RequestCanceled, RequestFailed}
}

// ParseRequestState reads a state's spelling (any case).
func ParseRequestState(s string) (RequestState, error) {
	k := RequestState(strings.ToLower(strings.TrimSpace(s)))
	if k.Valid() {
		return k, nil
	}
	return "", fieldErr(FieldState, "%q is not a request state; use pending, approved, fulfilled, rejected, canceled or failed", s)
}

// Valid reports a known state.
func (s RequestState) Valid() bool {
	for _, k := range RequestStates() {
		if s == k {
			return true
		}
	}
	return false
}

// Open reports a request that has not ended: pending or approved (waiting
// for fulfilment). A user has at most one open request of each kind.
func (s RequestState) Open() bool { return s == RequestPending || s == RequestApproved }

// RequestOrigin is where a request was made.
type RequestOrigin string

const (
	OriginConsole     RequestOrigin = "console"
	OriginCLI         RequestOrigin = "cli"
	OriginSelfService RequestOrigin = "self-service"
)

// Valid reports a known origin.
func (o RequestOrigin) Valid() bool {
	return o == OriginConsole || o == OriginCLI || o == OriginSelfService
}

// ApprovalPolicy is how many admins approve a request before it is
// fulfilled: none (automatic), one, or two different ones.
type ApprovalPolicy string

const (
	ApprovalAutomatic ApprovalPolicy = "automatic"
	ApprovalOne       ApprovalPolicy = "one"
	ApprovalTwo       ApprovalPolicy = "two"
)

// DefaultApprovalPolicy is the policy of a new store, and of a store whose
// settings were saved before the policy existed: one approval, the
// cautious choice that still lets requests through.
const DefaultApprovalPolicy = ApprovalOne

// ApprovalPolicies lists the policies in the settings screen's order.
func ApprovalPolicies() []ApprovalPolicy {
	return []ApprovalPolicy{ApprovalAutomatic, ApprovalOne, ApprovalTwo}
}

// ParseApprovalPolicy reads a policy's spelling (any case).
func ParseApprovalPolicy(s string) (ApprovalPolicy, error) {
	p := ApprovalPolicy(strings.ToLower(strings.TrimSpace(s)))
	if p.Valid() {
		return p, nil
	}
	return "", fieldErr(FieldApprovalPol, "%q is not an approval policy; use automatic, one or two", s)
}

// Valid reports a known policy.
func (p ApprovalPolicy) Valid() bool {
	return p == ApprovalAutomatic || p == ApprovalOne || p == ApprovalTwo
}

// Needed is the number of approvals, by different admins, after which a
// request is approved.
func (p ApprovalPolicy) Needed() int {
	switch p {
	case ApprovalAutomatic:
		return 0
	case ApprovalTwo:
		return 2
	}
	return 1
}

// Label is the settings screen's wording.
func (p ApprovalPolicy) Label() string {
	switch p {
	case ApprovalAutomatic:
		return "Automatic (no approval)"
	case ApprovalOne:
		return "One approval"
	case ApprovalTwo:
		return "Two approvals by two different admins"
	}
	return string(p)
}

// Approval is one admin's approval: the OS user, when, the comment that
// goes to the user and the note that stays private.
type Approval struct {
	Admin   string
	At      time.Time
	Comment string
	Note    string
}

// Deferral is an approver's decision to decide later; the request stays
// pending.
type Deferral = Approval

// RequestEvent is one entry of a request's history: every transition (and
// every approval or deferral), with who did it and when.
type RequestEvent struct {
	At     time.Time
	Actor  string // the OS user, or "swtoken" for the automatic steps
	From   string // the actor's client address, if any
	Action string // "created", "approved", "approval", "deferred", "rejected", "canceled", "fulfilled", "failed"
	State  RequestState
	// Comment is what the user is told; Note stays with the admins.
	Comment string
	Note    string
}

// SystemActor is the actor of the steps nobody takes by hand (automatic
// approval, fulfilment).
const SystemActor = "swtoken"

// Request is one self-service request for a software token.
type Request struct {
	Seq  uint64 // ID is RequestID(Seq)
	User string
	Kind RequestKind
	// Replaces is the serial of the token a replacement replaces.
	Replaces string
	// LostOrBroken marks an admin's replacement outside the replacement
	// window (a lost or broken token).
	LostOrBroken bool
	Profile      string
	// Binding is the device serial number: the profile's class GUID, or a
	// device ID where the settings entry allows the user to edit it.
	Binding  Binding
	Nickname string
	// HasPassword says a token-file password was given; the password
	// itself is sealed in the store until the request ends, never here.
	HasPassword bool
	Reason      string
	Origin      RequestOrigin
	ClientAddr  string
	State       RequestState
	// StateReason is the rejection's comment to the user, or why the
	// request failed or was canceled.
	StateReason string
	Approvals   []Approval
	Deferrals   []Deferral
	History     []RequestEvent
	Created     time.Time
	CreatedBy   string // the OS user who made it
	// Serial is the token that fulfilled it.
	Serial string
	// Revision counts the writes of the request (compare-and-swap, as the
	// settings); 0 before it is stored.
	Revision int
}

// ID is the request's ID, "R-" and its number.
func (r Request) ID() string { return RequestID(r.Seq) }

// RequestID spells a request number.
func RequestID(seq uint64) string { return RequestIDPrefix + strconv.FormatUint(seq, 10) }

// ParseRequestID reads "R-12" (any case of the R) or "12".
func ParseRequestID(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && strings.EqualFold(t[:2], RequestIDPrefix) {
		t = t[2:]
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 || t != strconv.FormatUint(n, 10) {
		return 0, fmt.Errorf("%q is not a request ID; request IDs are R- and a number, like R-12", s)
	}
	return n, nil
}

// RequestInput is a request as its form or command line gives it.
type RequestInput struct {
	User    string
	Profile string // "" means the settings' default profile
	Kind    RequestKind
	// Replaces is the serial of the token to replace (kind replacement).
	Replaces string
	// LostOrBroken lets an admin replace a token at any time, not only
	// within the replacement window. Self-service requests cannot set it.
	LostOrBroken bool
	// DeviceSerial is the DeviceSerialNumber: "" or the profile's class
	// GUID for class binding, otherwise a device ID (allowed only where
	// the profile's settings entry allows the user to edit it).
	DeviceSerial string
	Nickname     string
	// Password and PasswordConfirm are the token-file password, typed
	// twice. They are checked here and sealed by the store; never stored
	// in the Request.
	Password        string
	PasswordConfirm string
	Reason          string
	Origin          RequestOrigin
	ClientAddr      string
}

// RequestFacts are the stored facts the creation rules need, read in the
// same transaction that stores the request.
type RequestFacts struct {
	Settings Settings
	Profiles []Profile
	// User is the requesting user; nil when no such user exists.
	User *User
	// Tokens are the tokens the user holds.
	Tokens []Token
	// Open are the user's open requests.
	Open []Request
	Now  time.Time
	// Actor is the OS user making the request, recorded as its creator.
	Actor string
}

// RequestRule names a creation or transition rule, so callers can tell
// refusals apart without matching text.
type RequestRule string

const (
	RuleBadInput          RequestRule = "bad input"
	RuleNoSuchUser        RequestRule = "no such user"
	RuleNoEmail           RequestRule = "user has no e-mail"
	RuleTooManyTokens     RequestRule = "user holds the most tokens"
	RuleNotHeld           RequestRule = "token not held by the user"
	RuleNotExpiring       RequestRule = "token not within the replacement window"
	RuleOpenRequest       RequestRule = "open request of this kind"
	RuleProfileNotOffered RequestRule = "profile not available for request"
	RuleConfirmLapsed     RequestRule = "profile confirmation lapsed"
	RuleCannotDeliver     RequestRule = "profile cannot deliver"
	RuleDeviceIDNotAllow  RequestRule = "device ID not allowed"
	RulePasswordRequired  RequestRule = "password required"
	RuleWrongState        RequestRule = "wrong state"
	RuleSameAdmin         RequestRule = "same admin"
)

// RequestError refuses a request's creation or a transition, naming the
// rule and the reason. Field is the form field it belongs to, if any.
type RequestError struct {
	Rule  RequestRule
	Field string
	Msg   string
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Msg
	}
	return e.Msg
}

func reqErr(rule RequestRule, field, format string, args ...any) *RequestError {
	return &RequestError{Rule: rule, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// RuleOf returns the rule that refused err, or "" when err is no
// *RequestError.
func RuleOf(err error) RequestRule {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Rule
	}
	return ""
}

// ValidateReason checks a request's optional reason.
func ValidateReason(s string) error {
	return validateBoundedText(FieldReason, s, MaxReasonLen)
}

func validateBoundedText(field, s string, max int) error {
	switch n := charLen(s); {
	case n > max:
		return fieldErr(field, "is %d characters; at most %d are allowed", n, max)
	case hasControlExceptLayout(s):
		return fieldErr(field, "contains a control character")
	}
	return nil
}

// CheckRequestPassword checks a token-file password typed twice: required
// when the settings say the user provides it, the two must match, and the
// same limits as a job's file password for the AES-128 tokens requests
// deliver (1-24 characters, at most 32 bytes, no control characters). The
// error never contains the password.
func CheckRequestPassword(required bool, password, confirm string) error {
	if password == "" && confirm == "" {
		if required {
			return reqErr(RulePasswordRequired, FieldPassword, "is required: the self-service settings say the user provides the token file password (type it twice)")
		}
		return nil
	}
	if password != confirm {
		return reqErr(RuleBadInput, FieldPasswordConfirm, "the two passwords do not match")
	}
	if hasControl(password) {
		return reqErr(RuleBadInput, FieldPassword, "contains a control character")
	}
	if err := CheckPasswordLength(PasswordAdmin, "", password, AlgAES128); err != nil {
		var fe *FieldError
		errors.As(err, &fe)
		return reqErr(RuleBadInput, FieldPassword, "%s", fe.Msg)
	}
	return nil
}

// CheckRequest applies every creation rule of section 12 to in against
// the stored facts and returns the new request (pending, or approved when
// the approval policy is automatic), or the first rule that refuses it as
// a *RequestError. Bad fields are checked first, then the user, the
// profile, the kind's rules, the open requests and the password.
func CheckRequest(in RequestInput, f RequestFacts) (Request, error) {
	// Fields that are wrong whatever the store holds.
	if !in.Origin.Valid() {
		return Request{}, reqErr(RuleBadInput, FieldOrigin, "%q is not an origin; use console, cli or self-service", string(in.Origin))
	}
	if hasControl(in.ClientAddr) || charLen(in.ClientAddr) > 128 {
		return Request{}, reqErr(RuleBadInput, FieldClientAddress, "must be at most 128 characters without control characters")
	}
	kind := in.Kind
	if kind == "" {
		kind = RequestNew
		if in.Replaces != "" {
			kind = RequestReplacement
		}
	}
	if !kind.Valid() {
		return Request{}, reqErr(RuleBadInput, FieldRequestKind, "%q is not a request kind; use new or replacement", string(in.Kind))
	}
	switch {
	case kind == RequestNew && (in.Replaces != "" || in.LostOrBroken):
		return Request{}, reqErr(RuleBadInput, FieldReplaces, "a new token replaces nothing; make a replacement request to replace a token")
	case kind == RequestReplacement && in.Replaces == "":
		return Request{}, reqErr(RuleBadInput, FieldReplaces, "name the serial number of the token to replace")
	case in.LostOrBroken && in.Origin == OriginSelfService:
		return Request{}, reqErr(RuleBadInput, FieldReplaces, "only an admin can replace a lost or broken token outside the replacement window")
	}
	if err := ValidateNickname(in.Nickname); err != nil {
		return Request{}, asReqErr(err)
	}
	if err := ValidateReason(in.Reason); err != nil {
		return Request{}, asReqErr(err)
	}

	// The user.
	if f.User == nil {
		return Request{}, reqErr(RuleNoSuchUser, FieldRequestUser, "no user %q: a request is for an existing user", in.User)
	}
	u := *f.User
	if strings.TrimSpace(u.Email) == "" {
		return Request{}, reqErr(RuleNoEmail, FieldRequestUser, "user %q has no e-mail address, so the token cannot reach them: add one first", u.ID)
	}

	// The profile: offered (selected and its confirmation holds) and able
	// to deliver.
	name := in.Profile
	if strings.TrimSpace(name) == "" {
		i := f.Settings.defaultIndex()
		if i < 0 {
			return Request{}, reqErr(RuleProfileNotOffered, FieldProfile, "no software token profile is available for request")
		}
		name = f.Settings.Entries[i].Profile
	}
	var p *Profile
	for i := range f.Profiles {
		if SameName(f.Profiles[i].Name, name) {
			p = &f.Profiles[i]
		}
	}
	e := f.Settings.Entry(name)
	switch {
	case p == nil:
		return Request{}, reqErr(RuleProfileNotOffered, FieldProfile, "no profile %q", name)
	case e == nil || !e.Selected:
		return Request{}, reqErr(RuleProfileNotOffered, FieldProfile, "profile %q is not available for request (the self-service settings do not offer it)", p.Name)
	case !p.DeliveryMethod.CanDeliver():
		return Request{}, reqErr(RuleCannotDeliver, FieldProfile, "%s", CannotDeliverYet(p.Name, p.DeliveryMethod))
	case !e.Offered(*p):
		return Request{}, reqErr(RuleConfirmLapsed, FieldProfile, "profile %q is not offered: %s", p.Name, NotOfferedReason(*e, *p))
	}

	// The device serial number: the class GUID unless the entry allows a
	// device ID.
	binding := Binding{Kind: BindingClass, Value: p.ClassGUID()}
	if ds := strings.TrimSpace(in.DeviceSerial); ds != "" && !strings.EqualFold(ds, p.ClassGUID()) {
		if !e.AllowUserEdit {
			return Request{}, reqErr(RuleDeviceIDNotAllow, FieldDeviceSerial, "profile %q binds to its device class %s; a device ID may be given only where the self-service settings allow the user to edit token attributes", p.Name, p.ClassGUID())
		}
		b, err := ResolveBinding(ds, p.ClassGUID())
		if err != nil {
			return Request{}, asReqErr(err)
		}
		binding = b
	}

	// The kind's rules.
	switch kind {
	case RequestNew:
		if n := len(f.Tokens); n >= MaxTokensPerUser {
			return Request{}, reqErr(RuleTooManyTokens, FieldRequestUser, "user %q holds %d tokens, the most a user may hold (%d): request a replacement instead", u.ID, n, MaxTokensPerUser)
		}
	case RequestReplacement:
		var held *Token
		for i := range f.Tokens {
			if CompareSerials(f.Tokens[i].Serial, in.Replaces) == 0 {
				held = &f.Tokens[i]
			}
		}
		w := f.Settings.ReplacementWindowDays
		switch {
		case held == nil:
			return Request{}, reqErr(RuleNotHeld, FieldReplaces, "user %q holds no token %s: only a token the user holds can be replaced", u.ID, in.Replaces)
		case in.LostOrBroken:
		case !held.ExpiresWithin(f.Now, w):
			why := fmt.Sprintf("it expires on %s, in %d days", Date(held.Death).Format(time.DateOnly), held.DaysLeft(f.Now))
			if held.Expired(f.Now) {
				why = "it has already expired: request a new token"
			}
			return Request{}, reqErr(RuleNotExpiring, FieldReplaces, "token %s can be replaced only within %d days of its expiry, and %s (an admin can replace a lost or broken token at any time)", held.Serial, w, why)
		}
	}

	// One open request per user and kind.
	for _, o := range f.Open {
		if o.User == u.ID && o.Kind == kind && o.State.Open() {
			return Request{}, reqErr(RuleOpenRequest, FieldRequestKind, "user %q already has an open %s request, %s (%s): cancel it or wait until it ends", u.ID, kind, o.ID(), o.State)
		}
	}

	if err := CheckRequestPassword(f.Settings.UserMustProvidePassword, in.Password, in.PasswordConfirm); err != nil {
		return Request{}, err
	}

	r := Request{
		User: u.ID, Kind: kind, Profile: p.Name, Binding: binding, Nickname: in.Nickname,
		HasPassword: in.Password != "", Reason: in.Reason, Origin: in.Origin, ClientAddr: in.ClientAddr,
		State: RequestPending, Created: f.Now, CreatedBy: f.Actor,
	}
	if kind == RequestReplacement {
		r.Replaces, r.LostOrBroken = in.Replaces, in.LostOrBroken
	}
	r.History = []RequestEvent{{At: f.Now, Actor: f.Actor, From: in.ClientAddr, Action: "created", State: RequestPending}}
	if f.Settings.Policy().Needed() == 0 {
		r.State = RequestApproved
		r.History = append(r.History, RequestEvent{At: f.Now, Actor: SystemActor, Action: "approved automatically", State: RequestApproved})
	}
	return r, nil
}

// Policy is the settings' approval policy, DefaultApprovalPolicy when
// unset.
func (s Settings) Policy() ApprovalPolicy {
	if s.ApprovalPolicy == "" {
		return DefaultApprovalPolicy
	}
	return s.ApprovalPolicy
}

// asReqErr turns a field error into a bad-input *RequestError.
func asReqErr(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &RequestError{Rule: RuleBadInput, Field: fe.Field, Msg: fe.Msg}
	}
	return &RequestError{Rule: RuleBadInput, Msg: err.Error()}
}

// checkDecision checks an approver's comment and note.
func checkDecision(comment, note string) error {
	if err := validateBoundedText(FieldComment, comment, MaxRequestCommentLen); err != nil {
		return asReqErr(err)
	}
	if err := validateBoundedText(FieldNote, note, MaxRequestCommentLen); err != nil {
		return asReqErr(err)
	}
	return nil
}

func needState(r Request, verb string, states ...RequestState) error {
	for _, s := range states {
		if r.State == s {
			return nil
		}
	}
	return reqErr(RuleWrongState, FieldState, "request %s is %s, so it cannot be %s", r.ID(), r.State, verb)
}

// Approve records admin's approval of a pending request. The same admin
// cannot approve twice. The request becomes approved with the approval
// that the policy needs last (the first for one approval, the second for
// two); until then it stays pending. It returns the changed copy.
func Approve(r Request, policy ApprovalPolicy, admin string, now time.Time, comment, note string) (Request, error) {
	if err := needState(r, "approved", RequestPending); err != nil {
		return r, err
	}
	if err := checkDecision(comment, note); err != nil {
		return r, err
	}
	if strings.TrimSpace(admin) == "" {
		return r, reqErr(RuleBadInput, "", "an approval needs the approving admin")
	}
	for _, a := range r.Approvals {
		if a.Admin == admin {
			return r, reqErr(RuleSameAdmin, "", "%s already approved request %s on %s; a second approval must come from another admin",
				admin, r.ID(), a.At.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
	r = cloneRequest(r)
	r.Approvals = append(r.Approvals, Approval{Admin: admin, At: now, Comment: comment, Note: note})
	if len(r.Approvals) >= policy.Needed() {
		r.State = RequestApproved
		r.History = append(r.History, RequestEvent{At: now, Actor: admin, Action: "approved", State: RequestApproved, Comment: comment, Note: note})
	} else {
		r.History = append(r.History, RequestEvent{At: now, Actor: admin, Action: fmt.Sprintf("approval %d of %d", len(r.Approvals), policy.Needed()),
			State: RequestPending, Comment: comment, Note: note})
	}
	return r, nil
}

// ApprovalsMissing is how many approvals the request still needs.
func ApprovalsMissing(r Request, policy ApprovalPolicy) int {
	if n := policy.Needed() - len(r.Approvals); n > 0 && r.State == RequestPending {
		return n
	}
	return 0
}

// Reject ends a pending request with a comment to the user, which is
// required: the user is told why.
func Reject(r Request, admin string, now time.Time, comment, note string) (Request, error) {
	if err := needState(r, "rejected", RequestPending); err != nil {
		return r, err
	}
	if strings.TrimSpace(comment) == "" {
		return r, reqErr(RuleBadInput, FieldComment, "a rejection needs a comment to the user saying why")
	}
	if err := checkDecision(comment, note); err != nil {
		return r, err
	}
	r = cloneRequest(r)
	r.State, r.StateReason = RequestRejected, comment
	r.History = append(r.History, RequestEvent{At: now, Actor: admin, Action: "rejected", State: RequestRejected, Comment: comment, Note: note})
	return r, nil
}

// Defer records that an approver will decide later; the request stays
// pending.
func Defer(r Request, admin string, now time.Time, comment, note string) (Request, error) {
	if err := needState(r, "deferred", RequestPending); err != nil {
		return r, err
	}
	if err := checkDecision(comment, note); err != nil {
		return r, err
	}
	r = cloneRequest(r)
	r.Deferrals = append(r.Deferrals, Deferral{Admin: admin, At: now, Comment: comment, Note: note})
	r.History = append(r.History, RequestEvent{At: now, Actor: admin, Action: "deferred", State: RequestPending, Comment: comment, Note: note})
	return r, nil
}

// Cancel ends an open request that was not fulfilled, by the user or an
// admin.
func Cancel(r Request, actor string, now time.Time, reason string) (Request, error) {
	if err := needState(r, "canceled", RequestPending, RequestApproved); err != nil {
		return r, err
	}
	if err := validateBoundedText(FieldReason, reason, MaxReasonLen); err != nil {
		return r, asReqErr(err)
	}
	r = cloneRequest(r)
	r.State, r.StateReason = RequestCanceled, reason
	r.History = append(r.History, RequestEvent{At: now, Actor: actor, Action: "canceled", State: RequestCanceled, Comment: reason})
	return r, nil
}

// Fulfill marks an approved request fulfilled by the token serial.
func Fulfill(r Request, serial string, now time.Time) (Request, error) {
	if err := needState(r, "fulfilled", RequestApproved); err != nil {
		return r, err
	}
	r = cloneRequest(r)
	r.State, r.Serial = RequestFulfilled, serial
	r.History = append(r.History, RequestEvent{At: now, Actor: SystemActor, Action: "fulfilled with token " + serial, State: RequestFulfilled})
	return r, nil
}

// Fail ends an approved request that cannot be fulfilled, with the reason;
// nothing else changed.
func Fail(r Request, now time.Time, reason string) (Request, error) {
	if err := needState(r, "failed", RequestApproved); err != nil {
		return r, err
	}
	r = cloneRequest(r)
	r.State, r.StateReason = RequestFailed, reason
	r.History = append(r.History, RequestEvent{At: now, Actor: SystemActor, Action: "failed", State: RequestFailed, Comment: reason})
	return r, nil
}

// cloneRequest copies the slices so a refused or replaced change never
// shares them with the caller's value.
func cloneRequest(r Request) Request {
	r.Approvals = append([]Approval(nil), r.Approvals...)
	r.Deferrals = append([]Deferral(nil), r.Deferrals...)
	r.History = append([]RequestEvent(nil), r.History...)
	return r
}

package model

import (
	"fmt"
	"strings"
	"time"
)

// Criteria select the tokens of a job: a serial range (inclusive, compared
// numerically) or, as an explicit choice, all eligible tokens, narrowed by
// optional filters. Empty criteria never mean "everything": a mistake in a
// script must not redistribute the whole inventory.
type Criteria struct {
	From, To             string
	All                  bool
	AssignedUser         string
	NeverDistributedOnly bool
	Algorithm            Algorithm // "" = any
}

// HasRange reports whether a serial range was given (either end).
func (c Criteria) HasRange() bool {
	return strings.TrimSpace(c.From) != "" || strings.TrimSpace(c.To) != ""
}

// Validate checks the criteria, reporting every wrong field.
func (c Criteria) Validate() error {
	var es FieldErrors
	switch {
	case c.All && c.HasRange():
		es = append(es, fieldErr(FieldCriteria, "choose either a serial range or all eligible tokens, not both"))
	case !c.All && !c.HasRange():
		es = append(es, fieldErr(FieldCriteria, "choose a serial range or all eligible tokens"))
	case !c.All:
		from, ferr := ParseSerial(c.From)
		to, terr := ParseSerial(c.To)
		if strings.TrimSpace(c.From) == "" {
			ferr = fieldErr(FieldFrom, "must not be blank when a range is given")
		}
		if strings.TrimSpace(c.To) == "" {
			terr = fieldErr(FieldTo, "must not be blank when a range is given")
		}
		es.Add(FieldFrom, refield(ferr, FieldFrom))
		es.Add(FieldTo, refield(terr, FieldTo))
		if ferr == nil && terr == nil && CompareSerials(from, to) > 0 {
			es = append(es, fieldErr(FieldFrom, "from must not be greater than to (%s > %s)", from, to))
		}
	}
	if c.AssignedUser != "" {
		es.Add(FieldAssignedUser, refield(ValidateUserID(c.AssignedUser), FieldAssignedUser))
	}
	if c.Algorithm != "" && !c.Algorithm.Valid() {
		es = append(es, fieldErr(FieldAlgorithm, "%q is not an algorithm; use AES-128 or SID-64, or leave it empty for any", string(c.Algorithm)))
	}
	return es.Err()
}

// RangeKeys returns the inclusive range as SerialKeys for a store range
// scan; ok is false when the criteria select all tokens (scan everything).
// Call it on validated criteria.
func (c Criteria) RangeKeys() (from, to string, ok bool) {
	if c.All {
		return "", "", false
	}
	return SerialKey(strings.TrimSpace(c.From)), SerialKey(strings.TrimSpace(c.To)), true
}

// Matches reports whether the token passes the range and the filters. It
// says nothing about eligibility: a matching token may still be left out
// (see Eligibility), and the summary counts it by reason.
func (c Criteria) Matches(t Token) bool {
	if from, to, ok := c.RangeKeys(); ok {
		k := SerialKey(t.Serial)
		if k < from || k > to {
			return false
		}
	}
	if c.AssignedUser != "" && t.AssignedUser != c.AssignedUser {
		return false
	}
	if c.NeverDistributedOnly && t.Distribution.Distributed() {
		return false
	}
	if c.Algorithm != "" && t.Algorithm != c.Algorithm {
		return false
	}
	return true
}

// Reason says whether a matching token can go into a job, and if not, why.
type Reason int

const (
	Eligible Reason = iota
	NotSoftware
	Unassigned
	Disabled
	Expired
	PasswordTooLong
	// InUnfinishedJob: the token is frozen into a job that is queued or
	// running. A token is in at most one unfinished job, so that two
	// jobs never hand out files for it with no redistribution warning and
	// the older file is never one the store already replaced.
	InUnfinishedJob
	// NoCTFForm: a 64-bit (SID-64) token has no CTF form; CTF jobs leave
	// it out (JobSpec.Eligibility). It does not block the job.
	NoCTFForm
)

// IneligibleReasons lists the reasons a token is left out, in the order the
// summary shows their counts.
func IneligibleReasons() []Reason {
	return []Reason{NotSoftware, Unassigned, Disabled, Expired, NoCTFForm, PasswordTooLong, InUnfinishedJob}
}

// Label is the summary's wording.
func (r Reason) Label() string {
	switch r {
	case Eligible:
		return "eligible"
	case NotSoftware:
		return "not a software token"
	case Unassigned:
		return "unassigned"
	case Disabled:
		return "disabled"
	case Expired:
		return "expired"
	case PasswordTooLong:
		return "password too long"
	case InUnfinishedJob:
		return "in an unfinished job"
	case NoCTFForm:
		return NoCTFFormLabel
	}
	return "unknown reason"
}

func (r Reason) String() string { return r.Label() }

// countText is n tokens left out for r, as a summary counts them: "3
// unassigned", and "2 64-bit tokens (no CTF form)" where the label after a
// number would read "2 64-bit token: no CTF form".
func (r Reason) countText(n int) string {
	if r == NoCTFForm {
		return fmt.Sprintf("%s (no CTF form)", Plural(n, "64-bit token"))
	}
	return fmt.Sprintf("%d %s", n, r.Label())
}

// Eligibility decides whether a token may be distributed by a job with this
// password mode and admin password, at time now. Checks run in the order of
// IneligibleReasons, so each token is counted under its first reason. The
// password length uses the token's assigned user, whose ID is part of the
// password in the userid modes. InUnfinishedJob is the store's to say (it
// knows the unfinished jobs): the planner checks it when Eligibility
// returns Eligible.
func Eligibility(t Token, mode PasswordMode, adminPassword string, now time.Time) Reason {
	switch {
	case t.Kind != KindSoftware:
		return NotSoftware
	case t.AssignedUser == "":
		return Unassigned
	case !t.Enabled:
		return Disabled
	case t.Expired(now):
		return Expired
	case CheckPasswordLength(mode, t.AssignedUser, adminPassword, t.Algorithm) != nil:
		return PasswordTooLong
	}
	return Eligible
}

// Describe says in words which tokens the criteria select, for summaries,
// job details and the audit trail (one wording everywhere).
func (c Criteria) Describe() string {
	var parts []string
	if c.All {
		parts = append(parts, "all eligible tokens")
	} else {
		parts = append(parts, fmt.Sprintf("serials %s to %s", c.From, c.To))
	}
	if c.AssignedUser != "" {
		parts = append(parts, "assigned to "+c.AssignedUser)
	}
	if c.NeverDistributedOnly {
		parts = append(parts, "never distributed")
	}
	if c.Algorithm != "" {
		parts = append(parts, string(c.Algorithm)+" only")
	}
	return strings.Join(parts, ", ")
}

package cli

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/model"
)

// planJSON is the stable JSON form of `distribute --dry-run --json`: the
// job as it would be submitted, its counts, every token left out with its
// reason, and the tokens it would distribute. It never holds a password.
type planJSON struct {
	Job     string `json:"job"`
	Profile string `json:"profile"`
	// Kind is the job type, from the profile: "sdtid" (token files) or
	// "ctf" (CTF strings); CTFForm ("v2", "v3") and CTFShape ("iphone",
	// "android", "blocks") are a CTF job's, empty otherwise.
	Kind         string `json:"kind"`
	CTFForm      string `json:"ctf_form"`
	CTFShape     string `json:"ctf_shape"`
	BindingKind  string `json:"binding_kind"` // "class" or "device", as in jobs show --json
	Binding      string `json:"binding"`      // the class GUID or the device ID
	Nickname     string `json:"nickname"`
	PasswordMode string `json:"password_mode"`
	// Criteria as in jobs show --json, and in words.
	Criteria     critJSON           `json:"criteria"`
	CriteriaText string             `json:"criteria_text"`
	SkipTooLong  bool               `json:"skip_too_long"`
	Counts       planCountsJSON     `json:"counts"`
	First        string             `json:"first"`
	Last         string             `json:"last"`
	Warnings     []string           `json:"warnings"`
	Refused      string             `json:"refused,omitempty"`
	LeftOut      []leftOutJSON      `json:"left_out"`
	Tokens       []plannedTokenJSON `json:"tokens"`
}

type planCountsJSON struct {
	Tokens        int            `json:"tokens"`
	Redistributed int            `json:"redistributed"`
	LeftOut       int            `json:"left_out"`
	ByReason      map[string]int `json:"left_out_by_reason"`
}

type leftOutJSON struct {
	Serial string `json:"serial"`
	User   string `json:"user"`
	Reason string `json:"reason"`
	// Blocks is true when this token stops the job (a password too long
	// without --skip-too-long).
	Blocks bool `json:"blocks"`
}

type plannedTokenJSON struct {
	Serial           string `json:"serial"`
	User             string `json:"user"`
	TimesDistributed int    `json:"times_distributed"`
}

// newPlanJSON is the plan as JSON; refused is the planner's refusal, if any.
func newPlanJSON(p *jobs.Plan, refused error) planJSON {
	s, spec, c := p.Summary, p.Spec, p.Spec.Criteria
	v := planJSON{
		Job: spec.Name, Profile: spec.Profile,
		Kind: string(spec.Kind), CTFForm: string(spec.CTFForm), CTFShape: string(spec.CTFShape),
		BindingKind:  string(spec.Binding.Kind),
		Binding:      spec.Binding.Value,
		Nickname:     spec.Nickname,
		PasswordMode: string(spec.PasswordMode),
		Criteria: critJSON{From: c.From, To: c.To, All: c.All, AssignedUser: c.AssignedUser,
			NeverDistributed: c.NeverDistributedOnly, Algorithm: string(c.Algorithm)},
		CriteriaText: c.Describe(),
		SkipTooLong:  spec.SkipTooLong,
		Counts: planCountsJSON{Tokens: s.Count, Redistributed: s.Redistributed, LeftOut: s.IneligibleTotal(),
			ByReason: map[string]int{}},
		First: s.First, Last: s.Last,
		Warnings: append([]string{}, s.Warnings(spec)...),
		LeftOut:  make([]leftOutJSON, len(p.LeftOut)),
		Tokens:   make([]plannedTokenJSON, len(p.Selected)),
	}
	if refused != nil {
		v.Refused = refused.Error()
	}
	for r, n := range s.Ineligible {
		v.Counts.ByReason[r.Label()] = n
	}
	for i, l := range p.LeftOut {
		v.LeftOut[i] = leftOutJSON{Serial: l.Serial, User: l.User, Reason: l.Reason.Label(), Blocks: l.Reason.Blocks(spec)}
	}
	for i, t := range p.Selected {
		v.Tokens[i] = plannedTokenJSON{Serial: t.Serial, User: t.User, TimesDistributed: t.TimesDistributed}
	}
	return v
}

// printSelected lists the tokens a dry run would distribute: serial, user
// and how many times each was distributed before.
func printSelected(w io.Writer, p *jobs.Plan) {
	if len(p.Selected) == 0 {
		return
	}
	userW := len("User")
	for _, t := range p.Selected {
		userW = max(userW, utf8.RuneCountInString(model.Printable(t.User)))
	}
	fmt.Fprintf(w, "\n%-12s  %-*s  %s\n", "Serial", userW, "User", "Times distributed")
	for _, t := range p.Selected {
		fmt.Fprintf(w, "%-12s  %-*s  %d\n", t.Serial, userW, model.Printable(t.User), t.TimesDistributed)
	}
	fmt.Fprintln(w)
}

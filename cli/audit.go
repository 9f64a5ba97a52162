package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("audit", command{
		summary: "show the audit trail (newest first), or verify its hash chain",
		usage:   "audit [--action A] [--limit N] [--json] | audit verify",
		run:     runAudit,
	})
}

// knownAuditActions are the actions the store, the engine and swtoken serve
// write to the audit trail, for checking audit --action: a misspelt action
// would otherwise match nothing and look like an empty trail. The store
// keeps no list of them; TestAuditActionsAreWhatTheStoreWrites reads the
// sources of store/, engine/ and ui/sshserve/ and fails when this list and
// theirs differ.
var knownAuditActions = []string{
	"assign",
	"auto-assign",
	"demo load",
	"import tokens",
	"import users",
	"job cancel",
	"job cancel request",
	"job completion",
	"job failure",
	"job requeue",
	"job start",
	"job submit",
	"mail drop",
	"mail failed",
	"mail queue",
	"mail sent",
	"output delete",
	"output download",
	"profile add",
	"profile delete",
	"profile edit",
	"request approve",
	"request cancel",
	"request create",
	"request defer",
	"request fail",
	"request fulfil",
	"request reject",
	"request replace",
	"request token shown",
	"settings save",
	"signing key create",
	"ssh login",
	"ssh refused",
	"ssh session end",
	"token disable",
	"token enable",
	"token follow assignment",
	"unassign",
	"user enrollment ended",
	"user enrollment used",
	"user invite",
	"user key add",
	"user key remove",
}

// auditJSON is the stable JSON form of an audit record. The chain MACs are
// left out: they mean nothing without the key; audit verify checks them.
type auditJSON struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	OSUser    string    `json:"os_user"`
	SSHClient string    `json:"ssh_client"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Details   string    `json:"details"`
}

// auditBroken is a chain that failed verification: exit 1.
type auditBroken struct{ res store.VerifyResult }

func (e *auditBroken) Error() string {
	return fmt.Sprintf("the audit trail is broken at record %d: %s", e.res.FirstBad, e.res.Reason)
}

func runAudit(g Globals, args []string, stdio IO) error {
	if len(args) > 0 && args[0] == "verify" {
		return runAuditVerify(g, args[1:], stdio)
	}
	fs := newFlags("audit")
	action := fs.String("action", "", "only records of this action (for example assign, import tokens)")
	limit := fs.Int("limit", 0, "at most N records (0 = all)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (the subcommand is verify)", pos[0])
	}
	if *limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	if *action != "" && !slices.Contains(knownAuditActions, *action) {
		return usagef("--action %q is not an audit action; the actions are: %s", *action, strings.Join(knownAuditActions, ", "))
	}
	return withStore(g, readOnly, "audit", func(st *store.Store) error {
		recs, err := st.AuditRecords(store.AuditFilter{Action: *action, Limit: *limit})
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]auditJSON, len(recs))
			for i, r := range recs {
				out[i] = auditJSON{Seq: r.Seq, Time: r.Time.UTC(), OSUser: r.OSUser, SSHClient: r.SSHClient,
					Action: r.Action, Object: r.Object, Details: r.Details}
			}
			return writeJSON(stdio.Stdout, out)
		}
		// The action column is as wide as the longest action shown
		// ("ssh session end", "user enrollment ended"), so that the
		// objects line up.
		actionWidth := 14
		for _, r := range recs {
			actionWidth = max(actionWidth, len(r.Action))
		}
		for _, r := range recs {
			who := r.OSUser
			if r.SSHClient != "" {
				who += "@" + r.SSHClient
			}
			line := fmt.Sprintf("%6d  %s  %-16s  %-*s  %s", r.Seq, model.FormatTime(r.Time), who, actionWidth, r.Action, r.Object)
			if r.Details != "" {
				line += ": " + r.Details
			}
			// Details and objects hold file names and other outside
			// text: a newline must not forge a second record on screen,
			// nor an escape sequence recolour or rewrite it.
			fmt.Fprintln(stdio.Stdout, model.Printable(line))
		}
		fmt.Fprintln(stdio.Stdout, plural(len(recs), "record"))
		return nil
	})
}

func runAuditVerify(g Globals, args []string, stdio IO) error {
	fs := newFlags("audit verify")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return withStore(g, readOnly, "audit verify", func(st *store.Store) error {
		res, err := st.VerifyAudit()
		if err != nil {
			return err
		}
		if !res.OK() {
			return &auditBroken{res}
		}
		fmt.Fprintf(stdio.Stdout, "the audit trail is intact: %s, hash chain and head verified\n", plural(res.Count, "record"))
		return nil
	})
}

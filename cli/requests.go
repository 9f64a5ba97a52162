package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("requests", command{
		summary: "make, list, show, approve, reject, defer and cancel self-service token requests",
		usage: "requests add --user U [--profile P] [--device-id ID] [--nickname N] [--password-file F] [--reason R] [--replace SERIAL [--lost]]" +
			" | list [--state S] [--user U] [--json] | show ID [--json]" +
			" | approve|reject|defer ID [--comment C] [--note N] | cancel ID [--comment C]",
		run: runRequests,
	})
}

// requestJSON is the stable JSON form of a request, for list and show
// alike. It never holds a password: password_given only says whether one
// was given. Notes are private to the admins, who are the CLI's users.
type requestJSON struct {
	ID              string             `json:"id"`
	User            string             `json:"user"`
	Kind            string             `json:"kind"`
	Replaces        string             `json:"replaces"`
	LostOrBroken    bool               `json:"lost_or_broken"`
	Profile         string             `json:"profile"`
	BindingKind     string             `json:"binding_kind"`
	Binding         string             `json:"binding"`
	Nickname        string             `json:"nickname"`
	PasswordGiven   bool               `json:"password_given"`
	Reason          string             `json:"reason"`
	Origin          string             `json:"origin"`
	ClientAddr      string             `json:"client_addr"`
	State           string             `json:"state"`
	StateReason     string             `json:"state_reason"`
	ApprovalsGiven  int                `json:"approvals_given"`
	ApprovalsNeeded int                `json:"approvals_needed"`
	Approvals       []approvalOutJSON  `json:"approvals"`
	Deferrals       []approvalOutJSON  `json:"deferrals"`
	History         []requestEventJSON `json:"history"`
	Created         *time.Time         `json:"created"`
	CreatedBy       string             `json:"created_by"`
	Serial          string             `json:"serial"`
	Revision        int                `json:"revision"`
}

type approvalOutJSON struct {
	Admin   string     `json:"admin"`
	At      *time.Time `json:"at"`
	Comment string     `json:"comment"`
	Note    string     `json:"note"`
}

type requestEventJSON struct {
	At      *time.Time `json:"at"`
	Actor   string     `json:"actor"`
	From    string     `json:"from"`
	Action  string     `json:"action"`
	State   string     `json:"state"`
	Comment string     `json:"comment"`
	Note    string     `json:"note"`
}

func newRequestJSON(r model.Request, policy model.ApprovalPolicy) requestJSON {
	j := requestJSON{ID: r.ID(), User: r.User, Kind: string(r.Kind), Replaces: r.Replaces, LostOrBroken: r.LostOrBroken,
		Profile: r.Profile, BindingKind: string(r.Binding.Kind), Binding: r.Binding.Value, Nickname: r.Nickname,
		PasswordGiven: r.HasPassword, Reason: r.Reason, Origin: string(r.Origin), ClientAddr: r.ClientAddr,
		State: string(r.State), StateReason: r.StateReason, ApprovalsGiven: len(r.Approvals), ApprovalsNeeded: policy.Needed(),
		Approvals: []approvalOutJSON{}, Deferrals: []approvalOutJSON{}, History: []requestEventJSON{},
		Created: timeOrNil(r.Created), CreatedBy: r.CreatedBy, Serial: r.Serial, Revision: r.Revision}
	for _, a := range r.Approvals {
		j.Approvals = append(j.Approvals, approvalOutJSON{Admin: a.Admin, At: timeOrNil(a.At), Comment: a.Comment, Note: a.Note})
	}
	for _, a := range r.Deferrals {
		j.Deferrals = append(j.Deferrals, approvalOutJSON{Admin: a.Admin, At: timeOrNil(a.At), Comment: a.Comment, Note: a.Note})
	}
	for _, e := range r.History {
		j.History = append(j.History, requestEventJSON{At: timeOrNil(e.At), Actor: e.Actor, From: e.From, Action: e.Action,
			State: string(e.State), Comment: e.Comment, Note: e.Note})
	}
	return j
}

func runRequests(g Globals, args []string, stdio IO) error {
	decide := func(sub string) subcommandFunc {
		return func(g Globals, args []string, stdio IO) error { return runRequestsDecide(g, sub, args, stdio) }
	}
	return runSubcommand(g, args, stdio, map[string]subcommandFunc{
		"add":     runRequestsAdd,
		"list":    runRequestsList,
		"show":    runRequestsShow,
		"approve": decide("approve"),
		"reject":  decide("reject"),
		"defer":   decide("defer"),
		"cancel":  decide("cancel"),
	}, "expected a subcommand: add, list, show, approve, reject, defer or cancel", "unknown subcommand %q: use add, list, show, approve, reject, defer or cancel")
}

func runRequestsAdd(g Globals, args []string, stdio IO) error {
	fs := newFlags("requests add")
	user := fs.String("user", "", "the user ID the token is for (case-sensitive)")
	profile := fs.String("profile", "", "the profile requested (default: the settings' default profile)")
	deviceID := fs.String("device-id", "", "the device serial number, where the profile's settings allow the user to edit it")
	nickname := fs.String("nickname", "", "the token's nickname")
	passwordFile := fs.String("password-file", "", "file whose first line is the token-file password (- for standard input)")
	reason := fs.String("reason", "", "why the token is requested")
	replace := fs.String("replace", "", "the serial of the token this one replaces")
	lost := fs.Bool("lost", false, "with --replace: the token is lost or broken, replace it outside the replacement window")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	set := flagsSet(fs)
	switch {
	case strings.TrimSpace(*user) == "":
		return usagef("give --user: the user the token is for")
	case set["profile"] && strings.TrimSpace(*profile) == "":
		return usagef("--profile must not be blank (leave it out for the settings' default profile)")
	case *lost && *replace == "":
		return usagef("--lost goes with --replace SERIAL")
	case set["password-file"] && *passwordFile == "":
		return usagef("--password-file must name a file, or - for standard input")
	}
	if *replace != "" {
		if err := checkSerialArg("--replace ", *replace); err != nil {
			return err
		}
	}
	in := model.RequestInput{User: *user, Profile: *profile, Replaces: *replace, LostOrBroken: *lost,
		DeviceSerial: *deviceID, Nickname: *nickname, Reason: *reason, Origin: model.OriginCLI}
	if *replace != "" {
		in.Kind = model.RequestReplacement
	} else {
		in.Kind = model.RequestNew
	}
	if *passwordFile != "" {
		pw, err := readPasswordFile(*passwordFile, stdio.Stdin)
		if err != nil {
			return err
		}
		if pw == "" {
			return fmt.Errorf("password file %s is empty: put the token-file password on its first line, or leave --password-file out", model.Printable(*passwordFile))
		}
		// The file holds the password once; the model's "typed twice"
		// check is for forms.
		in.Password, in.PasswordConfirm = pw, pw
	}
	return withStore(g, readWrite, "requests add", func(st *store.Store) error {
		r, err := st.CreateRequest(in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "request %s created for %s: %s, profile %q, %s\n", r.ID(), model.Printable(r.User),
			requestKindLabel(r), model.Printable(r.Profile), stateLabel(r, policyOf(st)))
		tellUser(st, stdio, func(m *swmail.Mailer) error { return requests.QueueReceived(st, m, r) })
		return nil
	})
}

// requestKindLabel says what a request asks for.
func requestKindLabel(r model.Request) string {
	if r.Kind == model.RequestReplacement {
		s := "replacement of token " + r.Replaces
		if r.LostOrBroken {
			s += " (lost or broken)"
		}
		return s
	}
	return "new token"
}

// stateLabel is the request's state and, while pending, the approvals it
// still needs.
func stateLabel(r model.Request, policy model.ApprovalPolicy) string {
	s := "state " + string(r.State)
	if n := model.ApprovalsMissing(r, policy); n > 0 {
		if len(r.Approvals) > 0 {
			s += fmt.Sprintf(" (approval %d of %d given; %s by a different admin needed)", len(r.Approvals), policy.Needed(), plural(n, "more approval"))
		} else {
			s += fmt.Sprintf(" (needs %s)", plural(n, "approval"))
		}
	}
	if r.State == model.RequestApproved {
		s += " (the token is made and sent by whichever process runs jobs)"
	}
	return s
}

// policyOf is the stored approval policy; the default when the settings
// cannot be read (the label only).
func policyOf(st *store.Store) model.ApprovalPolicy {
	s, err := st.Settings()
	if err != nil {
		return model.DefaultApprovalPolicy
	}
	return s.Policy()
}

func runRequestsList(g Globals, args []string, stdio IO) error {
	fs := newFlags("requests list")
	asJSON := fs.Bool("json", false, "JSON output")
	stateText := fs.String("state", "", "only requests in this state")
	user := fs.String("user", "", "only this user's requests")
	if err := parseNoPositional(fs, args); err != nil {
		return err
	}
	var filter store.RequestFilter
	if *stateText != "" {
		s, err := model.ParseRequestState(*stateText)
		if err != nil {
			return usagef("--state: %v", err)
		}
		filter.States = []model.RequestState{s}
	}
	filter.User = *user
	return withStore(g, readOnly, "requests list", func(st *store.Store) error {
		list, err := st.Requests(filter)
		if err != nil {
			return err
		}
		policy := policyOf(st)
		if *asJSON {
			a := newJSONArray(stdio.Stdout)
			for _, r := range list {
				if err := a.add(newRequestJSON(r, policy)); err != nil {
					return err
				}
			}
			return a.close()
		}
		if len(list) == 0 {
			fmt.Fprintln(stdio.Stdout, "no requests")
			return nil
		}
		printRequestTable(stdio.Stdout, list, policy)
		return nil
	})
}

func printRequestTable(w io.Writer, list []model.Request, policy model.ApprovalPolicy) {
	const format = "%-8s %-16s %-11s %-24s %-9s  %-23s  %s\n"
	fmt.Fprintf(w, format, "ID", "USER", "KIND", "PROFILE", "STATE", "CREATED", "APPROVALS")
	for _, r := range list {
		fmt.Fprintf(w, format, r.ID(), model.Printable(r.User), r.Kind, model.Printable(r.Profile), r.State,
			model.FormatTime(r.Created), fmt.Sprintf("%d/%d", len(r.Approvals), policy.Needed()))
	}
	fmt.Fprintln(w, plural(len(list), "request"))
}

// requestIDArg reads the one positional request ID; a malformed one is a
// usage error.
func requestIDArg(pos []string, sub string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("expected exactly one request ID for %s, like R-12", sub)
	}
	seq, err := model.ParseRequestID(pos[0])
	if err != nil {
		return "", usagef("%v", err)
	}
	return model.RequestID(seq), nil
}

func runRequestsShow(g Globals, args []string, stdio IO) error {
	fs := newFlags("requests show")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	id, err := requestIDArg(pos, "show")
	if err != nil {
		return err
	}
	return withStore(g, readOnly, "requests show "+id, func(st *store.Store) error {
		r, err := findRequest(st, id)
		if err != nil {
			return err
		}
		policy := policyOf(st)
		if *asJSON {
			return writeJSON(stdio.Stdout, newRequestJSON(r, policy))
		}
		printRequest(stdio.Stdout, r, policy)
		return nil
	})
}

// findRequest reads a request, saying how to find one that does not exist.
func findRequest(st *store.Store, id string) (model.Request, error) {
	r, err := st.Request(id)
	if errors.Is(err, store.ErrNotFound) {
		return r, fmt.Errorf("no request %s (see swtoken requests list)", id)
	}
	return r, err
}

func printRequest(w io.Writer, r model.Request, policy model.ApprovalPolicy) {
	line := func(label, value string) { fmt.Fprintf(w, "%-20s %s\n", label+":", model.Printable(value)) }
	line("Request", r.ID())
	line("User", r.User)
	line("Kind", requestKindLabel(r))
	line("Profile", r.Profile)
	line("DeviceSerialNumber", r.Binding.String())
	line("Nickname", orNone(r.Nickname, "(none)"))
	if r.HasPassword {
		line("Password", "given")
	} else {
		line("Password", "none")
	}
	line("Reason", orNone(r.Reason, "(none)"))
	origin := string(r.Origin)
	if r.ClientAddr != "" {
		origin += " (" + r.ClientAddr + ")"
	}
	line("Origin", origin)
	line("Created", model.FormatTime(r.Created)+" by "+r.CreatedBy)
	line("State", string(r.State))
	if r.StateReason != "" {
		line("State reason", r.StateReason)
	}
	line("Approvals", fmt.Sprintf("%d of %d (%s)", len(r.Approvals), policy.Needed(), policy.Label()))
	if r.Serial != "" {
		line("Token", r.Serial)
	}
	line("Revision", fmt.Sprint(r.Revision))
	fmt.Fprintln(w, "History:")
	for _, e := range r.History {
		actor := e.Actor
		if e.From != "" {
			actor += " (from " + e.From + ")"
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", model.FormatTime(e.At), model.Printable(actor), model.Printable(e.Action))
		if e.Comment != "" {
			fmt.Fprintf(w, "    comment to the user: %s\n", model.Printable(e.Comment))
		}
		if e.Note != "" {
			fmt.Fprintf(w, "    private note: %s\n", model.Printable(e.Note))
		}
	}
}

func runRequestsDecide(g Globals, sub string, args []string, stdio IO) error {
	fs := newFlags("requests " + sub)
	comment := fs.String("comment", "", "the comment to the user")
	var note *string
	if sub != "cancel" {
		note = fs.String("note", "", "a private note for the admins")
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	id, err := requestIDArg(pos, sub)
	if err != nil {
		return err
	}
	if sub == "reject" && strings.TrimSpace(*comment) == "" {
		return usagef("reject needs --comment: the user is told why")
	}
	d := store.RequestDecision{ID: id, Comment: *comment}
	if note != nil {
		d.Note = *note
	}
	return withStore(g, readWrite, "requests "+sub+" "+id, func(st *store.Store) error {
		// Compare-and-swap: decide on the revision read here; a change by
		// another admin in between is refused with their name.
		cur, err := findRequest(st, id)
		if err != nil {
			return err
		}
		d.Revision = cur.Revision
		var r model.Request
		switch sub {
		case "approve":
			r, err = st.ApproveRequest(d)
		case "reject":
			r, err = st.RejectRequest(d)
		case "defer":
			r, err = st.DeferRequest(d)
		case "cancel":
			r, err = st.CancelRequest(d)
		}
		if err != nil {
			return err
		}
		verb := map[string]string{"approve": "approved", "reject": "rejected", "defer": "deferred", "cancel": "canceled"}[sub]
		fmt.Fprintf(stdio.Stdout, "%s %s: %s\n", verb, r.ID(), stateLabel(r, policyOf(st)))
		if sub == "reject" {
			tellUser(st, stdio, func(m *swmail.Mailer) error { return requests.QueueRejected(st, m, r, d.Comment) })
		}
		return nil
	})
}

// tellUser queues a message to a request's user after the store committed
// the change; a message that cannot be queued is said on standard error
// and does not undo the change (DECISIONS "Request e-mails").
func tellUser(st *store.Store, stdio IO, queue func(*swmail.Mailer) error) {
	m, err := requests.NewMailer(st)
	if err == nil {
		err = queue(m)
	}
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "swtoken: warning: %s (the change is saved)\n", model.Printable(err.Error()))
		return
	}
	fmt.Fprintln(stdio.Stdout, "The message to the user is in the outbox (swtoken mail send sends it).")
}

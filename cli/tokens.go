package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("tokens", command{
		summary: "list tokens (never their seeds); enable or disable a token, or let it follow its assignment again",
		usage:   "tokens list [--from S] [--to S] [--user U] [--unassigned] [--expiring-days N] [--json] | tokens enable|disable|auto SERIAL",
		run:     runTokens,
	})
}

// tokenJSON is the stable JSON form of a token. It has no seed field, not
// even the sealed one.
type tokenJSON struct {
	Serial            string           `json:"serial"`
	Kind              string           `json:"kind"`
	Algorithm         string           `json:"algorithm"`
	Birth             string           `json:"birth"` // YYYY-MM-DD or ""
	Death             string           `json:"death"` // YYYY-MM-DD
	Expired           bool             `json:"expired"`
	DaysLeft          int              `json:"days_left"` // negative once expired
	Enabled           bool             `json:"enabled"`
	EnabledSetByAdmin bool             `json:"enabled_set_by_admin"`
	AssignedUser      string           `json:"assigned_user"` // "" when unassigned
	Distribution      distributionJSON `json:"distribution"`
}

type distributionJSON struct {
	Count       int        `json:"count"`
	LastJob     string     `json:"last_job"`
	LastAt      *time.Time `json:"last_at"` // null when never distributed
	Binding     string     `json:"binding"`
	BindingKind string     `json:"binding_kind"` // "class", "device" or ""
	Nickname    string     `json:"nickname"`
}

func newTokenJSON(t model.Token, at time.Time) tokenJSON {
	d := t.Distribution
	return tokenJSON{
		Serial: t.Serial, Kind: string(t.Kind), Algorithm: string(t.Algorithm),
		Birth: dateOnly(t.Birth), Death: dateOnly(t.Death),
		Expired: t.Expired(at), DaysLeft: t.DaysLeft(at),
		Enabled: t.Enabled, EnabledSetByAdmin: t.EnabledSetByAdmin, AssignedUser: t.AssignedUser,
		Distribution: distributionJSON{
			Count: d.Count, LastJob: d.LastJob, LastAt: timeOrNil(d.LastAt),
			Binding: d.Binding, BindingKind: string(d.BindingKind), Nickname: d.Nickname,
		},
	}
}

// tokenQuery is what tokens list selects.
type tokenQuery struct {
	from, to     string
	user         string
	unassigned   bool
	expiringDays int // < 0: no filter
}

// each streams the selected tokens to fn, using the narrowest store query
// and applying every filter (the same model predicates the store uses).
func (q tokenQuery) each(st *store.Store, at time.Time, fn func(model.Token) error) error {
	keep := func(t model.Token) bool {
		switch {
		case q.user != "" && t.AssignedUser != q.user:
			return false
		case q.unassigned && t.AssignedUser != "":
			return false
		case q.expiringDays >= 0 && !t.ExpiresWithin(at, q.expiringDays):
			return false
		}
		return true
	}
	filtered := func(t model.Token) error {
		if keep(t) {
			return fn(t)
		}
		return nil
	}
	var (
		toks []model.Token
		err  error
	)
	switch {
	case q.from != "" || q.to != "":
		from, to := q.from, q.to
		if from == "" {
			from = "0"
		}
		if to == "" {
			to = strings.Repeat("9", model.SoftwareSerialLen)
		}
		toks, err = st.TokensInRange(from, to)
	case q.user != "":
		toks, err = st.TokensByUser(q.user)
	case q.unassigned:
		toks, err = st.UnassignedTokens()
	case q.expiringDays >= 0:
		toks, err = st.ExpiringTokens(at, q.expiringDays)
	default:
		return st.EachToken(filtered)
	}
	if err != nil {
		return err
	}
	for _, t := range toks {
		if err := filtered(t); err != nil {
			return err
		}
	}
	return nil
}

func runTokens(g Globals, args []string, stdio IO) error {
	if len(args) == 0 {
		return usagef("expected the subcommand list, enable, disable or auto")
	}
	switch args[0] {
	case "list":
		return runTokensList(g, args[1:], stdio)
	case "enable", "disable", "auto":
		return runTokenEnabled(g, args[0], args[1:], stdio)
	}
	return usagef("unknown subcommand %q: expected the subcommand list, enable, disable or auto", args[0])
}

// runTokenEnabled is tokens enable|disable|auto SERIAL: the admin's
// explicit enabled flag (model.Token.SetEnabled), or back to following the
// assignment (model.Token.FollowAssignment). A token already in the asked
// state is reported as such and nothing is written.
func runTokenEnabled(g Globals, sub string, args []string, stdio IO) error {
	fs := newFlags("tokens " + sub)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("tokens %s needs the token's serial", sub)
	case len(pos) > 1:
		return usagef("unexpected argument %q", pos[1])
	}
	serial := pos[0]
	if err := checkSerialArg("", serial); err != nil {
		return err
	}
	return withStore(g, readWrite, "tokens "+sub+" "+serial, func(st *store.Store) error {
		// The store is held exclusively for the whole command, so the
		// token read here is the one the change starts from.
		before, err := st.Token(serial)
		if err != nil {
			return err
		}
		var after model.Token
		if sub == "auto" {
			after, err = st.SetTokenEnabledAuto(serial)
		} else {
			after, err = st.SetTokenEnabled(serial, sub == "enable")
		}
		if err != nil {
			return err
		}
		state := enabledText(after)
		switch {
		case sub == "auto" && !before.EnabledSetByAdmin:
			fmt.Fprintf(stdio.Stdout, "token %s already follows its assignment: %s; nothing changed\n", serial, state)
		case sub == "auto":
			fmt.Fprintf(stdio.Stdout, "token %s follows its assignment again: %s\n", serial, state)
		case before.EnabledSetByAdmin && before.Enabled == after.Enabled:
			fmt.Fprintf(stdio.Stdout, "token %s is already %s; nothing changed\n", serial, state)
		default:
			fmt.Fprintf(stdio.Stdout, "token %s %s (set by the admin: assigning or unassigning it no longer changes this; tokens auto %s undoes it)\n",
				serial, state, serial)
		}
		return nil
	})
}

// enabledText is the token's flag and why it has that value.
func enabledText(t model.Token) string {
	w := "disabled"
	if t.Enabled {
		w = "enabled"
	}
	if t.EnabledSetByAdmin {
		return w
	}
	if t.AssignedUser == "" {
		return w + " (unassigned)"
	}
	return w + " (assigned to " + t.AssignedUser + ")"
}

func runTokensList(g Globals, args []string, stdio IO) error {
	fs := newFlags("tokens list")
	var q tokenQuery
	fs.StringVar(&q.from, "from", "", "first serial of the range (inclusive, numeric)")
	fs.StringVar(&q.to, "to", "", "last serial of the range (inclusive, numeric)")
	fs.StringVar(&q.user, "user", "", "only the tokens of this user ID")
	fs.BoolVar(&q.unassigned, "unassigned", false, "only tokens without a user")
	fs.IntVar(&q.expiringDays, "expiring-days", -1, "only unexpired tokens that expire within N days")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := checkRangeArgs(q.from, q.to, flagsSet(fs)["from"], flagsSet(fs)["to"]); err != nil {
		return err
	}
	if q.user != "" && q.unassigned {
		return usagef("--user and --unassigned exclude each other")
	}
	if flagsSet(fs)["expiring-days"] && q.expiringDays < 0 {
		return usagef("--expiring-days must be 0 or more")
	}
	at := now()
	return withStore(g, readOnly, "tokens list", func(st *store.Store) error {
		if *asJSON {
			arr := newJSONArray(stdio.Stdout)
			if err := q.each(st, at, func(t model.Token) error { return arr.add(newTokenJSON(t, at)) }); err != nil {
				return err
			}
			return arr.close()
		}
		n := 0
		err := q.each(st, at, func(t model.Token) error {
			if n == 0 {
				fmt.Fprintf(stdio.Stdout, "%-12s  %-8s  %-9s  %-10s  %-8s  %4s  %s\n", "SERIAL", "KIND", "ALGORITHM", "DEATH", "STATE", "DIST", "USER")
			}
			n++
			return writeTokenRow(stdio.Stdout, t, at)
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdio.Stdout, plural(n, "token"))
		return nil
	})
}

func writeTokenRow(w io.Writer, t model.Token, at time.Time) error {
	state := "disabled"
	switch {
	case t.Expired(at):
		state = "expired"
	case t.Enabled:
		state = "enabled"
	}
	user := t.AssignedUser
	if user == "" {
		user = "-"
	}
	_, err := fmt.Fprintf(w, "%-12s  %-8s  %-9s  %-10s  %-8s  %4d  %s\n",
		t.Serial, t.Kind, t.Algorithm, dateOnly(t.Death), state, t.Distribution.Count, model.Printable(user))
	return err
}

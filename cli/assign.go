package cli

import (
	"fmt"

	"github.com/swtoken/swtoken/model"

	"github.com/swtoken/swtoken/store"
)

func init() {
	register("assign", command{
		summary: "assign a token to a user, or pair unassigned tokens with users who hold none",
		usage:   "assign (--serial S --user U | --auto [--json])",
		run:     runAssign,
	})
	register("unassign", command{
		summary: "take a token from its user",
		usage:   "unassign --serial S",
		run:     runUnassign,
	})
}

// assignmentJSON is one pair made by assign --auto --json.
type assignmentJSON struct {
	Serial string `json:"serial"`
	UserID string `json:"user_id"`
}

func runAssign(g Globals, args []string, stdio IO) error {
	fs := newFlags("assign")
	serial := fs.String("serial", "", "the token's serial")
	user := fs.String("user", "", "the user ID (case-sensitive)")
	auto := fs.Bool("auto", false, "give each user without a token one unassigned, unexpired software token")
	asJSON := fs.Bool("json", false, "with --auto: print the pairs as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	switch {
	case *auto && (*serial != "" || *user != ""):
		return usagef("give either --auto or --serial and --user, not both")
	case *auto:
		return withStore(g, readWrite, "auto-assign", func(st *store.Store) error {
			pairs, err := st.AutoAssign()
			if err != nil {
				return err
			}
			if *asJSON {
				out := make([]assignmentJSON, len(pairs))
				for i, p := range pairs {
					out[i] = assignmentJSON{Serial: p.Serial, UserID: p.UserID}
				}
				return writeJSON(stdio.Stdout, out)
			}
			for _, p := range pairs {
				fmt.Fprintf(stdio.Stdout, "assigned %s to %s\n", p.Serial, p.UserID)
			}
			if len(pairs) == 0 {
				fmt.Fprintln(stdio.Stdout, "nothing to assign: no user without a token, or no unassigned, unexpired software token")
				return nil
			}
			fmt.Fprintf(stdio.Stdout, "assigned %s\n", plural(len(pairs), "token"))
			return nil
		})
	case *asJSON:
		return usagef("--json goes with --auto")
	case *serial == "" || *user == "":
		return usagef("give --serial and --user, or --auto")
	}
	if err := checkSerialArg("--serial ", *serial); err != nil {
		return err
	}
	return withStore(g, readWrite, "assign token "+*serial, func(st *store.Store) error {
		if err := st.Assign(*serial, *user); err != nil {
			// Assigning a token to the user who holds it changes nothing
			// and succeeds, as disabling a disabled token does.
			if tok, terr := st.Token(*serial); terr == nil && tok.AssignedUser == *user {
				fmt.Fprintf(stdio.Stdout, "token %s is already assigned to %s; nothing changed\n", tok.Serial, model.Printable(*user))
				return nil
			}
			return err
		}
		fmt.Fprintf(stdio.Stdout, "assigned %s to %s\n", *serial, *user)
		return nil
	})
}

func runUnassign(g Globals, args []string, stdio IO) error {
	fs := newFlags("unassign")
	serial := fs.String("serial", "", "the token's serial")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *serial == "" {
		return usagef("give --serial")
	}
	if err := checkSerialArg("--serial ", *serial); err != nil {
		return err
	}
	return withStore(g, readWrite, "unassign token "+*serial, func(st *store.Store) error {
		tok, err := st.Token(*serial)
		if err != nil {
			return err
		}
		if err := st.Unassign(*serial); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "unassigned %s from %s\n", *serial, tok.AssignedUser)
		return nil
	})
}

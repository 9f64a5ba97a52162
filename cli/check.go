package cli

import (
	"errors"
	"fmt"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("check", command{
		summary: "check the whole store read-only: database pages, indexes, sealed seeds, audit chain (exit 0 consistent, 1 damaged)",
		usage:   "check",
		run:     runCheck,
	})
}

// runCheck runs store.Store.CheckCounts on the store opened read-only (a
// shared hold for one read transaction; it changes nothing). A damaged
// store is exit 1 with one line per problem, as *store.CheckError words
// them.
func runCheck(g Globals, args []string, stdio IO) error {
	fs := newFlags("check")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return withStore(g, readOnly, "check", func(st *store.Store) error {
		n, err := st.CheckCounts()
		var damaged *store.CheckError
		if errors.As(err, &damaged) {
			// One line per problem on stderr (the error line of report()
			// is one line: it would show the newlines escaped).
			for _, p := range damaged.Problems {
				fmt.Fprintf(stdio.Stderr, "  %s\n", model.Printable(p))
			}
			if damaged.Omitted > 0 {
				fmt.Fprintf(stdio.Stderr, "  ... and %d more\n", damaged.Omitted)
			}
			return fmt.Errorf("store %s is damaged: %s found (listed above)", damaged.Path, plural(len(damaged.Problems)+damaged.Omitted, "problem"))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "store is consistent: database pages intact; %s (each seed sealed for its token), %s, %s and %s agree with their indexes; audit chain of %s verified\n",
			plural(n.Tokens, "token"), plural(n.Users, "user"), plural(n.Profiles, "profile"), plural(n.Jobs, "job"), plural(n.AuditRecords, "record"))
		return nil
	})
}

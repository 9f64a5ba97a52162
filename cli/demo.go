package cli

import (
	"fmt"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("demo", command{
		summary: "load the demo inventory into an empty store",
		usage:   "demo [--users N] [--tokens N]",
		run:     runDemo,
	})
}

func runDemo(g Globals, args []string, stdio IO) error {
	fs := newFlags("demo")
	users := fs.Int("users", inventory.DefaultDemoUsers, "number of users")
	tokens := fs.Int("tokens", inventory.DefaultDemoTokens, "number of tokens")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"--users", *users}, {"--tokens", *tokens}} {
		if v.n < 0 || v.n > inventory.MaxDemoSize {
			return usagef("%s must be 0 to %d (got %d)", v.name, inventory.MaxDemoSize, v.n)
		}
	}
	at := now()
	return withStore(g, readWrite, fmt.Sprintf("load demo inventory (%d users, %d tokens)", *users, *tokens), func(st *store.Store) error {
		s, err := inventory.LoadDemo(st, *users, *tokens, at)
		if err != nil {
			return err
		}
		// The demo is a ready installation: its signing key is made now,
		// not inside the first job (docs/DECISIONS.md).
		if err := jobs.New(st, jobs.Options{}).Prepare(); err != nil {
			return err
		}
		w := stdio.Stdout
		fmt.Fprintf(w, "loaded the demo inventory into %s\n", st.DataDir())
		fmt.Fprintf(w, "  profiles: %d (%d offered for self-service request)\n", s.Profiles, s.SelectedProfiles)
		fmt.Fprintf(w, "  users:    %d\n", s.Users)
		fmt.Fprintf(w, "  tokens:   %d (%d AES-128, %d SID-64)\n", s.Tokens, s.AES128, s.SID64)
		fmt.Fprintf(w, "            %d assigned, %d expiring within %d days, %d expired, %d distributed before\n",
			s.Assigned, s.Expiring, s.ReplacementWindowDays, s.Expired, s.Distrib)
		return nil
	})
}

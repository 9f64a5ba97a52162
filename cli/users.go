package cli

import (
	"fmt"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("users", command{
		summary: "list users with the number of tokens each holds; register their SSH keys and invite them to the Self-Service Console",
		usage:   "users list [--json] | users keys add USER [FILE|-] | users keys list USER [--json] | users keys remove USER FINGERPRINT | users invite USER [--mail] [--address HOST:PORT]",
		run:     runUsers,
	})
}

// userJSON is the stable JSON form of a user.
type userJSON struct {
	UserID    string `json:"user_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Tokens    int    `json:"tokens"` // how many tokens the user holds
}

func runUsers(g Globals, args []string, stdio IO) error {
	if len(args) > 0 && args[0] == "keys" {
		return runUsersKeys(g, args[1:], stdio)
	}
	if len(args) > 0 && args[0] == "invite" {
		return runUsersInvite(g, args[1:], stdio)
	}
	if len(args) == 0 || args[0] != "list" {
		return usagef("expected the subcommand list, keys or invite")
	}
	fs := newFlags("users list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return withStore(g, readOnly, "users list", func(st *store.Store) error {
		// One pass over the tokens counts every user's tokens, instead of
		// one index lookup per user.
		held := map[string]int{}
		if err := st.EachToken(func(t model.Token) error {
			if t.AssignedUser != "" {
				held[t.AssignedUser]++
			}
			return nil
		}); err != nil {
			return err
		}
		if *asJSON {
			arr := newJSONArray(stdio.Stdout)
			if err := st.EachUser(func(u model.User) error {
				return arr.add(userJSON{UserID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Tokens: held[u.ID]})
			}); err != nil {
				return err
			}
			return arr.close()
		}
		n := 0
		err := st.EachUser(func(u model.User) error {
			if n == 0 {
				fmt.Fprintf(stdio.Stdout, "%-20s  %6s  %-30s  %s\n", "USER ID", "TOKENS", "NAME", "E-MAIL")
			}
			n++
			_, err := fmt.Fprintf(stdio.Stdout, "%-20s  %6d  %-30s  %s\n", model.Printable(u.ID), held[u.ID], model.Printable(u.FullName()), model.Printable(u.Email))
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdio.Stdout, plural(n, "user"))
		return nil
	})
}

package cli

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// `swtoken users invite USER [--mail] [--address HOST:PORT]`: a one-time
// enrollment code for the Self-Service Console over SSH (product.md
// section 13), printed once or mailed, never both.

// DefaultServePort is the port `swtoken serve` listens on by default.
const DefaultServePort = requests.DefaultServePort

// sshCommandFor is the line a user types to reach the console
// (requests.SSHCommand).
func sshCommandFor(user, host, port string) string { return requests.SSHCommand(user, host, port) }

// parseServeAddress reads --address HOST:PORT (or HOST, port 2222).
func parseServeAddress(addr string) (host, port string, err error) {
	if addr == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "localhost"
		}
		return h, DefaultServePort, nil
	}
	host, port = addr, DefaultServePort
	if h, p, err := net.SplitHostPort(addr); err == nil {
		host, port = h, p
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", usagef("--address %q: the port must be a number from 1 to 65535", addr)
	}
	if host == "" || strings.ContainsAny(host, " \t@/'\"") || model.Printable(host) != host {
		return "", "", usagef("--address %q: give the host name (or address) and port users connect to, as HOST:PORT", addr)
	}
	return host, port, nil
}

func runUsersInvite(g Globals, args []string, stdio IO) error {
	fs := newFlags("users invite")
	byMail := fs.Bool("mail", false, "send the code by e-mail only")
	address := fs.String("address", "", "HOST:PORT users connect to")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("users invite needs the user ID")
	}
	if len(pos) > 1 {
		return usagef("unexpected argument %q", pos[1])
	}
	user := pos[0]
	host, port, err := parseServeAddress(*address)
	if err != nil {
		return err
	}
	sshCmd := sshCommandFor(user, host, port)
	return withStore(g, readWrite, "users invite "+user, func(st *store.Store) error {
		if *byMail {
			m, err := requests.NewMailer(st)
			if err != nil {
				return err
			}
			inv, _, err := requests.MailInvitation(st, m, user, sshCmd, now())
			if err != nil {
				return err
			}
			u, _ := st.User(user)
			fmt.Fprintf(stdio.Stdout, "The enrollment code of user %s was mailed to %s; it works once, until %s.\n",
				model.Printable(user), model.Printable(u.Email), model.FormatTime(inv.Expires))
			fmt.Fprintln(stdio.Stdout, "The message is in the outbox (swtoken mail send sends it).")
			return nil
		}
		inv, err := st.InviteUser(user, now())
		if err != nil {
			return err
		}
		w := stdio.Stdout
		fmt.Fprintf(w, "Enrollment code for user %s (shown only this once):\n\n  %s\n\n", model.Printable(user), inv.Code)
		fmt.Fprintf(w, "It works once, until %s; five wrong tries end it. An earlier code of the user no longer works.\n", model.FormatTime(inv.Expires))
		fmt.Fprintf(w, "Give the user the code and this line to log in to the Self-Service Console:\n\n  %s\n", sshCmd)
		return nil
	})
}

package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// `swtoken users keys add|list|remove`: the SSH public keys a user logs in
// to `swtoken serve` with (product.md section 13).

// maxKeysFileBytes bounds an authorized_keys file read by keys add.
const maxKeysFileBytes = 1 << 20

// userKeyJSON is the stable JSON form of a user's key.
type userKeyJSON struct {
	Fingerprint string    `json:"fingerprint"`
	Type        string    `json:"type"`
	Comment     string    `json:"comment"`
	Added       time.Time `json:"added"`
	AddedBy     string    `json:"added_by"`
}

func runUsersKeys(g Globals, args []string, stdio IO) error {
	if len(args) > 0 && isHelpFlag(args[0]) {
		return flag.ErrHelp
	}
	return runSubcommand(g, args, stdio, map[string]subcommandFunc{
		"add":    runUsersKeysAdd,
		"list":   runUsersKeysList,
		"remove": runUsersKeysRemove,
	}, "expected users keys add, list or remove", "unknown subcommand users keys %q; expected add, list or remove")
}

// keyLine is a key read from an authorized_keys file with its line number.
type keyLine struct {
	line int
	key  model.SSHKey
}

// readKeyLines reads authorized_keys lines: blank lines and # comments are
// skipped; every other line must be a key ParseSSHKey accepts, and each
// problem names its line. All lines valid, or an error listing every bad
// one.
func readKeyLines(r io.Reader, name string) ([]keyLine, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeysFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxKeysFileBytes {
		return nil, fmt.Errorf("%s is larger than %d KiB: this is not a file of public keys", name, maxKeysFileBytes>>10)
	}
	var out []keyLine
	var problems []string
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64<<10), maxKeysFileBytes)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, err := model.ParseSSHKey(text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		if prev, ok := seen[k.Fingerprint]; ok {
			problems = append(problems, fmt.Sprintf("line %d: the same key as line %d (%s)", n, prev, k.Fingerprint))
			continue
		}
		seen[k.Fingerprint] = n
		out = append(out, keyLine{line: n, key: k})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s; no key was added", name, strings.Join(problems, "; "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no public key (only blank lines and comments); no key was added", name)
	}
	return out, nil
}

func runUsersKeysAdd(g Globals, args []string, stdio IO) error {
	fs := newFlags("users keys add")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("users keys add needs the user ID")
	}
	if len(pos) > 2 {
		return usagef("unexpected argument %q", pos[2])
	}
	user := pos[0]
	var r io.Reader = stdio.Stdin
	name := "standard input"
	if len(pos) == 2 && pos[1] != "-" {
		f, err := os.Open(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, pos[1]
	}
	lines, err := readKeyLines(r, name)
	if err != nil {
		return err
	}
	return withStore(g, readWrite, "users keys add "+user, func(st *store.Store) error {
		if _, err := st.User(user); err != nil {
			return err
		}
		fps := make([]string, len(lines))
		for i, l := range lines {
			fps[i] = l.key.Fingerprint
		}
		owners, err := st.KeyOwners(fps)
		if err != nil {
			return err
		}
		var problems []string
		for _, l := range lines {
			if owner, ok := owners[l.key.Fingerprint]; ok {
				problems = append(problems, fmt.Sprintf("line %d: key %s is registered already for user %s (a key names one user)", l.line, l.key.Fingerprint, model.Printable(owner)))
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("%s: %s; no key was added", name, strings.Join(problems, "; "))
		}
		keys := make([]model.SSHKey, len(lines))
		for i, l := range lines {
			keys[i] = l.key
		}
		added, err := st.AddUserKeys(user, keys)
		if err != nil {
			return fmt.Errorf("%w; no key was added", err)
		}
		fmt.Fprintf(stdio.Stdout, "added %s for user %s:\n", plural(len(added), "key"), model.Printable(user))
		for _, k := range added {
			fmt.Fprintf(stdio.Stdout, "  %s  %s  %s\n", k.Fingerprint, k.Type, model.Printable(k.Comment))
		}
		return nil
	})
}

func runUsersKeysList(g Globals, args []string, stdio IO) error {
	fs := newFlags("users keys list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("users keys list needs the user ID")
	}
	if len(pos) > 1 {
		return usagef("unexpected argument %q", pos[1])
	}
	user := pos[0]
	return withStore(g, readOnly, "users keys list "+user, func(st *store.Store) error {
		keys, err := st.UserKeys(user)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]userKeyJSON, len(keys))
			for i, k := range keys {
				out[i] = userKeyJSON{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, Added: k.Added.UTC(), AddedBy: k.AddedBy}
			}
			return writeJSON(stdio.Stdout, out)
		}
		if len(keys) > 0 {
			fmt.Fprintf(stdio.Stdout, "%-50s  %-20s  %-24s  %-12s  %s\n", "FINGERPRINT", "TYPE", "ADDED", "ADDED BY", "COMMENT")
		}
		for _, k := range keys {
			fmt.Fprintf(stdio.Stdout, "%-50s  %-20s  %-24s  %-12s  %s\n", k.Fingerprint, k.Type, model.FormatTime(k.Added),
				model.Printable(k.AddedBy), model.Printable(k.Comment))
		}
		fmt.Fprintf(stdio.Stdout, "%s\n", plural(len(keys), "key"))
		live, expires, err := st.EnrollmentStatus(user, now())
		if err != nil {
			return err
		}
		if live {
			fmt.Fprintf(stdio.Stdout, "An enrollment code is waiting to be used, until %s.\n", model.FormatTime(expires))
		}
		return nil
	})
}

func runUsersKeysRemove(g Globals, args []string, stdio IO) error {
	fs := newFlags("users keys remove")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		if len(pos) > 2 {
			return usagef("unexpected argument %q", pos[2])
		}
		return usagef("users keys remove needs the user ID and the key's fingerprint (see users keys list USER)")
	}
	user, fp := pos[0], store.NormalizeFingerprint(pos[1])
	if len(fp) <= len("SHA256:") {
		return usagef("%q is not a key fingerprint; it looks like SHA256:... (see users keys list USER)", pos[1])
	}
	return withStore(g, readWrite, "users keys remove "+user, func(st *store.Store) error {
		if err := st.RemoveUserKey(user, fp); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w; nothing was removed", err)
			}
			return err
		}
		fmt.Fprintf(stdio.Stdout, "removed key %s of user %s\n", fp, model.Printable(user))
		return nil
	})
}

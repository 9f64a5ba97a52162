package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("import", command{
		summary: "import token record files (SDTID) or users from a CSV file",
		usage:   "import tokens FILE... [--password-file F] [--overwrite] [--partial] | import users FILE.csv [--update] [--partial]",
		run:     runImport,
	})
}

func runImport(g Globals, args []string, stdio IO) error {
	if len(args) == 0 {
		return usagef("expected tokens or users")
	}
	switch args[0] {
	case "tokens":
		return runImportTokens(g, args[1:], stdio)
	case "users":
		return runImportUsers(g, args[1:], stdio)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef("unknown import kind %q; expected tokens or users", args[0])
}

// runImportTokens imports token record files. Exit status: 0 when nothing
// was rejected; 1 when anything was rejected, also with --partial after the
// valid tokens were imported, so that a script notices.
func runImportTokens(g Globals, args []string, stdio IO) error {
	fs := newFlags("import tokens")
	pwFile := fs.String("password-file", "", "read the files' password from F (- = standard input)")
	overwrite := fs.Bool("overwrite", false, "replace tokens whose serial exists already")
	partial := fs.Bool("partial", false, "import the valid tokens even if some are rejected")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("expected at least one token FILE")
	}
	var fopts inventory.TokenFileOptions
	if *pwFile != "" {
		if fopts.Password, err = readPasswordFile(*pwFile, stdio.Stdin); err != nil {
			return err
		}
	} else {
		fopts.AskPassword = func() (string, error) {
			pw, err := promptPassword("Token file password: ", stdio)
			if errors.Is(err, errNoPassword) {
				return "", errors.New("give it with --password-file F")
			}
			return pw, err
		}
	}
	// The import reads each file when it gets to it: one file (at most
	// 64 KiB) in memory at a time; a path that is no regular file or is
	// too large is refused before it is read.
	inputs := make([]inventory.NamedData, len(files))
	for i, f := range files {
		inputs[i] = inventory.NamedData{Name: f, Path: f}
	}
	opts := store.ImportOptions{Overwrite: *overwrite, Partial: *partial}
	return withStore(g, readWrite, fmt.Sprintf("import tokens (%s)", plural(len(files), "file")), func(st *store.Store) error {
		res, err := inventory.ImportTokenFiles(st, inputs, fopts, opts)
		if refused := (*store.ImportRejectedError)(nil); err != nil && !errors.As(err, &refused) {
			return err
		}
		return printImport(stdio.Stdout, res, opts, "token")
	})
}

func runImportUsers(g Globals, args []string, stdio IO) error {
	fs := newFlags("import users")
	update := fs.Bool("update", false, "update users whose user ID exists already")
	partial := fs.Bool("partial", false, "import the valid lines even if some are rejected")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("expected exactly one FILE.csv (- = standard input)")
	}
	var r io.Reader
	name := files[0]
	if name == "-" {
		r = stdio.Stdin
		name = "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	opts := store.ImportOptions{Overwrite: *update, Partial: *partial}
	return withStore(g, readWrite, "import users from "+name, func(st *store.Store) error {
		res, err := inventory.ImportUsersCSV(st, r, "users CSV "+name, opts)
		var refused *store.ImportRejectedError
		if errors.As(err, &refused) {
			return printImport(stdio.Stdout, res, opts, "user")
		}
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was imported", name, err)
		}
		return printImport(stdio.Stdout, res, opts, "user")
	})
}

// printImport prints the counts and one line per rejection, and returns an
// error (exit 1) when anything was rejected: without --partial nothing was
// imported then; with it the valid items were, and the status still tells
// a script that something was left out.
func printImport(w io.Writer, res store.ImportResult, opts store.ImportOptions, what string) error {
	if opts.Overwrite {
		fmt.Fprintf(w, "imported %d, updated %d, skipped %d, rejected %d\n", res.Imported, res.Updated, res.Skipped, len(res.Rejected))
	} else {
		fmt.Fprintf(w, "imported %d, skipped %d, rejected %d\n", res.Imported, res.Skipped, len(res.Rejected))
	}
	if res.KeysAdded > 0 {
		fmt.Fprintf(w, "added %s (the ssh_keys column)\n", plural(res.KeysAdded, "SSH key"))
	}
	for _, r := range res.Rejected {
		fmt.Fprintf(w, "rejected: %s: %s\n", model.Printable(r.Item), model.Printable(r.Reason))
	}
	if len(res.Rejected) == 0 {
		return nil
	}
	if opts.Partial {
		// Say what happened: with --partial the valid items may all have
		// been skipped (they exist already), and then nothing was written.
		skipped := ""
		switch {
		case res.Skipped > 0 && opts.Overwrite:
			skipped = fmt.Sprintf(" (%s skipped: already in the store as given)", plural(res.Skipped, what))
		case res.Skipped > 0:
			fix := "--overwrite"
			if what == "user" {
				fix = "--update"
			}
			skipped = fmt.Sprintf(" (%s skipped: already in the store; %s replaces them)", plural(res.Skipped, what), fix)
		}
		if res.Imported+res.Updated == 0 {
			return fmt.Errorf("%d rejected; nothing was imported%s", len(res.Rejected), skipped)
		}
		return fmt.Errorf("%d rejected; the valid %ss were imported%s", len(res.Rejected), what, skipped)
	}
	return fmt.Errorf("%d rejected, so nothing was imported (an import is all or nothing; --partial imports the valid %ss)",
		len(res.Rejected), what)
}

// Package cli is swtoken's headless command line. Every subcommand calls the
// same engine and store functions as the console; no workflow exists twice.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/swtoken/swtoken/model"
)

// Version is the release version; release builds set it with
// -ldflags "-X github.com/swtoken/swtoken/cli.Version=1.2.3".
var Version = "0.1.0-dev"

// Exit statuses, as product.md section 8 fixes them, and README's "Exit
// codes" table (TestExitCodes checks each row).
const (
	ExitOK      = 0 // success, a no-op included
	ExitFailure = 1 // refused or failed; nothing changed
	ExitUsage   = 2 // bad invocation
	ExitInUse   = 3 // the store is held longer than the lock wait
	// ExitInterrupted is a command stopped by SIGINT (ctrl+c): 128 + 2, as
	// a shell reports it. SIGTERM and SIGHUP give 143 and 129 the same way
	// (interruptedError.ExitCode).
	ExitInterrupted = 130
)

// IO is the process's standard streams, injectable for tests.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// ConsoleFunc opens the interactive console on the store in dataDir, sealed
// under keyFile ("" for the default <data dir>/swtoken.key); main passes
// ui.Run so that this package does not depend on the UI.
type ConsoleFunc func(dataDir, keyFile string, lockWait time.Duration) int

// Globals are the options that come before the subcommand.
type Globals struct {
	DataDir string
	// KeyFile is --key-file as given; resolveKeyFile adds $SWTOKEN_KEY_FILE.
	KeyFile string
	// LockWait is --lock-wait, else $SWTOKEN_LOCK_WAIT, else 0 (the
	// store's default, 5 s): how long an operation waits for another
	// process's hold before it exits 3.
	LockWait time.Duration
}

type command struct {
	summary string
	usage   string
	run     func(g Globals, args []string, io IO) error
}

// commands is filled in by each subcommand file's init, so that adding a
// command touches one file.
var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

// usageError is a bad invocation: exit status 2 with the command's usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// exitCoder lets a lower layer choose the exit status (the store's "in use"
// error asks for 3).
type exitCoder interface{ ExitCode() int }

// Run parses args (without the program name) and runs the console or a
// subcommand. It returns the process exit status.
func Run(args []string, stdio IO, console ConsoleFunc) int {
	fs := flag.NewFlagSet("swtoken", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var g Globals
	var showVersion, showHelp bool
	fs.StringVar(&g.DataDir, "data-dir", "", "data directory")
	fs.StringVar(&g.KeyFile, "key-file", "", "store key file")
	var lockWait string
	fs.StringVar(&lockWait, "lock-wait", "", "how long to wait for the store")
	fs.BoolVar(&showVersion, "version", false, "print the version")
	fs.BoolVar(&showHelp, "help", false, "show help")
	fs.BoolVar(&showHelp, "h", false, "show help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stdio.Stderr, "swtoken: %v\n\n", err)
		printHelp(stdio.Stderr)
		return ExitUsage
	}
	var err error
	if g.LockWait, err = resolveLockWait(lockWait); err != nil {
		fmt.Fprintf(stdio.Stderr, "swtoken: %v\n", err)
		return ExitUsage
	}
	switch {
	case showHelp:
		printHelp(stdio.Stdout)
		return ExitOK
	case showVersion:
		fmt.Fprintf(stdio.Stdout, "swtoken %s (%s %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return ExitOK
	}
	rest := fs.Args()
	if len(rest) == 0 {
		if console == nil {
			fmt.Fprintln(stdio.Stderr, "swtoken: the console is not available in this build")
			return ExitFailure
		}
		keyFile := resolveKeyFile(g)
		if err := checkKeyDir(keyFile); err != nil {
			fmt.Fprintf(stdio.Stderr, "swtoken: %v\n", err)
			return ExitFailure
		}
		return console(g.DataDir, keyFile, g.LockWait)
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			c, ok := commands[rest[1]]
			if !ok {
				fmt.Fprintf(stdio.Stderr, "swtoken: help: unknown command %q (see swtoken --help)\n", rest[1])
				return ExitUsage
			}
			printUsage(stdio.Stdout, c)
			return ExitOK
		}
		printHelp(stdio.Stdout)
		return ExitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stdio.Stderr, "swtoken: unknown command %q (see swtoken --help)\n", name)
		return ExitUsage
	}
	// "COMMAND --help" is answered here, the same for every command, also
	// for those whose first argument is a subcommand; "COMMAND SUB --help"
	// comes back from the subcommand's flag parsing as flag.ErrHelp.
	if len(rest) > 1 && isHelpFlag(rest[1]) {
		printUsage(stdio.Stdout, c)
		return ExitOK
	}
	err = c.run(g, rest[1:], stdio)
	return report(err, c, stdio)
}

// isHelpFlag reports whether arg asks for help, in the spellings Go's flag
// package answers with flag.ErrHelp.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// printUsage prints a command's usage and summary: the answer to
// "help COMMAND" and to --help, on standard output since it was asked for.
func printUsage(w io.Writer, c command) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.usage, c.summary)
}

// report prints err, if any, and maps it to an exit status.
func report(err error, c command, stdio IO) int {
	if err == nil {
		return ExitOK
	}
	stderr := stdio.Stderr
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdio.Stdout, c)
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "swtoken: %s\nusage: %s\n", model.Printable(ue.msg), c.usage)
		return ExitUsage
	}
	// An error may quote a file name, a CSV line or a job's reason: no
	// control character in it reaches the terminal, and it stays one line.
	fmt.Fprintf(stderr, "swtoken: %s\n", model.Printable(err.Error()))
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return ExitFailure
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, `swtoken %s: provision RSA SecurID-compatible software tokens.

usage:
  swtoken [--data-dir D] [--key-file F] [--lock-wait T]   open the console (ssh -t)
  swtoken [--data-dir D] [--key-file F] [--lock-wait T] COMMAND [arguments]
  swtoken --version | --help | help COMMAND

commands:
`, Version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Usage first, summary indented below it: usages are too long to
		// share a line with their summary at 80 columns.
		fmt.Fprintf(w, "  swtoken %s\n      %s\n", commands[n].usage, commands[n].summary)
	}
	fmt.Fprint(w, `
The data directory is --data-dir, else $SWTOKEN_DATA_DIR, else
$XDG_DATA_HOME/swtoken, else ~/.local/share/swtoken.
The store key is --key-file, else $SWTOKEN_KEY_FILE, else <data dir>/swtoken.key;
it is made (mode 0600) on first use. Back it up, apart from database backups.
Any number of swtoken processes share one store; each takes it only for a
moment. --lock-wait T (else $SWTOKEN_LOCK_WAIT, else 5s; "10s", "1m" or
seconds) is how long an operation waits while another process holds it,
then the command exits 3 naming the holder.
Passwords are read from --password-file F (F may be "-" for standard input)
or asked for without echo; never from the command line.
Exit status: 0 success (and no-ops), 1 refused or failed, 2 usage error,
3 store in use, 130 interrupted by ctrl+c (128 + the signal).
Times are shown in the local zone ($TZ) with its name; JSON is RFC 3339 UTC.
`)
}

// resolveLockWait reads --lock-wait (given) or $SWTOKEN_LOCK_WAIT: a Go
// duration ("750ms", "10s") or a number of seconds, from 0 (try once,
// well: 1 ms) to one hour. Empty means the store's default.
func resolveLockWait(given string) (time.Duration, error) {
	what, v := "--lock-wait", given
	if v == "" {
		what, v = "$SWTOKEN_LOCK_WAIT", os.Getenv("SWTOKEN_LOCK_WAIT")
	}
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, fmt.Errorf("%s %q is not a duration: write it as 5s, 750ms, 1m or a number of seconds", what, v)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 || d > time.Hour {
		return 0, fmt.Errorf("%s %q is out of range: from 0s to 1h", what, v)
	}
	if d == 0 {
		d = time.Millisecond // 0 means "do not wait"; the store's 0 means its default
	}
	return d, nil
}

// newFlags makes a subcommand's flag set. Parse errors are returned, not
// printed, so that report() formats every usage error the same way.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments (Go's flag package stops at the first positional one).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseNoPositional parses a subcommand's flags (see parseInterleaved) and
// rejects any positional argument.
func parseNoPositional(fs *flag.FlagSet, args []string) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// subcommandFunc runs a subcommand with the arguments after its name.
type subcommandFunc func(g Globals, args []string, stdio IO) error

// runSubcommand runs the subcommand args[0] from subs with the arguments
// after it. Without arguments it returns the usage error missing; for a
// name not in subs, the usage error unknown formatted with the name (%q).
func runSubcommand(g Globals, args []string, stdio IO, subs map[string]subcommandFunc, missing, unknown string) error {
	if len(args) == 0 {
		return usagef("%s", missing)
	}
	run, ok := subs[args[0]]
	if !ok {
		return usagef(unknown, args[0])
	}
	return run(g, args[1:], stdio)
}

// isTerminal reports whether r is an interactive terminal. A mode check is
// not enough: /dev/null is a character device too.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// plural is model.Plural for a noun given in either number.
func plural(n int, word string) string {
	return model.Plural(n, strings.TrimSuffix(word, "s"))
}

// onceFlag is a string flag that may be given once: a second value is a
// usage error rather than silently replacing the first.
type onceFlag struct {
	name  string
	value string
	set   bool
}

func (f *onceFlag) String() string { return f.value }

func (f *onceFlag) Set(v string) error {
	if f.set {
		return fmt.Errorf("--%s is given twice (%q and %q): give it once", f.name, f.value, v)
	}
	f.value, f.set = v, true
	return nil
}

// onceString defines a string flag that may be given only once.
func onceString(fs *flag.FlagSet, name, usage string) *string {
	f := &onceFlag{name: name}
	fs.Var(f, name, usage)
	return &f.value
}

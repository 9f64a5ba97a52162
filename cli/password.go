package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
)

// maxPasswordFile bounds what we read from a password file: a token-file
// password is at most 32 bytes (sdtid-format.md 2.2), so anything near this
// size is a mistake, such as pointing --password-file at the token file.
const maxPasswordFile = 4096

// errNoPassword means no password source was given and none could be asked for.
var errNoPassword = errors.New("no password given")

// readPasswordFile returns the first line of path ("-" = standard input),
// without its line ending. The password never appears in an error.
func readPasswordFile(path string, stdin io.Reader) (string, error) {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		if err := checkPasswordFileMode(f, path); err != nil {
			return "", err
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPasswordFile+1))
	if err != nil {
		return "", fmt.Errorf("password file %s: %w", path, err)
	}
	if len(data) > maxPasswordFile {
		return "", fmt.Errorf("password file %s is larger than %d bytes; it should hold one line", path, maxPasswordFile)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !utf8.Valid(line) {
		return "", fmt.Errorf("password file %s is not UTF-8 text", path)
	}
	return string(line), nil
}

// checkPasswordFileMode refuses a regular password file that group or
// others have any permission on, as the store refuses such a key file, and
// says which chmod fixes it. Pipes and terminals (/dev/stdin, <(...)) are
// not files on disk and are taken as they are.
func checkPasswordFileMode(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("password file %s: %w", path, err)
	}
	if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("password file %s is accessible by group or others (mode %04o); it holds a password, so swtoken refuses to read it: run `chmod 600 %s`",
			path, fi.Mode().Perm(), shellArg(path))
	}
	return nil
}

// promptPassword asks on the terminal without echo. It fails with
// errNoPassword when standard input is not a terminal, so scripts never hang.
func promptPassword(prompt string, stdio IO) (string, error) {
	f, ok := stdio.Stdin.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return "", errNoPassword
	}
	fmt.Fprint(stdio.Stderr, prompt)
	pw, err := term.ReadPassword(f.Fd())
	fmt.Fprintln(stdio.Stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	// Drop a stray line ending some terminals pass through.
	s := bufio.NewScanner(bytes.NewReader(pw))
	if s.Scan() {
		return s.Text(), nil
	}
	return "", nil
}

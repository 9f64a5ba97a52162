package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
)

func init() {
	register("sdtid", command{
		summary: "describe a token file (never its seed)",
		usage:   "sdtid inspect FILE [--password-file F]",
		run:     runSDTID,
	})
}

// maxTokenFile bounds what inspect reads: stoken itself reads only the first
// 64 KiB, and a multi-token record file is still far below this.
const maxTokenFile = 64 << 20

func runSDTID(g Globals, args []string, stdio IO) error {
	if len(args) == 0 || args[0] != "inspect" {
		return usagef("expected the subcommand inspect")
	}
	fs := newFlags("sdtid inspect")
	pwFile := fs.String("password-file", "", "read the file's password from F (- = standard input)")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected exactly one FILE")
	}
	data, err := readLimited(pos[0], maxTokenFile)
	if err != nil {
		return err
	}
	file, err := readTokenFile(data, *pwFile, stdio)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	printInspect(stdio.Stdout, pos[0], file)
	return nil
}

// readTokenFile reads and verifies a token file with the password from
// pwFile, or, when none is given and the file needs one, from a no-echo prompt.
func readTokenFile(data []byte, pwFile string, stdio IO) (*sdtid.File, error) {
	if pwFile != "" {
		pw, err := readPasswordFile(pwFile, stdio.Stdin)
		if err != nil {
			return nil, err
		}
		return sdtid.Read(data, pw)
	}
	file, err := sdtid.Read(data, "")
	if sdtid.KindOf(err) != sdtid.KindPasswordRequired {
		return file, err
	}
	pw, perr := promptPassword("Token file password: ", stdio)
	if errors.Is(perr, errNoPassword) {
		return nil, fmt.Errorf("%w (give it with --password-file F)", err)
	}
	if perr != nil {
		return nil, perr
	}
	return sdtid.Read(data, pw)
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB; not a token file", path, limit>>20)
	}
	return data, nil
}

func printInspect(w io.Writer, path string, f *sdtid.File) {
	yesNo := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(w, "File:               %s\n", model.Printable(path))
	fmt.Fprintf(w, "Password protected: %s\n", yesNo[f.PasswordProtected])
	fmt.Fprintf(w, "Tokens:             %d\n", len(f.Tokens))
	for i, t := range f.Tokens {
		if len(f.Tokens) > 1 {
			fmt.Fprintf(w, "\nToken %d of %d\n", i+1, len(f.Tokens))
		}
		fmt.Fprintf(w, "Serial:             %s\n", model.Printable(t.Serial))
		fmt.Fprintf(w, "Algorithm:          %s\n", algorithmLabel(t.Alg))
		fmt.Fprintf(w, "Digits:             %d\n", t.Digits)
		fmt.Fprintf(w, "Interval:           %d s\n", t.IntervalSeconds)
		fmt.Fprintf(w, "PIN mode:           %s\n", pinModeLabel(t.PINMode))
		fmt.Fprintf(w, "Expires:            %s\n", expiryLabel(t, time.Now()))
		fmt.Fprintf(w, "Binding:            %s\n", model.Printable(bindingLabel(t.DeviceSerialNumber)))
		fmt.Fprintf(w, "Nickname:           %s\n", model.Printable(blankLabel(t.Nickname)))
		fmt.Fprintf(w, "User:               %s\n", model.Printable(userLabel(t)))
	}
}

func algorithmLabel(alg int) string {
	if alg == 0 {
		return "SID-64 (64-bit; tokencodes unsupported)"
	}
	return "AES-128"
}

func pinModeLabel(mode int) string {
	if mode >= 2 {
		return fmt.Sprintf("%d (PIN folded into the tokencode)", mode)
	}
	return fmt.Sprintf("%d (no PIN in the tokencode)", mode)
}

func expiryLabel(t sdtid.Token, now time.Time) string {
	if t.NeverExpires {
		return "never"
	}
	exp := t.ExpiresAt()
	state := ""
	if _, err := t.Code(now, ""); sdtid.KindOf(err) == sdtid.KindExpired {
		state = " (EXPIRED)"
	}
	return fmt.Sprintf("%s (Death %s)%s", exp.Format(model.DateLayout), t.Death.Format(model.DateLayout), state)
}

// blankLabel shows stoken's one-space placeholder as what it means.
func blankLabel(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}

func userLabel(t sdtid.Token) string {
	name := strings.TrimSpace(strings.TrimSpace(t.FirstName) + " " + strings.TrimSpace(t.LastName))
	login := strings.TrimSpace(t.Login)
	switch {
	case name == "" && login == "":
		return "(none)"
	case login == "":
		return name
	case name == "":
		return login
	}
	return fmt.Sprintf("%s (%s)", name, login)
}

// bindingLabel says what DeviceSerialNumber binds the token to: a known
// device class (class binding), one device (device binding), or nothing.
func bindingLabel(dsn string) string {
	v := strings.TrimSpace(dsn)
	if v == "" {
		return "(none)"
	}
	if dt, ok := model.DeviceTypeForGUID(v); ok {
		return fmt.Sprintf("class %s (%s)", dt, v)
	}
	return "device " + v
}

package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/model"
)

func init() {
	register("ctf", command{
		summary: "describe a CTF string (never its seed or a tokencode)",
		usage:   "ctf inspect STRING|- | --file F [--password-file F] [--device-id ID] [--json]",
		run:     runCTF,
	})
}

// maxCTFInput bounds what ctf inspect reads from a file or standard input:
// a CTF string is at most a few hundred bytes, and stoken reads no payload
// over 2047 bytes.
const maxCTFInput = 64 << 10

func runCTF(g Globals, args []string, stdio IO) error {
	if len(args) == 0 || args[0] != "inspect" {
		return usagef("expected the subcommand inspect")
	}
	fs := newFlags("ctf inspect")
	file := fs.String("file", "", "read the CTF string from file F")
	pwFile := fs.String("password-file", "", "read the string's password from F (- = standard input)")
	deviceID := fs.String("device-id", "", "the device ID the string is bound to")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case *file == "" && len(pos) != 1:
		return usagef("expected exactly one STRING (or - for standard input, or --file F)")
	case *file != "" && len(pos) != 0:
		return usagef("give the string as STRING, - or --file F, not two of them")
	case *pwFile == "-" && (*file == "-" || (*file == "" && pos[0] == "-")):
		return usagef("the string and --password-file cannot both come from standard input")
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "device-id" })
	if given && strings.TrimSpace(*deviceID) == "" {
		return usagef("--device-id is blank")
	}

	var s, source string
	switch {
	case *file != "":
		if s, err = readCTFInput(*file, nil); err != nil {
			return err
		}
		source = *file
	case pos[0] == "-":
		if s, err = readCTFInput("-", stdio.Stdin); err != nil {
			return err
		}
		source = "standard input"
	default:
		s = strings.TrimSpace(pos[0])
	}

	info, err := ctf.Inspect(s)
	if err != nil {
		return ctfError(source, err)
	}
	r := ctfReport{info: info, tok: info.Token, settings: info.Settings}
	// Decode when the string needs nothing (it checks the v3 MAC), or when
	// a password or a device ID was given: then every missing or wrong
	// secret is an error.
	if (!info.NeedsPassword && !info.NeedsDeviceID) || *pwFile != "" || *deviceID != "" {
		pw := ""
		if *pwFile != "" {
			if pw, err = readPasswordFile(*pwFile, stdio.Stdin); err != nil {
				return err
			}
		}
		tok, err := ctf.Decode(s, pw, *deviceID)
		if err != nil {
			return ctfError(source, err)
		}
		tok.Seed = [16]byte{} // never printed; not kept either
		r.tok, r.settings, r.decoded = tok, true, true
		r.tok.PasswordProtected, r.tok.DeviceBound = info.NeedsPassword, info.NeedsDeviceID
	}
	if *asJSON {
		return writeJSON(stdio.Stdout, r.json(time.Now()))
	}
	r.print(stdio.Stdout, time.Now())
	return nil
}

// readCTFInput reads a CTF string from path ("-" = r): the file's text
// without surrounding white space, which must be one line.
func readCTFInput(path string, r io.Reader) (string, error) {
	name := path
	if path == "-" {
		name = "standard input"
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return "", err
		}
		if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s: not a regular file", path)
		}
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCTFInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxCTFInput {
		return "", fmt.Errorf("%s: larger than %d KiB; a CTF string is one line of at most a few hundred characters", name, maxCTFInput>>10)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "", fmt.Errorf("%s is empty; expected a CTF string", name)
	}
	if bytes.ContainsAny(data, "\r\n") {
		return "", fmt.Errorf("%s holds more than one line; expected one CTF string", name)
	}
	return string(data), nil
}

// ctfError is an engine/ctf error on one line, naming the source, with the
// flag to use when a secret is missing (the engine's detail already says
// what a checksum, a wrong password or a device mismatch means). The
// engine's text never holds a seed, a password or a device ID.
func ctfError(source string, err error) error {
	hint := ""
	switch {
	case errors.Is(err, ctf.ErrMissingPassword):
		hint = " (give it with --password-file F)"
	case errors.Is(err, ctf.ErrMissingDeviceID):
		hint = " (give it with --device-id ID)"
	}
	if source != "" {
		return fmt.Errorf("%s: %w%s", source, err, hint)
	}
	return fmt.Errorf("%w%s", err, hint)
}

// ctfReport is what ctf inspect shows.
type ctfReport struct {
	info     ctf.Info
	tok      ctf.Token // Seed always zero
	settings bool      // tok's settings are known (v2, or decoded)
	decoded  bool      // Decode succeeded
}

func formLabel(f ctf.Form) string {
	switch f {
	case ctf.FormDigits:
		return "81 digits"
	case ctf.FormBlocks:
		return "digits in blocks of five"
	case ctf.FormIPhone:
		return "iPhone link (" + strings.TrimSuffix(ctf.PrefixIPhone, "?ctfData=") + ")"
	case ctf.FormAndroid:
		return "Android link (" + strings.TrimSuffix(ctf.PrefixAndroid, "?ctfData=") + ")"
	case ctf.FormRSA:
		return "RSA link (" + strings.TrimSuffix(ctf.PrefixRSA, "?ctfData=") + ")"
	case ctf.FormOtherLink:
		return "link with another prefix"
	}
	return f.String()
}

func (r ctfReport) expiry(now time.Time) (label string, expired bool) {
	t := r.tok
	if t.NeverExpires {
		return "never", false
	}
	exp := t.ExpiresAt()
	expired = !now.Before(exp)
	label = fmt.Sprintf("%s (Death %s)", exp.UTC().Format(model.DateLayout), t.Death.UTC().Format(model.DateLayout))
	if expired {
		label += " (EXPIRED)"
	}
	return label, expired
}

// needs names what the string needs to decode.
func (r ctfReport) needs() string { return r.needed("password", "device ID") }

// secretFlags names the flags that give what the string needs.
func (r ctfReport) secretFlags() string { return r.needed("--password-file F", "--device-id ID") }

// needed joins password and deviceID with "and", each when the string
// needs it.
func (r ctfReport) needed(password, deviceID string) string {
	var n []string
	if r.info.NeedsPassword {
		n = append(n, password)
	}
	if r.info.NeedsDeviceID {
		n = append(n, deviceID)
	}
	return strings.Join(n, " and ")
}

func (r ctfReport) print(w io.Writer, now time.Time) {
	yesNo := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(w, "Version:            %d\n", r.info.Version)
	fmt.Fprintf(w, "Form:               %s\n", formLabel(r.info.Form))
	fmt.Fprintf(w, "Password protected: %s\n", yesNo[r.info.NeedsPassword])
	fmt.Fprintf(w, "Device bound:       %s\n", yesNo[r.info.NeedsDeviceID])
	switch {
	case r.decoded && r.needs() == "":
		fmt.Fprintf(w, "Decodes:            yes (it needs no password or device ID)\n")
	case r.decoded:
		fmt.Fprintf(w, "Decodes:            yes, with the given %s\n", r.needs())
	default:
		fmt.Fprintf(w, "Decodes:            not checked (give %s)\n", r.secretFlags())
	}
	if !r.settings {
		fmt.Fprintf(w, "Settings:           encrypted in a v3 string; give the %s to read them\n", r.needs())
		return
	}
	t := r.tok
	alg := 0
	if t.Alg128 {
		alg = 1
	}
	exp, _ := r.expiry(now)
	fmt.Fprintf(w, "Serial:             %s\n", model.Printable(t.Serial))
	fmt.Fprintf(w, "Algorithm:          %s\n", algorithmLabel(alg))
	fmt.Fprintf(w, "Digits:             %d\n", t.Digits)
	fmt.Fprintf(w, "Interval:           %d s\n", t.Interval)
	fmt.Fprintf(w, "PIN mode:           %s\n", pinModeLabel(t.PINMode))
	fmt.Fprintf(w, "Expires:            %s\n", exp)
}

// ctfJSON is ctf inspect --json. The settings are null when a v3 string
// was not decoded.
type ctfJSON struct {
	Version           int              `json:"version"`
	Form              string           `json:"form"` // digits, blocks, iphone, android, rsa-link, link
	PasswordProtected bool             `json:"password_protected"`
	DeviceBound       bool             `json:"device_bound"`
	Decoded           bool             `json:"decoded"`
	Settings          *ctfSettingsJSON `json:"settings"`
}

type ctfSettingsJSON struct {
	Serial          string `json:"serial"`
	Algorithm       string `json:"algorithm"` // aes-128 or sid-64
	Digits          int    `json:"digits"`
	IntervalSeconds int    `json:"interval_seconds"`
	PINMode         int    `json:"pin_mode"`
	Death           string `json:"death"`   // YYYY-MM-DD, "" when it never expires
	Expires         string `json:"expires"` // YYYY-MM-DD, "" when it never expires
	NeverExpires    bool   `json:"never_expires"`
	Expired         bool   `json:"expired"`
}

func (r ctfReport) json(now time.Time) ctfJSON {
	j := ctfJSON{
		Version:           r.info.Version,
		Form:              r.info.Form.String(),
		PasswordProtected: r.info.NeedsPassword,
		DeviceBound:       r.info.NeedsDeviceID,
		Decoded:           r.decoded,
	}
	if r.settings {
		t := r.tok
		s := &ctfSettingsJSON{
			Serial:          t.Serial,
			Algorithm:       "aes-128",
			Digits:          t.Digits,
			IntervalSeconds: t.Interval,
			PINMode:         t.PINMode,
			NeverExpires:    t.NeverExpires,
		}
		if !t.Alg128 {
			s.Algorithm = "sid-64"
		}
		if !t.NeverExpires {
			s.Death = t.Death.UTC().Format(model.DateLayout)
			s.Expires = t.ExpiresAt().UTC().Format(model.DateLayout)
			_, s.Expired = r.expiry(now)
		}
		j.Settings = s
	}
	return j
}

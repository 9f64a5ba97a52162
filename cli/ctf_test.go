package cli

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
)

// ctfTestToken is the token the ctf inspect tests encode.
func ctfTestToken() ctf.Token {
	return ctf.Token{
		Serial:      "000123456789",
		Seed:        [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		Digits:      8,
		Interval:    60,
		PINMode:     ctf.PINAdd,
		Death:       time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC),
		Alg128:      true,
		TimeDerived: true,
	}
}

const ctfTestPassword = "Tr0ub4dor&3 é"

var ctfTestDevice = ctf.ClassGUIDs[1].GUID // Android

func encodeCTF(t *testing.T, version int, form ctf.Form, password, device string) string {
	t.Helper()
	s, err := ctf.Encode(ctfTestToken(), ctf.Options{Version: version, Form: form, Password: password, DeviceID: device, Rand: bytes.NewReader(make([]byte, 16))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkNoSecret fails when out holds the seed (either case) or the current
// tokencode of the test token.
func checkNoSecret(t *testing.T, out string) {
	t.Helper()
	seed := ctfTestToken().Seed
	h := hex.EncodeToString(seed[:])
	if strings.Contains(out, h) || strings.Contains(out, strings.ToUpper(h)) {
		t.Fatalf("the output shows the seed:\n%s", out)
	}
	now := time.Now()
	for _, at := range []time.Time{now.Add(-time.Minute), now, now.Add(time.Minute)} {
		code, err := ctfTestToken().Code(at, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, code) {
			t.Fatalf("the output shows a tokencode (%s):\n%s", code, out)
		}
	}
	if strings.Contains(strings.ToLower(out), "tokencode:") || strings.Contains(out, "seed") {
		t.Fatalf("the output has a tokencode or seed field:\n%s", out)
	}
}

var ctfSettingsLines = []string{
	"Serial:             000123456789", "Algorithm:          AES-128", "Digits:             8",
	"Interval:           60 s", "PIN mode:           2 (PIN folded into the tokencode)",
	"Expires:            2036-01-01 (Death 2035-12-31)",
}

// TestCTFInspectDescribesEachFormNeverTheSeed: every form stoken writes,
// from the argument, standard input and a file, with the settings and
// whether it decodes, and neither the seed nor a tokencode.
func TestCTFInspectDescribesEachFormNeverTheSeed(t *testing.T) {
	cases := []struct {
		name      string
		s         string
		extra     []string
		stdin     string
		want      []string
		settings  bool
		decodesOK bool
	}{
		{"v2 android", encodeCTF(t, 2, ctf.FormAndroid, "", ""), nil, "", []string{
			"Version:            2", "Form:               Android link (http://127.0.0.1/securid/ctf)",
			"Password protected: no", "Device bound:       no", "Decodes:            yes (it needs no password or device ID)",
		}, true, true},
		{"v2 iphone", encodeCTF(t, 2, ctf.FormIPhone, "", ""), nil, "", []string{"Form:               iPhone link (com.rsa.securid.iphone://ctf)"}, true, true},
		{"v2 digits", encodeCTF(t, 2, ctf.FormDigits, "", ""), nil, "", []string{"Form:               81 digits"}, true, true},
		{"v2 blocks", encodeCTF(t, 2, ctf.FormBlocks, "", ""), nil, "", []string{"Form:               digits in blocks of five"}, true, true},
		{"v2 password not given", encodeCTF(t, 2, ctf.FormAndroid, ctfTestPassword, ""), nil, "", []string{
			"Password protected: yes", "Decodes:            not checked (give --password-file F)",
		}, true, false},
		{"v2 password and device given", encodeCTF(t, 2, ctf.FormAndroid, ctfTestPassword, ctfTestDevice),
			[]string{"--password-file", writeFile(t, "pw", ctfTestPassword+"\n"), "--device-id", strings.ToUpper(ctfTestDevice)}, "", []string{
				"Password protected: yes", "Device bound:       yes", "Decodes:            yes, with the given password and device ID",
			}, true, true},
		{"v3 not given", encodeCTF(t, 3, ctf.FormAndroid, ctfTestPassword, ctfTestDevice), nil, "", []string{
			"Version:            3", "Decodes:            not checked (give --password-file F and --device-id ID)", "Settings:           encrypted in a v3 string; give the password and device ID to read them",
		}, false, false},
		{"v3 given, password from stdin", encodeCTF(t, 3, ctf.FormIPhone, ctfTestPassword, ctfTestDevice),
			[]string{"--password-file", "-", "--device-id", ctfTestDevice}, ctfTestPassword + "\n", []string{
				"Version:            3", "Decodes:            yes, with the given password and device ID",
			}, true, true},
		{"v3 unprotected", encodeCTF(t, 3, ctf.FormAndroid, "", ""), nil, "", []string{"Decodes:            yes (it needs no password or device ID)"}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := map[string]struct {
				args  []string
				stdin string
			}{
				"argument": {append([]string{"ctf", "inspect", c.s}, c.extra...), c.stdin},
				"file":     {append([]string{"ctf", "inspect", "--file", writeFile(t, "a.ctf.txt", c.s+"\n")}, c.extra...), c.stdin},
			}
			if c.stdin == "" {
				inputs["stdin"] = struct {
					args  []string
					stdin string
				}{append([]string{"ctf", "inspect", "-"}, c.extra...), "\n" + c.s + "\r\n"}
			}
			for how, in := range inputs {
				code, out, errOut := runCLI(t, in.stdin, in.args...)
				if code != ExitOK || errOut != "" {
					t.Fatalf("%s: exit %d, stderr %q", how, code, errOut)
				}
				want := c.want
				if c.settings {
					want = append(want, ctfSettingsLines...)
				} else if strings.Contains(out, "Serial:") {
					t.Fatalf("%s: settings shown for an undecoded v3 string:\n%s", how, out)
				}
				for _, w := range want {
					if !strings.Contains(out, w+"\n") {
						t.Errorf("%s: the output lacks %q:\n%s", how, w, out)
					}
				}
				checkNoSecret(t, out)
			}

			// --json: the same facts.
			code, out, errOut := runCLI(t, c.stdin, append([]string{"ctf", "inspect", c.s, "--json"}, c.extra...)...)
			if code != ExitOK {
				t.Fatalf("--json: exit %d, %s", code, errOut)
			}
			checkNoSecret(t, out)
			var j ctfJSON
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatalf("--json: %v\n%s", err, out)
			}
			if j.Decoded != c.decodesOK || (j.Settings != nil) != c.settings {
				t.Fatalf("--json: decoded %v, settings %v; want %v, %v\n%s", j.Decoded, j.Settings != nil, c.decodesOK, c.settings, out)
			}
			if c.settings {
				want := ctfSettingsJSON{Serial: "000123456789", Algorithm: "aes-128", Digits: 8, IntervalSeconds: 60, PINMode: 2, Death: "2035-12-31", Expires: "2036-01-01"}
				if *j.Settings != want {
					t.Fatalf("--json settings %+v, want %+v", *j.Settings, want)
				}
			}
		})
	}
}

// TestCTFInspectErrorsAreOneClearLine: each kind of engine/ctf error is one
// line on standard error with what to do, exit 1, and no secret in it.
func TestCTFInspectErrorsAreOneClearLine(t *testing.T) {
	v2 := encodeCTF(t, 2, ctf.FormDigits, "", "")
	bad := []byte(v2)
	bad[40] = '0' + (bad[40]-'0'+1)%10 // one mistyped digit
	pwOnly := encodeCTF(t, 2, ctf.FormAndroid, ctfTestPassword, "")
	both := encodeCTF(t, 3, ctf.FormAndroid, ctfTestPassword, ctfTestDevice)
	devOnly := encodeCTF(t, 2, ctf.FormIPhone, "", ctfTestDevice)
	right := writeFile(t, "right", ctfTestPassword+"\n")
	wrong := writeFile(t, "wrong", "hunter2\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad check digits", []string{string(bad)}, "CTF checksum failed"},
		{"bad check digits hint", []string{string(bad)}, "the check digits do not match (a mistyped or damaged string)"},
		{"wrong password v2", []string{pwOnly, "--password-file", wrong}, "wrong CTF password"},
		{"wrong password v3", []string{both, "--password-file", wrong, "--device-id", ctfTestDevice}, "wrong CTF password"},
		{"missing password", []string{both, "--device-id", ctfTestDevice}, "CTF password required"},
		{"missing password hint", []string{both, "--device-id", ctfTestDevice}, "(give it with --password-file F)"},
		{"missing device ID", []string{both, "--password-file", right}, "CTF device ID required"},
		{"device ID mismatch v2", []string{devOnly, "--device-id", ctf.ClassGUIDs[0].GUID}, "CTF device ID mismatch"},
		{"device ID mismatch v3", []string{both, "--password-file", right, "--device-id", "0123456789abcdef0123"}, "CTF device ID mismatch"},
		{"unsupported version digit", []string{"3" + v2[1:]}, "unsupported CTF version"},
		{"unsupported v4", []string{ctf.PrefixAndroid + "BAEBAAAA"}, "unsupported CTF version"},
		{"not a CTF string", []string{"hello"}, "malformed CTF string"},
		{"from a file, named", []string{"--file", writeFile(t, "bad.ctf.txt", string(bad))}, "bad.ctf.txt: CTF checksum failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"ctf", "inspect"}, c.args...)...)
			if code != ExitFailure || out != "" || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d (want 1), stdout %q, stderr %q (want one line with %q)", code, out, errOut, c.want)
			}
			if strings.Contains(errOut, "hunter2") || strings.Contains(errOut, ctfTestPassword) || strings.Contains(errOut, "0123456789abcdef0123") {
				t.Fatalf("the error shows a secret: %q", errOut)
			}
		})
	}
}

// TestCTFInspectUsageErrors exit 2; a password on the command line is
// refused without being echoed.
func TestCTFInspectUsageErrors(t *testing.T) {
	s := encodeCTF(t, 2, ctf.FormDigits, "", "")
	f := writeFile(t, "a.ctf.txt", s)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ctf"}, "expected the subcommand inspect"},
		{[]string{"ctf", "inspect"}, "expected exactly one STRING"},
		{[]string{"ctf", "inspect", s, s}, "expected exactly one STRING"},
		{[]string{"ctf", "inspect", s, "--file", f}, "not two of them"},
		{[]string{"ctf", "inspect", "-", "--password-file", "-"}, "cannot both come from standard input"},
		{[]string{"ctf", "inspect", "--file", "-", "--password-file", "-"}, "cannot both come from standard input"},
		{[]string{"ctf", "inspect", s, "--device-id", " "}, "--device-id is blank"},
		{[]string{"ctf", "inspect", s, "--password", "hunter2"}, "flag provided but not defined"},
	} {
		code, _, errOut := runCLI(t, "", c.args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("%q: exit %d (want 2), stderr %q (want %q)", c.args, code, errOut, c.want)
		}
	}
	// Input that is not one CTF string is a failure (1) naming the source.
	for _, c := range []struct{ stdin, want string }{
		{"", "standard input is empty"},
		{s + "\n" + s + "\n", "standard input holds more than one line"},
	} {
		code, _, errOut := runCLI(t, c.stdin, "ctf", "inspect", "-")
		if code != ExitFailure || !strings.Contains(errOut, c.want) {
			t.Errorf("stdin %q: exit %d, stderr %q (want %q)", c.stdin, code, errOut, c.want)
		}
	}
}

// TestCTFInspectShowsExpiredAndNever: a past Death is marked EXPIRED, and
// a never-expiring token says never (also in --json).
func TestCTFInspectShowsExpiredAndNever(t *testing.T) {
	old := ctfTestToken()
	old.Death = time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)
	never := ctfTestToken()
	never.Death, never.NeverExpires = time.Time{}, true
	for _, c := range []struct {
		tok     ctf.Token
		want    string
		expired bool
	}{
		{old, "Expires:            2020-03-01 (Death 2020-02-29) (EXPIRED)\n", true},
		{never, "Expires:            never\n", false},
	} {
		s, err := ctf.Encode(c.tok, ctf.Options{Version: 2, Form: ctf.FormAndroid})
		if err != nil {
			t.Fatal(err)
		}
		code, out, _ := runCLI(t, "", "ctf", "inspect", s)
		if code != ExitOK || !strings.Contains(out, c.want) {
			t.Fatalf("exit %d, want %q in:\n%s", code, c.want, out)
		}
		_, out, _ = runCLI(t, "", "ctf", "inspect", s, "--json")
		var j ctfJSON
		if err := json.Unmarshal([]byte(out), &j); err != nil || j.Settings.Expired != c.expired || j.Settings.NeverExpires != c.tok.NeverExpires {
			t.Fatalf("--json (err %v): %s", err, out)
		}
	}
}

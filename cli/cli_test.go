package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vectors = "../testdata/vectors"

// runCLI runs the command line in-process and returns its exit status and
// output streams.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(args, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}, nil)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, "", "--version")
	if code != ExitOK || !strings.HasPrefix(out, "swtoken "+Version) {
		t.Fatalf("--version: code %d, out %q", code, out)
	}
	code, out, _ = runCLI(t, "", "--help")
	if code != ExitOK || !strings.Contains(out, "sdtid inspect FILE") || !strings.Contains(out, "Exit status") {
		t.Fatalf("--help: code %d, out %q", code, out)
	}
	code, _, errOut := runCLI(t, "", "frobnicate")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: code %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "sdtid", "inspect")
	if code != ExitUsage || !strings.Contains(errOut, "exactly one FILE") {
		t.Fatalf("missing file: code %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", "x.sdtid", "--password", "hunter2")
	if code != ExitUsage || strings.Contains(errOut, "hunter2") {
		t.Fatalf("a --password flag must be refused as a usage error without echoing it: code %d, stderr %q", code, errOut)
	}
}

func TestInspectShowsTheTokenButNeverTheSeed(t *testing.T) {
	cases := []struct {
		file, password string
		want           []string
		seedHex        string
	}{
		{"f01-8d-60s-addpin-nopw.sdtid", "", []string{
			"Password protected: no", "Serial:             123456789012", "Digits:             8",
			"Interval:           60 s", "PIN mode:           2", "2036-01-01 (Death 2035-12-31)", "Binding:            (none)",
			"Nickname:           Alice laptop", "User:               Alice Smith (asmith)", "AES-128",
		}, "1c3510a712e3406f01da9818296f382b"},
		{"f04-6d-60s-addpin-pw-devid.sdtid", "correct horse battery staple", []string{
			"Password protected: yes", "Serial:             246813579024", "Digits:             6",
			"Binding:            class Android (a01c4380-fc01-4df0-b113-7fb98ec74694)",
		}, "44241fa9baa03cfe462ef1eb7fff1268"},
		{"f05-8d-60s-nopin-devid.sdtid", "", []string{
			"Binding:            device 1234567890ABCDEF", "PIN mode:           0",
		}, "443a08463bbfa920ee18411709034fa1"},
		{"f10-token-overrides.sdtid", "", []string{
			"Digits:             6", "Interval:           30 s", "PIN mode:           0",
		}, "33ca43d8021f53435553c00b714ea387"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			args := []string{"sdtid", "inspect", filepath.Join(vectors, c.file)}
			if c.password != "" {
				args = append(args, "--password-file", writeFile(t, "pw", c.password+"\n"))
			}
			code, out, errOut := runCLI(t, "", args...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			seed, _ := hex.DecodeString(c.seedHex)
			for _, form := range []string{c.seedHex, strings.ToUpper(c.seedHex), spacedHex(seed), base64.StdEncoding.EncodeToString(seed)} {
				if strings.Contains(out+errOut, form) {
					t.Fatalf("the seed appears in the output as %q", form)
				}
			}
			if c.password != "" && strings.Contains(out+errOut, c.password) {
				t.Fatal("the password appears in the output")
			}
		})
	}
}

func spacedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = hex.EncodeToString([]byte{x})
	}
	return strings.Join(parts, " ")
}

func TestInspectPasswordSources(t *testing.T) {
	f03 := filepath.Join(vectors, "f03-8d-30s-addpin-pw.sdtid")
	// From standard input with "-".
	code, out, errOut := runCLI(t, "Tr0ub4dor&3\n", "sdtid", "inspect", f03, "--password-file", "-")
	if code != ExitOK || !strings.Contains(out, "Serial:             555000111222") {
		t.Fatalf("stdin password: exit %d, stderr %q", code, errOut)
	}
	// None given and no terminal to ask on: a clear failure, no hang.
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", f03)
	if code != ExitFailure || !strings.Contains(errOut, "password") || !strings.Contains(errOut, "--password-file") {
		t.Fatalf("no password: exit %d, stderr %q", code, errOut)
	}
	// A wrong password: exit 1 with the reader's specific message, not echoed.
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", f03, "--password-file", writeFile(t, "pw", "not-it\n"))
	if code != ExitFailure || !strings.Contains(strings.ToLower(errOut), "wrong password") || strings.Contains(errOut, "not-it") {
		t.Fatalf("wrong password: exit %d, stderr %q", code, errOut)
	}
	// A missing password file names the file.
	code, _, errOut = runCLI(t, "", "sdtid", "inspect", f03, "--password-file", "/nonexistent/pw")
	if code != ExitFailure || !strings.Contains(errOut, "/nonexistent/pw") {
		t.Fatalf("missing password file: exit %d, stderr %q", code, errOut)
	}
}

func TestInspectDamagedFilesGiveTheSpecificReason(t *testing.T) {
	cases := map[string]string{
		"tamper/bad-tokenmac-nopw.sdtid":  "token MAC",
		"tamper/bad-headermac-nopw.sdtid": "header MAC",
		"tamper/missing-Seed.sdtid":       "Seed",
		"tamper/truncated.sdtid":          "line 41",
		"tamper/no-xml-decl.sdtid":        "<?xml",
	}
	for file, want := range cases {
		code, out, errOut := runCLI(t, "", "sdtid", "inspect", filepath.Join(vectors, file))
		if code != ExitFailure || !strings.Contains(errOut, want) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", file, code, out, errOut, want)
		}
	}
	code, _, errOut := runCLI(t, "", "sdtid", "inspect", "/nonexistent/file.sdtid")
	if code != ExitFailure || !strings.Contains(errOut, "/nonexistent/file.sdtid") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errOut)
	}
}

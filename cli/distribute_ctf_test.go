package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
)

// withStandInQR gives the CLI's engine a stand-in QR encoder for one test
// (engine/qr is written separately): a PNG-sized blob derived from the
// link, so the test can tell which string an image belongs to.
func withStandInQR(t *testing.T) func(string) []byte {
	t.Helper()
	img := func(link string) []byte {
		sum := sha256.Sum256([]byte(link))
		return append([]byte("\x89PNG\r\n\x1a\n"), sum[:]...)
	}
	old := cliEngineOptions.QRImage
	cliEngineOptions.QRImage = func(link string) ([]byte, error) { return img(link), nil }
	t.Cleanup(func() { cliEngineOptions.QRImage = old })
	return img
}

// ctfDemoDir is demoDir with a Windows and an Android CTF profile and a
// CT-KIP one beside the demo's "iPhone quick setup (CTF)".
func ctfDemoDir(t *testing.T) string {
	t.Helper()
	dir := demoDir(t)
	mustRun(t, dir, "profiles", "add", "--name", "Windows CTF", "--device-type", "Windows", "--delivery", "ctf", "--length", "8", "--duration", "30", "--auth", "tokencode")
	mustRun(t, dir, "profiles", "add", "--name", "Android CTF", "--device-type", "Android", "--delivery", "ctf", "--length", "6", "--duration", "30", "--auth", "fob")
	mustRun(t, dir, "profiles", "add", "--name", "Kiosk CT-KIP", "--device-type", "Android", "--delivery", "ct-kip", "--length", "8", "--duration", "60", "--auth", "pinpad")
	return dir
}

// TestDistributeCTFEndToEndWithStoken: for each password mode, distribute
// a CTF profile (iPhone v2 and v3 links, Android v3 with a device ID,
// Windows digits in blocks), download, unzip; stoken imports each string
// with exactly the expected password and device ID, its code passes
// swtoken verify, a wrong code fails; jobs show names the job type.
func TestDistributeCTFEndToEndWithStoken(t *testing.T) {
	stokentest.Require(t, "stoken")
	qr := withStandInQR(t)
	dir := ctfDemoDir(t)
	const adminPW = "Ctf-Adm1n"
	pwFile := writeFile(t, "pw", adminPW+"\n")
	cases := []struct {
		mode, profile, form, device string
		devid                       string // what stoken must be given
		link                        bool
	}{
		{"none", "iPhone quick setup (CTF)", "", "", model.DeviceIPhone.GUID(), true},
		{"password", "Android CTF", "v3", "a1b2c3d4-DEV", "a1b2c3d4-DEV", true},
		{"userid", "Windows CTF", "", "", model.DeviceWindows.GUID(), false},
		{"userid+password", "iPhone quick setup (CTF)", "v3", "", model.DeviceIPhone.GUID(), true},
	}
	for i, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			job := "CTF E2E " + c.mode
			from, to := fmt.Sprintf("%012d", 100_000_000_001+i*10), fmt.Sprintf("%012d", 100_000_000_010+i*10)
			args := []string{"distribute", "--job", job, "--profile", c.profile, "--nickname", "Phone " + strconv.Itoa(i),
				"--password-mode", c.mode, "--from", from, "--to", to, "--yes"}
			if c.form != "" {
				args = append(args, "--ctf-form", c.form)
			}
			if c.device != "" {
				args = append(args, "--device-id", c.device)
			}
			mode, _ := model.ParsePasswordMode(c.mode)
			if mode.NeedsAdminPassword() {
				args = append(args, "--password-file", pwFile)
			}
			dry := mustRun(t, dir, append(args, "--dry-run")...)
			if !strings.Contains(dry, "Job type:            Generate Compressed Token Format Credentials") || !strings.Contains(dry, model.CTFManifestNote) {
				t.Fatalf("dry run:\n%s", dry)
			}
			out := mustRun(t, dir, args...)
			if !strings.Contains(out, "CTF strings written to") || strings.Contains(out, adminPW) {
				t.Fatalf("distribute output:\n%s", out)
			}
			shown := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", job, "--json"))
			wantForm := c.form
			if wantForm == "" {
				wantForm = "v2"
			}
			if shown.Kind != "ctf" || shown.CTFForm != wantForm {
				t.Fatalf("jobs show --json: kind %q, form %q", shown.Kind, shown.CTFForm)
			}
			if text := mustRun(t, dir, "jobs", "show", job); !strings.Contains(text, "Job type:            Generate Compressed Token Format Credentials") {
				t.Fatalf("jobs show:\n%s", text)
			}
			zipPath := filepath.Join(t.TempDir(), "out.zip")
			mustRun(t, dir, "jobs", "download", job, "--out", zipPath)
			files := unzipAll(t, zipPath, t.TempDir())
			read := func(name string) []byte {
				b, err := os.ReadFile(files[name])
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return b
			}
			manifest, err := csv.NewReader(bytes.NewReader(read("manifest.csv"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			creds, err := csv.NewReader(bytes.NewReader(read("credentials.csv"))).ReadAll()
			if err != nil || len(creds) != len(manifest) || len(creds) < 2 {
				t.Fatalf("credentials %d rows, manifest %d: %v", len(creds), len(manifest), err)
			}
			perToken := 1
			if c.link {
				perToken = 2
			}
			if len(files) != (len(manifest)-1)*perToken+2 {
				t.Fatalf("%d files for %d tokens", len(files), len(manifest)-1)
			}
			for n, r := range creds[1:] {
				serial, user, str := r[0], r[1], r[3]
				if manifest[n+1][0] != serial || manifest[n+1][4] != "Phone "+strconv.Itoa(i) {
					t.Fatalf("manifest row %v for %s", manifest[n+1], serial)
				}
				if !bytes.Contains(read(user+"_"+serial+".ctf.txt"), []byte(str+"\n")) {
					t.Fatalf("%s: the .ctf.txt does not hold the string", serial)
				}
				if c.link && !bytes.Equal(read(user+"_"+serial+".png"), qr(str)) {
					t.Fatalf("%s: no QR image of the string", serial)
				}
				if n >= 3 {
					continue // stoken on a sample keeps the test fast
				}
				pw := model.EffectivePassword(mode, user, adminPW)
				base := []string{"tokencode", "--token=" + str, "--pin=0000", "--use-time=" + strconv.FormatInt(time.Now().Unix(), 10), "--devid=" + c.devid}
				withPW := base
				if pw != "" {
					withPW = append(withPW, "--password="+pw)
				}
				code, errOut, err := stokentest.Run(withPW...)
				code = strings.TrimSpace(code)
				if err != nil {
					t.Fatalf("%s: stoken refuses the string: %v %s", serial, err, errOut)
				}
				if pw != "" {
					if _, _, err := stokentest.Run(append(base, "--password="+pw+"x")...); err == nil {
						t.Fatalf("%s: stoken accepts a wrong password", serial)
					}
				}
				if _, _, err := stokentest.Run(append(withPW[:len(withPW):len(withPW)], "--devid=0000000000000000000000000000000000000001")...); err == nil {
					t.Fatalf("%s: stoken accepts another device ID", serial)
				}
				checkVerify(t, dir, serial, code)
				if _, err := ctf.Inspect(str); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestDistributeCTFRefusals: CT-KIP profiles, --ctf-form on a file
// profile or a non-phone CTF profile, a bad form; nothing is submitted.
func TestDistributeCTFRefusals(t *testing.T) {
	withStandInQR(t)
	dir := ctfDemoDir(t)
	base := func(profile string, extra ...string) []string {
		return append([]string{"distribute", "--job", "J", "--profile", profile, "--password-mode", "none",
			"--from", "100000000001", "--to", "100000000010", "--yes"}, extra...)
	}
	expectFail(t, dir, ExitFailure, `profile "Kiosk CT-KIP" delivers by Dynamic Seed Provisioning (CT-KIP), which cannot deliver yet`, base("Kiosk CT-KIP")...)
	expectFail(t, dir, ExitFailure, "a CTF form is only for CTF profiles", base("Staff iPhone", "--ctf-form", "v2")...)
	expectFail(t, dir, ExitFailure, "v3 is only for iPhone and Android profiles", base("Windows CTF", "--ctf-form", "v3")...)
	expectFail(t, dir, ExitFailure, "--ctf-form is only for iPhone and Android CTF profiles", base("Windows CTF", "--ctf-form", "v2")...)
	expectFail(t, dir, ExitUsage, "not a CTF form", base("Android CTF", "--ctf-form", "v4")...)
	if out := mustRun(t, dir, "jobs", "list", "--json"); strings.Count(out, `"seq"`) != 0 {
		t.Fatalf("a refusal submitted a job:\n%s", out)
	}
}

// TestDistributeCTFDryRunJSONShowsKind: --dry-run --json names the job
// type and the CTF form, and a 64-bit token is left out with its reason.
func TestDistributeCTFDryRunJSONShowsKind(t *testing.T) {
	dir := ctfDemoDir(t)
	out := mustRun(t, dir, "distribute", "--job", "J", "--profile", "Windows CTF", "--password-mode", "none",
		"--from", "100000000001", "--to", "299999999999", "--dry-run", "--json")
	p := decodeJSON[planJSON](t, out)
	if p.Kind != "ctf" || p.CTFForm != "v2" || p.CTFShape != "blocks" {
		t.Fatalf("kind %q form %q shape %q", p.Kind, p.CTFForm, p.CTFShape)
	}
	if p.Counts.ByReason[model.NoCTFFormLabel] == 0 {
		t.Fatalf("no 64-bit token left out: %v", p.Counts.ByReason)
	}
	for _, l := range p.LeftOut {
		if l.Reason == model.NoCTFFormLabel && l.Blocks {
			t.Fatalf("a 64-bit token blocks the job: %+v", l)
		}
	}
	f := decodeJSON[planJSON](t, mustRun(t, dir, "distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none",
		"--from", "100000000001", "--to", "100000000010", "--dry-run", "--json"))
	if f.Kind != "sdtid" || f.CTFForm != "" {
		t.Fatalf("file job: kind %q form %q", f.Kind, f.CTFForm)
	}
}

//go:build e2e

package e2e

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// TestE2EWizardCTFJobToDownload runs a CTF job for the demo's iPhone CTF
// profile through the wizard (v3, user ID followed by a password), waits
// for Completed, downloads and unzips it, and checks every string: its
// .ctf.txt holds it, stoken accepts it with its password and the class
// GUID as device ID, and stoken's code passes swtoken verify.
func TestE2EWizardCTFJobToDownload(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cli(t, data, "demo")
	const pw = "E2e-Ctf7"
	const profile = "iPhone quick setup (CTF)"
	s := startConsole(t, dir, data, 80, 24, "TERM=xterm-256color", "LANG=C.UTF-8")
	s.secret = pw
	s.waitFor(`> 1  Distribute Software Tokens`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`\(1/8\) Job Name`, 5*time.Second)
	s.keys("C-u")
	s.typ("E2E CTF")
	s.keys("Enter")
	s.waitFor(`\(2/8\) Software Token Profile`, 5*time.Second)
	s.typ("quick setup")
	s.waitFor(`> `+regexp.QuoteMeta(profile), 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(3/8\) DeviceSerialNumber`, 5*time.Second)
	s.waitFor(`Generate Compressed Token Format Credentials`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(4/8\) Nickname`, 5*time.Second)
	s.waitFor(`manifest\.csv only`, 5*time.Second)
	s.typ("Work phone")
	s.keys("Enter")
	s.waitFor(`\(5/8\) Password protection`, 5*time.Second)
	s.waitFor(`CTF form:`, 5*time.Second)
	s.chooseUserIDFollowedByPassword(pw)
	s.waitFor(`> \(\*\) 1 iPhone link, v2`, 5*time.Second)
	s.keys("Down")
	s.waitFor(`> \(\*\) 2 iPhone link, v3 \(base64\)`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`\(6/8\) Token selection criteria`, 5*time.Second)
	s.typ("100000000001")
	s.keys("Tab")
	s.typ("100000000012")
	s.waitFor(`Eligible: \d+ tokens`, 10*time.Second)
	s.keys("Enter")
	s.waitFor(`\(7/8\) Summary`, 10*time.Second)
	s.waitFor(`CTF strings: +iPhone link, v3 \(base64\)`, 5*time.Second)
	s.waitFor(`QR images: +yes`, 5*time.Second)
	if m := regexp.MustCompile(`Type (\d+) to confirm`).FindStringSubmatch(s.screen()); m != nil {
		s.typ(m[1])
	}
	s.keys("Enter")
	s.waitFor(`\(8/8\) Submit Job`, 5*time.Second)
	s.keys("Enter")
	s.waitFor(`#1 +E2E CTF +Completed`, 60*time.Second)
	s.waitFor(`CTF v3, `, 5*time.Second)
	want := s.download(dir, "E2E CTF")
	s.quitAfterDownload(pw)
	if n := checkCTFZip(t, want, data, pw, model.DeviceIPhone.GUID()); n == 0 {
		t.Fatal("no CTF string in the ZIP")
	}
}

// checkCTFZip reads credentials.csv and each <user-id>_<serial>.ctf.txt of
// a CTF job's ZIP: each string is in its file, stoken accepts it with the
// password (user ID + suffix) and device ID devid, and stoken's code
// passes swtoken verify. It returns the number of strings.
func checkCTFZip(t *testing.T, zipPath, data, pwSuffix, devid string) int {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	if _, ok := files["manifest.csv"]; !ok {
		t.Fatal("no manifest.csv in the ZIP")
	}
	rows, err := csv.NewReader(strings.NewReader(files["credentials.csv"])).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("credentials.csv: %v, %d rows", err, len(rows))
	}
	n := 0
	for _, r := range rows[1:] { // serial, user_id, email, ctf_string
		serial, user, str := r[0], r[1], r[3]
		base := user + "_" + serial
		if !strings.Contains(files[base+".ctf.txt"], str) {
			t.Fatalf("%s.ctf.txt does not hold the string", base)
		}
		if _, ok := files[base+".png"]; !ok {
			t.Fatalf("no QR image %s.png", base)
		}
		pw := user + pwSuffix
		show := runStoken(t, "show", "--token="+str, "--password="+pw, "--devid="+devid)
		if !strings.Contains(show, serial) {
			t.Fatalf("stoken show does not name serial %s:\n%s", serial, show)
		}
		code := strings.TrimSpace(runStoken(t, "tokencode", "--token="+str, "--password="+pw, "--devid="+devid, "--pin=0000"))
		if out := cli(t, data, "verify", serial, code, "--pin", "0000"); !strings.Contains(out, "match") {
			t.Fatalf("swtoken verify %s %s: %s", serial, code, out)
		}
		n++
	}
	if _, err := os.Stat(zipPath); err != nil {
		t.Fatal(err)
	}
	return n
}

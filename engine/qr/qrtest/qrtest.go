// Package qrtest runs zbarimg, the QR oracle, for tests: finding it under
// the CI rule for missing tools and reading images with it, written once
// for every package whose tests check QR images.
package qrtest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Zbarimg returns zbarimg's path. With CI=true a missing zbarimg fails
// the test (CI installs zbar-tools); elsewhere the test is skipped.
func Zbarimg(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg is not installed (apt-get install zbar-tools); CI=true requires it")
		}
		t.Skip("zbarimg is not installed (apt-get install zbar-tools)")
	}
	return path
}

// qrOnly are zbarimg's options: raw data, quiet, and QR codes only. With
// every symbology on, zbarimg now and then also "finds" a linear barcode in
// a QR code's modules and prints a second, spurious line.
var qrOnly = []string{"--raw", "-q", "-Sdisable", "-Sqrcode.enable"}

// Read is what zbarimg (at path zbar) reads in one image file: its standard
// output without the line end it may add. Its standard error (D-Bus
// chatter) is ignored.
func Read(zbar, file string) (string, error) {
	out, err := exec.Command(zbar, slices.Concat(qrOnly, []string{file})...).Output()
	return strings.TrimSuffix(string(out), "\n"), err
}

// Decode runs zbarimg --raw -q on the files in one call and returns what
// it read from each, in the files' order. zbarimg prints one line per
// symbol in the order of its arguments, and nothing for a file without one,
// so the batch is trusted only when it printed exactly one line per file;
// otherwise each file is read on its own, to say which one failed.
func Decode(t testing.TB, zbar string, files ...string) []string {
	t.Helper()
	out, err := exec.Command(zbar, slices.Concat(qrOnly, files)...).Output()
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if err == nil && len(lines) == len(files) {
		return lines
	}
	t.Logf("zbarimg read %d symbols from %d files (%v): reading each file alone", len(lines), len(files), err)
	got := make([]string, len(files))
	for i, f := range files {
		s, err := Read(zbar, f)
		got[i] = s
		if err != nil {
			got[i] = fmt.Sprintf("<zbarimg: %v: %q>", err, s)
		}
	}
	return got
}

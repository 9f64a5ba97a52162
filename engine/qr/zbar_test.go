package qr

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/swtoken/swtoken/engine/qr/qrtest"
)

// zbarRead is what zbarimg reads in the PNG: its standard output without
// the line end it may add. Its standard error (D-Bus chatter) is ignored.
func zbarRead(t *testing.T, zbar string, png []byte) (string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	return qrtest.Read(zbar, file)
}

// TestZbarReadsEveryRenderingBackExactly is the oracle that is not our code:
// Debian's zbarimg reads each CTF string, and texts of many lengths, back
// to exactly the string from the PNG, from the default half-block
// rendering and from the inverted one, also as a terminal capture that
// dropped its trailing spaces and blank lines (each read back with
// FromHalfBlocks and written as a PNG).
func TestZbarReadsEveryRenderingBackExactly(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	texts := ctfStrings(t)
	for _, n := range []int{1, 17, 100, 300, 700, 1200} {
		texts = append(texts, strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz-=?&%/:.", 30)[:n])
	}
	type job struct {
		text, how string
		png       []byte
	}
	var jobs []job
	for _, text := range texts {
		png, err := PNG(text, Options{})
		if err != nil {
			t.Fatalf("PNG(%q): %v", text, err)
		}
		jobs = append(jobs, job{text, "PNG", png})
		for _, invert := range []bool{false, true} {
			s, err := HalfBlocksWith(text, TextOptions{Invert: invert})
			if err != nil {
				t.Fatalf("HalfBlocksWith(%q, invert %v): %v", text, invert, err)
			}
			img, err := FromHalfBlocks(s)
			if err != nil {
				t.Fatalf("FromHalfBlocks(HalfBlocksWith(%q, invert %v)): %v", text, invert, err)
			}
			png, err := ImagePNG(img, 4)
			if err != nil {
				t.Fatal(err)
			}
			how := "half blocks"
			if invert {
				how = "inverted half blocks"
			}
			jobs = append(jobs, job{text, how, png})
			if invert {
				// As a terminal capture gives it back: trailing spaces
				// and the blank lines of the quiet zone dropped.
				var lines []string
				for _, l := range strings.Split(s, "\n") {
					lines = append(lines, strings.TrimRight(l, " "))
				}
				img, err := FromHalfBlocks(strings.Trim(strings.Join(lines, "\n"), "\n"))
				if err != nil {
					t.Fatalf("FromHalfBlocks(a trimmed capture of %q): %v", text, err)
				}
				png, _ := ImagePNG(img, 4)
				jobs = append(jobs, job{text, "trimmed capture of the inverted half blocks", png})
			}
		}
	}
	// Two readers at a time: zbarimg takes about 0.1 s an image.
	var wg sync.WaitGroup
	ch := make(chan job)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				got, err := zbarRead(t, zbar, j.png)
				if err != nil || got != j.text {
					t.Errorf("zbarimg on the %s of %q: got %q (err %v)", j.how, j.text, got, err)
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	t.Logf("zbarimg read %d images of %d texts (%d CTF strings)", len(jobs), len(texts), len(texts)-6)
}

// TestZbarMissingFailsInCI proves the CI guarantee: with CI=true and no
// zbarimg on PATH the oracle test fails instead of skipping; outside CI it
// is a visible skip. It runs this test binary again with an empty PATH.
func TestZbarMissingFailsInCI(t *testing.T) {
	run := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestZbarReadsEveryRenderingBackExactly$", "-test.v")
		cmd.Env = []string{"PATH=" + t.TempDir(), "CI=" + ci, "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("true")
	if err == nil {
		t.Fatalf("with CI=true and no zbarimg the oracle test passed:\n%s", out)
	}
	if !strings.Contains(out, "zbarimg is not installed") || !strings.Contains(out, "--- FAIL: TestZbarReadsEveryRenderingBackExactly") {
		t.Fatalf("with CI=true and no zbarimg the oracle test did not fail for that reason:\n%s", out)
	}
	out, err = run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestZbarReadsEveryRenderingBackExactly") {
		t.Fatalf("outside CI a missing zbarimg should skip the oracle test (err %v):\n%s", err, out)
	}
}

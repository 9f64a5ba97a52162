// Package stokentest runs stoken, the SDTID oracle, for tests: the one safe
// invocation and the CI rule for missing tools, written once for every
// package whose tests check files with stoken.
package stokentest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeout bounds one stoken call. stoken loops forever on a prompt when it
// is not in batch mode; with --batch a prompt is an error, and this is the
// second guard.
const Timeout = 10 * time.Second

// Require returns the path of an external tool a test needs. When it is
// missing the test fails in CI (CI=true: every check is required there) and
// is skipped elsewhere, with a message that says which.
func Require(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; CI must run this test (apt-get install %s)", name, name)
		}
		t.Skipf("%s is not installed; skipping (CI=true makes this a failure)", name)
	}
	return p
}

// Run runs `timeout 10 stoken --batch --rcfile=/dev/null ARGS... </dev/null`:
// prompts become errors, no ~/.stokenrc is read, and nothing can hang.
func Run(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout+2*time.Second)
	defer cancel()
	full := append([]string{fmt.Sprint(int(Timeout.Seconds())), "stoken", "--batch", "--rcfile=/dev/null"}, args...)
	cmd := exec.CommandContext(ctx, "timeout", full...)
	cmd.Stdin = nil // /dev/null
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 124 {
		err = fmt.Errorf("stoken timed out (prompt loop?): %w", err)
	}
	return o.String(), e.String(), err
}

// Show runs `stoken show --seed` on file, with the password when one is
// given, and returns its combined output.
func Show(file, password string) (string, error) {
	args := []string{"show", "--seed", "--file=" + file}
	if password != "" {
		args = append(args, "--password="+password)
	}
	out, errOut, err := Run(args...)
	return out + errOut, err
}

// Tokencode asks stoken for file's raw tokencode (PIN 0000) at unix time
// at, ignoring expiry.
func Tokencode(file, password string, at int64) (string, error) {
	args := []string{"tokencode", "--force", "--file=" + file, "--pin=0000", fmt.Sprintf("--use-time=%d", at)}
	if password != "" {
		args = append(args, "--password="+password)
	}
	out, errOut, err := Run(args...)
	if err != nil {
		return "", fmt.Errorf("stoken tokencode: %w: %s", err, strings.TrimSpace(errOut))
	}
	return strings.TrimSpace(out), nil
}

var decryptedSeedRe = regexp.MustCompile(`(?m)^Decrypted seed\s*:\s*([0-9a-f ]+)$`)

// DecryptedSeed returns the seed from `stoken show --seed` output as 32
// lower-case hex digits.
func DecryptedSeed(showOutput string) (string, bool) {
	m := decryptedSeedRe.FindStringSubmatch(showOutput)
	if m == nil {
		return "", false
	}
	return strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""), true
}

// CheckCIRule proves the CI guarantee for test, a test of the calling
// package that requires stoken: it runs the test binary again with an empty
// PATH, and with CI=true that test must fail because stoken is not
// installed, while outside CI it must be a visible skip, not a silent pass.
func CheckCIRule(t *testing.T, test string) {
	t.Helper()
	run := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
		cmd.Env = []string{"PATH=" + t.TempDir(), "CI=" + ci, "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("true")
	if err == nil {
		t.Fatalf("with CI=true and no stoken the interop test passed:\n%s", out)
	}
	if !strings.Contains(out, "stoken is not installed") || !strings.Contains(out, "--- FAIL: "+test) {
		t.Fatalf("with CI=true and no stoken the interop test did not fail for that reason:\n%s", out)
	}

	// Outside CI the same situation is a visible skip, not a silent pass.
	out, err = run("")
	if err != nil || !strings.Contains(out, "--- SKIP: "+test) {
		t.Fatalf("outside CI a missing stoken should skip the interop test (err %v):\n%s", err, out)
	}
}

// CheckAll runs check on cases 0 to n-1 over workers goroutines (stoken
// calls are slow and independent) and reports what they fail: the first 20
// failures as test errors, then how many more there were.
func CheckAll(t *testing.T, n, workers int, check func(i int, fail func(format string, args ...any))) {
	t.Helper()
	var wg sync.WaitGroup
	work := make(chan int)
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				check(i, fail)
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, f := range failures {
		if i == 20 {
			t.Errorf("... and %d more", len(failures)-20)
			break
		}
		t.Error(f)
	}
}

// TokencodeFor asks stoken for the code at the time at, with PIN 0000, of
// the token tokenArg names (--token=… or --file=…), with exactly this
// password and device ID ("" = not given); unlike Tokencode, it does not
// ignore expiry.
func TokencodeFor(tokenArg, password, devid string, at time.Time) (string, error) {
	args := []string{"tokencode", tokenArg, "--pin=0000", "--use-time=" + strconv.FormatInt(at.Unix(), 10)}
	if password != "" {
		args = append(args, "--password="+password)
	}
	if devid != "" {
		args = append(args, "--devid="+devid)
	}
	out, errOut, err := Run(args...)
	if err != nil {
		return "", fmt.Errorf("stoken: %w: %s", err, strings.TrimSpace(errOut))
	}
	return strings.TrimSpace(out), nil
}

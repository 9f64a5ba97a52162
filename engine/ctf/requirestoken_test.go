package ctf

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestInteropFailsWithoutStokenInCI proves the CI guarantee: with CI=true and
// no stoken on PATH, the interoperability test fails instead of skipping.
// It runs this test binary again with an empty PATH.
func TestInteropFailsWithoutStokenInCI(t *testing.T) {
	run := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStokenInterop$", "-test.v")
		cmd.Env = []string{"PATH=" + t.TempDir(), "CI=" + ci, "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("true")
	if err == nil {
		t.Fatalf("with CI=true and no stoken the interop test passed:\n%s", out)
	}
	if !strings.Contains(out, "stoken is not installed") || !strings.Contains(out, "--- FAIL: TestStokenInterop") {
		t.Fatalf("with CI=true and no stoken the interop test did not fail for that reason:\n%s", out)
	}

	// Outside CI the same situation is a visible skip, not a silent pass.
	out, err = run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestStokenInterop") {
		t.Fatalf("outside CI a missing stoken should skip the interop test (err %v):\n%s", err, out)
	}
}

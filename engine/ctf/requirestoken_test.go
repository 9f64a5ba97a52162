package ctf

import (
	"testing"

	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
)

// TestInteropFailsWithoutStokenInCI proves the CI guarantee: with CI=true and
// no stoken on PATH, the interoperability test fails instead of skipping.
// It runs this test binary again with an empty PATH.
func TestInteropFailsWithoutStokenInCI(t *testing.T) {
	stokentest.CheckCIRule(t, "TestStokenInterop")
}

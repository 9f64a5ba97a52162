package cli

import (
	"io"
	"os"
	"time"
)

// childMarkerEnv, set for a "run" child (childCmd in lock_test.go), slows
// the child's job output down and names the file the child creates when
// the job starts writing its ZIP, so that a test can interrupt a real job
// in the middle.
const childMarkerEnv = "SWTOKEN_TEST_CHILD_MARKER"

// slowOutput is the child's job output: it says (once, by creating the
// marker file) that the job writes, and takes its time over every write.
type slowOutput struct {
	w      io.Writer
	marker string
}

func (s *slowOutput) Write(p []byte) (int, error) {
	if s.marker != "" {
		os.WriteFile(s.marker, nil, 0o600)
		s.marker = ""
	}
	time.Sleep(20 * time.Millisecond)
	return s.w.Write(p)
}

// slowChildOutput installs slowOutput in a child whose test set
// childMarkerEnv.
func slowChildOutput() {
	if marker := os.Getenv(childMarkerEnv); marker != "" {
		cliEngineOptions.WrapOutput = func(w io.Writer) io.Writer { return &slowOutput{w: w, marker: marker} }
	}
}

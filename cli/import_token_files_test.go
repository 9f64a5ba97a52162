package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestImportTokensRefusesLargeFilesUnread: ten 60 MB token files (sparse,
// so they cost no disk) are each rejected for their size, naming it, and
// the import does not read them: it allocates less than one of them
// would take.
func TestImportTokensRefusesLargeFilesUnread(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, dir, "import", "tokens", vec("f01-8d-60s-addpin-nopw.sdtid")) // the store exists before the measurement
	files := t.TempDir()
	var args []string
	for i := range 10 {
		p := filepath.Join(files, fmt.Sprintf("big-%d.sdtid", i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(60 << 20); err != nil {
			t.Fatal(err)
		}
		f.Close()
		args = append(args, p)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code, out, errOut := runCmd(t, dir, "", append([]string{"import", "tokens"}, args...)...)
	runtime.ReadMemStats(&after)
	if code != ExitFailure || !strings.Contains(out, "imported 0, skipped 0, rejected 10\n") || !strings.Contains(errOut, "10 rejected, so nothing was imported") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, p := range args {
		if want := "rejected: " + p + ": the file is 62914560 bytes, larger than 64 KiB"; !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("importing ten 60 MB files allocated %d MB: they were read", alloc>>20)
	}
}

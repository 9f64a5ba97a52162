package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// TestConsoleImportRefusesLargeFilesUnread: the Import screen's backend
// rejects ten 60 MB token files (sparse) for their real size without
// reading them: it allocates less than one of them would take.
func TestConsoleImportRefusesLargeFilesUnread(t *testing.T) {
	be, _ := realBackend(t)
	dir := t.TempDir()
	for i := range 10 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("big-%d.sdtid", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(60 << 20); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := be.ImportTokenFiles([]string{dir}, "", store.ImportOptions{})
	runtime.ReadMemStats(&after)
	if refused := new(*store.ImportRejectedError); !errors.As(err, refused) || len(res.Rejected) != 10 {
		t.Fatalf("%+v, %v", res, err)
	}
	for _, r := range res.Rejected {
		if !strings.HasPrefix(r.Reason, "the file is 62914560 bytes, larger than 64 KiB") {
			t.Errorf("%s: %q", r.Item, r.Reason)
		}
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("importing ten 60 MB files allocated %d MB: they were read", alloc>>20)
	}
}

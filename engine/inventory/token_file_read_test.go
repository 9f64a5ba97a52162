package inventory

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/store"
)

// sparseFiles makes n sparse files of size bytes each (they take no disk
// space, and reading one would still cost size bytes of memory).
func sparseFiles(t testing.TB, n int, size int64) []string {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, "big-"+string(rune('a'+i))+".sdtid")
		f, err := os.Create(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return paths
}

// allocatedBy returns the bytes fn allocates on the heap.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLargeTokenFilesAreRefusedUnread: ten 60 MB files given by path are
// each rejected for their size, naming it, without being read: the whole
// import allocates less than one of them would take.
func TestLargeTokenFilesAreRefusedUnread(t *testing.T) {
	st := openStore(t)
	const size = 60 << 20
	paths := sparseFiles(t, 10, size)
	files := make([]NamedData, len(paths))
	for i, p := range paths {
		files[i] = NamedData{Name: p, Path: p}
	}
	var res store.ImportResult
	var err error
	alloc := allocatedBy(func() {
		res, err = ImportTokenFiles(st, files, TokenFileOptions{}, store.ImportOptions{})
	})
	if _, refused := err.(*store.ImportRejectedError); !refused || len(res.Rejected) != len(paths) {
		t.Fatalf("%+v, %v", res, err)
	}
	for i, r := range res.Rejected {
		if r.Item != paths[i] || !strings.HasPrefix(r.Reason, "the file is 62914560 bytes, larger than 64 KiB") {
			t.Errorf("rejection %d: %q: %q", i, r.Item, r.Reason)
		}
	}
	if alloc > 4<<20 {
		t.Fatalf("the import allocated %d MB for ten 60 MB files it must not read", alloc>>20)
	}
}

// TestTokenFilesAreReadOneAtATime: a file given by path is read only when
// the import reaches it, after the files before it were parsed, so one
// file's content is in memory at a time. The proof: the second file is
// written while the first one is being read (when it asks for its
// password), and is imported.
func TestTokenFilesAreReadOneAtATime(t *testing.T) {
	st := openStore(t)
	first := filepath.Join(vectors, "f03-8d-30s-addpin-pw.sdtid")
	second := filepath.Join(t.TempDir(), "written-later.sdtid")
	files := []NamedData{{Name: first, Path: first}, {Name: second, Path: second}}
	ask := func() (string, error) {
		data, err := os.ReadFile(filepath.Join(vectors, "f01-8d-60s-addpin-nopw.sdtid"))
		if err == nil {
			err = os.WriteFile(second, data, 0o600)
		}
		return "Tr0ub4dor&3", err
	}
	res, err := ImportTokenFiles(st, files, TokenFileOptions{AskPassword: ask}, store.ImportOptions{})
	if err != nil || res.Imported != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
}

// TestReadTokenFileAtTheLimit: a file of exactly MaxTokenFileSize bytes is
// read whole, one byte more is refused before reading.
func TestReadTokenFileAtTheLimit(t *testing.T) {
	for _, c := range []struct {
		size int64
		want string
	}{{MaxTokenFileSize, ""}, {MaxTokenFileSize + 1, "the file is 65536 bytes, larger than 64 KiB"}, {0, ""}} {
		p := sparseFiles(t, 1, c.size)[0]
		data, err := ReadTokenFile(p)
		switch {
		case c.want == "" && (err != nil || int64(len(data)) != c.size):
			t.Errorf("%d bytes: read %d, %v", c.size, len(data), err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want) || data != nil):
			t.Errorf("%d bytes: read %d, %v; want %q", c.size, len(data), err, c.want)
		}
	}
}

package jobs

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestZipWriterIsReadable writes archives with a few entries and with more
// than 65,535 (ZIP64 end records), every third stored rather than deflated
// (as CTF jobs store their text files and images), and reads them back with
// archive/zip (and `unzip -t` when installed).
func TestZipWriterIsReadable(t *testing.T) {
	mod := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, n := range []int{3, 70_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			var out bytes.Buffer
			zw, err := newZipWriter(&out, filepath.Join(dir, "cd.tmp"), mod)
			if err != nil {
				t.Fatal(err)
			}
			var cbuf bytes.Buffer
			fw, _ := flate.NewWriter(&cbuf, flate.DefaultCompression)
			for i := range n {
				data := []byte(fmt.Sprintf("file %d\n", i))
				if i%3 == 2 {
					if err := zw.addStored(fmt.Sprintf("f%06d.txt", i), crc32.ChecksumIEEE(data), data); err != nil {
						t.Fatal(err)
					}
					continue
				}
				cbuf.Reset()
				fw.Reset(&cbuf)
				fw.Write(data)
				fw.Close()
				if err := zw.add(fmt.Sprintf("f%06d.txt", i), crc32.ChecksumIEEE(data), cbuf.Bytes(), uint64(len(data))); err != nil {
					t.Fatal(err)
				}
			}
			if err := zw.close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "cd.tmp")); err == nil {
				t.Fatal("the central directory spool was left behind")
			}
			zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != n {
				t.Fatalf("%d entries, want %d", len(zr.File), n)
			}
			for i, f := range zr.File {
				if want := map[bool]uint16{true: zip.Store, false: zip.Deflate}[i%3 == 2]; f.Method != want {
					t.Fatalf("entry %d has method %d, want %d", i, f.Method, want)
				}
			}
			for _, i := range []int{0, 2, n / 2, n - 1} {
				f := zr.File[i]
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || string(b) != fmt.Sprintf("file %d\n", i) || f.Name != fmt.Sprintf("f%06d.txt", i) || !f.Modified.Equal(mod) {
					t.Fatalf("entry %d: %q %q %v %v", i, f.Name, b, f.Modified, err)
				}
				// Extracted, a token file is a regular file its owner can
				// read, and nobody else (with mode 0 unzip made it 0000).
				if f.Mode() != 0o600 {
					t.Fatalf("entry %d extracts with mode %v, want -rw-------", i, f.Mode())
				}
			}
			if _, err := exec.LookPath("unzip"); err == nil {
				p := filepath.Join(dir, "a.zip")
				os.WriteFile(p, out.Bytes(), 0o600)
				if msg, err := exec.Command("unzip", "-tqq", p).CombinedOutput(); err != nil {
					t.Fatalf("unzip -t: %v\n%s", err, msg)
				}
			}
		})
	}
}

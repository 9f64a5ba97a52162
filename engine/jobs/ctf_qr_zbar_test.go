package jobs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/qr/qrtest"
	"github.com/swtoken/swtoken/model"
)

// TestCTFJobQRImagesDecodeWithZbarToTheirStrings is the QR oracle over
// whole jobs, with the default encoder (engine/qr): for iPhone and Android
// profiles, v2 and v3, every PNG image in the downloaded ZIP is read by
// Debian's zbarimg, and what it reads is exactly the string in the token's
// .ctf.txt and in its credentials.csv row; every link has its image and
// every image belongs to a token.
func TestCTFJobQRImagesDecodeWithZbarToTheirStrings(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	st := openDemo(t, 40, 120)
	addCTFProfiles(t, st)
	e := New(st, Options{Now: func() time.Time { return testNow }})
	const adminPW = "Qr-pw!7"
	cases := []struct {
		profile string
		form    model.CTFForm
		mode    model.PasswordMode
		device  string
	}{
		{"iPhone quick setup (CTF)", model.CTFv2, model.PasswordNone, ""},
		{"iPhone quick setup (CTF)", model.CTFv3, model.PasswordUserIDAndAdmin, ""},
		{"Android CTF", model.CTFv2, model.PasswordAdmin, "android-0123-ABCD-ef99"},
		{"Android CTF", model.CTFv3, model.PasswordUserID, ""},
	}
	images := 0 // read by zbarimg
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s %s", c.profile, c.form), func(t *testing.T) {
			pw := ""
			if c.mode.NeedsAdminPassword() {
				pw = adminPW
			}
			from, to := fmt.Sprintf("%012d", 100_000_000_001+i*20), fmt.Sprintf("%012d", 100_000_000_020+i*20)
			j := submit(t, e, ctfJobSpec(fmt.Sprintf("QR %d", i), c.profile, c.form, c.device, c.mode, from, to), pw)
			if !j.Spec.CTFShape.IsLink() {
				t.Fatalf("%s makes %s strings, not links", c.profile, j.Spec.CTFShape)
			}
			end := runAll(t, e)
			if end.State != model.JobCompleted || end.Total != j.Total || end.Total < 10 {
				t.Fatalf("job ended %+v", end)
			}
			zipPath := filepath.Join(t.TempDir(), "out.zip")
			if _, err := e.Download(context.Background(), end.Seq, zipPath, false); err != nil {
				t.Fatal(err)
			}
			out := readCTFOutput(t, zipPath)
			dir := t.TempDir()
			var files, want, serials []string
			inManifest := map[string]bool{}
			for k, r := range out.manifest[1:] {
				serial, user, txtName, pngName := r[0], r[1], r[5], r[6]
				cr := out.credentials[k+1]
				if cr[0] != serial || cr[1] != user {
					t.Fatalf("credentials row %v for manifest row %v", cr, r)
				}
				if pngName != QREntryName(user, serial) {
					t.Fatalf("%s: QR image %q, want %q", serial, pngName, QREntryName(user, serial))
				}
				png, ok := out.files[pngName]
				if !ok || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
					t.Fatalf("%s: no PNG image %s in the ZIP", serial, pngName)
				}
				inManifest[pngName] = true
				str := cr[3]
				if got, wantText := string(out.files[txtName]), CTFText(str, j.Spec.CTFForm, j.Spec.CTFShape, pngName); got != wantText {
					t.Fatalf("%s: %q, want %q", txtName, got, wantText)
				}
				f := filepath.Join(dir, pngName)
				if err := os.WriteFile(f, png, 0o600); err != nil {
					t.Fatal(err)
				}
				files, want, serials = append(files, f), append(want, str), append(serials, serial)
			}
			for name := range out.files {
				if strings.HasSuffix(name, ".png") && !inManifest[name] {
					t.Errorf("%s is in the ZIP but no manifest row names it", name)
				}
			}
			got := qrtest.Decode(t, zbar, files...)
			for k := range files {
				// want[k] is credentials.csv's string, and the .ctf.txt
				// holds exactly it (checked above).
				if got[k] != want[k] {
					t.Errorf("%s: zbarimg reads %s as %q, want %q", serials[k], filepath.Base(files[k]), got[k], want[k])
				}
			}
			if len(files) != end.Total {
				t.Fatalf("%d images for %d tokens", len(files), end.Total)
			}
			images += len(files)
		})
	}
	t.Logf("zbarimg read %d images from 4 jobs", images)
}

package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	qrcode "github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// addCTFProfiles adds CTF profiles for Android and Windows and a CT-KIP one
// to a demo store (which has "iPhone quick setup (CTF)").
func addCTFProfiles(t testing.TB, st *store.Store) {
	t.Helper()
	for _, p := range []model.Profile{
		{Name: "Android CTF", DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 6, Duration: 30, AuthType: model.AuthFob},
		{Name: "Windows CTF", DeviceType: model.DeviceWindows, DeliveryMethod: model.DeliveryCTF, TokencodeLength: 8, Duration: 30, AuthType: model.AuthTokencodeOnly},
		{Name: "Kiosk CT-KIP", DeviceType: model.DeviceAndroid, DeliveryMethod: model.DeliveryCTKIP, TokencodeLength: 8, Duration: 60, AuthType: model.AuthPINPad},
	} {
		if _, err := st.AddProfile(p); err != nil {
			t.Fatal(err)
		}
	}
}

// ctfJobSpec is a CTF job over a serial range; device "" is class binding.
func ctfJobSpec(name, profile string, form model.CTFForm, device string, mode model.PasswordMode, from, to string) model.JobSpec {
	return model.JobSpec{Name: name, Profile: profile, CTFForm: form, Device: device, Nickname: "Work phone",
		PasswordMode: mode, Criteria: model.Criteria{From: from, To: to}}
}

// ctfOutput is a CTF job's ZIP, read back.
type ctfOutput struct {
	files       map[string][]byte
	manifest    [][]string
	credentials [][]string
}

func readCTFOutput(t *testing.T, path string) ctfOutput {
	t.Helper()
	o := ctfOutput{files: zipFiles(t, path)}
	var err error
	if o.manifest, err = csv.NewReader(bytes.NewReader(o.files["manifest.csv"])).ReadAll(); err != nil {
		t.Fatalf("manifest.csv: %v", err)
	}
	if o.credentials, err = csv.NewReader(bytes.NewReader(o.files["credentials.csv"])).ReadAll(); err != nil {
		t.Fatalf("credentials.csv: %v", err)
	}
	return o
}

// stokenCode asks stoken for the token's code at testNow, with exactly this
// password and device ID ("" = not given).
func stokenCode(tokenArg, password, devid string) (string, error) {
	return stokentest.TokencodeFor(tokenArg, password, devid, testNow)
}

// wrongCode is code with its last digit changed.
func wrongCode(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+5)%10
	return string(b)
}

// TestCTFJobEndToEndEachPasswordMode runs a CTF job in each password mode
// (over the three string shapes, v2 and v3, class and device binding) on a
// demo store, downloads and unzips it, and checks every token: stoken
// imports the string (and the .ctf.txt file) with exactly the expected
// password and device ID and no other; its code passes Verify against the
// store, a wrong code fails; the link forms have their QR image; the
// manifest holds the names and nickname and no string, credentials.csv
// the strings. Then a redistribution makes the old strings' codes fail.
func TestCTFJobEndToEndEachPasswordMode(t *testing.T) {
	stokentest.Require(t, "stoken")
	st := openDemo(t, 30, 80)
	addCTFProfiles(t, st)
	e := New(st, Options{Now: func() time.Time { return testNow }})
	const adminPW = "Ctf-pw!9"
	cases := []struct {
		mode    model.PasswordMode
		profile string
		form    model.CTFForm
		device  string
		shape   model.CTFShape
	}{
		{model.PasswordNone, "iPhone quick setup (CTF)", model.CTFv2, "", model.CTFShapeIPhone},
		{model.PasswordAdmin, "Android CTF", model.CTFv3, "android-0123-ABCD-ef99", model.CTFShapeAndroid},
		{model.PasswordUserID, "Windows CTF", "", "", model.CTFShapeBlocks},
		{model.PasswordUserIDAndAdmin, "iPhone quick setup (CTF)", model.CTFv3, "", model.CTFShapeIPhone},
	}
	oldStrings := map[string]string{} // serial -> a string handed out by an earlier job
	for i, c := range cases {
		t.Run(string(c.mode), func(t *testing.T) {
			pw := ""
			if c.mode.NeedsAdminPassword() {
				pw = adminPW
			}
			from, to := fmt.Sprintf("%012d", 100_000_000_001+i*12), fmt.Sprintf("%012d", 100_000_000_012+i*12)
			s := ctfJobSpec(fmt.Sprintf("CTF %d", i), c.profile, c.form, c.device, c.mode, from, to)
			j := submit(t, e, s, pw)
			if j.Spec.Kind != model.JobKindCTF || j.Spec.CTFShape != c.shape || (c.form == "" && j.Spec.CTFForm != model.CTFv2) {
				t.Fatalf("submitted spec %+v", j.Spec)
			}
			end := runAll(t, e)
			if end.State != model.JobCompleted || end.Done != end.Total {
				t.Fatalf("job ended %+v", end)
			}
			zipPath := filepath.Join(t.TempDir(), "out.zip")
			if _, err := e.Download(context.Background(), end.Seq, zipPath, false); err != nil {
				t.Fatal(err)
			}
			out := readCTFOutput(t, zipPath)
			perToken := 1
			if c.shape.IsLink() {
				perToken = 2
			}
			if len(out.files) != end.Total*perToken+2 || len(out.manifest) != end.Total+1 || len(out.credentials) != end.Total+1 {
				t.Fatalf("%d entries, %d manifest rows, %d credentials rows for %d tokens", len(out.files), len(out.manifest), len(out.credentials), end.Total)
			}
			if got := strings.Join(out.credentials[0], ","); got != "serial,user_id,email,ctf_string" {
				t.Fatalf("credentials.csv header %q", got)
			}
			manifestText := string(out.files["manifest.csv"])
			for k, r := range out.manifest[1:] {
				serial, user, file, qr := r[0], r[1], r[5], r[6]
				cr := out.credentials[k+1]
				if cr[0] != serial || cr[1] != user {
					t.Fatalf("credentials row %v for manifest row %v", cr, r)
				}
				u, err := st.User(user)
				if err != nil || cr[2] != u.Email || r[2] != u.FirstName || r[3] != u.LastName || r[4] != "Work phone" {
					t.Fatalf("row %v / %v for user %+v (%v)", r, cr, u, err)
				}
				str := cr[3]
				if strings.Contains(manifestText, str) {
					t.Fatal("the manifest holds a CTF string")
				}
				if file != CTFEntryName(user, serial) {
					t.Fatalf("file %q", file)
				}
				if got, want := string(out.files[file]), CTFText(str, j.Spec.CTFForm, c.shape, qr); got != want || !strings.Contains(got, "\nTo import this token") && !strings.HasPrefix(got, "To import this token") {
					t.Fatalf("%s: %q, want %q", file, got, want)
				}
				info, err := ctf.Inspect(str)
				if err != nil {
					t.Fatal(err)
				}
				wantVersion := 2
				if c.form == model.CTFv3 {
					wantVersion = 3
				}
				if info.Version != wantVersion || info.Form != CTFForm(c.shape) {
					t.Fatalf("string is v%d %v, want v%d %v", info.Version, info.Form, wantVersion, CTFForm(c.shape))
				}
				if c.shape.IsLink() {
					// The default encoder's image of the string (that
					// zbarimg reads it back is TestCTFJobQRImagesDecodeWithZbarToTheirStrings).
					want, err := qrcode.PNG(str, qrcode.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if qr != QREntryName(user, serial) || !bytes.Equal(out.files[qr], want) {
						t.Fatalf("%s: the QR image is not the string's", serial)
					}
				} else if qr != "" {
					t.Fatalf("a %s string has a QR image %q", c.shape, qr)
				}

				wantPW := model.EffectivePassword(c.mode, user, pw)
				devid := c.device
				if devid == "" {
					devid = model.DeviceType(map[model.CTFShape]model.DeviceType{
						model.CTFShapeIPhone: model.DeviceIPhone, model.CTFShapeAndroid: model.DeviceAndroid, model.CTFShapeBlocks: model.DeviceWindows,
					}[c.shape]).GUID()
				}
				code, err := stokenCode("--token="+str, wantPW, devid)
				if err != nil {
					t.Fatalf("%s: stoken refuses the string with its password and device ID: %v", serial, err)
				}
				res, err := Verify(st, serial, code, "0000", testNow)
				if err != nil || !res.Match {
					t.Fatalf("%s: stoken's code %s does not verify: %+v %v", serial, code, res, err)
				}
				if res, err := Verify(st, serial, wrongCode(code), "0000", testNow); err != nil || res.Match {
					t.Fatalf("%s: a wrong code verifies: %+v %v", serial, res, err)
				}
				oldStrings[serial] = str
				if k > 0 {
					continue
				}
				// The first token also: the .ctf.txt file as it is,
				// and no other password or device ID.
				txt := filepath.Join(t.TempDir(), file)
				if err := os.WriteFile(txt, out.files[file], 0o600); err != nil {
					t.Fatal(err)
				}
				if fcode, err := stokenCode("--file="+txt, wantPW, devid); err != nil || fcode != code {
					t.Fatalf("%s: stoken reads the .ctf.txt file as %q, %v; want %s", file, fcode, err, code)
				}
				if wantPW != "" {
					if _, err := stokenCode("--token="+str, wantPW+"x", devid); err == nil {
						t.Fatalf("%s: stoken accepts a wrong password", serial)
					}
					if _, err := stokenCode("--token="+str, "", devid); err == nil {
						t.Fatalf("%s: stoken accepts no password", serial)
					}
				} else if info.NeedsPassword {
					// stoken ignores a password a string does not need.
					t.Fatalf("%s: a string of mode none needs a password", serial)
				}
				if _, err := stokenCode("--token="+str, wantPW, "0123456789abcdef0123456789abcdef01234567"); err == nil {
					t.Fatalf("%s: stoken accepts another device ID", serial)
				}
			}
		})
	}

	// Redistribution: a file job over the first CTF job's tokens gives
	// them new seeds; the strings handed out before stop working.
	from, to := "100000000001", "100000000012"
	re := submit(t, e, spec("Redistribute", model.PasswordNone, from, to), "")
	if end := runAll(t, e); end.Seq != re.Seq || end.State != model.JobCompleted {
		t.Fatalf("redistribution ended %+v", end)
	}
	checked := 0
	for serial, str := range oldStrings {
		if model.CompareSerials(serial, to) > 0 {
			continue
		}
		tok, err := ctf.Decode(str, "", model.DeviceIPhone.GUID())
		if err != nil {
			t.Fatal(err)
		}
		code, err := tok.Code(testNow, "0000")
		if err != nil {
			t.Fatal(err)
		}
		if res, err := Verify(st, serial, code, "0000", testNow); err != nil || res.Match {
			t.Fatalf("%s: the old string's code still verifies after redistribution: %+v %v", serial, res, err)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no redistributed token checked")
	}
}

// TestCTFJobLeavesOut64BitTokens: a CTF job over a range with 64-bit
// tokens leaves them out with their own reason, without blocking; a file
// job over the same range takes them.
func TestCTFJobLeavesOut64BitTokens(t *testing.T) {
	st := openDemo(t, 60, 500)
	addCTFProfiles(t, st)
	e := New(st, Options{Now: func() time.Time { return testNow }})
	s := ctfJobSpec("CTF 64", "Windows CTF", "", "", model.PasswordNone, "100000000400", "200000000020")
	p, err := e.Plan(s, "")
	if err != nil {
		t.Fatal(err)
	}
	n := p.Summary.Ineligible[model.NoCTFForm]
	if n == 0 {
		t.Fatalf("no 64-bit token left out: %v", p.Summary.IneligibleText())
	}
	if !strings.Contains(p.Summary.IneligibleText(), model.Plural(n, "64-bit token")+" (no CTF form)") {
		t.Errorf("summary %q", p.Summary.IneligibleText())
	}
	for _, sel := range p.Selected {
		if tok, _ := st.Token(sel.Serial); tok.Algorithm != model.AlgAES128 {
			t.Fatalf("selected %s (%s)", sel.Serial, tok.Algorithm)
		}
	}
	for _, l := range p.LeftOut {
		if l.Reason == model.NoCTFForm && !strings.HasPrefix(l.Serial, "2") {
			t.Fatalf("left out %s as 64-bit", l.Serial)
		}
	}
	fp, err := e.Plan(spec("Files 64", model.PasswordNone, "100000000400", "200000000020"), "")
	if err != nil {
		t.Fatal(err)
	}
	if fp.Summary.Count != p.Summary.Count+n || fp.Summary.Ineligible[model.NoCTFForm] != 0 {
		t.Errorf("file job takes %d tokens, CTF job %d + %d left out", fp.Summary.Count, p.Summary.Count, n)
	}
	j := submit(t, e, s, "")
	if end := runAll(t, e); end.Seq != j.Seq || end.State != model.JobCompleted || end.Total != p.Summary.Count {
		t.Fatalf("job ended %+v", end)
	}
	// The submit's audit record names the job type and the strings.
	recs, err := st.AuditRecords(store.AuditFilter{Action: "job submit"})
	if err != nil || len(recs) == 0 {
		t.Fatal(recs, err)
	}
	if d := recs[len(recs)-1].Details; !strings.Contains(d, "Generate Compressed Token Format Credentials, 81 digits in blocks of five (v2)") {
		t.Errorf("job submit audit %q", d)
	}
}

// TestCTFJobRefusals: CT-KIP profiles cannot deliver yet; v3 is for phone
// profiles only; a CTF form is for CTF profiles only.
func TestCTFJobRefusals(t *testing.T) {
	st := openDemo(t, 20, 50)
	addCTFProfiles(t, st)
	e := New(st, Options{Now: func() time.Time { return testNow }})
	cases := []struct {
		s    model.JobSpec
		want string
	}{
		{ctfJobSpec("A", "Kiosk CT-KIP", "", "", model.PasswordNone, "100000000001", "100000000005"), "cannot deliver yet"},
		{ctfJobSpec("B", "Windows CTF", model.CTFv3, "", model.PasswordNone, "100000000001", "100000000005"), "v3 is only for iPhone and Android profiles"},
		{func() model.JobSpec {
			s := spec("D", model.PasswordNone, "100000000001", "100000000005")
			s.CTFForm = model.CTFv3
			return s
		}(), "only for CTF profiles"},
	}
	for _, c := range cases {
		if _, err := e.Plan(c.s, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.s.Name, err, c.want)
		}
	}
}

// TestCTFOutputIsTheSameForAnyNumberOfWorkers: the v3 nonces come from the
// job's random source in serial order, as the seeds do, so the same source
// gives the same ZIP byte for byte with 1 worker and with 4.
func TestCTFOutputIsTheSameForAnyNumberOfWorkers(t *testing.T) {
	s := ctfJobSpec("Same", "Android CTF", model.CTFv3, "", model.PasswordUserID, "100000000001", "100000000040")
	checkSameOutputFor1And4Workers(t, s, func(workers int) *Engine {
		st := openDemo(t, 20, 50)
		addCTFProfiles(t, st)
		return New(st, Options{Workers: workers, Rand: mrand.New(mrand.NewSource(7)), Now: func() time.Time { return testNow }})
	})
}

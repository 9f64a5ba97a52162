package requests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// stokenCode asks stoken for the token's code at testNow, with exactly this
// password and device ID ("" = not given).
func stokenCode(tokenArg, password, devid string) (string, error) {
	return stokentest.TokencodeFor(tokenArg, password, devid, testNow)
}

// TestFulfilDeliversFileAndCTFTokensStokenAccepts fulfils an approved
// file-based request (with a password) and an approved CTF request (a link
// with a QR image, no password): each request ends Fulfilled with a token
// assigned to its user, the password is destroyed, the audit says "request
// fulfil" without the password, and the delivered file and string are
// accepted by stoken with exactly the request's password (and not without
// it), their code passes the engine's verify, and their seed is the stored
// seed.
func TestFulfilDeliversFileAndCTFTokensStokenAccepts(t *testing.T) {
	stokentest.Require(t, "stoken")
	st := openStore(t, dataDir(t), 40, model.ApprovalAutomatic)
	defer st.Close()
	addUsers(t, st, "req", 2)
	rFile := request(t, st, "req1", fileProfile, reqPW)
	rCTF := request(t, st, "req2", ctfProfile, "")
	if rFile.State != model.RequestApproved || rCTF.State != model.RequestApproved {
		t.Fatalf("automatic policy: states %s, %s", rFile.State, rCTF.State)
	}
	res, err := Fulfil(context.Background(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fulfilled) != 2 || len(res.Failed) != 0 || res.Waiting != 0 {
		t.Fatalf("result: %+v", res)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		r  model.Request
		pw string
	}{{rFile, reqPW}, {rCTF, ""}} {
		r, err := st.Request(c.r.ID())
		if err != nil {
			t.Fatal(err)
		}
		d := checkDelivered(t, st, r, c.pw)
		if pw, err := st.RequestPassword(r.ID()); err != nil || pw != nil {
			t.Errorf("%s: the password is still kept (%v)", r.ID(), err)
		}
		var arg, devid string
		if d.Kind == store.DeliverySDTID {
			if !strings.HasSuffix(d.FileName, ".sdtid") {
				t.Errorf("%s: file name %q", r.ID(), d.FileName)
			}
			p := filepath.Join(dir, d.FileName)
			if err := os.WriteFile(p, d.Data, 0o600); err != nil {
				t.Fatal(err)
			}
			arg = "--file=" + p
		} else {
			if !strings.HasPrefix(d.CTF, "com.rsa.securid.iphone://") || len(d.QRPNG) == 0 || d.QRName == "" {
				t.Errorf("%s: CTF link %q, QR %q (%d bytes)", r.ID(), d.CTF, d.QRName, len(d.QRPNG))
			}
			arg, devid = "--token="+d.CTF, r.Binding.Value
		}
		code, err := stokenCode(arg, c.pw, devid)
		if err != nil {
			t.Fatalf("%s: stoken refuses the delivery with its password: %v", r.ID(), err)
		}
		if c.pw != "" {
			if _, err := stokenCode(arg, c.pw+"x", devid); err == nil {
				t.Errorf("%s: stoken accepts a wrong password", r.ID())
			}
		}
		v, err := jobs.Verify(st, r.Serial, code, "0000", testNow)
		if err != nil || !v.Match {
			t.Errorf("%s: code %s does not verify: %+v %v", r.ID(), code, v, err)
		}
		tok, _ := st.Token(r.Serial)
		if tok.Distribution.Nickname != "Work phone" || tok.Distribution.Binding != r.Binding.Value {
			t.Errorf("%s: distribution %+v", r.ID(), tok.Distribution)
		}
	}
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range recs {
		if strings.Contains(a.Details, reqPW) {
			t.Errorf("audit %s %s holds the password", a.Action, a.Object)
		}
		if a.Action == "request fulfil" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d \"request fulfil\" records, want 2", n)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
	// A second pass finds nothing to do and changes nothing.
	if res, err := Fulfil(context.Background(), st, Options{}); err != nil || len(res.Fulfilled)+len(res.Failed) != 0 {
		t.Fatalf("second pass: %+v %v", res, err)
	}
}

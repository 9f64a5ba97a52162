package qr

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
)

// ctfStrings are CTF strings made by engine/ctf.Encode over what a job
// writes: v2 in all four forms and v3 behind both links, 6 and 8 digits,
// 30 and 60 s, every PIN mode, with and without a password and a device
// binding. Seeds, serials and v3 nonces come from a fixed source, so the set
// is the same on every run.
func ctfStrings(t *testing.T) []string {
	t.Helper()
	r := rand.New(rand.NewSource(12))
	var out []string
	forms := []struct {
		version int
		form    ctf.Form
	}{
		{2, ctf.FormAndroid}, {2, ctf.FormIPhone}, {2, ctf.FormDigits}, {2, ctf.FormBlocks},
		{3, ctf.FormAndroid}, {3, ctf.FormIPhone},
	}
	for i := 0; i < 36; i++ {
		f := forms[i%len(forms)]
		tok := ctf.Token{
			Serial:      fmt.Sprintf("%012d", r.Int63n(1e12)),
			Digits:      []int{6, 8}[r.Intn(2)],
			Interval:    []int{30, 60}[r.Intn(2)],
			PINMode:     r.Intn(4),
			Death:       time.Date(2030+r.Intn(8), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC),
			Alg128:      true,
			TimeDerived: true,
		}
		r.Read(tok.Seed[:])
		o := ctf.Options{Version: f.version, Form: f.form, Rand: r}
		if i/len(forms)%2 == 1 {
			o.Password = "pw-" + strings.Repeat("x", r.Intn(20))
		}
		if i/len(forms)%3 == 2 {
			o.DeviceID = ctf.ClassGUIDs[r.Intn(len(ctf.ClassGUIDs))].GUID
		}
		s, err := ctf.Encode(tok, o)
		if err != nil {
			t.Fatalf("ctf.Encode %+v: %v", o, err)
		}
		out = append(out, s)
	}
	return out
}

package jobs

import (
	"fmt"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// VerifyWindow is how many intervals either side of now a helpdesk check
// accepts: a code read out just as it changed still matches.
const VerifyWindow = 1

// VerifyResult is the outcome of a helpdesk check.
type VerifyResult struct {
	Serial  string
	Match   bool
	Offset  int // in intervals: -1 previous, 0 current, +1 next
	Digits  int
	Seconds int
	PIN     bool // the PIN was folded into the code
	// Assumed is set when the token's code settings are unknown (never
	// distributed by swtoken) and defaults were used.
	Assumed bool
	// Unassigned is the token a fulfilled replacement request replaced,
	// unassigned because this first match verified its replacement
	// (store.ReplacementVerified); "" when none.
	Unassigned string
}

// OffsetText words a match offset: "0 (current interval)".
func OffsetText(off int) string {
	switch {
	case off == 0:
		return "0 (current interval)"
	case off < 0:
		return fmt.Sprintf("%d (previous interval)", off)
	}
	return fmt.Sprintf("+%d (next interval)", off)
}

// ErrUnsupported is wrapped for 64-bit tokens, whose codes are not
// implemented: no answer is better than a wrong one.
var ErrUnsupported = fmt.Errorf("unsupported token")

// Verify checks a tokencode a user reads out against the token's current
// seed, at, and ±VerifyWindow intervals around it. The digits, interval and
// PIN mode are those of the file handed out last (recorded at the job's
// commit) or, for a token imported from a file and never distributed, those
// of the imported file; a token whose settings are unknown is checked with
// 8 digits, 60 seconds and the PIN folded in when one is given, and the
// result says so. The clear seed lives only for the check.
func Verify(st *store.Store, serial, code, pin string, at time.Time) (VerifyResult, error) {
	tok, err := st.Token(serial)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{Serial: tok.Serial}
	if tok.Algorithm == model.AlgSID64 {
		return res, fmt.Errorf("token %s is a 64-bit (SID-64) token: %w (its tokencode algorithm is not implemented, so no code can be checked)", tok.Serial, ErrUnsupported)
	}
	d := tok.Distribution
	res.Digits, res.Seconds, res.PIN = d.Digits, d.IntervalSeconds, d.AddPIN
	if res.Digits == 0 || res.Seconds == 0 {
		res.Digits, res.Seconds, res.PIN, res.Assumed = 8, 60, true, true
	}
	if len(code) != res.Digits || !allDigits(code) {
		return res, fmt.Errorf("the code must be %d digits for token %s", res.Digits, tok.Serial)
	}
	seed, err := st.UnsealSeed(tok)
	if err != nil {
		return res, err
	}
	defer clear(seed)
	t := sdtid.Token{Serial: tok.Serial, Digits: res.Digits, IntervalSeconds: res.Seconds, Alg: 1, Death: model.Date(tok.Death)}
	copy(t.Seed[:], seed)
	defer clear(t.Seed[:])
	if res.PIN {
		t.PINMode = 2
	}
	if !res.PIN {
		pin = "" // the PIN is typed before the code, not folded in
	}
	off, ok, err := t.Verify(code, at, pin, VerifyWindow)
	if err != nil {
		return res, err
	}
	res.Match, res.Offset = ok, off
	if ok {
		// A replacement's old token is unassigned when the new one is
		// first verified (product.md section 12).
		if res.Unassigned, err = st.ReplacementVerified(tok.Serial); err != nil {
			return res, fmt.Errorf("the code matches, but the replaced token could not be unassigned: %w", err)
		}
	}
	return res, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

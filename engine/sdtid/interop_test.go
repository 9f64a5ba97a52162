package sdtid

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
)

// interopFiles is how many random files stoken must accept.
const interopFiles = 220

var (
	encryptedPwRe = regexp.MustCompile(`(?m)^Encrypted w/password\s*:\s*(\w+)$`)
)

// interopTimes are fixed check times, all before every random Death.
var interopTimes = []int64{1718454645, 1735689599, 1767225630}

type interopCase struct {
	in  WriteInput
	out *Written
	pin string // a random 4-8 digit PIN for one of the code checks
}

// TestStokenInterop writes a few hundred random files and has stoken read
// each one: MACs, password, seed and tokencodes must all agree.
func TestStokenInterop(t *testing.T) {
	stokentest.Require(t, "stoken")
	r := rand.New(rand.NewSource(20240615))
	w := &Writer{Signer: signer(t), Rand: r, Keys: NewKeyCache()}
	cases := make([]interopCase, interopFiles)
	protected := 0
	for i := range cases {
		in := randomInput(r)
		if r.Intn(4) == 0 {
			// Per-token overrides put short lines ("TKN.Mode 0\n") into the
			// MAC input, which exercises the short-line placement rule.
			for _, o := range []Field{{"Digits", []string{"6", "8"}[r.Intn(2)]}, {"Interval", []string{"30", "60"}[r.Intn(2)]},
				{"Mode", strconv.Itoa(r.Intn(2))}, {"AddPIN", strconv.Itoa(r.Intn(2))}, {"LocalPIN", strconv.Itoa(r.Intn(2))},
				{"TimeDerivedSeeds", strconv.Itoa(r.Intn(2))}} {
				if r.Intn(2) == 0 {
					in.Token.Overrides = append(in.Token.Overrides, o)
				}
			}
		}
		if r.Intn(5) == 0 {
			in.Token.Login = "j" // the overwrite example of 2.4
		}
		out, err := w.Write(in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if in.Password != "" {
			protected++
		}
		cases[i] = interopCase{in: in, out: out, pin: fmt.Sprintf("%08d", r.Intn(1e8))[:4+r.Intn(5)]}
	}
	if protected < interopFiles/2 || protected == interopFiles {
		t.Fatalf("%d of %d files protected: the generator lost its mix", protected, interopFiles)
	}

	dir := t.TempDir()
	stokentest.CheckAll(t, len(cases), max(2, runtime.NumCPU()), func(i int, fail func(string, ...any)) {
		checkInterop(dir, i, cases[i], fail)
	})
}

func checkInterop(dir string, i int, c interopCase, fail func(string, ...any)) {
	path := filepath.Join(dir, fmt.Sprintf("t%03d.sdtid", i))
	if err := os.WriteFile(path, c.out.Data, 0o600); err != nil {
		fail("case %d: %v", i, err)
		return
	}
	file := "--file=" + path
	var pwArgs []string
	if c.in.Password != "" {
		pwArgs = []string{"--password=" + c.in.Password} // test data only
	}
	desc := fmt.Sprintf("case %d (password %q, serial %s)", i, c.in.Password, c.in.Token.Serial)

	out, errOut, err := stokentest.Run(append([]string{"show", "--seed", file}, pwArgs...)...)
	if err != nil {
		fail("%s: stoken show failed: %v: %s%s", desc, err, out, errOut)
		return
	}
	got, ok := stokentest.DecryptedSeed(out)
	if !ok {
		fail("%s: no decrypted seed in %q", desc, out)
		return
	}
	if got != hex.EncodeToString(c.out.Seed[:]) {
		fail("%s: stoken's seed %s, ours %x", desc, got, c.out.Seed)
	}
	wantPw := map[bool]string{true: "yes", false: "no"}[c.in.Password != ""]
	if m := encryptedPwRe.FindStringSubmatch(out); m == nil || m[1] != wantPw {
		fail("%s: stoken says encrypted w/password %v, want %s", desc, m, wantPw)
	}
	if c.in.Password != "" {
		if _, _, err := stokentest.Run("show", file); err == nil {
			fail("%s: stoken opened a protected file without its password", desc)
		}
		if _, _, err := stokentest.Run("show", file, "--password="+c.in.Password+"x"); err == nil {
			fail("%s: stoken opened a protected file with a wrong password", desc)
		}
	}

	f, err := ReadSingle(c.out.Data, c.in.Password)
	if err != nil {
		fail("%s: our reader: %v", desc, err)
		return
	}
	tok := f.Tokens[0]
	for j, ts := range interopTimes {
		pin := "0000"
		if j == 2 {
			pin = c.pin
		}
		at := time.Unix(ts, 0)
		want, err := tok.CodeForce(at, pin)
		if err != nil {
			fail("%s: CodeForce: %v", desc, err)
			continue
		}
		got, errOut, err := stokentest.Run(append([]string{"tokencode", "--force", file, "--pin=" + pin,
			"--use-time=" + strconv.FormatInt(ts, 10)}, pwArgs...)...)
		if err != nil || strings.TrimSpace(got) != want {
			fail("%s: at %d pin %s stoken %q (%v %s), ours %q", desc, ts, pin, strings.TrimSpace(got), err, errOut, want)
		}
	}
}

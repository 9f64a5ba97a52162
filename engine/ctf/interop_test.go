package ctf

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
)

// interopStrings is how many random strings stoken must accept.
const interopStrings = 220

// interopTimes are fixed check times, all before every random Death.
var interopTimes = []int64{1718454645, 1767225630}

type interopCase struct {
	tok      Token
	o        Options
	s        string
	pin      string
	classID  bool    // the device ID is a class GUID (stoken auto-detects those)
	export   Options // the secrets and form of stoken's re-export
	exportV3 bool
}

// passwordRunes: ASCII symbols, letters, digits, a space, and non-ASCII
// letters (raw UTF-8 bytes: the format has no character set, §1).
var passwordRunes = []rune("abcXYZ0189 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~éüßø€✓")

func randomPassword(r *rand.Rand) string {
	for {
		n := 1 + r.Intn(24)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteRune(passwordRunes[r.Intn(len(passwordRunes))])
		}
		if b.Len() <= maxSecret {
			return b.String()
		}
	}
}

// randomDeviceID is a class GUID (any case) or a unique ID of 40 hex digits,
// in lower or upper case, with separators.
func randomDeviceID(r *rand.Rand) (string, bool) {
	if r.Intn(2) == 0 {
		g := ClassGUIDs[r.Intn(len(ClassGUIDs))].GUID
		if r.Intn(2) == 0 {
			g = strings.ToUpper(g)
		}
		return g, true
	}
	const hexd = "0123456789abcdef"
	var b strings.Builder
	sep := []string{"", "-", ":", " "}[r.Intn(4)]
	upper := r.Intn(3) == 0
	for i := 0; i < 40; i++ {
		if i > 0 && i%8 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(hexd[r.Intn(16)])
	}
	if upper {
		return strings.ToUpper(b.String()), false
	}
	return b.String(), false
}

func randomToken(r *rand.Rand) Token {
	t := Token{
		Serial:      fmt.Sprintf("%012d", r.Int63n(1e12)),
		Digits:      []int{6, 8}[r.Intn(2)],
		Interval:    []int{30, 60}[r.Intn(2)],
		PINMode:     r.Intn(4),
		Death:       time.Date(2030+r.Intn(8), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC),
		Alg128:      true,
		TimeDerived: r.Intn(4) != 0,
		AppDerived:  r.Intn(4) == 0,
		Feature4:    r.Intn(4) == 0,
		Feature6:    r.Intn(4) == 0,
	}
	r.Read(t.Seed[:])
	return t
}

func randomSecrets(r *rand.Rand) (pw, dev string, class bool) {
	if r.Intn(3) != 0 {
		pw = randomPassword(r)
	}
	if r.Intn(3) != 0 {
		dev, class = randomDeviceID(r)
	}
	return
}

// TestStokenInterop encodes a few hundred random strings over both versions
// and every form; stoken must accept each with exactly its password and
// device ID, show our seed and settings, and give our tokencodes. Then
// stoken re-exports each one in a random form with new secrets, and we must
// decode its string to the same token.
func TestStokenInterop(t *testing.T) {
	stokentest.Require(t, "stoken")
	start := time.Now()
	r := rand.New(rand.NewSource(20250615))
	cases := make([]interopCase, interopStrings)
	counts := map[string]int{}
	for i := range cases {
		c := interopCase{tok: randomToken(r), pin: fmt.Sprintf("%08d", r.Intn(1e8))[:4+r.Intn(5)]}
		c.o.Version = 2 + r.Intn(2)
		if c.o.Version == 2 {
			c.o.Form = []Form{FormDigits, FormBlocks, FormIPhone, FormAndroid}[r.Intn(4)]
		} else {
			c.o.Form = []Form{FormIPhone, FormAndroid}[r.Intn(2)]
		}
		c.o.Password, c.o.DeviceID, c.classID = randomSecrets(r)
		c.o.Rand = r
		s, err := Encode(c.tok, c.o)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		c.s = s
		c.o.Rand = nil
		c.export.Password, c.export.DeviceID, _ = randomSecrets(r)
		c.export.Form = []Form{FormDigits, FormBlocks, FormIPhone, FormAndroid}[r.Intn(4)]
		c.exportV3 = r.Intn(3) == 0
		cases[i] = c
		counts[fmt.Sprintf("v%d %v", c.o.Version, c.o.Form)]++
		counts[fmt.Sprintf("%d digits", c.tok.Digits)]++
		counts[fmt.Sprintf("%d s", c.tok.Interval)]++
		counts[fmt.Sprintf("PIN mode %d", c.tok.PINMode)]++
		switch {
		case c.o.DeviceID == "":
		case c.classID:
			counts["class GUID"]++
		default:
			counts["unique device ID"]++
		}
		if c.o.Password != "" {
			counts["password"]++
		}
	}
	for _, k := range []string{"v2 digits", "v2 blocks", "v2 iphone", "v2 android", "v3 iphone", "v3 android",
		"6 digits", "8 digits", "30 s", "60 s", "PIN mode 0", "PIN mode 1", "PIN mode 2", "PIN mode 3",
		"class GUID", "unique device ID", "password"} {
		if counts[k] < 10 {
			t.Fatalf("only %d cases of %s: the generator lost its mix (%v)", counts[k], k, counts)
		}
	}

	stokentest.CheckAll(t, len(cases), 2, func(i int, fail func(string, ...any)) {
		checkInterop(i, cases[i], fail)
	})
	t.Logf("%d strings (%v) checked against stoken in %v", len(cases), counts, time.Since(start).Round(time.Millisecond))
}

// secretArgs gives stoken the test's throwaway secrets (never real ones).
func secretArgs(pw, dev string) []string {
	var a []string
	if pw != "" {
		a = append(a, "--password="+pw)
	}
	if dev != "" {
		a = append(a, "--devid="+dev)
	}
	return a
}

// showFields parses `stoken show` output.
func showFields(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// wrongPassword differs from pw in its last byte and stays within 40 bytes.
func wrongPassword(pw string) string {
	b := []byte(pw)
	b[len(b)-1] ^= 0x01
	if b[len(b)-1] == 0 {
		b[len(b)-1] = 'x'
	}
	return string(b)
}

func checkInterop(i int, c interopCase, fail func(string, ...any)) {
	tokArg := "--token=" + c.s
	desc := fmt.Sprintf("case %d (v%d %v, password %q, device ID %q, serial %s)", i, c.o.Version, c.o.Form, c.o.Password, c.o.DeviceID, c.tok.Serial)
	v3 := c.o.Version == 3

	// Our own decode, and our refusals of wrong secrets.
	dec, err := Decode(c.s, c.o.Password, c.o.DeviceID)
	if err != nil {
		fail("%s: our decode: %v", desc, err)
		return
	}
	want := c.tok
	if v3 {
		want.AppDerived, want.Feature6, want.TimeDerived, want.PINMode = false, false, true, c.tok.PINMode&2
	}
	want.PasswordProtected, want.DeviceBound = c.o.Password != "", c.o.DeviceID != ""
	if dec != want {
		fail("%s: decoded %+v, want %+v", desc, dec, want)
	}

	out, errOut, err := stokentest.Run(append([]string{"show", "--seed", tokArg}, secretArgs(c.o.Password, c.o.DeviceID)...)...)
	if err != nil {
		fail("%s: stoken show failed: %v: %s%s", desc, err, out, errOut)
		return
	}
	f := showFields(out)
	if got := strings.ReplaceAll(f["Decrypted seed"], " ", ""); got != hex.EncodeToString(c.tok.Seed[:]) {
		fail("%s: stoken's seed %s, ours %x", desc, got, c.tok.Seed)
	}
	yn := map[bool]string{true: "yes", false: "no"}
	for k, v := range map[string]string{
		"Serial number": c.tok.Serial, "Tokencode digits": strconv.Itoa(c.tok.Digits),
		"Seconds per tokencode": strconv.Itoa(c.tok.Interval), "PIN mode": strconv.Itoa(want.PINMode),
		"Expiration date": c.tok.ExpiresAt().Format("2006/01/02"), "Time-derived": yn[want.TimeDerived],
		"App-derived": yn[want.AppDerived], "Feature bit 4": yn[want.Feature4], "Feature bit 6": yn[want.Feature6],
	} {
		if f[k] != v {
			fail("%s: stoken shows %s %q, want %q", desc, k, f[k], v)
		}
	}
	if !v3 && (f["Encrypted w/password"] != yn[want.PasswordProtected] || f["Encrypted w/devid"] != yn[want.DeviceBound]) {
		fail("%s: stoken shows w/password %s w/devid %s", desc, f["Encrypted w/password"], f["Encrypted w/devid"])
	}

	for j, ts := range interopTimes {
		pin := "0000"
		if j == 1 {
			pin = c.pin
		}
		ours, err := c.tok.CodeForce(time.Unix(ts, 0), pin)
		if err != nil {
			fail("%s: CodeForce: %v", desc, err)
			continue
		}
		if v3 {
			// v3 drops LocalPIN: the PIN use follows the decoded mode.
			ours, _ = dec.CodeForce(time.Unix(ts, 0), pin)
		}
		got, errOut, err := stokentest.Run(append([]string{"tokencode", "--force", tokArg, "--pin=" + pin,
			"--use-time=" + strconv.FormatInt(ts, 10)}, secretArgs(c.o.Password, c.o.DeviceID)...)...)
		if err != nil || strings.TrimSpace(got) != ours {
			fail("%s: at %d PIN %s stoken %q (%v %s), ours %q", desc, ts, pin, strings.TrimSpace(got), err, errOut, ours)
		}
	}

	// Exactly its secrets and no other.
	type attempt struct {
		what, pw, dev string
		want          error
	}
	var attempts []attempt
	if c.o.Password != "" {
		attempts = append(attempts, attempt{"no password", "", c.o.DeviceID, ErrMissingPassword},
			attempt{"a wrong password", wrongPassword(c.o.Password), c.o.DeviceID, ErrWrongPassword})
	}
	if c.o.DeviceID != "" {
		other := "0123456789abcdef0123456789abcdef01234567"
		if !c.classID {
			// stoken tries the class GUIDs when --devid is missing: only a
			// unique ID makes a missing device ID fatal.
			attempts = append(attempts, attempt{"no device ID", c.o.Password, "", ErrMissingDeviceID})
			other = ClassGUIDs[1].GUID
		}
		attempts = append(attempts, attempt{"a wrong device ID", c.o.Password, other, ErrDeviceIDMismatch})
	}
	for _, a := range attempts {
		if out, _, err := stokentest.Run(append([]string{"show", "--seed", tokArg}, secretArgs(a.pw, a.dev)...)...); err == nil {
			fail("%s: stoken opened it with %s: %.60s", desc, a.what, out)
		}
		_, err := Decode(c.s, a.pw, a.dev)
		if err == nil {
			fail("%s: we opened it with %s", desc, a.what)
		} else if !errors.Is(err, a.want) && !(a.want == ErrDeviceIDMismatch && errors.Is(err, ErrWrongPassword) && !v3) {
			// (v2: a wrong device ID that passes the 15-bit check fails the seed check.)
			fail("%s: with %s we said %v, want %v", desc, a.what, err, a.want)
		}
	}

	// stoken re-exports it; we read its string.
	args := append([]string{"export", tokArg}, secretArgs(c.o.Password, c.o.DeviceID)...)
	if c.export.Password != "" {
		args = append(args, "--new-password="+c.export.Password)
	}
	if c.export.DeviceID != "" {
		args = append(args, "--new-devid="+c.export.DeviceID)
	}
	wantForm, wantVer := c.export.Form, 2
	switch {
	case c.exportV3 && c.export.Form == FormIPhone:
		args, wantVer = append(args, "--v3", "--iphone"), 3
	case c.exportV3:
		args, wantForm, wantVer = append(args, "--v3"), FormAndroid, 3
	case c.export.Form == FormBlocks:
		args = append(args, "--blocks")
	case c.export.Form == FormIPhone:
		args = append(args, "--iphone")
	case c.export.Form == FormAndroid:
		args = append(args, "--android")
	}
	out, errOut, err = stokentest.Run(args...)
	exported := strings.TrimSpace(out)
	if err != nil || exported == "" {
		fail("%s: stoken export failed: %v %s", desc, err, errOut)
		return
	}
	edesc := fmt.Sprintf("%s re-exported as v%d %v (password %q, device ID %q)", desc, wantVer, wantForm, c.export.Password, c.export.DeviceID)
	info, err := Inspect(exported)
	if err != nil || info.Version != wantVer || info.Form != wantForm {
		fail("%s: Inspect %+v %v", edesc, info, err)
	}
	back, err := Decode(exported, c.export.Password, c.export.DeviceID)
	if err != nil {
		fail("%s: our decode: %v", edesc, err)
		return
	}
	want = dec
	if wantVer == 3 {
		want.AppDerived, want.Feature6, want.TimeDerived, want.PINMode = false, false, true, want.PINMode&2
	}
	want.PasswordProtected, want.DeviceBound = c.export.Password != "", c.export.DeviceID != ""
	if back != want {
		fail("%s: decoded %+v, want %+v", edesc, back, want)
	}
	if wantVer == 2 {
		// v2 is deterministic: our encoding of the same token is stoken's.
		o := c.export
		o.Version = 2
		ours, err := Encode(back, o)
		if err != nil || ours != exported {
			fail("%s: our encoding %q (%v), stoken's %q", edesc, ours, err, exported)
		}
	}
}

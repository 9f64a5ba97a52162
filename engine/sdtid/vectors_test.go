package sdtid

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const vectorsDir = "../../testdata/vectors"

type vectorFile struct {
	Times      []int64         `json:"times"`
	Fixtures   []fixture       `json:"fixtures"`
	Tamper     []tamperCase    `json:"tamper_cases"`
	Primitives json.RawMessage `json:"primitive_vectors"`
}

type fixture struct {
	Name        string            `json:"name"`
	File        string            `json:"file"`
	Template    string            `json:"template"`
	Password    *string           `json:"password"`
	NewDevID    *string           `json:"new_devid"`
	SNField     string            `json:"sn_field"`
	Origin      string            `json:"origin"`
	Dest        string            `json:"dest"`
	BatchName   string            `json:"batch_name"`
	DefBirth    string            `json:"def_birth"`
	DefDeath    string            `json:"def_death"`
	Digits      int               `json:"digits"`
	Interval    int               `json:"interval"`
	PINMode     int               `json:"pin_mode"`
	Overrides   map[string]string `json:"token_level_overrides"`
	Show        map[string]string `json:"stoken_show"`
	SecretB64   string            `json:"secret_b64"`
	SeedField   string            `json:"seed_field"`
	EncSeedHex  string            `json:"enc_seed_hex"`
	SeedHex     string            `json:"seed_hex"`
	HeaderMAC   string            `json:"header_mac"`
	TokenMAC    string            `json:"token_mac"`
	DerivedKeys map[string]string `json:"derived_keys"`
	HeaderInput string            `json:"header_mac_input_hex"`
	TokenInput  string            `json:"token_mac_input_hex"`
	Tokencodes  []struct {
		UnixTime int64   `json:"unix_time"`
		PIN      *string `json:"pin"`
		Code     string  `json:"code"`
	} `json:"tokencodes"`
}

type tamperCase struct {
	File     string  `json:"file"`
	Expect   string  `json:"expect"`
	Password *string `json:"password"`
	Cmd      string  `json:"stoken_cmd"`
	RC       int     `json:"rc"`
	Stdout   string  `json:"stdout"`
	Stderr   string  `json:"stderr"`
}

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(vectorsDir, "vectors.json"))
	if err != nil {
		t.Fatalf("test vectors missing (copy ../shared/vectors to testdata/vectors): %v", err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Fixtures) < 11 || len(v.Tamper) < 58 {
		t.Fatalf("vectors.json has %d fixtures and %d tamper cases; expected 11 and 58", len(v.Fixtures), len(v.Tamper))
	}
	return &v
}

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pw(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtures reads every stoken-written fixture and checks every value the
// vectors record: seed, keys, both MAC input buffers, codes and show output.
func TestFixtures(t *testing.T) {
	v := loadVectors(t)
	for _, fx := range v.Fixtures {
		t.Run(fx.Name, func(t *testing.T) {
			data := readVector(t, fx.File)
			f, err := ReadSingle(data, pw(fx.Password))
			if err != nil {
				t.Fatalf("ReadSingle: %v", err)
			}
			if len(f.Tokens) != 1 {
				t.Fatalf("%d tokens", len(f.Tokens))
			}
			tok := f.Tokens[0]
			if got := hex.EncodeToString(tok.Seed[:]); got != fx.SeedHex {
				t.Errorf("seed %s, want %s", got, fx.SeedHex)
			}
			if f.PasswordProtected != (fx.Password != nil) {
				t.Errorf("PasswordProtected = %v", f.PasswordProtected)
			}
			if fx.Password != nil {
				if _, err := Read(data, ""); KindOf(err) != KindPasswordRequired {
					t.Errorf("no password: %v, want KindPasswordRequired", err)
				}
				if _, err := Read(data, *fx.Password+"x"); KindOf(err) != KindWrongPassword {
					t.Errorf("wrong password: %v, want KindWrongPassword", err)
				}
			}
			if tok.Serial != fx.SNField || f.Header.Origin != fx.Origin || f.Header.Dest != fx.Dest || f.Header.Name != fx.BatchName {
				t.Errorf("serial/origin/dest/name = %q %q %q %q", tok.Serial, f.Header.Origin, f.Header.Dest, f.Header.Name)
			}
			if tok.Digits != fx.Digits || tok.IntervalSeconds != fx.Interval || tok.PINMode != fx.PINMode {
				t.Errorf("digits/interval/pin = %d/%d/%d", tok.Digits, tok.IntervalSeconds, tok.PINMode)
			}
			// stoken show fields.
			show := map[string]string{
				"Serial number":         strings.Repeat("0", 12-len(tok.Serial)) + tok.Serial,
				"Tokencode digits":      strconv.Itoa(tok.Digits),
				"Seconds per tokencode": strconv.Itoa(tok.IntervalSeconds),
				"PIN mode":              strconv.Itoa(tok.PINMode),
				"Expiration date":       tok.ExpiresAt().Format("2006/01/02"),
				"Key length":            map[int]string{0: "64", 1: "128"}[tok.Alg],
				"Decrypted seed":        spacedHex(tok.Seed[:]),
				"Encrypted w/password":  map[bool]string{true: "yes", false: "no"}[f.PasswordProtected],
				"Time-derived":          map[bool]string{true: "yes", false: "no"}[tok.TimeDerivedSeeds],
				"App-derived":           map[bool]string{true: "yes", false: "no"}[tok.AppDerivedSeeds],
				"Feature bit 4":         map[int]string{0: "no", 1: "yes"}[tok.Mode],
			}
			for k, want := range show {
				if fx.Show[k] != want {
					t.Errorf("show %q: stoken %q, ours %q", k, fx.Show[k], want)
				}
			}

			// Keys and MAC inputs.
			d, err := locate(data)
			if err != nil {
				t.Fatal(err)
			}
			hb, _ := macInput(d.header)
			tb, _ := macInput(d.tokens[0])
			if hex.EncodeToString(hb) != fx.HeaderInput {
				t.Errorf("header MAC input differs:\n got %x\nwant %s", hb, fx.HeaderInput)
			}
			if hex.EncodeToString(tb) != fx.TokenInput {
				t.Errorf("token MAC input differs:\n got %x\nwant %s", tb, fx.TokenInput)
			}
			p := fx.Origin
			if fx.Password != nil {
				p = *fx.Password
			}
			secret, _ := decodeB64(fx.SecretB64)
			k := deriveKeys(PasswordKey(p, fx.Dest, fx.BatchName), fx.BatchName, fx.SNField, [16]byte(secret))
			for name, got := range map[string][16]byte{"password_key_K0": k.K0, "batch_key": k.BK,
				"header_mac_key": k.HeaderMAC, "token_mac_key": k.TokenMAC, "token_enc_key": k.TokenEnc} {
				if hex.EncodeToString(got[:]) != fx.DerivedKeys[name] {
					t.Errorf("%s = %x, want %s", name, got, fx.DerivedKeys[name])
				}
			}

			for _, tc := range fx.Tokencodes {
				at := time.Unix(tc.UnixTime, 0)
				got, err := tok.CodeForce(at, pw(tc.PIN))
				if err != nil || got != tc.Code {
					t.Errorf("code at %d pin %v = %q, %v; want %q", tc.UnixTime, pw(tc.PIN), got, err, tc.Code)
				}
				// The fixtures expire in 2036, so Code must agree.
				if got2, err := tok.Code(at, pw(tc.PIN)); err != nil || got2 != got {
					t.Errorf("Code = %q, %v", got2, err)
				}
			}
		})
	}
}

func spacedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, " ")
}

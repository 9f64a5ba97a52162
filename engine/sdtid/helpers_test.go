package sdtid

import (
	"encoding/base64"
	"testing"
)

// remac edits a parsed file, recomputes its MACs (as an attacker who knows
// the password could) and serialises it again. Tests use it to build files
// that differ from a fixture in exactly one property.
func remac(t testing.TB, data []byte, password string, edit func(d *doc)) []byte {
	t.Helper()
	d, err := locate(data)
	if err != nil {
		t.Fatal(err)
	}
	edit(d)
	hb, err := macInput(d.header)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range d.tokens {
		text := func(x string) string { return lookup(d.header, tn, x).content }
		p := password
		if p == "" {
			p = trimC(text("Origin"))
		}
		secret, err := decodeB64(text("Secret"))
		if err != nil || len(secret) != 16 {
			t.Fatalf("secret: %v", err)
		}
		k := deriveKeys(PasswordKey(p, text("Dest"), text("Name")), text("Name"), text("SN"), [16]byte(secret))
		tb, err := macInput(tn)
		if err != nil {
			t.Fatal(err)
		}
		h := cbcMAC(newAES(k.HeaderMAC), ivHeaderMAC, hb)
		m := cbcMAC(newAES(k.TokenMAC), ivTokenMAC, tb)
		lookup(d.header, tn, "HeaderMAC").content = base64.StdEncoding.EncodeToString(h[:])
		lookup(d.header, tn, "TokenMAC").content = base64.StdEncoding.EncodeToString(m[:])
	}
	return serialize(d.root)
}

// setText sets the content of the first element called name under n.
func setText(t testing.TB, n *node, name, value string) {
	t.Helper()
	c := n.find(name)
	if c == nil {
		t.Fatalf("no element %s", name)
	}
	c.content = value
}

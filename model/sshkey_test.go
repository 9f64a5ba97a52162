package model

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func testPub(t *testing.T, key any) ssh.PublicKey {
	t.Helper()
	pub, err := ssh.NewPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func testEd25519Pub(t *testing.T) ssh.PublicKey {
	t.Helper()
	pk, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testPub(t, pk)
}

func authorizedLine(pub ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func TestParseSSHKeyAcceptsEd25519WithComment(t *testing.T) {
	pub := testEd25519Pub(t)
	line := "  " + authorizedLine(pub) + "   alice@laptop  work  \r\n"
	k, err := ParseSSHKey(line)
	if err != nil {
		t.Fatal(err)
	}
	if k.Type != "ssh-ed25519" || k.Fingerprint != ssh.FingerprintSHA256(pub) || k.Comment != "alice@laptop work" {
		t.Fatalf("got %+v", k)
	}
	if k.Line != authorizedLine(pub)+" alice@laptop work" {
		t.Fatalf("line not normalized: %q", k.Line)
	}
	again, err := ParseSSHKey(k.Line)
	if err != nil || again != k {
		t.Fatalf("normalized line does not parse to the same key: %+v %v", again, err)
	}
}

func TestParseSSHKeyAcceptsECDSAAndRSA2048(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, pub := range []ssh.PublicKey{testPub(t, &ec.PublicKey), testPub(t, &rk.PublicKey)} {
		k, err := ParseSSHKey(authorizedLine(pub))
		if err != nil {
			t.Fatalf("%s: %v", pub.Type(), err)
		}
		if k.Type != pub.Type() || k.Comment != "" || k.Line != authorizedLine(pub) {
			t.Fatalf("got %+v", k)
		}
	}
}

func TestParseSSHKeyRefusals(t *testing.T) {
	ed := authorizedLine(testEd25519Pub(t))
	other := authorizedLine(testEd25519Pub(t))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024 := authorizedLine(testPub(t, &small.PublicKey))
	fields := strings.Fields(ed)
	cases := []struct{ name, line, want string }{
		{"empty line", "   ", "empty"},
		{"comment line", "# alice", "comment"},
		{"not a key", "hello world", "not an SSH public key"},
		{"options", `command="/bin/sh",no-pty ` + ed, "options"},
		{"from option", `from="10.0.0.1" ` + ed, "options"},
		{"DSA", "ssh-dss AAAAB3NzaC1kc3MAAACBAP== bob", "DSA"},
		{"RSA under 2048 bits", rsa1024, "1024 bits"},
		{"several keys on one line", ed + " " + other, "several keys"},
		{"several lines", ed + "\n" + other, "several lines"},
		{"bad base64", "ssh-ed25519 !!!notbase64", "base64"},
		{"cut short", "ssh-ed25519 " + fields[1][:20], "cut short"},
		{"no key data", "ssh-ed25519", "no key data"},
		{"type mismatch", "ssh-rsa " + fields[1], "ssh-ed25519"},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----", "PRIVATE"},
		{"certificate", "ssh-ed25519-cert-v01@openssh.com AAAA", "certificate"},
		{"control character in comment", ed + " a\x1b[31mb", "control character"},
		{"too long", ed + " " + strings.Repeat("x", MaxSSHKeyLineLen), "characters long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSSHKey(c.line)
			if err == nil {
				t.Fatalf("%q accepted", c.line)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestSSHKeyFromWireMatchesParsedLine(t *testing.T) {
	pub := testEd25519Pub(t)
	k, err := SSHKeyFromWire(pub.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSSHKey(authorizedLine(pub) + " c")
	if err != nil {
		t.Fatal(err)
	}
	if k.Fingerprint != p.Fingerprint || k.Type != p.Type || k.Line != authorizedLine(pub) {
		t.Fatalf("wire %+v, line %+v", k, p)
	}
	if _, err := SSHKeyFromWire([]byte("junk")); err == nil {
		t.Fatal("junk wire bytes accepted")
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SSHKeyFromWire(testPub(t, &small.PublicKey).Marshal()); err == nil {
		t.Fatal("RSA-1024 wire key accepted")
	}
}

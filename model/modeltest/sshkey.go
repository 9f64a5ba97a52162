// Package modeltest holds test helpers for the model's types that the
// tests of several packages share.
package modeltest

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/swtoken/swtoken/model"
)

// SSHKey is a fresh ed25519 public key: its authorized_keys line ending in
// comment, the key as model.ParseSSHKey reads that line, and its SSH wire
// form (what a server is given to check).
func SSHKey(t testing.TB, comment string) (line string, key model.SSHKey, wire []byte) {
	t.Helper()
	pk, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + comment
	key, err = model.ParseSSHKey(line)
	if err != nil {
		t.Fatal(err)
	}
	return line, key, pub.Marshal()
}

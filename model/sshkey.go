package model

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/ssh"
)

// SSH public keys of users (product.md section 13): the keys a user may
// log in to `swtoken serve` with. Pure: parsing and the rules on which
// keys are accepted.

// MinRSAKeyBits is the smallest RSA key accepted.
const MinRSAKeyBits = 2048

// MaxSSHKeyLineLen bounds one authorized_keys line (an RSA-16384 key is
// about 2,800 characters).
const MaxSSHKeyLineLen = 8192

// MaxSSHKeyCommentLen bounds a key's comment.
const MaxSSHKeyCommentLen = 256

// SSHKey is one public key in authorized_keys form.
type SSHKey struct {
	Type        string // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", "sk-ssh-ed25519@openssh.com", ...
	Fingerprint string // ssh.FingerprintSHA256: "SHA256:..."
	Line        string // normalized "TYPE BASE64 [COMMENT]" (no options)
	Comment     string
}

// keyTypeDSA is the DSA key type, refused (ssh.InsecureKeyAlgoDSA).
const keyTypeDSA = "ssh-dss"

// sshKeyTypes are the key types accepted (certificates and DSA are not).
var sshKeyTypes = map[string]bool{
	ssh.KeyAlgoRSA: true, ssh.KeyAlgoED25519: true, ssh.KeyAlgoSKED25519: true,
	ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true,
	ssh.KeyAlgoSKECDSA256: true,
}

// looksLikeKeyType says whether a field names an SSH key type, known or
// not (DSA, certificates), so that errors can say what the line is.
func looksLikeKeyType(f string) bool {
	return sshKeyTypes[f] || f == keyTypeDSA || strings.HasPrefix(f, "ssh-") ||
		strings.HasPrefix(f, "ecdsa-sha2-") || strings.HasPrefix(f, "sk-")
}

// ParseSSHKey reads one authorized_keys line (options such as command= are refused,
// RSA under 2048 bits and DSA refused), with a specific error naming what is wrong.
func ParseSSHKey(line string) (SSHKey, error) {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > MaxSSHKeyLineLen {
		return SSHKey{}, fmt.Errorf("the line is %d characters long; an SSH public key line has at most %d", len(line), MaxSSHKeyLineLen)
	}
	if strings.ContainsAny(line, "\r\n") {
		return SSHKey{}, errors.New("the text has several lines; give one key per line")
	}
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		return SSHKey{}, errors.New("the line is empty; give a public key such as \"ssh-ed25519 AAAA... comment\"")
	case strings.HasPrefix(trimmed, "#"):
		return SSHKey{}, errors.New("the line is a comment, not a key")
	case strings.Contains(trimmed, "PRIVATE KEY"):
		return SSHKey{}, errors.New("this is a PRIVATE key: give the public key (the .pub file) and keep the private key secret")
	case strings.HasPrefix(trimmed, "---- BEGIN SSH2 PUBLIC KEY"):
		return SSHKey{}, errors.New("the key is in the RFC 4716 (SSH2) format; convert it with ssh-keygen -i -f FILE and give the one-line form")
	}
	fields := strings.Fields(trimmed)
	// Find the key type: the first field, or after options.
	typeAt := -1
	for i, f := range fields {
		if looksLikeKeyType(f) {
			typeAt = i
			break
		}
	}
	if typeAt < 0 {
		return SSHKey{}, fmt.Errorf("not an SSH public key: it should start with a key type such as ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa, not %q", clip(fields[0]))
	}
	if typeAt > 0 {
		return SSHKey{}, fmt.Errorf("the line has options (%s) before the key: options such as command= or from= are not accepted; give the bare key", clip(strings.Join(fields[:typeAt], " ")))
	}
	typ := fields[0]
	if len(fields) < 2 {
		return SSHKey{}, fmt.Errorf("the line has the key type %s but no key data after it", typ)
	}
	if strings.Contains(typ, "-cert-v01@") {
		return SSHKey{}, fmt.Errorf("%s is a certificate, not a public key; give the user's public key", typ)
	}
	if typ == keyTypeDSA {
		return SSHKey{}, errors.New("DSA keys (ssh-dss) are not accepted: they are insecure; use an ed25519 key (ssh-keygen -t ed25519)")
	}
	wire, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return SSHKey{}, fmt.Errorf("the key data after %s is not valid base64: the key is damaged or cut short", typ)
	}
	pub, err := ssh.ParsePublicKey(wire)
	if err != nil {
		return SSHKey{}, fmt.Errorf("the key data after %s is not a valid public key: the key is damaged or cut short", typ)
	}
	if pub.Type() != typ {
		return SSHKey{}, fmt.Errorf("the line says %s but the key data is a %s key", typ, pub.Type())
	}
	comment := strings.Join(fields[2:], " ")
	for i := 2; i+1 < len(fields); i++ {
		if looksLikeKeyType(fields[i]) {
			if w, err := base64.StdEncoding.DecodeString(fields[i+1]); err == nil {
				if _, err := ssh.ParsePublicKey(w); err == nil {
					return SSHKey{}, errors.New("the line holds several keys; give one key per line")
				}
			}
		}
	}
	if len(comment) > MaxSSHKeyCommentLen {
		return SSHKey{}, fmt.Errorf("the key's comment is %d characters long; at most %d", len(comment), MaxSSHKeyCommentLen)
	}
	for _, r := range comment {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return SSHKey{}, errors.New("the key's comment has a control character or invalid text")
		}
	}
	k, err := sshKeyOf(pub)
	if err != nil {
		return SSHKey{}, err
	}
	k.Comment = comment
	if comment != "" {
		k.Line += " " + comment
	}
	return k, nil
}

// SSHKeyFromWire makes an SSHKey from an ssh.PublicKey's Marshal() bytes.
func SSHKeyFromWire(wire []byte) (SSHKey, error) {
	pub, err := ssh.ParsePublicKey(wire)
	if err != nil {
		return SSHKey{}, errors.New("not a valid SSH public key")
	}
	return sshKeyOf(pub)
}

// sshKeyOf checks a parsed key against the rules and describes it.
func sshKeyOf(pub ssh.PublicKey) (SSHKey, error) {
	typ := pub.Type()
	if typ == keyTypeDSA {
		return SSHKey{}, errors.New("DSA keys (ssh-dss) are not accepted: they are insecure; use an ed25519 key (ssh-keygen -t ed25519)")
	}
	if _, ok := pub.(*ssh.Certificate); ok {
		return SSHKey{}, fmt.Errorf("%s is a certificate, not a public key; give the user's public key", typ)
	}
	if !sshKeyTypes[typ] {
		return SSHKey{}, fmt.Errorf("%s keys are not accepted; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more)", typ)
	}
	if typ == ssh.KeyAlgoRSA {
		cpk, ok := pub.(ssh.CryptoPublicKey)
		if !ok {
			return SSHKey{}, errors.New("the RSA key cannot be read")
		}
		rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
		if !ok {
			return SSHKey{}, errors.New("the RSA key cannot be read")
		}
		if bits := rk.N.BitLen(); bits < MinRSAKeyBits {
			return SSHKey{}, fmt.Errorf("the RSA key has %d bits; at least %d are required (or use an ed25519 key)", bits, MinRSAKeyBits)
		}
	}
	return SSHKey{
		Type:        typ,
		Fingerprint: ssh.FingerprintSHA256(pub),
		Line:        typ + " " + base64.StdEncoding.EncodeToString(pub.Marshal()),
	}, nil
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

package store

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

func selfSigned(t *testing.T, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "swtoken test"},
		NotBefore: time.Now(), NotAfter: time.Now().AddDate(10, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestSigningKey(t *testing.T) {
	s, dir := newStore(t)
	_, _, err := s.SigningKey()
	wantNotFound(t, err)

	key, _ := rsa.GenerateKey(rand.Reader, 1024)
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	keyDER := x509.MarshalPKCS1PrivateKey(key)
	certDER := selfSigned(t, key)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	for _, c := range []struct {
		name      string
		key, cert []byte
		want      string
	}{
		{"garbage key", []byte("nope"), certDER, "not a PKCS#1 or PKCS#8"},
		{"not RSA", ecDER, certDER, "not an RSA key"},
		{"garbage cert", keyDER, []byte("nope"), "not an X.509 certificate"},
		{"other key's cert", keyDER, selfSigned(t, other), "not the certificate of this key"},
	} {
		mark := auditMark(t, s)
		wantErr(t, s.SetSigningKey(c.key, c.cert), c.want)
		wantAudit(t, s, mark)
	}

	mark := auditMark(t, s)
	if err := s.SetSigningKey(keyDER, certDER); err != nil {
		t.Fatal(err)
	}
	recs := wantAudit(t, s, mark, "signing key create|installation")
	if bytes.Contains([]byte(recs[0].Details), keyDER[:16]) {
		t.Error("key material in the audit trail")
	}
	gotKey, gotCert, err := s.SigningKey()
	if err != nil || !bytes.Equal(gotKey, keyDER) || !bytes.Equal(gotCert, certDER) {
		t.Fatalf("SigningKey: %v", err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(other)
	if err := s.SetSigningKey(pkcs8, selfSigned(t, other)); !errors.Is(err, ErrSigningKeyExists) {
		t.Fatalf("replace: %v", err)
	}
	if gotKey, _, _ := s.SigningKey(); !bytes.Equal(gotKey, keyDER) {
		t.Error("key replaced")
	}
	// The key is sealed at rest.
	s.Close()
	raw := readDB(t, dir)
	if bytes.Contains(raw, keyDER[len(keyDER)-64:]) {
		t.Error("signing key in the clear in the database file")
	}
}
